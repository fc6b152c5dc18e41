"""Compute API microversions: parsing and the features each one gates."""

from __future__ import annotations

import re
from typing import NamedTuple

from fj_osc_actions import exceptions as errors
from fj_osc_actions.i18n import _

_VERSION_PATTERN = re.compile(r"^(\d+)\.(\d+)$")


class Microversion(NamedTuple):
    major: int
    minor: int

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


#: Sent when the user asks for no microversion: the first with ``updated_at``
#: and paging, and old enough for any current cloud.
DEFAULT = Microversion(2, 58)

MINIMUM = Microversion(2, 1)
DELETED_SERVERS = Microversion(2, 21)
MEMBER_EVENTS = Microversion(2, 51)
UPDATED_AT = Microversion(2, 58)
PAGING = Microversion(2, 58)
CHANGES_BEFORE = Microversion(2, 66)


def parse(value: str | None) -> Microversion:
    """Turn the user's ``--os-compute-api-version`` into a microversion.

    No value, or the bare major version ``2`` that old rc files carry, means
    the plugin's default.
    """
    text = (value or "").strip()
    if text in ("", "2", "2.0"):
        return DEFAULT
    match = _VERSION_PATTERN.match(text)
    if not match:
        raise errors.InvalidInput(
            _(
                "Invalid compute API microversion {text!r}: give it as 2.N "
                "(for example --os-compute-api-version {default}), or leave it "
                "unset to use {default}."
            ).format(text=text, default=DEFAULT)
        )
    version = Microversion(int(match.group(1)), int(match.group(2)))
    if version.major != 2 or version < MINIMUM:
        raise errors.InvalidInput(
            _(
                "Compute API microversion {version} is not a 2.x microversion: "
                "give one from {minimum} up (for example {default})."
            ).format(version=version, minimum=MINIMUM, default=DEFAULT)
        )
    return version


def require(version: Microversion, needed: Microversion, feature: str) -> None:
    """Refuse a feature the chosen microversion does not have."""
    if version < needed:
        raise errors.InvalidInput(
            _(
                "{feature} needs compute API microversion {needed} or later, "
                "but {version} is in use: add --os-compute-api-version {needed}."
            ).format(feature=feature, needed=needed, version=version)
        )


#: Assumed for ``latest`` until a response says which microversion it was.
NEWEST = Microversion(2, 10_000)
_MAXIMUM_IN_406 = re.compile(r"[Mm]aximum is (\d+)\.(\d+)")
_HEADER_VERSION = re.compile(r"compute\s+(\d+)\.(\d+)", re.IGNORECASE)


def maximum_from_406(message: str) -> Microversion | None:
    """The maximum of Nova's "Minimum is X and maximum is Y" (406)."""
    found = _MAXIMUM_IN_406.search(message)
    return Microversion(int(found.group(1)), int(found.group(2))) if found else None


def from_response_header(header: str) -> Microversion | None:
    """The microversion of an ``OpenStack-API-Version: compute 2.96`` header."""
    found = _HEADER_VERSION.search(header)
    return Microversion(int(found.group(1)), int(found.group(2))) if found else None
