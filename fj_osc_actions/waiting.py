"""Waiting for a running action to end, and what its outcome was.

``action_ended`` and ``failed_event`` are pure functions of what the API
returned; ``wait_for_action`` polls gently until the first is true. The
clock and the sleep are parameters, so that tests need no real time.
"""

from __future__ import annotations

import dataclasses
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

#: Errors that say "try again", not "this will never work".
TRANSIENT_ERRORS = (errors.EndpointUnreachable, errors.ApiError)


def action_ended(action: models.InstanceAction, server: dict[str, Any] | None) -> bool:
    """Every event has finished and the server has no task (or is deleted)."""
    events = action.events or ()
    if any(event.finish_time is None and not models.finished_as_a_retry(event, events)
           for event in events):
        return False
    return server is None or server.get(TASK_STATE) is None


def failed_event(action: models.InstanceAction) -> models.ActionEvent | None:
    """The event that failed (the last one with result Error), if any."""
    failed = [event for event in action.events or () if event.result == models.ERROR]
    return failed[-1] if failed else None


def action_failed(action: models.InstanceAction) -> bool:
    return action.failed or failed_event(action) is not None


def last_line(text: Any) -> str | None:
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[-1] if lines else None


def failure_line(action: models.InstanceAction, server: str) -> str:
    """One line: which action failed, the failed event, its result and why."""
    event = failed_event(action)
    if event is None:
        return _("Action {action} ({request_id}) of server {server!r} failed.").format(
            action=action.action, request_id=action.request_id, server=server
        )
    why = last_line(event.extra.get("details")) or last_line(event.traceback)
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


def wait_for_action(
    fetch: Callable[[], tuple[models.InstanceAction, dict[str, Any] | None]],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    on_poll: Callable[[models.InstanceAction], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Any] = time.sleep,
) -> models.InstanceAction:
    """Poll ``fetch`` (the action and its server) until the action has ended.

    Transient errors (5xx, 429, connection failures) do not end the wait;
    past ``timeout`` seconds, ``WaitTimeout``.
    """
    deadline = clock() + timeout
    poller = Poller()
    while True:
        try:
            action, server = fetch()
        except TRANSIENT_ERRORS:
            action, server = None, None
        if action is not None:
            if on_poll:
                on_poll(action)
            if action_ended(action, server):
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
