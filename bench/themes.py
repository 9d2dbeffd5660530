"""Precision and recall of theme placements against the hand-labelled papers.

    python -m bench.themes [--corpus DIR] [--labels FILE] [--out FILE]

`tests/theme_labels.yml` lists real papers read by hand, each with the themes
it clearly belongs to (`in`) and clearly does not (`out`). A placement is
judged only for those themes:

- precision = placements in an `in` theme / placements in an `in` or `out` theme
- recall    = `in` themes the paper was placed in / all `in` themes

"Before" is the placement at commit ec2406c (before issue 11: every term
strong, no threshold, no limit), saved in `bench/themes_before.json`;
"after" is the current code with the current corpus/themes.yml.
Writes the table to bench/themes_results.md.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.model import Corpus

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "tests" / "theme_labels.yml"
BEFORE = ROOT / "bench" / "themes_before.json"
RESULTS = ROOT / "bench" / "themes_results.md"


@dataclass(frozen=True, slots=True)
class Label:
    paper: str
    title: str
    inside: frozenset[str]
    outside: frozenset[str]
    why: str
    held_out: bool = False  # labelled after themes.yml was revised, never used to revise it


@dataclass(frozen=True, slots=True)
class Verdict:
    true_pos: int
    false_pos: int
    false_neg: int
    wrong: tuple[tuple[str, str], ...]  # (paper, theme) placed but labelled out
    missed: tuple[tuple[str, str], ...]  # (paper, theme) labelled in but not placed

    @property
    def precision(self) -> float:
        placed = self.true_pos + self.false_pos
        return self.true_pos / placed if placed else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_pos + self.false_neg
        return self.true_pos / wanted if wanted else 1.0


def load_labels(path: Path = LABELS) -> list[Label]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Label(e["paper"], e["title"], frozenset(e["in"]), frozenset(e["out"]), e.get("why", ""),
                  bool(e.get("held_out", False))) for e in data["papers"]]


def judge(placements: dict[str, set[str]], labels: list[Label]) -> Verdict:
    tp = fp = fn = 0
    wrong, missed = [], []
    for label in labels:
        placed = placements[label.paper]
        for theme in sorted(label.inside):
            if theme in placed:
                tp += 1
            else:
                fn += 1
                missed.append((label.paper, theme))
        for theme in sorted(label.outside & placed):
            fp += 1
            wrong.append((label.paper, theme))
    return Verdict(tp, fp, fn, tuple(wrong), tuple(missed))


def current_placements(corpus: Corpus | Path) -> dict[str, set[str]]:
    if isinstance(corpus, Path):
        from generator.corpus import load_corpus

        corpus = load_corpus(corpus, with_related=False)
    return {p.slug: {m.theme for m in p.themes} for p in corpus.papers}


def before_placements(path: Path = BEFORE) -> dict[str, set[str]]:
    return {slug: set(themes) for slug, themes in json.loads(path.read_text())["placements"].items()}


def shares(placements: dict[str, set[str]]) -> tuple[float, float, float]:
    """(share in Other, share of the largest theme, mean themes a placed paper)."""
    n = len(placements)
    counts: dict[str, int] = {}
    for themes in placements.values():
        for t in themes:
            counts[t] = counts.get(t, 0) + 1
    other = counts.get("other", 0) / n
    largest = max(v for k, v in counts.items() if k != "other") / n
    placed = [len(t) for t in placements.values() if t != {"other"}]
    return other, largest, sum(placed) / len(placed)


def speed(corpus: Corpus | Path, rounds: int = 5) -> str:
    """Placement time a paper, beside the floor any matcher pays: splitting title and abstract into words."""
    import re
    import time

    from generator import themes
    from generator.corpus import load_corpus

    corpus = load_corpus(corpus, with_related=False) if isinstance(corpus, Path) else corpus
    rules = themes.load_rules(corpus.path)
    word = re.compile(r"[^\W_]+")

    def best(run) -> float:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        return min(times) * 1000 / len(corpus.papers)

    floor = best(lambda: [set(word.findall(f"{p.title} {p.abstract}".casefold())) for p in corpus.papers])
    placing = best(lambda: themes.assign(corpus.papers, rules))
    return (f"Placement: {placing:.2f} ms a paper (best of {rounds}), against a floor of {floor:.2f} ms a paper "
            f"for splitting title and abstract into words ({placing / floor:.1f}x the floor)")


def report(corpus: Corpus | Path, labels_path: Path) -> str:
    labels = load_labels(labels_path)
    rows = [("before (ec2406c)", before_placements()), ("after", current_placements(corpus))]
    sets = [("all labelled papers", labels),
            ("labelled before the revision (checked while revising)", [lb for lb in labels if not lb.held_out]),
            ("held out (labelled after the revision, never used for it)", [lb for lb in labels if lb.held_out])]
    lines = [f"Theme placements against {len(labels)} hand-labelled papers of a corpus of {len(rows[1][1])}", ""]
    for title, chosen in sets:
        lines += [f"{title}: {len(chosen)} papers, {sum(len(lb.inside) for lb in chosen)} 'in' and "
                  f"{sum(len(lb.outside) for lb in chosen)} 'out' judgements", "",
                  "| placement | precision | recall | wrong placements | missed |",
                  "| --- | ---: | ---: | ---: | ---: |"]
        for name, placements in rows:
            v = judge(placements, chosen)
            lines.append(f"| {name} | {v.precision:.1%} | {v.recall:.1%} | {v.false_pos} | {v.false_neg} |")
        lines.append("")
    lines += ["Whole corpus:", "", "| placement | Other | largest theme | themes a placed paper |",
              "| --- | ---: | ---: | ---: |"]
    for name, placements in rows:
        other, largest, mean = shares(placements)
        lines.append(f"| {name} | {other:.1%} | {largest:.1%} | {mean:.2f} |")
    lines += ["", speed(corpus)]
    after = judge(rows[1][1], labels)
    lines += ["", "Wrong placements after (paper: theme):"]
    lines += [f"- {p}: {t}" for p, t in after.wrong] or ["- none"]
    lines += ["", "Missed placements after (paper: theme):"]
    lines += [f"- {p}: {t}" for p, t in after.missed] or ["- none"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.themes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    text = report(args.corpus, args.labels)
    print(text, end="")
    args.out.write_text("# Theme placement quality\n\n`python -m bench.themes`\n\n" + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
