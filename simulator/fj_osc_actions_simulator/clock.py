"""The simulator's time: the system clock, or a manual clock for tests.

Everything that depends on time (token lifetimes, the ``slow`` fault, the
response latency, running actions, the fleet's dates) reads and waits
through one clock, so a test can move time instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

#: 2026-03-02T00:00:00Z, where a :class:`ManualClock` starts by default.
MANUAL_CLOCK_START = 1772409600.0


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (UTC)."""

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for ``seconds`` of this clock's time."""


class SystemClock:
    """Real time."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class ManualClock:
    """A clock that moves only when told to; ``sleep`` waits until it has.

    Thread-safe: request threads sleep in it while a test calls
    :meth:`advance`, and :meth:`wait_for_sleepers` tells the test when they
    are all waiting.
    """

    def __init__(self, start: float = MANUAL_CLOCK_START) -> None:
        self._now = float(start)
        self._sleepers = 0
        self._changed = threading.Condition()

    def now(self) -> float:
        with self._changed:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._changed:
            self._now += seconds
            self._changed.notify_all()

    def sleep(self, seconds: float) -> None:
        with self._changed:
            deadline = self._now + seconds
            self._sleepers += 1
            self._changed.notify_all()
            try:
                self._changed.wait_for(lambda: self._now >= deadline)
            finally:
                self._sleepers -= 1
                self._changed.notify_all()

    @property
    def sleepers(self) -> int:
        """How many threads are waiting in :meth:`sleep` now."""
        with self._changed:
            return self._sleepers

    def wait_for_sleepers(self, count: int, timeout: float) -> bool:
        """Wait (in real time) until ``count`` threads sleep; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self._sleepers >= count, timeout)
