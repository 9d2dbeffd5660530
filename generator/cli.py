"""Command line: thin. Parses arguments, calls the stages, maps errors to exit codes.

Exit codes: 0 success; 1 a problem that stops the command (or any corpus
problem with --strict); 2 a usage error (argparse).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from generator import incremental, write
from generator.corpus import forget_pending, load_corpus, start_loading
from generator.errors import CorpusError
from generator.model import Corpus
from generator.render.data import papers_json
from generator.report import check_report

DEFAULT_CORPUS = Path("corpus")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with _terminate_as_interrupt():
            return args.run(args)
    except CorpusError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as stop:
        what = "terminated" if isinstance(stop, _Terminated) else "interrupted"
        print(f"{what}; nothing was replaced (a build leaves the previous site as it was)", file=sys.stderr)
        return 143 if isinstance(stop, _Terminated) else 130


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so every `finally` and cleanup runs."""


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (`kill`, a CI timeout, systemd) unwinds like Ctrl-C, so a build removes its
    staging folder and leaves the previous site as it was. Only in the main thread, where
    Python can take signals, and put back afterwards (tests call main() in-process)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Paper Atlas: turn saved Hugging Face Daily Papers dumps into a static site.",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    def command(name: str, run, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, metavar="DIR",
                         help="folder holding the dumps, themes.yml and sources.yml (default: corpus)")
        sub.set_defaults(run=run)
        return sub

    check = command("check", _check, "Report on every dump and the merged corpus, with every problem "
                    "as file:line and what to do. Exit 0 when the corpus is usable.")
    check.add_argument("--strict", action="store_true", help="exit 1 on any problem")

    export = command("export", _export, "Write all papers as a JSON list sorted by slug.")
    export.add_argument("--json", type=Path, required=True, metavar="PATH", help="file to write ('-' for stdout)")

    review = command("themes", _themes, "Review the themes for the curator of corpus/themes.yml: per theme its "
                     "size, weakest placements, near misses and terms matching nothing; or, with --suggest, "
                     "terms proposed for the papers in Other (or in a named theme).")
    review.add_argument("--suggest", nargs="?", const="", default=None, metavar="THEME",
                        help="propose terms (TF-IDF) for the papers in Other, or in THEME (slug or name)")
    review.add_argument("--count", type=int, default=15, metavar="N", help="how many terms to suggest (default 15)")

    markdown = command("markdown", _markdown, "Write the generated pages (Markdown, or finished HTML for papers "
                       "and lists) to a folder, for inspection.")
    markdown.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write into")

    fetch = command("fetch", _fetch, "Fetch papers from the Hugging Face API (base URL: $HF_ENDPOINT, default "
                    "https://huggingface.co) and store the answers as JSON in DIR/api/, for offline builds.")
    which = fetch.add_mutually_exclusive_group(required=True)
    which.add_argument("--date", metavar="YYYY-MM-DD", help="Daily Papers of one day")
    which.add_argument("--week", metavar="YYYY-Www", help="Daily Papers of one ISO week, e.g. 2025-W44")
    which.add_argument("--month", metavar="YYYY-MM", help="Daily Papers of one month")
    which.add_argument("--search", metavar="QUERY", help="papers found by a search (all of them join the atlas)")
    which.add_argument("--followed", action="store_true", help="every search listed in DIR/follow.yml")

    command("enrich", _enrich, "Look up each dump paper without an arXiv id on the Hugging Face API by its "
            "title; keep only an exact (normalized) title match, store it in DIR/api/enrich.json, and list "
            "the unmatched.")

    build = command("build", _build, "Build the whole site with MkDocs (strict), replacing the old one "
                    "only when the build succeeds.")
    build.add_argument("--site", type=Path, default=Path("site"), metavar="DIR", help="output folder (default: site)")
    build.add_argument("--config", type=Path, default=Path("mkdocs.yml"), metavar="FILE",
                       help="MkDocs configuration (default: mkdocs.yml)")
    build.add_argument("--strict", action="store_true", help="also fail on any corpus problem")
    build.add_argument("--verbose", action="store_true", help="show MkDocs' progress messages too")
    return parser


def _check(args) -> int:
    corpus = load_corpus(args.corpus, with_related=False)  # the report shows no related papers
    print(check_report(corpus), end="")
    if not corpus.papers:
        print("error: no usable paper in the corpus", file=sys.stderr)
        return 1
    return 1 if args.strict and corpus.problems else 0


def _themes(args) -> int:
    from generator import review, themes

    corpus = load_corpus(args.corpus, with_related=False)
    rules = themes.load_rules(args.corpus)
    if args.suggest is None:
        print(review.review(corpus, rules), end="")
        return 0
    try:
        name, found = review.suggest(corpus, rules, args.suggest or None, args.count)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    slug = next(t.slug for t in corpus.themes if t.name == name)
    size = sum(1 for p in corpus.papers if any(m.theme == slug for m in p.themes))
    print(review.suggestions_text(name, size, found), end="")
    return 0


def _export(args) -> int:
    corpus = load_corpus(args.corpus)
    text = papers_json(corpus.papers)
    if str(args.json) == "-":
        sys.stdout.write(text)
    else:
        write.write_file(args.json, text, protected=[Path("docs"), args.corpus])
        print(f"wrote {len(corpus.papers)} papers to {args.json}")
    return 0


def _markdown(args) -> int:
    from generator.render.site import generate

    corpus = load_corpus(args.corpus)
    changed = write.write_tree(args.out, dict(generate(corpus)), protected=[Path("docs"), args.corpus])
    print(f"wrote {len(changed)} changed files to {args.out}")
    return 0


def make_client():
    """The API client the commands use (tests replace it to skip real waiting)."""
    from generator.hf import Client

    return Client(progress=lambda message: print(message, file=sys.stderr, flush=True))


def _fetch(args) -> int:
    from generator import update
    from generator.api import load_follow

    client = make_client()
    if args.search is not None:
        summary = update.fetch_searches(args.corpus, [args.search], client)
    elif args.followed:
        queries = load_follow(args.corpus)
        if not queries:
            print(f"{args.corpus}/follow.yml lists no search; nothing to fetch")
            return 0
        summary = update.fetch_searches(args.corpus, list(queries), client)
    else:
        kind = next(k for k in ("date", "week", "month") if getattr(args, k) is not None)
        summary = update.fetch_daily(args.corpus, kind, getattr(args, kind), client)
    print(summary.text(), end="")
    print(f"{client.requests} requests")
    return 0


def _enrich(args) -> int:
    from generator import update

    client = make_client()
    summary = update.enrich(args.corpus, client)
    print(summary.text(), end="")
    print(f"{client.requests} requests")
    return 0


def _build(args) -> int:
    started = time.perf_counter()
    write.check_owned(args.site, protected=[Path("docs"), args.corpus])  # a refused folder gets no lock file
    with write.exclusive(args.site):  # builds of one site exclude each other, up-to-date check included
        write.recover(args.site)  # a killed build's leftovers go, even when nothing needs building
        inputs = incremental.inputs_key(args.config, args.corpus, args.strict)
        if incremental.up_to_date(args.config, inputs, args.site):
            print(f"{args.site}/ is up to date: nothing changed since it was built "
                  f"({time.perf_counter() - started:.1f} s)")
            return 0
        incremental.enable(args.config)
        incremental.from_last_build(args.site)  # its unchanged pages are linked, not copied from the cache
        try:
            return _build_site(args, inputs, started)
        finally:
            forget_pending()  # (a build that failed before MkDocs' hook read the corpus)
            incremental.served(None)
            incremental.disable()


def _build_site(args, inputs: str, started: float) -> int:
    """Build into a staging folder beside the site and swap it in; hold the site's lock."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from generator.hooks import CORPUS_ENV  # imports the renderers: after the up-to-date check

    # Fail early, with the corpus's own message; its related papers are computed meanwhile, and MkDocs'
    # hook (load_corpus) waits for them.
    corpus = start_loading(args.corpus)
    if args.strict and corpus.problems:
        print(check_report(corpus), end="")
        print("error: corpus problems with --strict", file=sys.stderr)
        return 1
    os.environ[CORPUS_ENV] = str(args.corpus.resolve())
    _show_mkdocs_messages(logging.INFO if args.verbose else logging.WARNING)
    write.check_owned(args.site, protected=[Path("docs"), args.corpus])  # before minutes of building
    try:
        staging = write.new_build_dir(args.site)
        config = load_config(str(args.config), site_dir=str(staging), strict=True)
        build(config, dirty=True)  # dirty: into an empty folder, skipping only pages taken from the cache
        write.replace_dir(staging, args.site, protected=[Path(config.docs_dir), args.corpus])
        incremental.record(inputs, args.site)
    except (MkDocsException, SystemExit) as error:
        write.discard_ours(args.site)
        print(f"error: the site was not built ({error or 'see the messages above'}); "
              f"the previous {args.site}/ is unchanged", file=sys.stderr)
        return 1
    except BaseException:  # Ctrl-C and SIGTERM too: they may land before `staging` is even assigned
        write.discard_ours(args.site)
        raise
    _summary(corpus, args.site, time.perf_counter() - started)
    return 0


def _show_mkdocs_messages(level: int) -> None:
    """MkDocs logs its warnings and errors; print them as `mkdocs` itself would."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False


def _summary(corpus: Corpus, site: Path, seconds: float) -> None:
    print(f"built {site}/ in {seconds:.1f} s: {len(corpus.papers)} papers, {len(corpus.themes)} themes, "
          f"{len(corpus.dumps)} listings; {len(corpus.problems)} corpus problems "
          "(python -m generator check lists them)")
    print(corpus.accounting())
