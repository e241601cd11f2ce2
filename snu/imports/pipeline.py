"""Run a generator in a forked child process and take its items in the parent, one at a time.

An import reads and checks its file (pure Python, CPU-bound) while the database stores what was already checked.
In one process the two take turns; with the checking in a child they run side by side on two cores. The child
is forked, so it starts at once with everything the parent has prepared (the reader, the mapping, the
municipality register) and needs no set-up of its own. It never touches the database: it inherits the parent's
connection objects but does not use or close them, and it leaves through `os._exit`.

Each item travels pickled through a pipe; the child runs at most one item ahead of what the parent has taken,
so memory stays bounded. An exception raised in the child is raised again in the parent (as the same type when
it can be pickled). Where fork is not available (or `SNU_IMPORT_FORK` is off) the generator simply runs in the
calling process: the results are the same, only slower.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")
SILENCE_SECONDS = 300  # the longest the parent waits for the child's next batch before giving up on it
_END = "end"
_ITEM = "item"
_FAILED = "failed"


class ChildFailed(RuntimeError):
    """The child stopped with an exception that could not be sent back as itself."""


def can_fork() -> bool:
    return settings.SNU_IMPORT_FORK and "fork" in multiprocessing.get_all_start_methods()


def run(produce: Callable[[], Iterator[T]], *, fork: bool = True) -> Iterator[T]:
    """The items of `produce()`, made in a forked child when `fork` (and forking is possible), else here."""
    if not (fork and can_fork()):
        return produce()
    return _forked(produce)


def _forked(produce: Callable[[], Iterator[T]]) -> Iterator[T]:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def child() -> None:  # runs in the child process
        receive.close()
        try:
            _fresh_locks()
            _state["in_child"] = True
            for item in produce():
                data = pickle.dumps((_ITEM, item), protocol=pickle.HIGHEST_PROTOCOL)
                started = time.monotonic()
                send.send_bytes(data)  # returns once the parent has taken (most of) it
                _state["last_wait"] = time.monotonic() - started
            send.send_bytes(pickle.dumps((_END, None)))
        except BaseException as exc:  # every failure goes back to the parent
            send.send_bytes(_failure(exc))
        finally:
            send.close()
            os._exit(0)  # no clean-up: the parent's database connections must stay open

    process = context.Process(target=child, name="snu-import-check", daemon=True)
    process.start()
    send.close()
    return _received(process, receive)


_state = {"in_child": False, "last_wait": 0.0}
BUSY_SECONDS = 0.02  # (handing over a batch to a waiting parent takes a few milliseconds)


def in_child() -> bool:
    """Whether this code runs in a checking child."""
    return bool(_state["in_child"])


def parent_busy() -> bool:
    """In a child: whether the parent took its last item late (it was still busy with the one before), so that
    work the parent could do is better done here. False before the first item, and in the parent."""
    return bool(_state["in_child"]) and _state["last_wait"] > BUSY_SECONDS


def _fresh_locks() -> None:
    """A lock that another thread of the parent held at the moment of the fork stays held in the child, by a
    thread the child does not have. Logging and the import system renew theirs after a fork; the one lock the
    checking code takes besides is the active translation's (Django keeps it in an asgiref `Local`, which locks on
    every read). Give it a new one, so that a fork from a busy multi-threaded web process cannot hang the child."""
    from django.utils.translation import trans_real

    active = getattr(trans_real, "_active", None)
    if isinstance(getattr(active, "_lock", None), type(threading.RLock())):
        object.__setattr__(active, "_lock", threading.RLock())


def _failure(exc: BaseException) -> bytes:
    try:
        return pickle.dumps((_FAILED, exc))
    except Exception:  # an exception whose arguments do not pickle
        text = "".join(traceback.format_exception(exc))
        return pickle.dumps((_FAILED, ChildFailed(f"{type(exc).__name__}: {exc}\n{text}")))


def _received(process: Any, receive: Any) -> Iterator[Any]:
    try:
        while True:
            if not receive.poll(SILENCE_SECONDS):  # a batch takes about a second: the child is stuck
                raise ChildFailed(f"the checking process gave no sign of life for {SILENCE_SECONDS} s")
            try:
                kind, payload = pickle.loads(receive.recv_bytes())  # noqa: S301 - from our own child
            except EOFError as exc:
                process.join(timeout=5)
                raise ChildFailed(f"the checking process stopped unexpectedly (exit code {process.exitcode})") from exc
            if kind == _ITEM:
                yield payload
            elif kind == _END:
                return
            else:
                raise payload
    finally:
        receive.close()  # a child still sending gets a broken pipe and leaves
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()
