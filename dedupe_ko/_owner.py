"""Who owns a run, a staged index entry or a temporary file, and whether that owner is dead.

An owner is ``host:pid:start``: the process id plus the process's start time (clock ticks
since boot, from ``/proc/<pid>/stat``), so a recycled pid is not mistaken for the process
that died. Owners on other hosts are never declared dead (their processes cannot be seen).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import sys
import threading
from functools import lru_cache

__all__ = ["current", "is_dead", "die_with_parent"]

_PR_SET_PDEATHSIG = 1


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot; None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        if sys.platform.startswith("linux"):
            return None
        try:  # no /proc: only whether the pid exists
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return "0"
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat[stat.rfind(b")") + 2 :].split()
    if fields[0] in (b"Z", b"X"):  # a zombie (killed, not yet reaped) is dead
        return None
    return fields[19].decode()  # field 22: starttime


@lru_cache(maxsize=1)
def _host() -> str:
    return socket.gethostname().replace(":", "_") or "localhost"


def current() -> str:
    """This process as an owner: ``host:pid:start``."""
    pid = os.getpid()
    return f"{_host()}:{pid}:{_start_time(pid) or '0'}"


def is_dead(owner: str) -> bool:
    """True when ``owner`` (from `current`) is a process of this host that no longer runs."""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != _host() or not parts[1].isdigit():
        return False
    start = _start_time(int(parts[1]))
    return start is None or start != parts[2]


def die_with_parent() -> None:
    """Make this (worker) process end when its parent dies: ``PR_SET_PDEATHSIG`` on Linux,
    plus a thread that checks the parent pid every second (everywhere)."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent or parent == 1:
        os._exit(1)

    def watch() -> None:
        import time

        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="dedupe-ko-parent-watch", daemon=True).start()
