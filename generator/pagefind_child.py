"""The child process of a Pagefind run (generator/pagefind.py): write the stand-ins the build left in the
scratch folder, then become Pagefind's binary (it keeps the parent-death signal across exec).

    python -m generator.pagefind_child SCRATCH PAGEFIND [ARGUMENT...]

A module of its own that imports almost nothing: the child's start-up is on the path of every rebuild
under `mkdocs serve` (the build waits for Pagefind at its end).
"""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

from generator import write

PAGES = "stand-ins.pickle"  # in the scratch folder: (path in the site, bytes) of each page to write


def main(argv: list[str]) -> None:
    scratch, run = Path(argv[0]), argv[1:]
    stand_ins = scratch / PAGES
    write.new_files(scratch, pickle.loads(stand_ins.read_bytes()))  # written by this build, just now
    stand_ins.unlink()
    os.execv(run[0], run)


if __name__ == "__main__":
    main(sys.argv[1:])
