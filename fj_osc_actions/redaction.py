"""Credentials inside URLs (``http://user:password@host``) never shown.

Messages mask them with ``redact_url``; the log handlers of the ``openstack``
run get a filter that does the same for every record (keystoneauth's
request lines included). Imported by the plugin module on every run, so it
uses the standard library only.
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


def redact_urls_in_logs() -> None:
    """Add the filter to every handler of the root logger (once each)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactedURLs) for f in handler.filters):
            handler.addFilter(RedactedURLs())
