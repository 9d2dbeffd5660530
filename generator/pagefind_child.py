"""The child process of a Pagefind run (generator/pagefind.py): make and write the stand-ins the build asked
for in the scratch folder (in a process forked for it, ended before Pagefind starts: write_stand_ins_apart), run
Pagefind's binary over them, then remove them.

    python -m generator.pagefind_child SCRATCH [--keep-stand-ins] PAGEFIND [ARGUMENT...]

(--keep-stand-ins: under `mkdocs serve`, which also runs Pagefind at a lower priority than the build.)

All of it on the second core, while the build renders the site: making the paper pages' stand-ins from their
titles and abstracts (render.paper.indexed_body: 1.9 s of the build's own process at 10,000 papers when it made
them), writing them, and removing them (10,000 small folders: 3.8 s at the end of a profiled build when the
build removed them). Only Pagefind's index
(SCRATCH/pagefind) and its log are left for the build. Under `mkdocs serve` (`--keep-stand-ins`) the
server removes the scratch folder in a thread while the page reloads, sooner than this child could.
Pagefind dies with this process, which dies with the build (children.die_with_parent). Its exit status is
Pagefind's (or that of the process that wrote the stand-ins, when it failed: Pagefind is not run).

A module of its own that imports almost nothing until it is given papers (render.paper, 0.2 s, imported by the
forked process): the child's start-up is on the path of every build that waits for Pagefind at its end.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import traceback
from pathlib import Path

from generator import write
from generator.children import die_with_parent, popen_kwargs

PAGES = "stand-ins.pickle"  # in the scratch folder: the language, and (path in the site, Page) of each page
INDEX = "pagefind"  # Pagefind's output folder in the scratch folder
KEEP = "--keep-stand-ins"  # under `mkdocs serve`: the server removes the scratch folder
NICE = 10  # under `mkdocs serve`: Pagefind's priority below the build's
# Pagefind's binary allocates with jemalloc, whose settings it reads from _RJEM_MALLOC_CONF (its symbols carry
# that prefix). One arena instead of one per thread: Pagefind's peak at 10,000 pages falls from 1,064 to 958 MB,
# the whole build's from 1,908 to 1,800 MB, and no slower in the runs measured (bench/history.md, 2026-12-08). A
# value the user set wins.
ALLOCATOR = {"_RJEM_MALLOC_CONF": "narenas:1"}


Page = bytes | tuple[str, str]  # a stand-in's bytes, or a paper's title and abstract to make them of


def stand_in(lang: str, body: str) -> bytes:
    """The small page Pagefind reads in place of a page of the site: its language and its indexed body."""
    return (f'<!doctype html>\n<html lang="{lang}">\n<head><meta charset="utf-8"></head>\n'
            f'<body>\n{body}\n</body>\n</html>\n').encode("utf-8", errors="xmlcharrefreplace")


def stand_ins(lang: str, pages: list[tuple[str, Page]]) -> list[tuple[str, bytes]]:
    """Each page's bytes: given, or made of a paper's title and abstract as the paper page shows them
    (render.paper.indexed_body, the function that makes that part of the page)."""
    if all(isinstance(page, bytes) for _, page in pages):
        return pages  # type: ignore[return-value]
    from generator.render.paper import indexed_body

    return [(path, page if isinstance(page, bytes) else stand_in(lang, indexed_body(*page))) for path, page in pages]


def write_stand_ins(scratch: Path) -> None:
    """Make the stand-ins the build asked for (SCRATCH/stand-ins.pickle) and write them into the scratch folder."""
    listed = scratch / PAGES
    lang, asked = pickle.loads(listed.read_bytes())  # written by this build, just now
    write.new_files(scratch, stand_ins(lang, asked))
    listed.unlink()


def write_stand_ins_apart(scratch: Path) -> int:
    """write_stand_ins in a process forked for it, which has ended when this returns its exit status: what making
    them took (the papers' texts, the stand-ins' bytes, render.paper's imports: 57 of this process's 72 MB at
    10,000 papers) is not held beside Pagefind's peak (bench/history.md, 2026-12-08). Where there is no fork,
    here."""
    if not hasattr(os, "fork"):
        write_stand_ins(scratch)
        return 0
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the forked process: dies with this one (a fork does not inherit that), never returns
        code = 1
        try:
            die_with_parent(parent)
            write_stand_ins(scratch)
            code = 0
        except BaseException:  # the traceback is the build's to show, in Pagefind's log
            traceback.print_exc()
        finally:
            sys.stderr.flush()
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def main(argv: list[str]) -> int:
    scratch, run = Path(argv[0]), argv[1:]
    keep = run[:1] == [KEEP]
    if keep:
        run = run[1:]
        # Under `mkdocs serve` the pages do not wait for the index (generator/serve.py): the build that makes
        # them comes first on a busy machine, and Pagefind (which inherits this) takes what the build leaves.
        os.nice(NICE)
    written = write_stand_ins_apart(scratch)
    if written != 0:
        return _as_shell(written)
    status = subprocess.run(run, env={**ALLOCATOR, **os.environ}, **popen_kwargs()).returncode
    if not keep:  # the stand-ins' folders: all the scratch folder holds besides Pagefind's index and its log
        for top in sorted(entry.name for entry in os.scandir(scratch) if entry.is_dir() and entry.name != INDEX):
            write.discard(scratch / top)
    return _as_shell(status)


def _as_shell(status: int) -> int:
    """A child's exit status as a shell gives it: killed by signal N (status -N), 128 + N."""
    return status if status >= 0 else 128 - status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
