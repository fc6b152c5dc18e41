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
import queue
import threading
from typing import Callable, Iterator, Sequence

from fj_osc_actions import errors
from fj_osc_actions import models

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
        pending: queue.SimpleQueue[models.Server] = queue.SimpleQueue()
        done: queue.SimpleQueue[tuple] = queue.SimpleQueue()
        for server in self.servers:
            pending.put(server)
        workers = min(self._concurrency, len(self.servers))
        for number in range(workers):
            threading.Thread(
                target=self._work, args=(pending, done), name=f"fleet-{number}", daemon=True
            ).start()
        for finished in range(1, len(self.servers) + 1):
            result = self._next_result(done)
            if isinstance(result[2], BaseException) and not isinstance(
                result[2], errors.ActionsError
            ):
                self._cancelled.set()
                raise result[2]
            if self._on_progress:
                self._on_progress(finished, len(self.servers))
            yield result

    def _work(self, pending: queue.SimpleQueue, done: queue.SimpleQueue) -> None:
        while not self._cancelled.is_set():
            try:
                server = pending.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((server, self._read_actions(server), None))
            except BaseException as error:  # reported by the main thread
                done.put((server, [], error))

    def _next_result(self, done: queue.SimpleQueue) -> tuple:
        """Wait in short steps, so that Ctrl-C reaches the main thread."""
        try:
            while True:
                try:
                    return done.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    continue
        except KeyboardInterrupt:
            self._cancelled.set()
            raise
