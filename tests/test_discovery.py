"""Organization pages, the organizations index and the "with code" page.

Real corpus, read by hand: only two records name the submitting organization,
both in the spaced layout's metadata block (`handle Display Name`, then `·`):
  corpus/001_61f9ec426f515aef.txt line 341  `apple Apple`
      -> "Pretraining with hierarchical memories: separating long-tail and common knowledge"
  corpus/002_bfe1335b23d0d37c.txt line 185  `SakanaAI Sakana AI`
      -> "Continuous Thought Machines"
Expected "with code" papers are computed here from papers.json's links and a
list of code hosts written for this test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.corpus import load_corpus
from generator.render.site import generate
from helpers import CORPUS, make_corpus, parse_html, resolve

# handle -> (display name, address folder, slugs of its papers)
REAL_ORGS = {
    "apple": ("Apple", "apple", {"pretraining-with-hierarchical-memories-separating-long-tail-and-common-knowledge"}),
    "SakanaAI": ("Sakana AI", "sakanaai", {"continuous-thought-machines"}),
}
CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "sourceforge.net", "huggingface.co")


@pytest.fixture(scope="module")
def papers(real_site) -> dict[str, dict]:
    return {p["slug"]: p for p in json.loads((real_site / "papers.json").read_text(encoding="utf-8"))}


def article(page: Path):
    root = parse_html(page.read_text(encoding="utf-8"))
    return root.find("article")


def paper_links(site: Path, page: Path) -> list[str]:
    """Slugs of the paper pages the article links to, in order; each link must resolve to a built page."""
    slugs = []
    for link in article(page).find_all("a"):
        href = link.attrs.get("href", "")
        if urlsplit(href).scheme:
            continue
        target, _ = resolve(site, page, href)
        parts = target.relative_to(site).parts
        if parts[0] == "papers":
            assert target.is_file(), (page, href)
            slugs.append(parts[1])
    return slugs


def org_lines_in_dumps(folder: Path) -> list[tuple[str, str, str]]:
    """(handle, display name, title) for each metadata block that names an organization.

    A reader of our own: in the spaced layout a record is title, abstract, then
    `• N authors` or `handle Display Name`, a `·` line, and a date line.
    """
    found = []
    for dump in sorted(folder.glob("*.txt")):
        lines = [line.strip() for line in dump.read_text(encoding="utf-8").split("\n") if line.strip()]
        for i, line in enumerate(lines):
            if i >= 2 and i + 1 < len(lines) and lines[i + 1] == "·" and not line.startswith("•"):
                handle, _, name = line.partition(" ")
                found.append((handle, name, lines[i - 2]))
    return found


# Organizations in the real site


def test_the_dumps_name_exactly_the_known_organizations(papers):
    by_title = {p["title"]: slug for slug, p in papers.items()}
    found = {}
    for handle, name, title in org_lines_in_dumps(CORPUS):
        found.setdefault(handle, (name, set()))[1].add(by_title[title])
    assert found == {handle: (name, slugs) for handle, (name, _, slugs) in REAL_ORGS.items()}


def test_one_page_per_organization(real_site):
    folders = {p.name for p in (real_site / "orgs").iterdir() if p.is_dir()}
    assert folders == {folder for _, folder, _ in REAL_ORGS.values()}


@pytest.mark.parametrize("handle", sorted(REAL_ORGS))
def test_organization_page_lists_exactly_its_papers(real_site, papers, handle):
    name, folder, slugs = REAL_ORGS[handle]
    page = real_site / "orgs" / folder / "index.html"
    assert article(page).find("h1").text().replace("¶", "").strip() == name
    listed = paper_links(real_site, page)
    assert sorted(listed) == sorted(slugs)
    text = " ".join(article(page).text().split())
    assert f"{len(slugs)} paper" in text and handle in text


@pytest.mark.parametrize("handle", sorted(REAL_ORGS))
def test_paper_page_links_to_its_organization(real_site, papers, handle):
    name, folder, slugs = REAL_ORGS[handle]
    for slug in slugs:
        assert papers[slug]["organization"] == name
        page = real_site / "papers" / slug / "index.html"
        targets = {resolve(real_site, page, a.attrs["href"])[0] for a in article(page).find_all("a")
                   if "href" in a.attrs and not urlsplit(a.attrs["href"]).scheme}
        assert real_site / "orgs" / folder / "index.html" in targets, slug


def test_papers_without_organization_say_none(papers):
    named = {slug for _, _, slugs in REAL_ORGS.values() for slug in slugs}
    assert {slug for slug, p in papers.items() if p["organization"]} == named


def index_rows(site: Path) -> list[tuple[str, str, str, int]]:
    """(organization name, linked page, handle, paper count) of each row of the organizations table."""
    page = site / "orgs" / "index.html"
    rows = []
    for tr in article(page).find("table").find_all("tr")[1:]:
        cells = tr.find_all("td")
        link = cells[0].find("a")
        target, _ = resolve(site, page, link.attrs["href"])
        rows.append((link.text().strip(), target.relative_to(site).as_posix(), cells[1].text().strip(),
                     int(cells[2].text().strip())))
    return rows


def test_organizations_index_has_a_row_and_count_per_organization(real_site):
    expected = sorted(((name, f"orgs/{folder}/index.html", handle, len(slugs))
                       for handle, (name, folder, slugs) in REAL_ORGS.items()),
                      key=lambda row: (-row[3], row[0].casefold()))
    assert index_rows(real_site) == expected
    for _, target, _, _ in expected:
        assert (real_site / target).is_file()


def test_organizations_index_totals(real_site, papers):
    text = " ".join(article(real_site / "orgs" / "index.html").text().split())
    submitted = sum(len(slugs) for _, _, slugs in REAL_ORGS.values())
    assert f"{len(REAL_ORGS)} organizations submitted {submitted} of the {len(papers)} papers" in text


def test_nav_leads_to_code_and_browse_and_home_to_organizations(real_site):
    page = real_site / "index.html"
    root = parse_html(page.read_text(encoding="utf-8"))
    nav = {" ".join(a.text().split()): resolve(real_site, page, a.attrs["href"])[0].relative_to(real_site).as_posix()
           for a in root.find_all("a", cls="md-nav__link") if "href" in a.attrs}
    assert nav.get("With code") == "code/index.html", nav
    # Organizations and Listings left the top nav while they are small (issue 13); Home links to both.
    links = {resolve(real_site, page, a.attrs["href"])[0].relative_to(real_site).as_posix()
             for a in root.find_all("a") if a.attrs.get("href", "").startswith(("orgs", "listings"))}
    assert {"orgs/index.html", "listings/index.html"} <= links, links
    assert nav.get("Browse") == "browse/index.html", nav


# Organizations from a small corpus, through generate()

ORG_DUMP_A = """\
Daily Papers

Oct 28

Associative Memory at Acme

Associative memory in transformers.

acme Acme Labs
·
Jul 19, 2023 5

Spiking Chips at Acme

Spiking neural networks on neuromorphic chips.

acme Acme Labs
·
Mar 2, 2024 1

A Zeta Paper on Memory

Working memory in agents.

zeta Zeta
·
Jan 5, 2022 0

An Authors-Only Paper

Episodic memory without an organization.

  • 3 authors
·
Feb 1, 2024 0
"""
# The Acme memory paper again, in a second listing: still one paper on Acme's page.
ORG_DUMP_B = """\
Daily Papers

Nov 2

Associative Memory at Acme

Associative memory in transformers.

acme Acme Labs
·
Jul 19, 2023 7
"""


@pytest.fixture(scope="module")
def org_pages(tmp_path_factory) -> dict[str, str]:
    folder = make_corpus(tmp_path_factory.mktemp("orgs") / "corpus", {"001_a.txt": ORG_DUMP_A, "002_b.txt": ORG_DUMP_B})
    corpus = load_corpus(folder)
    assert len(corpus.papers) == 4, [p.title for p in corpus.papers]
    return {path: text for path, text in generate(corpus) if path.endswith(".md")}


def paper_slugs(text: str) -> list[str]:
    """The papers a generated list page links to, in order (its list of papers is HTML)."""
    return re.findall(r'href="(?:\.\./)*papers/([^"/]+)/"', text)


def test_generated_org_pages_list_exactly_their_papers_newest_first(org_pages):
    assert sorted(p for p in org_pages if p.startswith("orgs/")) == ["orgs/acme.md", "orgs/index.md", "orgs/zeta.md"]
    assert paper_slugs(org_pages["orgs/acme.md"]) == ["spiking-chips-at-acme", "associative-memory-at-acme"]
    assert paper_slugs(org_pages["orgs/zeta.md"]) == ["a-zeta-paper-on-memory"]


def test_generated_org_index_counts(org_pages):
    rows = re.findall(r"^\| \[(.+?)\]\((.+?)\) \| (.+?) \| (\d+) \|$", org_pages["orgs/index.md"], re.MULTILINE)
    assert rows == [("Acme Labs", "acme.md", "acme", "2"), ("Zeta", "zeta.md", "zeta", "1")]
    assert "2 organizations submitted 3 of the 4 papers" in " ".join(org_pages["orgs/index.md"].split())


def test_browse_offers_each_organization_once(org_pages):
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', org_pages["browse.md"])
    # value: the organization's page key (organization_id in papers.json); label: its name
    assert [o for o in options if o[1] in ("Acme Labs", "Zeta")] == [("acme", "Acme Labs"), ("zeta", "Zeta")], options


# With code: the real site


def is_code_url(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme in ("http", "https") and any(host == h or host.endswith("." + h) for h in CODE_HOSTS)


@pytest.fixture(scope="module")
def with_code(papers) -> set[str]:
    expected = {slug for slug, p in papers.items() if any(is_code_url(u) for u in p["links"])}
    assert 5 <= len(expected) < len(papers), len(expected)
    return expected


def test_code_page_lists_exactly_the_papers_with_code(real_site, with_code):
    listed = paper_links(real_site, real_site / "code" / "index.html")
    assert len(listed) == len(set(listed)), "a paper is listed twice"
    assert set(listed) == with_code


def test_code_page_count_and_order(real_site, papers, with_code):
    page = real_site / "code" / "index.html"
    assert f"{len(with_code)} papers link to code" in " ".join(article(page).text().split())
    dates = [papers[slug]["date"] for slug in paper_links(real_site, page)]
    dated = [d for d in dates if d]
    assert dates[:len(dated)] == dated and dated == sorted(dated, reverse=True)


def test_code_page_shows_each_papers_code_links(real_site, papers):
    page = real_site / "code" / "index.html"
    for item in article(page).find_all("li"):
        links = item.find_all("a")
        target, _ = resolve(real_site, page, links[0].attrs["href"])
        slug = target.relative_to(real_site).parts[1]
        shown = {a.attrs["href"] for a in links[1:]}
        assert shown == {u for u in papers[slug]["links"] if is_code_url(u)}, slug


def test_papers_json_has_code_matches(papers, with_code):
    assert {slug for slug, p in papers.items() if p["has_code"]} == with_code


# With code: tricky hosts, through generate()

HOST_CASES = {
    # title word -> (URL in the abstract, counts as code)
    "Alpha": ("https://github.com/acme/alpha.", True),
    "Bravo": ("https://evilgithub.com/acme/bravo", False),
    "Charlie": ("https://github.com.evil.example/acme/charlie", False),
    "Delta": ("https://acme.github.io/delta", False),
    "Echo": ("https://GitLab.com/acme/echo", True),
    "Foxtrot": ("http://www.github.com/acme/foxtrot", True),
    "Golf": ("https://codeberg.org/acme/golf", True),
    "Hotel": ("https://example.org/github.com/hotel", False),
    "India": ("https://bitbucket.org/acme/india)", True),
    "Juliet": ("ftp://github.com/acme/juliet", False),
}


@pytest.fixture(scope="module")
def code_page(tmp_path_factory) -> str:
    text = "Daily Papers\n\nOct 28\n\n"
    for i, (word, (url, _)) in enumerate(HOST_CASES.items()):
        text += f"{word} Memory Paper\n\nAn associative memory model. Code: {url}\n\n  • 2 authors\n·\nJul {i + 1}, 2023 1\n\n"
    corpus = load_corpus(make_corpus(tmp_path_factory.mktemp("code") / "corpus", {"001_code.txt": text}))
    assert len(corpus.papers) == len(HOST_CASES)
    return dict(generate(corpus))["code.md"]


def test_code_page_counts_only_code_hosts(code_page):
    listed = {slug.split("-")[0] for slug in paper_slugs(code_page)}
    assert listed == {word.lower() for word, (_, code) in HOST_CASES.items() if code}
