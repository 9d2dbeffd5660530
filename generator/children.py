"""Child processes that do not outlive the generator.

A build killed with SIGKILL cannot clean up, so the kernel must: on Linux,
prctl(PR_SET_PDEATHSIG) asks it to send the child SIGTERM when its parent
dies (man 2 prctl). Pass `preexec_fn=die_with_parent` to subprocess.
"""

from __future__ import annotations

import ctypes
import os
import signal

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
