"""Waiting for a running action to end, and what its outcome was.

``action_ended``, ``needs_newest`` and ``failed_event`` are pure functions
of what the API returned; ``wait_for_action`` polls gently until the action
has ended. The clock and the sleep are parameters, so that tests need no
real time.

Nova's facts behind the end rule (``nova/compute/api.py``,
``nova/db/main/api.py``): a server's task state belongs to the operation
running now, which is its newest action; Nova refuses most new actions
while a task state is set, so the next action usually starts right after
the one being waited for. An older action whose events have all finished
has ended, whatever the server is doing now.
"""

from __future__ import annotations

import dataclasses
import datetime
import time
from typing import Any, Callable

from fj_osc_actions import errors
from fj_osc_actions import models
from fj_osc_actions.i18n import _

DEFAULT_TIMEOUT = 600.0
FIRST_DELAY = 1.0
MAX_DELAY = 5.0
DELAY_GROWTH = 1.5
TASK_STATE = "OS-EXT-STS:task_state"
_OLDEST = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)

#: Errors that say "try again" (5xx, 429, timeouts, connections reset or
#: cut), not "this will never work": only these do not end a wait.
TRANSIENT_ERRORS = errors.TRANSIENT


def events_finished(action: models.InstanceAction) -> bool:
    """Every event the API returned has finished (True when it returned none).

    A retry that Nova recorded on the first event of its name counts as
    finished (``models.finished_as_a_retry``).
    """
    events = action.events or ()
    return all(event.finish_time is not None or models.finished_as_a_retry(event, events)
               for event in events)


def _busy(server: dict[str, Any] | None) -> bool:
    return server is not None and server.get(TASK_STATE) is not None


def needs_newest(action: models.InstanceAction, server: dict[str, Any] | None) -> bool:
    """Whether the end rule needs the server's newest request ID: only when
    every event has finished and the server has a task state."""
    return events_finished(action) and _busy(server)


def action_ended(
    action: models.InstanceAction,
    server: dict[str, Any] | None,
    newest_request_id: str | None = None,
) -> bool:
    """Whether the action has ended.

    Ended: every event finished (or none returned), and the server is
    deleted (None), has no task state, or has a newer action than this one
    (``newest_request_id``, asked only when ``needs_newest``; None: not known).
    """
    if not events_finished(action):
        return False
    if not _busy(server):
        return True
    return newest_request_id is not None and newest_request_id != action.request_id


def failed_event(action: models.InstanceAction) -> models.ActionEvent | None:
    """The newest event whose result is Error, by start time (a tie: the one
    Nova lists first), if any. A failed live migration has two: the newer
    compute event with the details, and the conductor event that wraps it."""
    failed = [(index, event) for index, event in enumerate(action.events or ())
              if event.result == models.ERROR]
    if not failed:
        return None
    newest = max(failed, key=lambda item: (
        models.parse_time(item[1].start_time) or _OLDEST, -item[0]))
    return newest[1]


def action_failed(action: models.InstanceAction) -> bool:
    return action.failed or failed_event(action) is not None


def last_line(text: Any) -> str | None:
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[-1] if lines else None


def failure_reason(event: models.ActionEvent) -> str | None:
    """Why an event failed: the last line of its details (admins, 2.84+),
    else of its traceback (admins), else None (members see neither)."""
    return last_line(event.extra.get("details")) or last_line(event.traceback)


def failure_line(action: models.InstanceAction, server: str) -> str:
    """One line: which action failed, the failed event, its result and why."""
    event = failed_event(action)
    if event is None:
        return _("Action {action} ({request_id}) of server {server!r} failed.").format(
            action=action.action, request_id=action.request_id, server=server
        )
    why = failure_reason(event)
    line = _(
        "Action {action} ({request_id}) of server {server!r} failed: event {event} "
        "ended with {result}"
    ).format(
        action=action.action, request_id=action.request_id, server=server,
        event=event.name, result=event.result,
    )
    return f"{line}: {why}" if why else f"{line}."


@dataclasses.dataclass
class Poller:
    """Delays that start at FIRST_DELAY and grow to MAX_DELAY."""

    delay: float = FIRST_DELAY

    def next_delay(self) -> float:
        current = self.delay
        self.delay = min(self.delay * DELAY_GROWTH, MAX_DELAY)
        return current


#: One poll: the action as it is now, and whether it has ended.
Poll = Callable[[], "tuple[models.InstanceAction, bool]"]


def wait_for_action(
    poll: Poll,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    on_poll: Callable[[models.InstanceAction], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Any] = time.sleep,
) -> models.InstanceAction:
    """Poll until the action has ended; its final state.

    Transient errors (``TRANSIENT_ERRORS``) do not end the wait; any other
    error does, at once. Past ``timeout`` seconds, ``WaitTimeout``.
    """
    deadline = clock() + timeout
    poller = Poller()
    while True:
        try:
            action, ended = poll()
        except TRANSIENT_ERRORS:
            action, ended = None, False
        if action is not None:
            if on_poll:
                on_poll(action)
            if ended:
                return action
        delay = poller.next_delay()
        if clock() + delay > deadline:
            raise WaitTimeout(timeout)
        sleep(delay)


class WaitTimeout(Exception):
    """The action did not end within the timeout."""

    def __init__(self, timeout: float) -> None:
        super().__init__(timeout)
        self.timeout = timeout
