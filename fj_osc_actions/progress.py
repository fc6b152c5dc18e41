"""Progress on stderr, for people: only when stderr is a terminal.

The commands create these only for a terminal, so what scripts read never
changes with a progress display.
"""

from __future__ import annotations

from typing import Any

from fj_osc_actions import formatting
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
    """While waiting: one stderr line when an event starts and when it ends."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._started: set[int] = set()
        self._finished: set[int] = set()

    def __call__(self, action: Any) -> None:
        for index, event in enumerate(action.events or ()):
            name = formatting.escape_controls(event.name or "?")
            if index not in self._started:
                self._started.add(index)
                self._stream.write(_("started   {event}").format(event=name) + "\n")
            if not event.running and index not in self._finished:
                self._finished.add(index)
                self._stream.write(
                    _("finished  {event}  {result}  ({duration})").format(
                        event=name, result=event.result, duration=formatting.event_duration(event)
                    ) + "\n"
                )
        self._stream.flush()
