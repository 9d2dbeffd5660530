"""The site built from the real corpus: papers.json, internal links, nav, search exclusion, strict build, CI."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

from generator.corpus import load_corpus
from helpers import CORPUS, ROOT, broken_internal_links, make_corpus, parse_html, run_cli, search_docs

NAV = ["Home", "Browse", "Themes", "Timeline", "With code", "About"]  # Listings, Organizations: linked from Home


@pytest.fixture(scope="module")
def papers(real_site) -> list[dict]:
    return json.loads((real_site / "papers.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def search_locations(real_site) -> list[str]:
    index = json.loads((real_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    return [doc["location"] for doc in index["docs"]]


# papers.json

def test_papers_json_has_one_entry_per_paper(papers):
    corpus = load_corpus(CORPUS, with_related=False)
    slugs = [p["slug"] for p in papers]
    assert len(slugs) == len(set(slugs)), "duplicate slugs in papers.json"
    assert sorted(slugs) == sorted(p.slug for p in corpus.papers)
    titles = [p["title"] for p in papers]
    assert len(titles) == len(set(titles)), "two entries for one title"


def test_papers_json_urls_and_themes(real_site, papers):
    theme_slugs = {p.name for p in (real_site / "themes").iterdir() if p.is_dir()}
    for paper in papers:
        url = paper["url"]
        assert url == f"papers/{paper['slug']}/", url
        page = real_site / url / "index.html"
        assert page.is_file(), f"{url} has no built page"
        assert isinstance(paper["themes"], list) and paper["themes"], f"{url}: no themes"
        assert set(paper["themes"]) <= theme_slugs, f"{url}: themes without a page: {paper['themes']}"


def test_every_built_paper_page_is_in_papers_json(real_site, papers):
    built = {p.name for p in (real_site / "papers").iterdir() if (p / "index.html").is_file()}
    assert built == {p["slug"] for p in papers}


def test_paper_page_shows_its_title_and_themes(real_site, papers):
    """Spot-check the page behind each url: its h1 is the paper's title, its theme links its themes."""
    for paper in papers[::37]:
        root = parse_html((real_site / paper["url"] / "index.html").read_text(encoding="utf-8"))
        article = root.find("article")
        h1 = article.find("h1")
        assert h1.text().replace("¶", "").strip() == " ".join(paper["title"].split())
        linked = {re.search(r"themes/([^/]+)/", a.attrs.get("href", "")).group(1)
                  for a in article.find_all("a") if re.search(r"^\.\./\.\./themes/[^/]+/$", a.attrs.get("href", ""))}
        assert linked == set(paper["themes"]), paper["url"]


# Internal links

def test_every_internal_link_resolves(real_site):
    problems = broken_internal_links(real_site)
    assert not problems, f"{len(problems)} broken internal links:\n" + "\n".join(problems[:40])


def _fake_site(folder: Path, pages: dict[str, str]) -> Path:
    for path, body in pages.items():
        file = folder / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(f"<html><head></head><body>{body}</body></html>", encoding="utf-8")
    return folder


def test_link_checker_finds_broken_links(tmp_path):
    """The checker itself: good links pass, each kind of bad link is reported."""
    site = _fake_site(tmp_path, {
        "index.html": '<a href="a/">ok</a> <a href="a/#x">ok anchor</a> <a href="https://x.org/nope">ext</a>'
                      '<a href="mailto:a@b.c">mail</a> <a href="#top" id="top">self</a> <img src="img/p.png">'
                      '<a href="missing/">bad file</a> <a href="a/#nope">bad anchor</a>'
                      '<a href="javascript:alert(1)">script</a> <a href="../../etc/">out</a>',
        "a/index.html": '<h2 id="x">X</h2><a href="../">up</a><a href="../b/c.html#y">rel</a><a href="..">up2</a>',
        "b/c.html": '<a name="y"></a>',
        "img/p.png": "",
    })
    problems = broken_internal_links(site)
    assert len(problems) == 4, problems
    assert any("'missing/'" in p and "does not exist" in p for p in problems)
    assert any("'a/#nope'" in p and "no id 'nope'" in p for p in problems)
    assert any("javascript" in p for p in problems)
    assert any("outside the site" in p for p in problems)


# Nav

def _nav_links(page: Path) -> list[tuple[str, str]]:
    """(text, href) of the page links in the `.md-nav` of the primary sidebar (not the #toc links)."""
    root = parse_html(page.read_text(encoding="utf-8"))
    sidebar = root.find("div", "md-sidebar--primary")
    assert sidebar is not None, f"no primary sidebar in {page}"
    nav = sidebar.find(None, "md-nav")
    assert nav is not None, f"no .md-nav in the primary sidebar of {page}"
    return [(" ".join(a.text().split()), a.attrs.get("href", "")) for a in nav.find_all("a")
            if "md-nav__link" in a.classes and not a.attrs.get("href", "").startswith("#")]


def _in_order(wanted: list[str], texts: list[str]) -> bool:
    found = iter(texts)
    return all(any(text == want for text in found) for want in wanted)


def test_nav_has_the_sections_and_no_paper(real_site):
    links = _nav_links(real_site / "index.html")
    texts = [text for text, _ in links]
    assert _in_order(NAV, texts), f"nav should hold {NAV} in this order: {links}"
    hrefs = dict(links)
    assert {name: hrefs[name] for name in NAV} == {
        "Home": ".", "Browse": "browse/", "Themes": "themes/", "Timeline": "timeline/", "With code": "code/",
        "About": "about/"}
    assert not [h for _, h in links if "papers/" in h], f"a paper page is in the nav: {links}"
    assert "Listings" not in texts and "Organizations" not in texts, "issue 13: they left the top nav"
    assert len(links) < 20, f"the nav has {len(links)} entries; paper pages must stay out of it"


def test_nav_on_a_paper_page_lists_no_paper(real_site, papers):
    links = _nav_links(real_site / papers[0]["url"] / "index.html")
    assert _in_order(NAV, [text for text, _ in links]), links
    # From papers/<slug>/ every nav target is outside papers/: "../../<section>/".
    assert all((h == "../.." or h.startswith("../../")) and not h.startswith("../../papers/") for _, h in links), links
    titles = {p["title"] for p in papers}
    assert not [text for text, _ in links if text in titles], "a paper is in the nav"


def test_every_page_lists_its_own_headings_in_its_table_of_contents(real_site):
    """The table of contents is rendered once for all the pages of one folder with the same headings
    (generator/chrome.py): each page's must list that page's own headings, in order. The theme pages
    share a folder and hold different year headings, so a table kept from another page would show."""
    import lxml.html

    by_folder: dict[str, set[tuple[str, ...]]] = {}
    for page in sorted(real_site.glob("**/index.html")):
        tree = lxml.html.fromstring(page.read_bytes())
        headings = ["#" + h.get("id") for h in tree.xpath(
            "//article//*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6][@id]")]
        toc = [a.get("href") for a in tree.xpath('//div[@data-md-type="toc"]//a[contains(@class, "md-nav__link")]')]
        assert toc == headings, page
        by_folder.setdefault(page.relative_to(real_site).parent.parent.as_posix(), set()).add(tuple(toc))
    assert len(by_folder["themes"]) >= 2 and len(by_folder["papers"]) == 1, by_folder.get("themes")


@pytest.mark.parametrize("language", ["en", "de", "ja"])
def test_translations_are_the_ones_material_looks_up(language):
    """docs/overrides/partials/language.html looks each text up once per build (chrome.translate), through
    Material's own lookup: the texts must be Material's, in the site's language, then English, then the key."""
    from types import SimpleNamespace

    from mkdocs.theme import Theme

    from generator import chrome

    theme = Theme(name="material", custom_dir=str(ROOT / "docs" / "overrides"), language=language)
    env = theme.get_env()
    env.loader = chrome.loader(env)
    env.globals["translate"] = chrome.translate
    keys = ["language", "toc", "search.result.more.other", "action.skip", "no.such.text"]
    template = '{%% import "%s" as lang with context %%}{%% for key in keys %%}{{ lang.t(key) }}|{%% endfor %%}'
    config = SimpleNamespace(theme=theme)
    chrome.forget()
    try:
        ours = [env.from_string(template % "partials/language.html").render(config=config, keys=keys)
                for _ in range(2)]  # (the second from what the first kept)
    finally:
        chrome.forget()  # (no text of this language kept for what this process renders next)
    material = env.from_string(template % "material/partials/language.html").render(config=config, keys=keys)
    assert ours == [material, material] and material.startswith(f"{language}|") and "|no.such.text|" in material


# Strict build

def test_mkdocs_strict_build_prints_no_warning(real_site, real_site_log):
    """real_site is built by plain `mkdocs build --strict` (the hook's default corpus/ beside mkdocs.yml)."""
    warnings = [line for line in real_site_log.splitlines() if "WARNING" in line]
    assert not warnings, "\n".join(warnings)
    assert (real_site / "papers.json").is_file()
    # The hook's thread writes the pages (hooks.on_post_page): MkDocs, handed no output, says nothing of them.
    assert "Page skipped" not in real_site_log


# Search exclusion

OVERVIEW = ("themes/", "timeline/", "listings/")


def test_overview_pages_are_excluded_from_search_index_json(real_site, search_locations):
    leaked = [loc for loc in search_locations if loc.startswith(OVERVIEW) or loc == "" or loc.startswith("#")]
    assert not leaked, leaked[:20]
    # The excluded pages exist, so their absence from the index is the exclusion at work.
    for page in ("index.html", "themes/index.html", "timeline/index.html", "listings/index.html",
                 "timeline/undated/index.html"):
        assert (real_site / page).is_file()


def test_paper_pages_are_in_the_search_the_site_uses(real_site, papers):
    """Every paper page is searchable, once; no overview page is (Material's index or Pagefind's)."""
    kind, docs = search_docs(real_site)
    pages = [d["location"] for d in docs if "#" not in d["location"]]
    missing = sorted({p["url"] for p in papers} - set(pages))
    assert not missing, f"{len(missing)} paper pages not in the {kind} search index: {missing[:10]}"
    papers_twice = sorted({p for p in pages if p.startswith("papers/") and pages.count(p) > 1})
    assert not papers_twice, papers_twice[:10]
    leaked = [p for p in pages if p.startswith(OVERVIEW) or p in ("", "index.html")]
    assert not leaked, f"overview pages in the {kind} search index: {leaked[:10]}"


# CI runs the README's command

def _workflow_steps() -> list[dict]:
    files = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert files, "no workflow in .github/workflows"
    steps = []
    for file in files:
        workflow = yaml.safe_load(file.read_text(encoding="utf-8"))
        for job in workflow["jobs"].values():
            steps += job.get("steps", [])
    return steps


def _make_recipe(target: str) -> list[str]:
    """The recipe lines of a Makefile target (tab-indented lines after `target:`)."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if re.match(rf"^{re.escape(target)}\s*:(?!=)", line):
            recipe = []
            for body in lines[i + 1:]:
                if not body.startswith("\t"):
                    break
                recipe.append(body.strip())
            return recipe
    raise AssertionError(f"no {target!r} target in the Makefile")


def test_workflow_runs_make_site():
    commands = [line.strip() for step in _workflow_steps() if "run" in step
                for line in str(step["run"]).splitlines()]
    assert any(shlex.split(c)[:2] == ["make", "site"] for c in commands if c), commands


def test_readme_says_make_site_builds_the_site():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^make site\b", readme, re.MULTILINE)


def test_make_site_runs_the_generator_build():
    recipe = _make_recipe("site")
    builds = [line for line in recipe if re.search(r"python -m generator build\b", line)]
    assert builds, recipe
    site_dir = shlex.split(builds[0])[shlex.split(builds[0]).index("--site") + 1]
    uploads = [step for step in _workflow_steps() if "upload-pages-artifact" in str(step.get("uses", ""))]
    assert uploads, "the workflow uploads no Pages artifact"
    assert uploads[0].get("with", {}).get("path") == site_dir, "the workflow publishes another folder than it built"


# Every generated page has its own address

def _org_dump(orgs: list[tuple[str, str]]) -> str:
    """A spaced dump with one paper per (handle, display name) organization line."""
    text = "Daily Papers\n\nOct 28\n\n"
    for i, (handle, name) in enumerate(orgs):
        text += (f"Paper Number {i} About Associative Memory\n\nAn abstract about associative memory {i}.\n\n"
                 f"{handle} {name}\n·\nJul {10 + i}, 2023 {i}\n\n")
    return text


ORG_CASES = {
    # An organization renamed between two listings: same handle, two display names.
    "same-handle-two-names": [("intel", "Intel"), ("intel", "Intel Labs")],
    # Two handles that differ only in case and punctuation.
    "two-handles-one-slug": [("Intel_Labs", "Intel"), ("intel-labs", "Intel")],
}


@pytest.mark.parametrize("case", sorted(ORG_CASES))
def test_generated_paths_are_unique(tmp_path, case):
    from generator.render.site import generate

    corpus = load_corpus(make_corpus(tmp_path / "corpus", {"001_orgs.txt": _org_dump(ORG_CASES[case])}))
    paths = [path for path, _ in generate(corpus)]
    twice = sorted({p for p in paths if paths.count(p) > 1})
    assert not twice, f"generated twice (MkDocs then refuses the build): {twice}"


def test_site_builds_when_an_organization_changes_its_name(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", {"001_orgs.txt": _org_dump(ORG_CASES["same-handle-two-names"])})
    result = run_cli("build", "--corpus", str(corpus), "--site", str(tmp_path / "site"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "papers" / "paper-number-1-about-associative-memory" / "index.html").is_file()
