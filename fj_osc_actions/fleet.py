"""Many servers in one run: one login, one session, a bounded pool of workers.

Nova has no cross-server actions API: the actions of each server are read
with one request per page, by at most ``concurrency`` workers at a time. A
server that cannot be read becomes a ``ServerProblem``; the rows of every
other server are kept. Workers are daemon threads and every wait checks the
client's cancellation, so Ctrl-C ends the run at once.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import queue
import threading
from typing import Any, Callable, Iterator, Sequence

from fj_osc_actions import errors
from fj_osc_actions import models
from fj_osc_actions.i18n import _

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64
#: How often the main thread wakes while it waits (so Ctrl-C is seen).
_POLL_SECONDS = 0.1
_OLDEST = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)


@dataclasses.dataclass(frozen=True)
class ActionFilter:
    """What the API cannot filter, applied to each action as it is read."""

    failed_only: bool = False
    action_names: frozenset[str] = frozenset()

    def matches(self, action: models.InstanceAction) -> bool:
        if self.failed_only and not action.failed:
            return False
        return not self.action_names or action.action in self.action_names


@dataclasses.dataclass(frozen=True)
class ServerProblem:
    """A server whose actions could not be read."""

    server: models.Server
    error: errors.ActionsError
    #: Listed, then not found when read (deleted meanwhile): a notice, not a failure.
    vanished: bool = False


Row = tuple[models.Server, models.InstanceAction]
ReadActions = Callable[[models.Server], list[models.InstanceAction]]
Progress = Callable[[int, int], None]


def newest_first(rows: list[Row]) -> list[Row]:
    """Rows of all servers, merged newest first by start time."""
    return sorted(
        rows, key=lambda row: models.parse_time(row[1].start_time) or _OLDEST, reverse=True
    )


class FleetRun:
    """The actions of many servers; iterate for (server, action) pairs.

    ``problems`` lists the servers that could not be read, once iterated.
    """

    def __init__(
        self,
        servers: Sequence[models.Server],
        read_actions: ReadActions,
        *,
        concurrency: int,
        cancelled: threading.Event,
        problems: Sequence[ServerProblem] = (),
        on_progress: Progress | None = None,
        listed_ids: frozenset[str] = frozenset(),
    ) -> None:
        self.servers = list(servers)
        self._listed_ids = listed_ids
        self.problems: list[ServerProblem] = list(problems)
        self._read_actions = read_actions
        self._concurrency = concurrency
        self._cancelled = cancelled
        self._on_progress = on_progress

    def __iter__(self) -> Iterator[Row]:
        rows: list[Row] = []
        for server, actions, error in self._read_all():
            if error is not None:
                vanished = isinstance(error, errors.ServerNotFound) and server.id in self._listed_ids
                self.problems.append(ServerProblem(server, error, vanished))
            rows += [(server, action) for action in actions]
        return iter(newest_first(rows))

    @property
    def failures(self) -> list[ServerProblem]:
        return [problem for problem in self.problems if not problem.vanished]

    def _read_all(
        self,
    ) -> Iterator[tuple[models.Server, list[models.InstanceAction], errors.ActionsError | None]]:
        pool = WorkPool(self._concurrency, self._cancelled)
        for server in self.servers:
            pool.submit(server, functools.partial(self._read_actions, server))
        for finished, (server, actions, error) in enumerate(pool.results(), start=1):
            if self._on_progress:
                self._on_progress(finished, len(self.servers))
            yield server, actions or [], error


class WorkPool:
    """At most ``workers`` tasks at a time, on daemon threads.

    Tasks may be submitted while the results are read (the contract view
    lists each project's servers, then reads them), so one pool bounds
    everything in flight. Each result comes back, as (key, value, error), to
    the thread that iterates ``results()``, in the order they finish; a task's
    ``errors.ActionsError`` is its result, any other exception is raised there
    (after cancelling the rest). Waits are short, so Ctrl-C reaches the main
    thread at once.
    """

    def __init__(self, workers: int, cancelled: threading.Event, name: str = "fleet") -> None:
        self._workers = workers
        self._cancelled = cancelled
        self._name = name
        self._started = 0
        self._outstanding = 0
        self._closed = threading.Event()
        self._pending: queue.SimpleQueue[tuple[Any, Callable[[], Any]]] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[tuple[Any, Any, BaseException | None]] = queue.SimpleQueue()

    def submit(self, key: Any, task: Callable[[], Any]) -> None:
        """Queue ``task``; its result comes back with ``key``."""
        self._outstanding += 1
        self._pending.put((key, task))
        if self._started < self._workers:
            threading.Thread(target=self._work, name=f"{self._name}-{self._started}",
                             daemon=True).start()
            self._started += 1

    def results(self) -> Iterator[tuple[Any, Any, errors.ActionsError | None]]:
        """Every task's result, until none is left (submitted meanwhile included)."""
        try:
            while self._outstanding:
                key, value, error = self._next_result()
                self._outstanding -= 1
                if error is not None and not isinstance(error, errors.ActionsError):
                    self._cancelled.set()
                    raise error
                yield key, value, error
        finally:
            self._closed.set()

    def _work(self) -> None:
        while not self._cancelled.is_set() and not self._closed.is_set():
            try:
                key, task = self._pending.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            try:
                self._done.put((key, task(), None))
            except BaseException as error:  # reported by the main thread
                self._done.put((key, None, error))

    def _next_result(self) -> tuple[Any, Any, BaseException | None]:
        """Wait in short steps, so that Ctrl-C reaches the main thread."""
        try:
            while True:
                try:
                    return self._done.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    if self._cancelled.is_set():
                        # Cancelled from elsewhere (a library caller): the
                        # tasks still queued will not run.
                        raise errors.Cancelled(_("Cancelled.")) from None
        except KeyboardInterrupt:
            self._cancelled.set()
            raise
