"""Output formatting: the events column, durations and the rows of an action.

Tables are for people (one line per event, failures marked, tracebacks cut
to their last line); json and yaml get the API's values untouched.
"""

from __future__ import annotations

import datetime
import json
from typing import Any, List, Optional, Sequence, Tuple

from cliff import columns

from fj_osc_actions import microversion as mv
from fj_osc_actions import models

INDENT = " " * 10
TAG_WIDTH = 10


def parse_time(value: Optional[str]) -> Optional[datetime.datetime]:
    """Nova's times: ISO 8601, with or without offset (naive means UTC)."""
    if not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s"


def event_duration(event: models.ActionEvent) -> str:
    if event.running:
        return "still running"
    start = parse_time(event.start_time)
    finish = parse_time(event.finish_time)
    if start is None or finish is None:
        return "duration unknown"
    return format_duration(max((finish - start).total_seconds(), 0.0))


def summarize_traceback(traceback: str) -> str:
    """The last non-empty line (where Python puts the error), and the size."""
    lines = [line.strip() for line in traceback.splitlines() if line.strip()]
    if not lines:
        return "(empty)"
    if len(lines) == 1:
        return lines[0]
    return f"{lines[-1]} (last of {len(lines)} lines; -f json shows all)"


def _status_tag(event: models.ActionEvent) -> str:
    if event.running:
        return "[running]"
    if event.failed:
        return "[FAILED]"
    return "[ok]"


def format_event(event: models.ActionEvent) -> str:
    """One line for the event, then indented lines for what explains it."""
    result = "-" if event.result is None else event.result
    finish = event.finish_time or "..."
    head = (
        f"{_status_tag(event):<{TAG_WIDTH}}{event.name or '(unnamed)'}  {result}  "
        f"{event.start_time or '?'} -> {finish}  ({event_duration(event)})"
    )
    lines = [head]
    extra = {k: v for k, v in event.extra.items() if v is not None}
    details = extra.pop("details", None)
    if details is not None:
        lines.append(f"{INDENT}details: {_single_line(details)}")
    if event.traceback:
        lines.append(f"{INDENT}traceback: {summarize_traceback(event.traceback)}")
    if extra:
        pairs = ", ".join(f"{k}: {_single_line(v)}" for k, v in extra.items())
        lines.append(f"{INDENT}{pairs}")
    return "\n".join(lines)


def _single_line(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return " ".join(str(value).split())


def events_not_returned(version: mv.Microversion) -> str:
    if version < mv.MEMBER_EVENTS:
        return (
            f"(not returned: below microversion {mv.MEMBER_EVENTS} the API shows "
            f"events to admins only; this request used {version}, try "
            f"--os-compute-api-version {mv.DEFAULT})"
        )
    return (
        f"(not returned: the cloud's policy hides events from this user at "
        f"microversion {version})"
    )


class EventsColumn(columns.FormattableColumn):
    """Events for tables; the API's list for json and yaml.

    The value is ``(events, note)``: the events (None when the API did not
    return them) and the note that says why they are missing.
    """

    def human_readable(self) -> str:
        events, note = self._value
        if events is None:
            return note
        if not events:
            return "(no events)"
        return "\n".join(format_event(e) for e in events)

    def machine_readable(self) -> Optional[List[Any]]:
        events, _ = self._value
        if events is None:
            return None
        return [dict(e.raw) for e in events]


class EventsJSONTextColumn(EventsColumn):
    """Events as JSON text, for ``-f value``, ``-f shell`` and ``-f csv``."""

    def human_readable(self) -> str:
        return self.machine_readable()

    def machine_readable(self) -> str:  # type: ignore[override]
        return json.dumps(super().machine_readable(), ensure_ascii=False)


#: Formatters that keep structured values; the others print text.
STRUCTURED_FORMATTERS = ("table", "json", "yaml")


def events_column(
    action: models.InstanceAction, version: mv.Microversion, formatter: str
) -> EventsColumn:
    if formatter in STRUCTURED_FORMATTERS:
        column_class = EventsColumn
    else:
        column_class = EventsJSONTextColumn
    return column_class((action.events, events_not_returned(version)))


def action_rows(
    action: models.InstanceAction, version: mv.Microversion, formatter: str
) -> Tuple[Tuple[str, ...], Tuple[Any, ...]]:
    """The show rows: the base keys the API returned, then any others, then events."""
    keys: List[str] = [k for k in models.ACTION_KEYS if k in action.raw]
    keys += list(action.extra)
    names = tuple(keys) + ("events",)
    values = tuple(action.raw[k] for k in keys) + (
        events_column(action, version, formatter),
    )
    return names, values


LIST_COLUMNS: Sequence[Tuple[str, str]] = (
    ("request_id", "Request ID"),
    ("action", "Action"),
    ("start_time", "Start Time"),
    ("updated_at", "Updated At"),
    ("message", "Message"),
)
LONG_COLUMNS: Sequence[Tuple[str, str]] = (
    ("user_id", "User ID"),
    ("project_id", "Project ID"),
)


def list_columns(version: mv.Microversion, long: bool) -> Sequence[Tuple[str, str]]:
    chosen = [
        c for c in LIST_COLUMNS if c[0] != "updated_at" or version >= mv.UPDATED_AT
    ]
    if long:
        chosen += LONG_COLUMNS
    return chosen


def list_row(action: models.InstanceAction, keys: Sequence[str]) -> Tuple[Any, ...]:
    return tuple(action.raw.get(k) for k in keys)
