"""Pauses, cancellation and the shared back-off of one run.

A run (one command, or one library call that reads many servers or
projects) shares one :class:`Pacer`: one Ctrl-C stops every worker, and a
``Retry-After`` that one request is given holds back the others. Touches
nothing outside its own objects; the clock is a parameter, so tests need no
real time.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from fj_osc_actions import exceptions
from fj_osc_actions.i18n import _

#: Python runs its Ctrl-C handler between waits, not inside a long lock wait.
PAUSE_SLICE = 0.1


class Pacer:
    """Cancellation and pauses shared by every request of a run (a pool of
    workers included): one Ctrl-C stops them all, and a ``Retry-After``
    seen by one holds the others back too."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self.cancelled = threading.Event()
        self._clock = clock
        self._lock = threading.Lock()
        self._not_before = 0.0

    def pause(self, seconds: float) -> None:
        """Wait, in short slices (Python runs its Ctrl-C handler between
        them); ``exceptions.Cancelled`` if cancelled meanwhile."""
        deadline = self._clock() + seconds
        while (remaining := deadline - self._clock()) > 0:
            if self.cancelled.wait(min(remaining, PAUSE_SLICE)):
                raise exceptions.Cancelled(_("Cancelled."))
        self.check()

    def check(self) -> None:
        if self.cancelled.is_set():
            raise exceptions.Cancelled(_("Cancelled."))

    def hold(self, seconds: float) -> None:
        """No request of this run leaves for ``seconds``."""
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + seconds)

    def wait_turn(self) -> None:
        with self._lock:
            wait = self._not_before - self._clock()
        if wait > 0:
            self.pause(wait)
        self.check()
