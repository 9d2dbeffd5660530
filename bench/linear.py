"""Is the build linear in the corpus size, whatever the text? (issue 14)

    python -m bench.linear [--sizes 50,100,200,400] [--out bench/linear_results.md]

Two measurements, on the work tree, each on hostile text: every abstract is
punctuation that Markdown and HTML would act on (`<>&*_[]|#{}` and backticks),
the text that once made Python-Markdown quadratic (one 160 kB abstract took
three minutes):

1. **one page**: a paper page with one such abstract of 2,500 to 20,000
   characters (the limit), generated and converted by Python-Markdown with the
   site's own extensions; time per kB of abstract should stay flat;
2. **whole build**: `python -m generator build` of corpora of N such papers,
   each abstract 20,000 characters (the limit); seconds per paper should stay
   flat as N doubles (fixed start-up cost aside).

Over the limit, a record is rejected (generator/limits.py), so no corpus can
hold longer text.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import markdown
import yaml

from generator import limits

ROOT = Path(__file__).resolve().parent.parent
PUNCTUATION = "<>&*_[]|`#{} x "


def hostile_abstract(length: int, seed: int = 0) -> str:
    text = f"Paper {seed}. Hostile text follows. " + PUNCTUATION * (length // len(PUNCTUATION) + 1)
    return text[:length]


def dump(papers: int, length: int) -> str:
    lines = ["Get trending papers in your email inbox!"]
    for i in range(papers):
        lines += [("Subscribe" if i == 0 else "") + f"Hostile Paper Number {i}", hostile_abstract(length, i)]
    return "\n".join(lines) + "\n"


def extensions() -> list:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:")[0]
                            .replace("!ENV", ""))
    out = []
    for ext in config["markdown_extensions"]:
        out.append(next(iter(ext)) if isinstance(ext, dict) else ext)
    return out


def one_page(lengths: list[int]) -> list[tuple[int, float]]:
    from generator.corpus import load_corpus
    from generator.render.site import generate

    rows = []
    exts = extensions()
    for length in lengths:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            (corpus / "a.txt").write_text(dump(1, length), encoding="utf-8")
            (corpus / "themes.yml").write_text((ROOT / "corpus" / "themes.yml").read_text(encoding="utf-8"))
            pages = dict(generate(load_corpus(corpus, with_related=False)))
        page = next(text for path, text in pages.items() if path.startswith("papers/") and "hostile" in path)
        body = page.split("\n---\n", 1)[1]
        best = min(_timed(lambda: markdown.markdown(body, extensions=exts)) for _ in range(3))
        rows.append((length, best))
    return rows


def _timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def whole_build(sizes: list[int]) -> list[tuple[int, float]]:
    rows = []
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            (corpus / "a.txt").write_text(dump(size, limits.ABSTRACT), encoding="utf-8")
            (corpus / "themes.yml").write_text((ROOT / "corpus" / "themes.yml").read_text(encoding="utf-8"))
            env["PAPER_ATLAS_CACHE"] = str(Path(tmp) / "cache")
            start = time.perf_counter()
            result = subprocess.run([sys.executable, "-m", "generator", "build", "--corpus", str(corpus),
                                     "--site", str(Path(tmp) / "site")], cwd=ROOT, env=env,
                                    capture_output=True, text=True)
            seconds = time.perf_counter() - start
            if result.returncode != 0:
                raise SystemExit(result.stdout + result.stderr)
            rows.append((size, seconds))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.linear", description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", default="2500,5000,10000,20000")
    parser.add_argument("--sizes", default="50,100,200,400")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "linear_results.md")
    args = parser.parse_args(argv)
    pages = one_page([int(n) for n in args.lengths.split(",")])
    builds = whole_build([int(n) for n in args.sizes.split(",")])
    lines = ["# Linear builds on hostile text (issue 14)", "",
             f"`python -m bench.linear --lengths {args.lengths} --sizes {args.sizes}`; "
             f"load average at the end {os.getloadavg()[0]:.1f}.", "",
             "## One paper page: abstract of punctuation through Python-Markdown (best of 3)", "",
             "| abstract (characters) | ms | ms per kB |", "| ---: | ---: | ---: |"]
    lines += [f"| {n:,} | {s * 1000:.1f} | {s * 1000 / (n / 1000):.2f} |" for n, s in pages]
    lines += ["", f"## Whole build: N papers, each abstract {limits.ABSTRACT:,} characters of punctuation", "",
              "| papers | corpus (MB) | build (s) | s per paper |", "| ---: | ---: | ---: | ---: |"]
    lines += [f"| {n} | {n * limits.ABSTRACT / 1e6:.1f} | {s:.1f} | {s / n:.3f} |" for n, s in builds]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
