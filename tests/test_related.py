"""Related papers (generator/related.py): the best by score then position, and under `mkdocs serve` a rebuild
that starts from the last one gives exactly what a full computation gives.

The property test edits the abstracts of a small corpus of few words (many shared words, tied scores,
duplicate texts) again and again. After each edit the served computation (`incremental.serving`, the last
one kept) must equal a fresh one bit for bit, and must have reused the last one whenever few papers changed.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import incremental, related

WORDS = ["spiking", "memory", "attention", "hippocampus", "replay", "plasticity", "cortex", "sparse",
         "dendrite", "oscillation", "grid", "place", "reward", "dopamine", "synapse", "neuron"]


def papers_of(abstracts: list[str]) -> tuple:
    return tuple(SimpleNamespace(slug=f"paper-{i}", title=f"title{i}", abstract=text)  # a title of its own
                 for i, text in enumerate(abstracts))


def outside_serve(module, memory: str, function, *args):
    """function(*args) as a process outside `mkdocs serve` computes it, from nothing kept; what the served
    computations keep (`module.memory`) is left as it was."""
    saved = getattr(module, memory)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(incremental, "serving", False)
            return function(*args)
    finally:
        setattr(module, memory, saved)


def fresh(papers: tuple) -> list[tuple[str, ...]]:
    return outside_serve(related, "_last", related.related, papers)


abstracts = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join),
                     min_size=12, max_size=40)
edits = st.lists(st.tuples(st.integers(0, 10_000), st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join),
                           st.sampled_from(["append", "copy", "swap"])), min_size=1, max_size=6)


def edit(texts: list[str], at: int, words: str, how: str) -> int:
    """An abstract given more words, made a copy of the next one's (tied scores), or swapped with the next
    one (two papers change and no word's count does)."""
    i, after = at % len(texts), (at + 1) % len(texts)
    if how == "append":
        texts[i] = f"{texts[i]} {words}".strip()
    elif how == "copy":
        texts[i] = texts[after]
    else:
        texts[i], texts[after] = texts[after], texts[i]
    return i


@given(texts=abstracts, changes=edits)
def test_a_served_rebuild_gives_what_a_full_computation_gives(texts, changes):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(incremental, "serving", True)
        patch.setattr(related, "_last", None)
        # Every edit starts from the last computation, however many vectors it changed (in a corpus of few
        # words, an edit changes many).
        patch.setattr(related, "UPDATE_AT_MOST", 1.0)
        texts = list(texts)
        assert related.related(papers_of(texts)) == fresh(papers_of(texts))
        for at, words, how in changes:
            i = edit(texts, at, words, how)
            assert related.related(papers_of(texts)) == fresh(papers_of(texts)), (i, texts)


def test_an_edit_that_changes_few_vectors_computes_only_what_it_can_change(monkeypatch):
    """A word new to the corpus changes the edited paper's vector only: its row and its column are computed
    again, and the rows of the papers that had it among their best, not the others."""
    texts = [" ".join(WORDS[(i * 7 + j) % len(WORDS)] for j in range(1 + i % 5)) for i in range(40)]
    updates, rows = [], []
    update, full_rows = related._update, related._rows
    monkeypatch.setattr(related, "_update", lambda *a: updates.append(list(a[2])) or update(*a))
    monkeypatch.setattr(related, "_rows", lambda vectors, at, k: rows.append(len(at)) or full_rows(vectors, at, k))
    monkeypatch.setattr(incremental, "serving", True)
    monkeypatch.setattr(related, "_last", None)
    before = related.related(papers_of(texts))
    texts[5] += " neocortical"
    after = related.related(papers_of(texts))
    assert after == fresh(papers_of(texts))
    assert updates == [[5]]
    holding = [i for i, row in enumerate(before) if "paper-5" in row]
    assert rows[:2] == [40, len(holding) + 1]  # the first computation, then paper 5 and the rows that held it


def test_the_best_are_ranked_by_score_then_by_position():
    """Papers 1, 2 and 3 are the same text: tied scores, ranked by their place in the corpus; a paper with no
    word in common is never related, and none is related to itself."""
    papers = papers_of(["hippocampus replay memory", "hippocampus replay", "hippocampus replay",
                        "hippocampus replay", "dopamine reward", "hippocampus grid"])
    got = related.related(papers, count=3)
    assert got[0] == ("paper-1", "paper-2", "paper-3")
    assert got[1] == ("paper-2", "paper-3", "paper-0")
    assert got[3] == ("paper-1", "paper-2", "paper-0")
    assert got[4] == ()
    assert all(f"paper-{i}" not in row for i, row in enumerate(got))


def test_too_few_papers_or_words_relate_nothing():
    assert related.related(papers_of(["memory"])) == [()]
    assert related.related(()) == []
    assert related.related(papers_of(["memory replay", "memory"]), count=0) == [(), ()]
    nothing = (SimpleNamespace(slug="a", title="The", abstract="and of"),
               SimpleNamespace(slug="b", title="Of", abstract="the and"))  # stop words only
    assert related.related(nothing) == [(), ()]


def test_outside_serve_nothing_is_kept():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(related, "_last", None)
        patch.setattr(incremental, "serving", False)
        related.related(papers_of(["memory replay", "memory", "replay"]))
        assert related._last is None


def test_scores_are_the_cosines_of_the_tfidf_vectors():
    """The ranking follows the cosine similarity of the TF-IDF vectors (computed here another way)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [" ".join(WORDS[i:i + 3 + i % 4]) for i in range(len(WORDS) - 3)]
    papers = papers_of(texts)
    vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(
        [f"{p.title}. {p.title}. {p.abstract}" for p in papers]).toarray()
    cosines = vectors @ vectors.T
    for i, row in enumerate(related.related(papers)):
        scores = [cosines[i, int(slug.split("-")[1])] for slug in row]
        assert scores == sorted(scores, reverse=True)
        others = sorted((cosines[i, j] for j in range(len(papers)) if j != i and cosines[i, j] > 0), reverse=True)
        assert all(math.isclose(a, b, rel_tol=1e-5) for a, b in zip(scores, others, strict=False))


@given(texts=abstracts, changes=edits, seed=st.integers(0, 2**16))
def test_served_shared_terms_are_those_of_a_full_count(texts, changes, seed):
    """Why two papers are related (render/paper.py, SharedTerms): under `mkdocs serve` the terms of a pair are
    taken from the last build unless an edit can change them; after each edit they equal a full count."""
    import random

    from generator.render import paper as paper_module

    def papers_with_related(texts: list[str]) -> tuple:
        rng = random.Random(seed + len(" ".join(texts)))  # related lists that move with the edits
        return tuple(SimpleNamespace(slug=p.slug, title=p.title, abstract=p.abstract,
                                     related=tuple(f"paper-{j}" for j in rng.sample(range(len(texts)), 3)))
                     for p in papers_of(texts))

    def full(papers: tuple) -> dict:
        return outside_serve(paper_module, "_last_shared", paper_module.shared_terms, papers)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(incremental, "serving", True)
        patch.setattr(paper_module, "_last_shared", None)
        texts = list(texts)
        assert paper_module.shared_terms(papers_with_related(texts)) == full(papers_with_related(texts))
        for at, words, how in changes:
            i = edit(texts, at, words, how)
            papers = papers_with_related(texts)
            assert paper_module.shared_terms(papers) == full(papers), (i, texts)


def test_a_one_off_build_computes_them_in_a_child_started_while_the_dumps_are_read(tmp_path, monkeypatch):
    """A build in a process that has not imported scikit-learn starts a child that imports it while the dumps
    are read and computes the related papers there: the same as computed here. When the cache holds them
    the child is stopped unasked; a process that has scikit-learn already (mkdocs serve, the tests) starts
    none."""
    import signal
    import sys

    from generator import children
    from generator import corpus as reading
    from helpers import CORPUS

    papers = reading.load_corpus(CORPUS, with_related=False).papers
    expected = related.related(papers)
    assert reading._related_worker() is None  # no build
    monkeypatch.setenv("PAPER_ATLAS_CACHE", str(tmp_path / "cache"))
    incremental.enable(CORPUS.parent / "mkdocs.yml")
    try:
        assert reading._related_worker() is None  # scikit-learn is imported in this process
        monkeypatch.delitem(sys.modules, "sklearn")
        for cached in (False, True):
            worker = reading._related_worker()
            assert isinstance(worker, children.Worker), cached
            assert reading._related_later(papers, worker)() == expected, cached
            # Ended: after its answer (its input closed), or killed unasked when the cache holds them.
            assert worker.process.wait(timeout=30) == (-signal.SIGKILL if cached else 0), cached
    finally:
        incremental.disable()
    assert (tmp_path / "cache" / "memo").is_dir()


def test_shared_terms_leave_out_scikit_learns_stop_words_without_importing_it():
    """A paper page's shared terms leave out the words TfidfVectorizer(stop_words="english") leaves out,
    read from scikit-learn's list in a process that has not imported it (a one-off build: its related papers
    are computed in a child, and importing scikit-learn cost the build 1.5-2 s)."""
    import subprocess
    import sys

    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from helpers import ROOT

    code = ("import sys\n"
            "from types import SimpleNamespace as P\n"
            "from generator.related import english_stop_words\n"
            "from generator.render.paper import shared_terms\n"
            "a = P(slug='a', title='Memory in the brain', abstract='We study replay, and the cortex, and more.', related=('b',))\n"
            "b = P(slug='b', title='Replay', abstract='More about replay in the cortex: what we study.', related=('a',))\n"
            "print(shared_terms((a, b)), 'sklearn' in sys.modules)\n"
            "print(' '.join(sorted(english_stop_words())))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    terms, words = result.stdout.splitlines()
    assert terms == "{'a': [['cortex', 'replay', 'study']], 'b': [['cortex', 'replay', 'study']]} False"
    assert words.split() == sorted(ENGLISH_STOP_WORDS)  # read without importing scikit-learn


def test_a_build_checks_the_corpus_while_its_related_papers_are_computed(tmp_path, monkeypatch):
    """`generator build` reads the corpus with start_loading: every paper but its related papers, computed
    meanwhile in a child process; MkDocs' hook then gets the whole corpus from load_corpus, the same as a
    reading from scratch, without reading the folder again. A folder changed in between is read again and
    the child stopped; so is the child of a build that fails before the hook."""
    import signal
    import sys
    from dataclasses import replace

    from generator import children
    from generator import corpus as reading
    from helpers import CORPUS, make_corpus

    dumps = sorted(CORPUS.glob("*.txt"))
    folder = make_corpus(tmp_path / "corpus", {"a.txt": dumps[-1].read_text(encoding="utf-8")})
    whole = reading._begin(folder, True)[1]()
    assert any(p.related for p in whole.papers)
    monkeypatch.setenv("PAPER_ATLAS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delitem(sys.modules, "sklearn")  # a one-off build's process: the related papers in a child
    monkeypatch.setattr(reading, "_last", None)
    incremental.enable(CORPUS.parent / "mkdocs.yml")
    try:
        early = reading.start_loading(folder)
        worker = reading._pending.child
        assert worker is not None and worker.process.poll() is None
        assert reading.computing_related()  # (the hook counts the shared terms' words meanwhile)
        assert early.problems == whole.problems and not any(p.related for p in early.papers)
        assert [replace(p, related=()) for p in whole.papers] == list(early.papers)
        assert reading.read_so_far(folder) is early  # (the hook starts the search index on it)
        read_all = reading._read_all
        monkeypatch.setattr(reading, "_read_all", None)  # (not called again)
        assert reading.load_corpus(folder) == whole and reading._pending is None
        assert reading.read_so_far(folder) is None and not reading.computing_related()
        # Read afresh, the cache holding its related papers: no child computes them.
        monkeypatch.setattr(reading, "_last", None)
        monkeypatch.setattr(reading, "_read_all", read_all)
        assert reading.start_loading(folder).papers == early.papers and not reading.computing_related()
        assert reading.load_corpus(folder) == whole
        assert reading.start_loading(folder) is reading.load_corpus(folder) and reading._pending is None  # read
        monkeypatch.undo()
        monkeypatch.setenv("PAPER_ATLAS_CACHE", str(tmp_path / "other-cache"))  # (related papers not cached)
        incremental.enable(CORPUS.parent / "mkdocs.yml")
        monkeypatch.delitem(sys.modules, "sklearn")
        for finish in ("the build failed", "the wait was interrupted", "the folder changed"):
            monkeypatch.setattr(reading, "_last", None)
            reading.start_loading(folder)
            worker = reading._pending.child
            if finish == "the build failed":
                reading.forget_pending()
            elif finish == "the wait was interrupted":  # Ctrl-C while the hook waits for the related papers
                def interrupted(call):
                    raise KeyboardInterrupt
                with monkeypatch.context() as patch:
                    patch.setattr(children.Call, "result", interrupted)
                    with pytest.raises(KeyboardInterrupt):
                        reading.load_corpus(folder)
            else:
                (folder / "b.txt").write_text(dumps[-2].read_text(encoding="utf-8"), encoding="utf-8")
                assert reading.read_so_far(folder) is None
                assert len(reading.load_corpus(folder).papers) > len(whole.papers)
            assert reading._pending is None, finish
            assert worker is not None and worker.process.wait(timeout=30) == -signal.SIGKILL, finish
    finally:
        incremental.disable()


def test_words_counted_ahead_serve_only_papers_of_the_same_texts():
    """`generator build` counts the shared terms' words on the corpus read so far, while the related papers
    are computed (render.paper.count_words_ahead): shared_terms takes them for papers of the same slugs,
    titles and abstracts, and gives what it gives without them; for other texts it counts again."""
    from dataclasses import replace

    from generator import corpus as reading
    from generator.render import paper
    from helpers import CORPUS

    papers = reading.load_corpus(CORPUS).papers
    expected = paper.shared_terms(papers)
    paper.count_words_ahead(tuple(replace(p, related=()) for p in papers))  # (the corpus read so far)
    ahead = paper._ahead[1]
    assert paper.shared_terms(papers) == expected and ahead.pairs  # made its pairs: taken
    edited = tuple(replace(p, abstract=p.abstract + " Quantum turnips.") if i == 3 else p
                   for i, p in enumerate(papers))
    paper.count_words_ahead(edited)
    stale = paper._ahead[1]
    assert paper.shared_terms(papers) == expected and not stale.pairs  # not taken
    paper._ahead = None


def test_a_papers_graph_shows_its_related_papers_and_the_links_among_them():
    """The graph on a paper page (render/paper.py): the paper in the middle, its related papers numbered in
    order around it, a line for each pair of them that relate, whatever else they relate to; what it
    shows is a value of the page's inputs (neighbourhood), drawn when the page is rendered (graph_svg)."""
    import re

    from generator.render.paper import graph_svg, neighbourhood

    papers = {"b": SimpleNamespace(title="B <1>", related=("z", "a", "c", "c")),
              "c": SimpleNamespace(title="C", related=("d",))}
    paper = SimpleNamespace(slug="a", related=("b", "c"))
    ring = neighbourhood(paper, SimpleNamespace(by_slug=papers))
    assert ring == (("b", "B <1>", ("a", "c", "c")), ("c", "C", ()))
    svg = graph_svg("a", ring)
    assert len(re.findall(r"<line ", svg)) == 3  # a-b, a-c, b-c (once)
    nodes = re.findall(r'<a class="pa-graph-node" href="([^"]*)" title="([^"]*)" aria-label="([^"]*)"', svg)
    assert nodes == [("../b/", "B &lt;1&gt;", "1: B &lt;1&gt;"), ("../c/", "C", "2: C")]
    assert graph_svg("a", ()) == ""
