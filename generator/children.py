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
import threading
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
    call is made once more if it dies before it answers. `worker`: a worker of the call's own, started
    earlier (`Worker(preload)`), which ends with the call; the process's worker is left to the other calls.
    The call is written to it by a thread (it reads it only once its imports are done) and it is left to
    end by itself after its answer (0.3 s of exiting, with scikit-learn loaded): this process goes on."""

    def __init__(self, function, *args, worker: Worker | None = None) -> None:
        self.name = f"{function.__module__}.{function.__qualname__}"
        self.call = (function.__module__, function.__qualname__, args)
        self.alone = worker is not None
        self.sending: threading.Thread | None = None
        if worker is not None:
            self.worker = worker
            self.sending = threading.Thread(target=self._send, daemon=True)
            self.sending.start()
        else:
            self.worker = _ask(self.call)
        self.first = _asked == 1  # the process's first call: most likely a one-off build

    def _send(self) -> None:
        try:
            self.worker.ask(self.call)
        except (OSError, ValueError):  # it died (or was stopped): result() finds it ended and asks a new one
            self.worker.waiting = True

    def result(self):
        if self.sending is not None:
            self.sending.join()
        try:
            done, value = self.worker.answer()
        except (EOFError, OSError, pickle.UnpicklingError) as error:
            if not self.worker.ended():  # alive, but its answers cannot be read: it is not asked again
                self.worker.stop()
                raise RuntimeError(f"{self.name} failed in a child process: its answer could not be read "
                                   f"({type(error).__name__}: {error})") from error
            message = self.worker.died()
            try:
                if self.alone:
                    self.worker.close()
                    self.worker = Worker(self.worker.preload)
                    self.worker.ask(self.call)
                else:
                    self.worker = _ask(self.call)
                done, value = self.worker.answer()
            except (EOFError, OSError, pickle.UnpicklingError):
                done, value = False, message
        if self.alone:
            self.worker.close_later()
        elif self.first:  # a one-off build keeps no idle child (at 10,000 papers, matplotlib's 110 MB
            _close(wait=False)  # would add to the build's peak at its end), nor waits for its end (0.3 s)
        if not done:
            raise RuntimeError(f"{self.name} failed in a child process: {value}")
        return value


class Worker:
    """A child Python process (`python -m generator.children`) that answers calls one at a time: each call is
    a pickle written to its standard input, each answer a pickle it writes to its standard output.
    One is kept per process (`_worker`) from the process's second call on: a process that builds again and
    again (`mkdocs serve`, the tests) starts it and imports what the calls need (matplotlib, for the charts)
    twice, not at every build; a one-off build's ends with its only call. It dies with this process, and ends
    when this process closes its input (at exit)."""

    def __init__(self, preload: tuple[str, ...] = ()) -> None:
        """`preload`: modules it imports as it starts, before it is asked anything."""
        self.preload = preload
        self.errors = tempfile.TemporaryFile()  # what it prints, for the message if it dies
        self.process = subprocess.Popen([sys.executable, "-m", "generator.children", *preload],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors,
                                        **popen_kwargs())
        self.waiting = False  # asked, and its answer not read yet

    def ask(self, call: tuple) -> None:
        assert self.process.stdin is not None and not self.waiting
        self.errors.seek(0)
        self.errors.truncate()  # what it printed for the calls before
        self.process.stdin.write(pickle.dumps(call, protocol=pickle.HIGHEST_PROTOCOL))
        self.process.stdin.flush()
        self.waiting = True

    def answer(self) -> tuple[bool, Any]:
        """(True, result) or (False, what went wrong)."""
        assert self.process.stdout is not None
        answer = pickle.load(self.process.stdout)  # noqa: S301 (our own child's)
        self.waiting = False
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
        text = ""
        if not self.errors.closed:  # (closed once it was stopped)
            self.errors.seek(0)
            text = self.errors.read().decode("utf-8", "replace").strip()
        return f"the child process ended (exit status {self.process.poll()}){': ' + text if text else ''}"

    def stop(self) -> None:
        self.process.kill()
        self.close()

    def close_later(self) -> None:
        """close() by a thread: this process does not wait for the child's exit (0.3 s with matplotlib or
        scikit-learn loaded)."""
        threading.Thread(target=self.close, daemon=True).start()

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


_kept: Worker | None = None  # this process's worker
_asked = 0  # calls this process made: from the second on, its worker is kept for the next one


def _forget() -> None:
    """In a forked copy of this process: the worker and the count are the parent's, not its own."""
    global _kept, _asked
    _kept, _asked = None, 0


os.register_at_fork(after_in_child=_forget)


def asked_before() -> bool:
    """Whether this process called its worker before: from its second call on the worker is kept, with what
    it imported (matplotlib), for the next (`mkdocs serve`, the tests)."""
    return _asked > 0


def _worker() -> Worker:
    """This process's worker, started now if it has none or the last one died."""
    global _kept
    if _kept is None or not _kept.alive():
        if _kept is not None:
            _kept.close()
        _kept = Worker()
    return _kept


def _ask(call: tuple) -> Worker:
    """The worker `call` was sent to."""
    global _asked
    _asked += 1
    worker = _worker()
    if worker.waiting:  # a call whose answer was never read (its build failed before): the child may be
        worker.stop()   # blocked writing it, and would never read this one
        worker = _worker()
    try:
        worker.ask(call)
    except OSError:  # it died since the last call, and alive() has not seen it yet
        worker.process.wait()
        worker = _worker()
        worker.ask(call)
    return worker


def _close(wait: bool = True) -> None:
    """This process's worker ends (it reads its input to the end, then exits); `wait`: for its exit, else
    it is forgotten (the next call starts another) and waited for by a thread."""
    global _kept
    if _kept is None:
        return
    if wait:
        _kept.close()
    else:
        _kept.close_later()
        _kept = None


atexit.register(_close)  # the worker reads its input to the end, then exits


def main(preload: list[str]) -> None:
    """The worker: import the `preload` modules, then answer each call read from standard input until it
    ends."""
    for module in preload:
        with contextlib.suppress(ImportError):  # (the call that needs it reports it)
            importlib.import_module(module)
    calls = sys.stdin.buffer
    answers = os.fdopen(os.dup(1), "wb")  # what a call prints, even from C, must not come between the answers:
    os.dup2(2, 1)                         # file descriptor 1 goes where standard error goes
    sys.stdout = sys.stderr
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
    main(sys.argv[1:])
