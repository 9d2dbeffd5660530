"""Child processes that do not outlive the generator, and work done on the second core.

A build killed with SIGKILL cannot clean up, so the kernel must: on Linux,
prctl(PR_SET_PDEATHSIG) asks it to send the child SIGTERM when its parent
dies (man 2 prctl). Pass `preexec_fn=die_with_parent` to subprocess.

`Call` runs a pure function of the generator in a child Python process
(`python -m generator.children`) while this one goes on, so a build uses both
cores of a small machine: the charts are drawn while the pages are rendered.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import pickle
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int | None = None) -> None:
    """Runs in the child between fork and exec: SIGTERM it when the parent dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: nothing the kernel can do for us
        return
    # The parent may have died before prctl took effect: then we were re-parented already.
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)


def popen_kwargs() -> dict:
    """subprocess keyword arguments for a child that dies with this process."""
    parent = os.getpid()
    return {"preexec_fn": lambda: die_with_parent(parent)}


class Call:
    """function(*args) in a child process; `result()` waits for it. The function must be a module-level
    function of the generator, and its arguments and result picklable."""

    def __init__(self, function, *args) -> None:
        from generator import write

        self.name = f"{function.__module__}.{function.__qualname__}"
        self.folder = Path(tempfile.mkdtemp(prefix="paper-atlas-call-"))
        call = pickle.dumps((function.__module__, function.__qualname__, args), protocol=pickle.HIGHEST_PROTOCOL)
        write.new_file(self.folder / CALL, call)
        self.process = subprocess.Popen([sys.executable, "-m", "generator.children", str(self.folder)],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen_kwargs())

    def result(self):
        from generator import write

        try:
            out, err = self.process.communicate()
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            write.discard(self.folder)
        if self.process.returncode != 0:
            raise RuntimeError(f"{self.name} failed in a child process: {err.decode('utf-8', 'replace').strip()}")
        return pickle.loads(out)  # noqa: S301 (written by our own child, just now)


CALL = "call.pickle"


def main(folder: str) -> None:
    """The child of a Call: read the call from `folder`, write the pickled result to standard output."""
    module, qualname, args = pickle.loads((Path(folder) / CALL).read_bytes())  # noqa: S301 (our parent's)
    function: Any = importlib.import_module(module)
    for name in qualname.split("."):
        function = getattr(function, name)
    sys.stdout.buffer.write(pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main(sys.argv[1])

