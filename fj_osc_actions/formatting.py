"""Output formatting: the events column, durations and rows (the timeline: timeline.py).

Tables are for people (one line per event, failures marked, tracebacks cut
to their last line); json and yaml get the API's values. Text that came from
the API is made harmless for the formatters that print it as text (control
characters escaped; ``-f shell`` safe to ``eval``).
"""

from __future__ import annotations

import json
import re
from typing import Any, Sequence

from cliff import columns

from fj_osc_actions import microversion as mv
from fj_osc_actions import models
from fj_osc_actions.i18n import _

INDENT = " " * 10
TAG_WIDTH = 10

#: Formatters that keep structured values and escape text themselves.
STRUCTURED_FORMATTERS = ("json", "yaml")
#: Formatters whose events column is a list of lines, for people.
HUMAN_FORMATTERS = ("table",)

parse_time = models.parse_time
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# -- text from the API --------------------------------------------------------


def escape_controls(text: str) -> str:
    """Control characters (ESC, BEL, newlines...) as visible escapes."""
    return _CONTROL_CHARACTERS.sub(lambda found: ascii(found.group())[1:-1], text)


def shell_safe(text: str) -> str:
    """Safe inside the double quotes of cliff's ``-f shell`` (which escapes ``"``)."""
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")


def safe_value(value: Any, formatter: str) -> Any:
    """A value as the formatter should get it."""
    if formatter in STRUCTURED_FORMATTERS or not isinstance(value, str):
        return value
    value = escape_controls(value)
    return shell_safe(value) if formatter == "shell" else value


# -- durations and events -------------------------------------------------------


def format_duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s"


def event_duration(event: models.ActionEvent, events: Sequence[models.ActionEvent] = ()) -> str:
    """``events``: all events of the action, to tell an ended retry apart."""
    if models.finished_as_a_retry(event, events):
        return _("a retry: its end is on the first event of this name")
    if event.running:
        return _("still running")
    start = parse_time(event.start_time)
    finish = parse_time(event.finish_time)
    if start is None or finish is None or finish < start:
        return _("duration unknown")
    return format_duration((finish - start).total_seconds())


def summarize_traceback(traceback: str) -> str:
    """The last non-empty line (where Python puts the error), and the size."""
    lines = [line.strip() for line in traceback.splitlines() if line.strip()]
    if not lines:
        return _("(empty)")
    if len(lines) == 1:
        return lines[0]
    return _("{line} (last of {count} lines; -f json shows all)").format(
        line=lines[-1], count=len(lines)
    )


def status_tag(event: models.ActionEvent, events: Sequence[models.ActionEvent] = ()) -> str:
    if models.finished_as_a_retry(event, events):
        return "[retried]"
    if event.running:
        return "[running]"
    if event.failed:
        return "[FAILED]"
    return "[ok]"


def single_line(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return escape_controls(json.dumps(value, ensure_ascii=False))
    return escape_controls(" ".join(str(value).split()))


def format_event(event: models.ActionEvent, events: Sequence[models.ActionEvent] = ()) -> str:
    """One line for the event, then indented lines for what explains it."""
    result = "-" if event.result is None else single_line(event.result)
    finish = event.finish_time or "..."
    name = single_line(event.name) if event.name else _("(unnamed)")
    head = (
        f"{status_tag(event, events):<{TAG_WIDTH}}{name}  {result}  "
        f"{single_line(event.start_time or '?')} -> {single_line(finish)}  "
        f"({event_duration(event, events)})"
    )
    lines = [head]
    extra = {k: v for k, v in event.extra.items() if v is not None}
    details = extra.pop("details", None)
    if details is not None:
        lines.append(f"{INDENT}details: {single_line(details)}")
    if event.traceback:
        lines.append(f"{INDENT}traceback: {single_line(summarize_traceback(event.traceback))}")
    if extra:
        pairs = ", ".join(f"{single_line(k)}: {single_line(v)}" for k, v in extra.items())
        lines.append(f"{INDENT}{pairs}")
    return "\n".join(lines)


# -- columns ---------------------------------------------------------------------


def events_not_returned(version: mv.Microversion, version_chosen_by_cloud: bool = False) -> str:
    """Why the API returned no events. ``version_chosen_by_cloud``: the
    microversion is the cloud's maximum (a 406 fallback), so no advice to
    raise it."""
    if version < mv.MEMBER_EVENTS and version_chosen_by_cloud:
        return _(
            "(not returned: below microversion {member_events} the API shows "
            "events to admins only, and this cloud supports at most {version})"
        ).format(member_events=mv.MEMBER_EVENTS, version=version)
    if version < mv.MEMBER_EVENTS:
        return _(
            "(not returned: below microversion {member_events} the API shows "
            "events to admins only; this request used {version}, try "
            "--os-compute-api-version {default})"
        ).format(member_events=mv.MEMBER_EVENTS, version=version, default=mv.DEFAULT)
    return _(
        "(not returned: the cloud's policy hides events from this user at "
        "microversion {version})"
    ).format(version=version)


class EventsColumn(columns.FormattableColumn):
    """Events for tables; the API's list for json and yaml.

    The value is ``(events, note, timeline)``: the events (None when the API
    did not return them), the note that says why they are missing, and for
    ``--timeline`` a function that draws them.
    """

    def human_readable(self) -> str:
        events, note, timeline = self._value
        if events is None:
            return note
        if not events:
            return _("(no events)")
        if timeline is not None:
            return timeline(events)
        return "\n".join(format_event(e, events) for e in events)

    def machine_readable(self) -> list[Any] | None:
        events = self._value[0]
        if events is None:
            return None
        return [dict(e.raw) for e in events]


class EventsJSONTextColumn(EventsColumn):
    """Events as JSON text, for ``-f value``, ``-f shell`` and ``-f csv``."""

    formatter = "value"

    def human_readable(self) -> str:
        return self.machine_readable()

    def machine_readable(self) -> str:  # type: ignore[override]
        # ensure_ascii: JSON's own escapes, so no control character is printed.
        text = json.dumps(super().machine_readable(), ensure_ascii=False)
        return safe_value(text, self.formatter)


def events_column(
    action: models.InstanceAction,
    version: mv.Microversion,
    formatter: str,
    timeline: Any = None,
    version_chosen_by_cloud: bool = False,
) -> EventsColumn:
    note = events_not_returned(version, version_chosen_by_cloud)
    if formatter in HUMAN_FORMATTERS or formatter in STRUCTURED_FORMATTERS:
        return EventsColumn((action.events, note, timeline if formatter == "table" else None))
    column = EventsJSONTextColumn((action.events, note, None))
    column.formatter = formatter
    return column


def action_rows(
    action: models.InstanceAction,
    version: mv.Microversion,
    formatter: str,
    timeline: Any = None,
    version_chosen_by_cloud: bool = False,
) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """The show rows: the base keys the API returned, then any others, then events."""
    keys: list[str] = [k for k in models.ACTION_KEYS if k in action.raw]
    keys += list(action.extra)
    names = tuple(keys) + ("events",)
    values = tuple(safe_value(action.raw[k], formatter) for k in keys) + (
        events_column(action, version, formatter, timeline, version_chosen_by_cloud),
    )
    return names, values


LIST_COLUMNS: Sequence[tuple[str, str]] = (
    ("request_id", "Request ID"),
    ("action", "Action"),
    ("start_time", "Start Time"),
    ("updated_at", "Updated At"),
    ("message", "Message"),
)
LONG_COLUMNS: Sequence[tuple[str, str]] = (
    ("user_id", "User ID"),
    ("project_id", "Project ID"),
)
SERVER_COLUMNS: Sequence[tuple[str, str]] = (
    ("server_id", "Server ID"),
    ("server_name", "Server Name"),
)


def list_columns(
    version: mv.Microversion, long: bool, several_servers: bool = False
) -> Sequence[tuple[str, str]]:
    chosen = [c for c in LIST_COLUMNS if c[0] != "updated_at" or version >= mv.UPDATED_AT]
    if long:
        chosen += LONG_COLUMNS
    if several_servers:
        chosen = list(SERVER_COLUMNS) + chosen
    return chosen


def list_row(
    action: models.InstanceAction,
    keys: Sequence[str],
    formatter: str = "json",
    server: models.Server | None = None,
) -> tuple[Any, ...]:
    values = dict(action.raw)
    if server is not None:
        values.update(server_id=server.id, server_name=server.name)
    return tuple(safe_value(values.get(k), formatter) for k in keys)


# -- the contract view (--my-projects, --project) ---------------------------------

PROJECT_COLUMNS: Sequence[tuple[str, str]] = (
    ("project_id", "Project ID"),
    ("project_name", "Project Name"),
)
#: With several projects "Project ID" is the server's project; --long's
#: project of the user who started the action is then this column.
USER_PROJECT_COLUMN = ("user_project_id", "User Project ID")
REASON_COLUMNS: Sequence[tuple[str, str]] = (
    ("failed_event", "Failed Event"),
    ("reason", "Reason"),
)


def contract_columns(
    version: mv.Microversion, long: bool, several_projects: bool, reasons: bool
) -> list[tuple[str, str]]:
    """The fleet's columns; the project's first with several projects; then
    the failed event and its reason when they were read."""
    chosen = list(list_columns(version, long, several_servers=True))
    if several_projects:
        chosen = list(PROJECT_COLUMNS) + [
            USER_PROJECT_COLUMN if key == "project_id" else (key, title) for key, title in chosen
        ]
    if reasons:
        chosen += REASON_COLUMNS
    return chosen


def contract_row(row: Any, keys: Sequence[str], formatter: str = "json") -> tuple[Any, ...]:
    """One row of the contract view (``row``: a ``contract.Row``)."""
    values = dict(row.action.raw)
    values.update(
        server_id=row.server.id,
        server_name=row.server.name,
        user_project_id=row.action.raw.get("project_id"),
        failed_event=row.failed_event,
        reason=row.reason,
    )
    if "project_name" in keys:
        values.update(project_id=row.project.id, project_name=row.project.name)
    return tuple(safe_value(values.get(k), formatter) for k in keys)
