"""cProfile of the generator stage (load_corpus + generate) on a synthetic corpus.

    python -m bench.profile --papers 10000 [--top 10]

Not part of `make bench`: profiling slows the stage about twofold. Prints the
top entries by cumulative time and writes the full listing to
bench/work/profile-N.txt.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

from bench import synth
from bench.run import SEED, WORK, write_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)

    from generator.corpus import load_corpus
    from generator.render.site import generate

    corpus = WORK / f"corpus-{args.papers}"
    write_corpus(synth.make(args.papers, args.seed), corpus)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    files = list(generate(load_corpus(corpus)))
    profile.disable()
    seconds = time.perf_counter() - started
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
    stats.print_stats()
    path = WORK / f"profile-{args.papers}.txt"
    path.write_text(out.getvalue(), encoding="utf-8")
    top = io.StringIO()
    pstats.Stats(profile, stream=top).sort_stats("cumulative").print_stats(args.top)
    print(f"{args.papers} papers, {len(files)} files, {seconds:.1f} s under cProfile; full listing in {path}")
    print(top.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
