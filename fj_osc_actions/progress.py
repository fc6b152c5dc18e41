"""Progress on stderr, for people: only when stderr is a terminal.

The commands create these only for a terminal, so what scripts read never
changes with a progress display.
"""

from __future__ import annotations

import datetime
from typing import Any

from fj_osc_actions import formatting
from fj_osc_actions import models
from fj_osc_actions.i18n import _

#: A progress line is shown only for more servers than this.
PROGRESS_ABOVE = 10


class ProgressLine:
    """"actions of 42/120 servers" on stderr, rewritten in place, erased when done."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __call__(self, done: int, total: int) -> None:
        if total <= PROGRESS_ABOVE:
            return
        text = _("actions of {done}/{total} servers").format(done=done, total=total)
        self._stream.write("\r" + text + ("\r\x1b[K" if done == total else ""))
        self._stream.flush()


class EventReporter:
    """While waiting: one stderr line when an event starts and one when it ends.

    Events are followed by their identity (name and start time), never by
    their place in the list: Nova lists them newest first, so a new event
    comes first. The lines of one poll are in the order things happened.
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._started: set[tuple[str | None, str | None]] = set()
        self._finished: set[tuple[str | None, str | None]] = set()

    def __call__(self, action: Any) -> None:
        happened: list[tuple[datetime.datetime, int, str]] = []
        for event in action.events or ():
            identity = (event.name, event.start_time)
            name = formatting.escape_controls(event.name or "?")
            started, finished = _when(event.start_time), _when(event.finish_time)
            if identity not in self._started:
                self._started.add(identity)
                happened.append((started, _STARTS, _("started   {event}").format(event=name)))
            if not event.running and identity not in self._finished:
                self._finished.add(identity)
                # At the same time, an event ends before the next one starts;
                # an event of no duration starts before it ends.
                order = _ENDS_INSTANTLY if finished <= started else _ENDS
                happened.append((finished, order, _(
                    "finished  {event}  {result}  ({duration})").format(
                        event=name, result=event.result,
                        duration=formatting.event_duration(event))))
        for _moment, _order, line in sorted(happened, key=lambda item: item[:2]):
            self._stream.write(line + "\n")
        self._stream.flush()


_ENDS, _STARTS, _ENDS_INSTANTLY = 0, 1, 2
_UNKNOWN_TIME = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)


def _when(value: str | None) -> datetime.datetime:
    """An event's time for ordering; an unknown one sorts last."""
    return models.parse_time(value) or _UNKNOWN_TIME


class ContractProgressLine:
    """"projects 3/12, actions of 45/240 servers" on stderr, erased when done."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._shown = False

    def __call__(self, progress: Any) -> None:
        """``progress``: a ``contract.Progress``."""
        if progress.projects <= 1 and progress.servers <= PROGRESS_ABOVE:
            return
        if progress.finished:
            if self._shown:
                self._stream.write("\r\x1b[K")
                self._stream.flush()
            return
        text = _("projects {done}/{total}, actions of {servers_done}/{servers} servers").format(
            done=progress.projects_done, total=progress.projects,
            servers_done=progress.servers_done, servers=progress.servers)
        self._stream.write("\r" + text + "\x1b[K")
        self._stream.flush()
        self._shown = True
