"""Typed views of the API's instance actions and events.

The objects keep the API's dictionary as it came (``raw``), so that no key is
lost and none is invented; the typed attributes are read from it.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Mapping, Sequence

ACTION_KEYS = (
    "request_id",
    "action",
    "instance_uuid",
    "user_id",
    "project_id",
    "start_time",
    "updated_at",
    "message",
)
EVENT_KEYS = ("event", "result", "start_time", "finish_time", "traceback")

SUCCESS = "Success"
_ONE_SECOND = datetime.timedelta(seconds=1)
ERROR = "Error"


def parse_time(value: str | None) -> datetime.datetime | None:
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


class ShapeError(ValueError):
    """The API's JSON does not have the shape of an instance action."""


class ApiText:
    """An optional text field of ``raw``: None when absent or null, else str."""

    def __init__(self, key: str | None = None) -> None:
        self.key = key

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = self.key or name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.raw.get(self.key)
        return None if value is None else str(value)


def _require_object(raw: Any, what: str) -> None:
    if not isinstance(raw, dict):
        raise ShapeError(f"{what} is a {type(raw).__name__}, not an object")


@dataclasses.dataclass(frozen=True)
class ActionEvent:
    """One step of an action (``events[]`` in the API)."""

    raw: Mapping[str, Any]

    name = ApiText("event")
    result = ApiText()
    start_time = ApiText()
    finish_time = ApiText()
    traceback = ApiText()

    @classmethod
    def from_api(cls, raw: Any) -> ActionEvent:
        _require_object(raw, "an event")
        return cls(raw=raw)

    @property
    def running(self) -> bool:
        """Nova reports an unfinished event with null finish_time and result."""
        return self.result is None and self.finish_time is None

    @property
    def failed(self) -> bool:
        return not self.running and self.result != SUCCESS

    @property
    def extra(self) -> dict[str, Any]:
        """Keys beyond the base ones, e.g. host, hostId and details."""
        return {k: v for k, v in self.raw.items() if k not in EVENT_KEYS}


@dataclasses.dataclass(frozen=True)
class InstanceAction:
    """An action on a server (``instanceAction`` / ``instanceActions[]``)."""

    raw: Mapping[str, Any]
    events: tuple[ActionEvent, ...] | None

    request_id = ApiText()
    action = ApiText()
    instance_uuid = ApiText()
    user_id = ApiText()
    project_id = ApiText()
    start_time = ApiText()
    updated_at = ApiText()
    message = ApiText()

    @classmethod
    def from_api(cls, raw: Any) -> InstanceAction:
        _require_object(raw, "the action")
        if "events" not in raw:
            return cls(raw=raw, events=None)
        events = raw["events"]
        if not isinstance(events, list):
            raise ShapeError(f"events is a {type(events).__name__}, not a list")
        return cls(raw=raw, events=tuple(ActionEvent.from_api(e) for e in events))

    @property
    def failed(self) -> bool:
        """Nova sets message to "Error" when an action failed.

        An event can fail and a retry of it succeed: the action did not fail.
        """
        return self.message == ERROR

    @property
    def extra(self) -> dict[str, Any]:
        return {
            k: v for k, v in self.raw.items() if k not in ACTION_KEYS and k != "events"
        }


def finished_as_a_retry(event: ActionEvent, events: Sequence[ActionEvent]) -> bool:
    """Whether an unfinished event is a retry that has in fact ended.

    Nova records the end of a retried event (same name) on the first event
    of that name: the retry's own row never gets a finish time or result.
    It has ended when an event of its name finished at or after it started.
    """
    start = parse_time(event.start_time)
    if start is None or event.finish_time is not None:
        return False
    return any(
        other is not event and other.name == event.name
        and (parse_time(other.finish_time) or start - _ONE_SECOND) >= start
        for other in events
    )


@dataclasses.dataclass(frozen=True)
class Server:
    """A server as the servers list gives it: its ID and name."""

    id: str
    name: str | None = None

    @classmethod
    def from_api(cls, raw: Any) -> Server:
        _require_object(raw, "a server")
        if not raw.get("id"):
            raise ShapeError("a server has no id")
        name = raw.get("name")
        return cls(id=str(raw["id"]), name=None if name is None else str(name))
