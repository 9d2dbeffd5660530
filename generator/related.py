"""Similar papers by TF-IDF over title and abstract, for the whole corpus at once.

scikit-learn builds the L2-normalised TF-IDF matrix; cosine similarity is then
a matrix product, taken in blocks of rows so memory stays bounded and no
Python loop runs over pairs. The blocks are taken by threads, one per core
(up to THREADS): scipy's product releases the GIL, and related papers are found
while the corpus is read, before Pagefind takes the second core.

Each paper's related papers are the COUNT best by score, then by position in
the corpus (ties never left to the sort's whim). Under `mkdocs serve` a rebuild
after an edited abstract computes again only what the edit can change
(`_Last`): the similarities of the papers whose vectors changed, bit for bit,
and the whole rows of papers that had one of them among their best; the other
papers' best are merged from their last ones. The answer is the one a full
computation gives (tests/test_related.py).
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from generator import incremental
from generator.model import Paper

COUNT = 5
BLOCK = 256
THREADS = 4
UPDATE_AT_MOST = 0.25  # under serve: start from the last computation while at most this share of vectors changed


def related(papers: tuple[Paper, ...], count: int = COUNT) -> list[tuple[str, ...]]:
    """For each paper, the slugs of the `count` most similar others, best first."""
    global _last
    n = len(papers)
    last, _last = (_last if incremental.serving else None), None
    if n < 2 or count < 1:
        return [()] * n
    import numpy as np  # heavy: imported when related papers are computed, not at start-up
    from sklearn.feature_extraction.text import TfidfVectorizer

    # The title counts twice: it is the paper's own summary of itself.
    texts = [f"{p.title}. {p.title}. {p.abstract}" for p in papers]
    vectorizer = TfidfVectorizer(analyzer=_given, sublinear_tf=True, min_df=1, dtype=np.float32)
    try:
        # The words of each text as TfidfVectorizer(stop_words="english") finds them (_words), then weighed:
        # the same matrix, and under `mkdocs serve` a rebuild finds the words of the edited texts only.
        vectors = vectorizer.fit_transform(_WORDS.each(texts))
    except ValueError:  # "empty vocabulary": no paper has a word beyond stop words
        return [()] * n
    k = min(count, n - 1)
    slugs = tuple(p.slug for p in papers)
    build = incremental.current()
    code = build.code if build is not None else None
    changed = last.changed(slugs, code, k, vectors, vectorizer.vocabulary_) if last is not None else None
    if last is not None and changed is not None and len(changed) <= n * UPDATE_AT_MOST:
        best = _update(vectors, last, changed, k)
    else:
        best = _rows(vectors, np.arange(n), k)
    if incremental.serving:
        _last = _Last(slugs, code, k, vectors, vectorizer.vocabulary_, best)
    return [tuple(slugs[j] for j in row[row >= 0]) for row in best[0]]


@dataclass(frozen=True)
class _Last:
    """Under `mkdocs serve`: the last computation, for the next one to start from."""

    slugs: tuple[str, ...]
    code: str | None  # incremental's code key of that build
    k: int
    vectors: Any  # the TF-IDF matrix (scipy CSR, float32)
    vocabulary: dict[str, int]  # word -> its column
    best: tuple[Any, Any]  # each paper's best: (positions, scores), k columns, -1 where fewer

    def changed(self, slugs: tuple[str, ...], code: str | None, k: int, vectors, vocabulary: dict[str, int]):
        """The positions of the papers whose vector is not the last one's bit for bit (the same words, the
        same weights), or None when the papers or the code differ."""
        import numpy as np

        if slugs != self.slugs or code != self.code or k != self.k:
            return None
        old = self.vectors
        # Columns follow the words' order: a word added or gone moves the others' columns.
        column = np.full(len(self.vocabulary), -1, dtype=np.int64)
        for word, at in self.vocabulary.items():
            column[at] = vocabulary.get(word, -1)
        lengths, old_lengths = np.diff(vectors.indptr), np.diff(old.indptr)
        rows = np.flatnonzero(lengths == old_lengths)
        sizes = lengths[rows]
        offsets = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        new_at = np.repeat(vectors.indptr[rows], sizes) + offsets
        old_at = np.repeat(old.indptr[rows], sizes) + offsets
        differs = ((column[old.indices[old_at]] != vectors.indices[new_at])
                   | (old.data[old_at].view(np.uint32) != vectors.data[new_at].view(np.uint32)))
        return np.union1d(np.flatnonzero(lengths != old_lengths), np.repeat(rows, sizes)[differs])


_last: _Last | None = None


def _similarities(vectors, rows):
    """The similarities of the papers at `rows` (a block) with every paper: one row each. A sparse matrix
    times a dense block: the similarities are nearly all nonzero, and this product takes two thirds of the
    time of the sparse one (2.7 against 4.2 s at 10,000 papers). scipy's kernel (csr_matvecs) sums each
    score over the other paper's words in their order, so a score is the same bit for bit whichever rows
    are taken together (what `_update` relies on; tests/test_related.py checks the result)."""
    import numpy as np

    return np.asarray((vectors @ vectors[rows].toarray().T).T)


def _rows(vectors, rows, k: int):
    """(positions, scores) of the k best of each paper at `rows`, by threads over blocks of rows."""
    import numpy as np

    def block_of(start: int):
        chunk = rows[start:start + BLOCK]
        return _best(_similarities(vectors, chunk), chunk, k)

    with ThreadPoolExecutor(min(THREADS, _cores())) as pool:
        parts = list(pool.map(block_of, range(0, len(rows), BLOCK)))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _best(block, rows, k: int):
    """For each row of `block` (the paper at rows[r] against every paper), the k best by score then
    position, other than itself and of a positive score: (positions, scores), -1 where fewer."""
    import numpy as np

    n = block.shape[1]
    block[np.arange(len(rows)), rows] = -1.0  # never related to itself
    positions = np.full((len(rows), k), -1, dtype=np.int64)
    scores = np.zeros((len(rows), k), dtype=block.dtype)
    bar = np.partition(block, n - k, axis=1)[:, n - k]  # the k-th best score of each row
    for r in range(len(rows)):
        row = block[r]
        candidates = np.flatnonzero(row >= bar[r]) if bar[r] > 0 else np.flatnonzero(row > 0)
        ranked = candidates[np.lexsort((candidates, -row[candidates]))][:k]
        positions[r, :len(ranked)] = ranked
        scores[r, :len(ranked)] = row[ranked]
    return positions, scores


def _update(vectors, last: _Last, changed, k: int):
    """The k best of every paper when only the papers at `changed` have new vectors (see the docstring)."""
    import numpy as np

    positions, scores = last.best
    n = vectors.shape[0]
    lost = np.asarray(np.isin(positions, changed).any(axis=1))  # a changed paper was among its best: again
    lost[changed] = True
    again = np.flatnonzero(lost)
    keep = np.flatnonzero(~lost)
    new_positions = np.full((n, k), -1, dtype=np.int64)
    new_scores = np.zeros((n, k), dtype=np.float32)
    of_changed = vectors[changed]
    for start in range(0, len(keep), BLOCK):  # in blocks of kept papers: memory stays bounded
        chunk = keep[start:start + BLOCK]
        # The changed papers' new scores for these papers, summed as a full computation sums them.
        against = np.asarray((of_changed @ vectors[chunk].toarray().T).T)
        merged_at = np.concatenate([positions[chunk], np.broadcast_to(changed, against.shape)], axis=1)
        merged = np.concatenate([scores[chunk], against], axis=1)
        merged[merged_at < 0] = -1.0  # the last best's empty places
        for r, row in enumerate(chunk):
            ok = merged[r] > 0
            at, by = merged_at[r][ok], merged[r][ok]
            order = np.lexsort((at, -by))[:k]
            new_positions[row, :len(order)] = at[order]
            new_scores[row, :len(order)] = by[order]
    if len(again):
        new_positions[again], new_scores[again] = _rows(vectors, again, k)
    return new_positions, new_scores


@functools.cache
def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop words, the ones TfidfVectorizer(stop_words="english") leaves out.

    Read from scikit-learn's own list without importing scikit-learn (1.5-2 s) when it is not loaded yet: a
    one-off build computes the related papers in a child process (corpus._related_worker), and the paper pages
    need only this list (render/paper.py's shared terms). The file holds one literal, read as data, never run."""
    import sys

    loaded = sys.modules.get("sklearn.feature_extraction.text")
    if loaded is not None:
        return loaded.ENGLISH_STOP_WORDS
    import ast
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("sklearn")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("scikit-learn is not installed: run `make site` (it installs it)")
    path = Path(spec.submodule_search_locations[0]) / "feature_extraction" / "_stop_words.py"
    try:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names = [getattr(target, "id", None) for target in getattr(node, "targets", ())]
            if (isinstance(node, ast.Assign) and names == ["ENGLISH_STOP_WORDS"] and isinstance(node.value, ast.Call)
                    and getattr(node.value.func, "id", None) == "frozenset"):
                return frozenset(ast.literal_eval(node.value.args[0]))
    except (OSError, SyntaxError, ValueError, IndexError):  # the file moved or reads otherwise
        pass
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # its layout changed: import it after all

    return ENGLISH_STOP_WORDS


@functools.cache
def _analyzer():
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(stop_words="english").build_analyzer()


def _words(text: str) -> tuple[str, ...]:
    return tuple(_analyzer()(text))


def _given(words: tuple[str, ...]) -> tuple[str, ...]:
    return words


_WORDS = incremental.ServeMemory(_words)


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
