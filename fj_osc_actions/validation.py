"""Checks of the user's input, before any request leaves.

Pure functions: each returns the value to send, or raises InvalidInput.
"""

from __future__ import annotations

import datetime
import re
from urllib import parse

from fj_osc_actions import exceptions as errors
from fj_osc_actions.i18n import N_, _

MAX_ID_LENGTH = 255

#: What check_id calls the value in its messages (translated there).
SERVER = N_("server")
REQUEST_ID = N_("request ID")
MARKER = N_("marker")

_UUID = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE
)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))


def quote_segment(value: str) -> str:
    """Percent-encode a value as exactly one URL path segment."""
    return parse.quote(value, safe="")


def check_id(value: str | None, what: str) -> str:
    """Refuse ids that cannot be a path segment; ``what`` is one of the nouns above."""
    what = _(what)
    if value is not None and not is_utf8(value):
        raise errors.InvalidInput(
            _(
                "The {what} {value} is not valid UTF-8: check the terminal's "
                "encoding or retype it."
            ).format(what=what, value=ascii(value.encode("utf-8", "surrogateescape"))[1:])
        )
    if value is None or not value.strip():
        raise errors.InvalidInput(
            _("The {what} is empty: give a non-empty value.").format(what=what)
        )
    if _CONTROL_CHARACTERS.search(value):
        raise errors.InvalidInput(
            _(
                "The {what} {value} contains control characters: check for a "
                "stray newline or escape sequence."
            ).format(what=what, value=ascii(value))
        )
    if len(value) > MAX_ID_LENGTH:
        raise errors.InvalidInput(
            _(
                "The {what} is {length} characters long; the compute API "
                "accepts at most {maximum}."
            ).format(what=what, length=len(value), maximum=MAX_ID_LENGTH)
        )
    if value in (".", ".."):
        raise errors.InvalidInput(
            _("The {what} {value!r} is not a valid id.").format(what=what, value=value)
        )
    return value


def is_utf8(value: str) -> bool:
    """False for arguments that were not UTF-8 (Python keeps them as surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_request_id(value: str | None) -> str:
    """A request ID: surrounding whitespace (a copy-paste) is dropped."""
    return check_id(value.strip() if value else value, REQUEST_ID)


_RELATIVE_AGE = re.compile(r"^(\d+)([smhdw])$")
_AGE_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def check_time_filter(
    value: str, option: str, now: datetime.datetime | None = None
) -> str:
    """An ISO 8601 time, or a relative age (``30m``, ``6h``, ``2d``, ``1w``).

    A relative age means that long before now, sent as UTC ISO 8601.
    """
    text = value.strip()
    age = _RELATIVE_AGE.match(text)
    if age is None:
        return check_timestamp(value, option)
    delta = datetime.timedelta(**{_AGE_UNITS[age.group(2)]: int(age.group(1))})
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return (now - delta).astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_timestamp(value: str, option: str) -> str:
    """Accept ISO 8601 date-times as Nova does (e.g. 2026-11-27T09:00:00Z)."""
    text = value.strip()
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or "T" not in text and " " not in text:
        raise errors.InvalidInput(
            _(
                "{option} {value!r} is not an ISO 8601 date and time or an age: "
                "give for example 2026-11-27T09:00:00Z, 2026-11-27T18:00:00+09:00 "
                "or 2d (30m, 6h, 2d, 1w: that long ago)."
            ).format(option=option, value=value)
        )
    return text


DEFAULT_TIMEOUT = 60.0


def check_timeout(value: object) -> float:
    """The API timeout (OS_API_TIMEOUT, api_timeout): seconds above 0."""
    if value in (None, ""):
        return DEFAULT_TIMEOUT
    try:
        seconds = float(str(value))
    except ValueError:
        seconds = 0.0
    if not seconds > 0 or seconds == float("inf"):
        raise errors.InvalidInput(
            _(
                "The API timeout (OS_API_TIMEOUT, or api_timeout in clouds.yaml) "
                "is {value!r}: give a number of seconds above 0, e.g. 60."
            ).format(value=value)
        )
    return seconds


def check_limit(value: int, option: str = "--limit", maximum: int | None = None) -> int:
    if value < 1 or (maximum is not None and value > maximum):
        allowed = _("a positive integer") if maximum is None else _(
            "an integer from 1 to {maximum}").format(maximum=maximum)
        raise errors.InvalidInput(
            _("{option} must be {allowed}, not {value}.").format(
                option=option, allowed=allowed, value=value)
        )
    return value
