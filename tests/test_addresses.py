"""One home for every address (generator/addresses.py), and the names the generator reserves.

Each test is named after the bug it pins: corpus names that took an address
the generator owns passed `check`, then failed the build.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from generator import addresses as at
from generator.corpus import load_corpus
from generator.render.site import generate
from helpers import headings, make_corpus, run_cli

HEADER = "new\n\nSubscribe\n\nDaily Papers\n\nOct 28\n\n"
TRAP_THEMES = """themes:
  - name: All
    description: A theme named like the site-wide feed.
    terms: [memory]
  - name: Index
    description: A theme named like the themes overview.
    terms: [neuron]
  - name: Overlap
    description: A theme named like the overlap chart.
    terms: [spiking]
"""


def spaced(*blocks: str) -> str:
    return HEADER + "\n\n".join(blocks) + "\n"


@pytest.fixture(scope="module")
def trap_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trap") / "corpus"
    dump = spaced("Memory In Neurons", "About memory and every neuron and spiking.", "  • 2 authors\n·\nJul 19, 2023 5",
                  "Index", "A paper titled Index, about memory.", "  • 1 author\n·\nJul 20, 2023 1")
    return make_corpus(folder, {"a b.txt": dump, "a-b.txt": spaced("Another Memory Paper", "Memory again.")},
                       themes=TRAP_THEMES)


@pytest.fixture(scope="module")
def trap_pages(trap_corpus):
    return dict(generate(load_corpus(trap_corpus, with_related=False), "https://example.org/atlas/"))


def test_url_of_source_paths():
    assert at.url("papers/x.md") == "papers/x/"
    assert at.url("index.md") == ""
    assert at.url("themes/index.md") == "themes/"
    assert at.url("timeline/2024.md#2024-03") == "timeline/2024/#2024-03"
    assert at.url("feeds/all.xml") == "feeds/all.xml"
    assert at.paper_url("abc") == "papers/abc/"


def test_relative_links_between_source_paths():
    assert at.relative("papers/b.md", "papers/a.md") == "b.md"
    assert at.relative("themes/x.md", "papers/a.md") == "../themes/x.md"
    assert at.relative("papers/b.md", "index.md") == "papers/b.md"
    assert at.relative(at.month(dt.date(2024, 3, 1)), "papers/a.md") == "../timeline/2024.md#2024-03"


@pytest.mark.parametrize("folder", sorted(at.RESERVED))
def test_reserved_names_get_an_underscore_and_others_do_not(folder):
    for name in at.RESERVED[folder]:
        assert at.reserve(folder, name) == f"_{name}"
    assert at.reserve(folder, "spiking") == "spiking"


def test_a_theme_named_all_does_not_write_the_site_feed_twice(trap_pages):
    assert "feeds/all.xml" in trap_pages and "feeds/_all.xml" in trap_pages
    assert b"Paper Atlas: all papers" in trap_pages["feeds/all.xml"]
    assert b"Paper Atlas: All<" in trap_pages["feeds/_all.xml"]


def test_a_theme_named_index_gets_its_own_page_and_feed_link(trap_pages):
    assert "# Themes" in trap_pages["themes/index.md"]
    page = trap_pages["themes/_index.md"]
    assert headings(page)[0][1:] == ("index", "Index")
    assert '"feed": "feeds/_index.xml"' in page and 'href="../../feeds/_index.xml"' in page
    assert b"https://example.org/atlas/themes/_index/" in trap_pages["feeds/_index.xml"]


def test_a_theme_named_overlap_gets_its_own_chart_name(trap_pages):
    # The overlap matrix is a table on themes/index.md now (issue 13); the name stays reserved.
    assert "charts/theme-overlap.svg" not in trap_pages
    assert "charts/theme-_overlap.svg" in trap_pages


def test_a_paper_titled_index_is_not_published_at_the_papers_folder(trap_corpus, trap_pages):
    [paper] = [p for p in load_corpus(trap_corpus, with_related=False).papers if p.title == "Index"]
    assert paper.slug.startswith("index-") and f"papers/{paper.slug}.md" in trap_pages
    assert "papers/index.md" not in trap_pages


def test_dumps_whose_names_slug_alike_get_two_listing_pages_and_check_says_so(trap_corpus, trap_pages):
    corpus = load_corpus(trap_corpus, with_related=False)
    ids = corpus.listing_ids
    assert ids["a b.txt"] != ids["a-b.txt"] and all(i.startswith("a-b-") for i in ids.values())
    assert {f"listings/{i}.md" for i in ids.values()} <= set(trap_pages)
    assert sum("same listing address" in p.message for p in corpus.problems) == 2


def test_a_dump_named_like_another_dumps_hashed_listing_address_gets_its_own_page(tmp_path):
    """`a b.txt` and `a-b.txt` get `a-b-<hash of the name>`; a third dump named exactly that
    (`a-b-19d703ab.txt`) took the same listing page: check said nothing and build stopped with
    "please report this bug". Crafted hash collisions are resolved the same way, never fatally."""
    from generator.corpus import listing_ids_of

    names = ("a b.txt", "a-b.txt", "a-b-19d703ab.txt")
    ids, problems = listing_ids_of(names)
    assert ids["a-b-19d703ab.txt"] == "a-b-19d703ab"
    assert ids["a b.txt"] == "a-b-" + hashlib.sha1(b"a b.txt").hexdigest()[:16]  # a longer hash
    assert ids["a-b.txt"] == "a-b-" + hashlib.sha1(b"a-b.txt").hexdigest()[:8]
    assert listing_ids_of(tuple(reversed(names))) == (ids, tuple(sorted(problems, key=lambda p: p.where,
                                                                        reverse=True)))
    dump = "Daily Papers\n\nOct 28\n\nPaper In {}\n\nAn abstract. It is fine.\n"
    corpus = make_corpus(tmp_path / "c", {name: dump.format(i) for i, name in enumerate(names)})
    result = run_cli("build", "--corpus", str(corpus), "--site", str(tmp_path / "site"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert {p.name for p in (tmp_path / "site" / "listings").iterdir()} >= set(ids.values())


def test_many_dumps_whose_names_slug_alike_give_bounded_problem_lines():
    from generator.corpus import listing_ids_of

    names = tuple(f"a{' ' * i}b.txt" for i in range(1, 1_001))
    ids, problems = listing_ids_of(names)
    assert len(set(ids.values())) == 1_000 and len(problems) == 1_000
    assert max(len(p.message) for p in problems) < 200 and "and 996 more" in problems[0].message


def test_the_trap_corpus_builds_with_plain_mkdocs_rules(trap_corpus, tmp_path):
    """The whole build (strict MkDocs, link validation) succeeds: nothing left to crash it."""
    result = run_cli("build", "--corpus", str(trap_corpus), "--site", str(tmp_path / "site"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "feeds" / "_all.xml").is_file()
    assert (tmp_path / "site" / "themes" / "_index" / "index.html").is_file()


def test_hook_turns_a_rendering_failure_into_a_mkdocs_error(monkeypatch, trap_corpus):
    from mkdocs.exceptions import PluginError

    from generator import hooks

    def broken(corpus, site_url=""):
        raise KeyError("boom")
        yield  # pragma: no cover

    monkeypatch.setattr(hooks, "generate", broken)
    monkeypatch.setattr(hooks.pagefind, "Indexing", lambda *args, **kwargs: None)  # no Pagefind run to start
    monkeypatch.setenv(hooks.CORPUS_ENV, str(trap_corpus))

    class Config:
        config_file_path = str(trap_corpus / "mkdocs.yml")
        site_url = ""

    with pytest.raises(PluginError, match="rendering failed .*KeyError"):
        hooks.on_files(None, Config())
