"""Fault injection: the fault names, the queue of pending faults, their answers.

A fault is written ``NAME`` or, for the faults that take a number of
seconds, ``NAME:<seconds>`` (``slow:2``, ``429:5``; ``429`` alone means
``429:1``).  On the command line a fault may be followed by ``:TIMES``
(``503:1``, ``slow:2:3``, ``429:5:2``).
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from typing import Any, Callable
from urllib.parse import unquote

from werkzeug.wrappers import Response

from fj_osc_actions_simulator.clock import Clock
from fj_osc_actions_simulator.protocol import (NOVA_UNEXPECTED_ERROR, UNAUTHORIZED_BODY,
                                               RequestContext, json_response, nova_error)

#: Faults without a parameter.
FAULT_NAMES = ("500", "503", "502-html", "not-json", "no-instance-action", "401", "403",
               "close", "vanish")


@dataclasses.dataclass(frozen=True)
class TimedFault:
    """A fault written ``NAME:<seconds>``."""

    name: str
    #: The seconds when only the name is written; None: they must be written.
    default: int | None
    #: Whole seconds only (a Retry-After header), or any number (a delay).
    whole: bool

    def syntax(self) -> str:
        seconds = "<whole seconds>" if self.whole else "<seconds>"
        return f"{self.name}[:{seconds}]" if self.default is not None else f"{self.name}:{seconds}"

    def seconds(self, text: str, fault: str) -> float:
        try:
            seconds = int(text) if self.whole else float(text)
        except ValueError:
            raise ValueError(f"bad fault {fault!r}: {self.syntax()}") from None
        if seconds < 0:
            raise ValueError(f"bad fault {fault!r}: negative delay")
        return seconds


TIMED_FAULTS = {timed.name: timed for timed in (
    TimedFault("slow", None, whole=False),
    TimedFault("429", 1, whole=True),
    TimedFault("503-retry-after", 1, whole=True),
)}
TIMED_FAULT_NAMES = tuple(TIMED_FAULTS)

_ACTION_SHOW_PATH = re.compile(r"/os-instance-actions/[^/]+$")
_SERVER_IN_PATH = re.compile(r"^/v2\.1/[^/]+/servers/([^/]+)")


@dataclasses.dataclass(frozen=True)
class Fault:
    name: str
    seconds: float | None = None

    @classmethod
    def parse(cls, text: Any) -> Fault:
        """The fault ``text`` names; ValueError if it names none."""
        if text in FAULT_NAMES:
            return cls(text)
        name, separator, seconds_text = str(text).partition(":")
        timed = TIMED_FAULTS.get(name)
        if timed is not None and separator:
            return cls(name, timed.seconds(seconds_text, text))
        if timed is not None and timed.default is not None:
            return cls(name, timed.default)
        known = ", ".join([*FAULT_NAMES, *(timed.syntax() for timed in TIMED_FAULTS.values())])
        raise ValueError(f"unknown fault {text!r} (known: {known})")


def validate_fault(text: Any) -> str:
    """``text`` if it names a fault; ValueError if not."""
    Fault.parse(text)
    return text


def parse_fault_option(text: str) -> tuple[str, int]:
    """``--fault NAME[:TIMES]`` as (fault, times); 0 times means every request."""
    fault, times = text, 0
    head, separator, tail = text.rpartition(":")
    # "slow:2" is a fault alone; "slow:2:3" and "503:1" carry TIMES
    if separator and head and tail.isdigit() and head not in TIMED_FAULT_NAMES:
        fault, times = head, int(tail)
    validate_fault(fault)
    return fault, times


@dataclasses.dataclass
class QueuedFault:
    fault: str
    path_contains: str | None
    #: requests it still hits; 0 = every matching request until cleared.
    times: int

    def as_dict(self) -> dict[str, Any]:
        return {"fault": self.fault, "path_contains": self.path_contains, "times": self.times}


class FaultQueue:
    """Faults waiting for compute requests, taken in the order queued."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: list[QueuedFault] = []

    def inject(self, fault: str, path_contains: str | None = None, times: int = 1) -> None:
        validate_fault(fault)
        times = int(times)
        if times < 0:
            raise ValueError("times must be >= 0 (0 = unlimited)")
        with self._lock:
            self._queued.append(QueuedFault(fault, path_contains, times))

    def take(self, raw_path: str, decoded_path: str) -> Fault | None:
        """The first fault for this path, counted as used; None if there is none."""
        with self._lock:
            for index, queued in enumerate(self._queued):
                wanted = queued.path_contains
                if wanted and wanted not in raw_path and wanted not in decoded_path:
                    continue
                if queued.times > 0:
                    queued.times -= 1
                    if queued.times == 0:
                        del self._queued[index]
                return Fault.parse(queued.fault)
        return None

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [queued.as_dict() for queued in self._queued]

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()


def _retry_after(fault: Fault) -> dict[str, str]:
    return {} if fault.seconds is None else {"Retry-After": str(int(fault.seconds))}


class _ConnectionCut(ConnectionAbortedError):
    """Raised mid-body by the ``close`` fault; Werkzeug drops the connection."""


class FaultResponder:
    """The answer to a request that a fault hits (None: answer it normally)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._answers: dict[str, Callable[[Fault, RequestContext], Response | None]] = {
            "slow": self._slow,
            "500": self._internal_error,
            "503": self._unavailable,
            "502-html": self._bad_gateway_html,
            "not-json": self._not_json,
            "no-instance-action": self._empty_object,
            "401": self._unauthorized,
            "403": self._forbidden,
            "close": self._cut_connection,
            "vanish": self._vanished,
            "429": self._rate_limited,
            "503-retry-after": self._unavailable,
        }

    def respond(self, fault: Fault, context: RequestContext) -> Response | None:
        return self._answers[fault.name](fault, context)

    def _slow(self, fault: Fault, context: RequestContext) -> None:
        self._clock.sleep(fault.seconds or 0.0)
        return None

    def _internal_error(self, fault: Fault, context: RequestContext) -> Response:
        return nova_error(500, NOVA_UNEXPECTED_ERROR +
                          "<class 'nova.exception.SimulatedFault'>").response()

    def _unavailable(self, fault: Fault, context: RequestContext) -> Response:
        return nova_error(503, "The server is currently unavailable. Please try again at "
                               "a later time.", _retry_after(fault)).response()

    def _rate_limited(self, fault: Fault, context: RequestContext) -> Response:
        return nova_error(429, "This request was rate-limited.", _retry_after(fault)).response()

    def _vanished(self, fault: Fault, context: RequestContext) -> Response:
        """The server was deleted a moment ago: Nova's 404 for it."""
        server = _SERVER_IN_PATH.match(context.raw_path)
        if server is None or server.group(1) == "detail":
            return nova_error(404, "The resource could not be found.").response()
        return nova_error(404, f"Instance {unquote(server.group(1))} could not be found."
                          ).response()

    def _bad_gateway_html(self, fault: Fault, context: RequestContext) -> Response:
        return Response(
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
            status=502, content_type="text/html")

    def _not_json(self, fault: Fault, context: RequestContext) -> Response:
        return Response("<html><body>Maintenance in progress</body></html>",
                        status=200, content_type="application/json")

    def _empty_object(self, fault: Fault, context: RequestContext) -> Response:
        return json_response({}, 200)

    def _unauthorized(self, fault: Fault, context: RequestContext) -> Response:
        response = json_response(UNAUTHORIZED_BODY, 401)
        response.headers["WWW-Authenticate"] = f'Keystone uri="{context.base_url}/v3"'
        return response

    def _forbidden(self, fault: Fault, context: RequestContext) -> Response:
        rule = "show" if _ACTION_SHOW_PATH.search(context.request.path) else "list"
        return nova_error(403, f"Policy doesn't allow os_compute_api:os-instance-actions:"
                               f"{rule} to be performed.").response()

    def _cut_connection(self, fault: Fault, context: RequestContext) -> Response:
        body = json.dumps({"instanceActions": [], "padding": "x" * 512}).encode()

        def first_half_then_cut() -> Any:
            yield body[:len(body) // 2]
            raise _ConnectionCut("simulated connection close")

        response = Response(first_half_then_cut(), status=200, content_type="application/json",
                            direct_passthrough=True)
        response.headers["Content-Length"] = str(len(body))
        return response
