"""What the handlers share: the request context, responses and error bodies."""

from __future__ import annotations

import dataclasses
import json
from http import HTTPStatus
from typing import Any, Mapping

from werkzeug.wrappers import Request, Response

COMPUTE_ROOT = "/v2.1"

#: Reason phrases as real services write them (Werkzeug writes capitals).
HTTP_REASONS = {status.value: status.phrase for status in HTTPStatus}

UNAUTHORIZED_MESSAGE = "The request you have made requires authentication."
UNAUTHORIZED_BODY = {"error": {"code": 401, "title": "Unauthorized",
                               "message": UNAUTHORIZED_MESSAGE}}

#: Nova's error body name for each status (``{name: {code, message}}``).
NOVA_ERROR_NAMES = {400: "badRequest", 401: "unauthorized", 403: "forbidden",
                    404: "itemNotFound", 405: "badMethod", 409: "conflictingRequest",
                    413: "overLimit", 415: "badMediaType", 429: "overLimit",
                    501: "notImplemented", 503: "serviceUnavailable"}

NOVA_UNEXPECTED_ERROR = ("Unexpected API Error. Please report this at "
                         "http://bugs.launchpad.net/nova/ and attach the Nova API log "
                         "if possible.\n")


@dataclasses.dataclass
class RequestContext:
    """One request, as the handlers see it."""

    request: Request
    #: The path as received on the wire (still percent-encoded), no query.
    raw_path: str
    raw_query: str
    request_id: str
    #: Where the simulator is reached (for links and ``WWW-Authenticate``).
    base_url: str
    #: The compute microversion the request asked for, once it is read.
    microversion: tuple[int, int] | None = None

    @property
    def is_compute(self) -> bool:
        return self.raw_path == COMPUTE_ROOT or self.raw_path.startswith(COMPUTE_ROOT + "/")

    @property
    def is_control(self) -> bool:
        """The simulator's own control API (``/_sim/...``): never logged."""
        return self.raw_path.startswith("/_sim/")


class ApiError(Exception):
    """An error answer: raised by a handler, turned into a response by the app."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = dict(headers or {})

    def response(self) -> Response:
        response = json_response(self.body, self.status)
        response.headers.update(self.headers)
        return response


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def nova_error(status: int, message: str, headers: Mapping[str, str] | None = None) -> ApiError:
    name = NOVA_ERROR_NAMES.get(status, "computeFault")
    return ApiError(status, {name: {"code": status, "message": message}}, headers)


def keystone_error(status: int, title: str, message: str) -> ApiError:
    return ApiError(status, {"error": {"code": status, "title": title, "message": message}})


def keystone_unauthorized() -> ApiError:
    return ApiError(401, UNAUTHORIZED_BODY)


def compute_unauthorized(base_url: str) -> ApiError:
    """Nova's 401: Keystone's body, and where to log in."""
    return ApiError(401, UNAUTHORIZED_BODY,
                    {"WWW-Authenticate": f'Keystone uri="{base_url}/v3"'})
