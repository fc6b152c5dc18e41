"""Credentials inside URLs (``http://user:password@host``) never shown.

Messages mask them with ``redact_url``; ``RedactedURLs`` does the same for
the records of a logger it is added to (the HTTP module adds it to its own
logger, which keystoneauth's request lines of compute requests go to). The
standard library only.
"""

from __future__ import annotations

import logging
import re

_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s'\"]+@")


def redact_url(text: str) -> str:
    """Mask the credentials of every URL in the text (``http://***@host``)."""
    return _URL_USERINFO.sub(r"\1***@", text)


class RedactedURLs(logging.Filter):
    """A log filter that masks the credentials of URLs in each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "@" in message and "://" in message:
            record.msg, record.args = redact_url(message), None
        return True
