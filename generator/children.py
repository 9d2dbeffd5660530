"""Child processes that do not outlive the generator, and work done on the second core.

A build killed with SIGKILL cannot clean up, so the kernel must: on Linux,
prctl(PR_SET_PDEATHSIG) asks it to send the child SIGTERM when its parent
dies (man 2 prctl). Pass `preexec_fn=die_with_parent` to subprocess.

`Call` runs a pure function of the generator in a child Python process
(`python -m generator.children`, a `Worker`) while this one goes on, so a
build uses both cores of a small machine: the charts are drawn while the pages
are rendered. From a process's second call on, the worker is kept for the
next one: under `mkdocs serve`, or in the tests, it starts and imports
matplotlib twice, not at every build.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import importlib
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import traceback
from typing import Any

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int | None = None) -> None:
    """Runs in the child between fork and exec: SIGTERM it when the parent dies (the parent thread, in fact:
    man 2 prctl)."""
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
    """function(*args) in this process's worker (`Worker`) while this process goes on; `result()` waits for
    it. The function must be a module-level function of the generator, and its arguments and result
    picklable. A worker that died since the last call (killed between two builds) is replaced, and the
    call is made once more if it dies before it answers."""

    def __init__(self, function, *args) -> None:
        self.name = f"{function.__module__}.{function.__qualname__}"
        self.call = (function.__module__, function.__qualname__, args)
        self.worker, self.number = _ask(self.call)

    def result(self):
        try:
            done, value = self.worker.answer(self.number)
        except (EOFError, OSError, pickle.UnpicklingError):
            if not self.worker.ended():
                raise
            message = self.worker.died()
            try:
                worker, number = _ask(self.call)
                done, value = worker.answer(number)
            except (EOFError, OSError, pickle.UnpicklingError):
                done, value = False, message
        if _asked == 1:  # the process's first call: most likely a one-off build, which keeps no idle child
            _close()    # (at 10,000 papers, matplotlib's 110 MB would add to the build's peak at its end)
        if not done:
            raise RuntimeError(f"{self.name} failed in a child process: {value}")
        return value


class Worker:
    """A child Python process (`python -m generator.children`) that answers calls one after another: each
    call is a pickle written to its standard input, each answer a pickle it writes to its standard output.
    One is kept per process (`_worker`) from the process's second call on: a process that builds again and
    again (`mkdocs serve`, the tests) starts it and imports what the calls need (matplotlib, for the charts)
    twice, not at every build; a one-off build's ends with its only call. It dies with this process, and ends
    when this process closes its input (at exit)."""

    def __init__(self) -> None:
        self.errors = tempfile.TemporaryFile()  # what it prints, for the message if it dies
        self.process = subprocess.Popen([sys.executable, "-m", "generator.children"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=self.errors, **popen_kwargs())
        self.asked = self.answered = 0

    def ask(self, call: tuple) -> int:
        """Send `call`; the number to collect its answer with."""
        assert self.process.stdin is not None
        self.process.stdin.write(pickle.dumps(call, protocol=pickle.HIGHEST_PROTOCOL))
        self.process.stdin.flush()
        self.asked += 1
        return self.asked - 1

    def answer(self, number: int) -> tuple[bool, Any]:
        """(True, result) or (False, what went wrong) of call `number`. Answers come in the order of the calls:
        those of earlier calls not collected (a build that failed before it asked) are dropped."""
        if number < self.answered:
            raise RuntimeError(f"the answer to call {number} was dropped: a later call was collected first")
        assert self.process.stdout is not None
        while True:
            answer = pickle.load(self.process.stdout)  # noqa: S301 (our own child's)
            self.answered += 1
            if self.answered > number:
                return answer

    def alive(self) -> bool:
        return self.process.poll() is None

    def ended(self) -> bool:
        """Whether it ended, once its output has: a killed child's pipe closes a moment before it can be
        waited for."""
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return False
        return True

    def died(self) -> str:
        self.errors.seek(0)
        text = self.errors.read().decode("utf-8", "replace").strip()
        return f"the child process ended (exit status {self.process.poll()}){': ' + text if text else ''}"

    def close(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.errors.close()


_kept: tuple[int, Worker] | None = None  # (the process it belongs to, its worker)
_asked = 0  # calls this process made: from the second on, its worker is kept for the next one


def _worker() -> Worker:
    """This process's worker, started now if it has none or the last one died."""
    global _kept
    if _kept is None or _kept[0] != os.getpid() or not _kept[1].alive():  # (a forked copy starts its own)
        if _kept is None:
            atexit.register(_close)
        elif _kept[0] == os.getpid():
            _kept[1].close()
        _kept = (os.getpid(), Worker())
    return _kept[1]


def _ask(call: tuple) -> tuple[Worker, int]:
    global _asked
    _asked = _asked + 1 if _kept is None or _kept[0] == os.getpid() else 1  # (a forked copy counts its own)
    worker = _worker()
    try:
        return worker, worker.ask(call)
    except OSError:  # it died since the last call, and alive() has not seen it yet
        worker.process.wait()
        worker = _worker()
        return worker, worker.ask(call)


def _close() -> None:
    if _kept is not None and _kept[0] == os.getpid():
        _kept[1].close()


def main() -> None:
    """The worker: answer each call read from standard input until it ends."""
    calls, answers = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # what a call prints must not come between the answers
    while True:
        try:
            module, qualname, args = pickle.load(calls)  # noqa: S301 (our parent's)
        except EOFError:
            return
        try:
            function: Any = importlib.import_module(module)
            for name in qualname.split("."):
                function = getattr(function, name)
            answer = pickle.dumps((True, function(*args)), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            answer = pickle.dumps((False, traceback.format_exc().strip()), protocol=pickle.HIGHEST_PROTOCOL)
        answers.write(answer)
        answers.flush()


if __name__ == "__main__":
    main()
