"""``--timeline``: each event as a bar on one time axis (table output only).

Block characters where the output can encode them, else ASCII; events in
time order (the API lists them newest first).
"""

from __future__ import annotations

import datetime
from typing import Sequence

from fj_osc_actions import formatting
from fj_osc_actions import models
from fj_osc_actions.i18n import _

TIMELINE_WIDTH = 30


def _bar_characters(encoding: str | None) -> tuple[str, str]:
    """Block characters where the output can encode them, else ASCII."""
    try:
        "█░".encode(encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return "#", "."
    return "█", "░"


def format_timeline(
    events: Sequence[models.ActionEvent],
    now: datetime.datetime,
    encoding: str | None,
    width: int = TIMELINE_WIDTH,
) -> str:
    """Each event as a bar on one time axis shared by all events.

    A running event is drawn to now; an event without times has no bar.
    """
    full, empty = _bar_characters(encoding)
    # In time order (the API lists events as it stored them).
    events = sorted(events, key=lambda event: models.parse_time(event.start_time) or now)
    spans = []
    for event in events:
        start = models.parse_time(event.start_time)
        still_running = event.running and not models.finished_as_a_retry(event, events)
        finish = now if still_running else models.parse_time(event.finish_time)
        spans.append((start, finish if start and finish and finish >= start else None))
    starts = [start for start, _finish in spans if start]
    ends = [finish for _start, finish in spans if finish]
    origin = min(starts) if starts else now
    total = max([(end - origin).total_seconds() for end in ends] + [0.001])
    lines = []
    for event, (start, finish) in zip(events, spans):
        bar = empty * width
        if start and finish:
            first = min(int((start - origin).total_seconds() / total * width), width - 1)
            length = max(1, round((finish - start).total_seconds() / total * width))
            length = min(length, width - first)
            bar = empty * first + full * length + empty * (width - first - length)
        name = formatting.single_line(event.name) if event.name else _("(unnamed)")
        status = formatting.status_tag(event, events)
        duration = formatting.event_duration(event, events)
        lines.append(f"|{bar}| {status:<{formatting.TAG_WIDTH}}{name}  ({duration})")
    return "\n".join(lines)
