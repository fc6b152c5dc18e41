"""Typed views of the API's instance actions and events.

The objects keep the API's dictionary as it came (``raw``), so that no key is
lost and none is invented; the typed attributes are read from it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Mapping, Optional, Tuple

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


class ShapeError(ValueError):
    """The API's JSON does not have the shape of an instance action."""


def _optional_text(raw: Mapping[str, Any], key: str) -> Optional[str]:
    value = raw.get(key)
    return None if value is None else str(value)


@dataclasses.dataclass(frozen=True)
class ActionEvent:
    """One step of an action (``events[]`` in the API)."""

    raw: Mapping[str, Any]

    @classmethod
    def from_api(cls, raw: Any) -> "ActionEvent":
        if not isinstance(raw, dict):
            raise ShapeError(f"an event is a {type(raw).__name__}, not an object")
        return cls(raw=raw)

    @property
    def name(self) -> Optional[str]:
        return _optional_text(self.raw, "event")

    @property
    def result(self) -> Optional[str]:
        return _optional_text(self.raw, "result")

    @property
    def start_time(self) -> Optional[str]:
        return _optional_text(self.raw, "start_time")

    @property
    def finish_time(self) -> Optional[str]:
        return _optional_text(self.raw, "finish_time")

    @property
    def traceback(self) -> Optional[str]:
        return _optional_text(self.raw, "traceback")

    @property
    def running(self) -> bool:
        """Nova reports an unfinished event with null finish_time and result."""
        return self.result is None and self.finish_time is None

    @property
    def failed(self) -> bool:
        return not self.running and self.result != SUCCESS

    @property
    def extra(self) -> Dict[str, Any]:
        """Keys beyond the base ones, e.g. host, hostId and details."""
        return {k: v for k, v in self.raw.items() if k not in EVENT_KEYS}


@dataclasses.dataclass(frozen=True)
class InstanceAction:
    """An action on a server (``instanceAction`` / ``instanceActions[]``)."""

    raw: Mapping[str, Any]
    events: Optional[Tuple[ActionEvent, ...]]

    @classmethod
    def from_api(cls, raw: Any) -> "InstanceAction":
        if not isinstance(raw, dict):
            raise ShapeError(f"the action is a {type(raw).__name__}, not an object")
        if "events" not in raw:
            return cls(raw=raw, events=None)
        events = raw["events"]
        if not isinstance(events, list):
            raise ShapeError(f"events is a {type(events).__name__}, not a list")
        return cls(raw=raw, events=tuple(ActionEvent.from_api(e) for e in events))

    @property
    def request_id(self) -> Optional[str]:
        return _optional_text(self.raw, "request_id")

    @property
    def action(self) -> Optional[str]:
        return _optional_text(self.raw, "action")

    @property
    def instance_uuid(self) -> Optional[str]:
        return _optional_text(self.raw, "instance_uuid")

    @property
    def user_id(self) -> Optional[str]:
        return _optional_text(self.raw, "user_id")

    @property
    def project_id(self) -> Optional[str]:
        return _optional_text(self.raw, "project_id")

    @property
    def start_time(self) -> Optional[str]:
        return _optional_text(self.raw, "start_time")

    @property
    def updated_at(self) -> Optional[str]:
        return _optional_text(self.raw, "updated_at")

    @property
    def message(self) -> Optional[str]:
        return _optional_text(self.raw, "message")

    @property
    def failed(self) -> bool:
        """Nova sets message to "Error" when an action failed.

        An event can fail and a retry of it succeed: the action did not fail.
        """
        return self.message == "Error"

    @property
    def extra(self) -> Dict[str, Any]:
        return {
            k: v for k, v in self.raw.items() if k not in ACTION_KEYS and k != "events"
        }
