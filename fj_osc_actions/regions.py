"""FJcloud-O regions and the rule that picks the compute endpoint.

Pure functions over plain values: no HTTP, no keystoneauth, no CLI.

A token goes only to the endpoints of the cloud that issued it: the built-in
FJcloud-O endpoints are used only when the login went to FJcloud-O's own
identity service; any other identity service's catalog is used as it is,
whatever its regions are called.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Callable, Mapping
from urllib import parse

from fj_osc_actions import exceptions as errors
from fj_osc_actions.redaction import redact_url
from fj_osc_actions.i18n import _

#: Compute endpoints of FJcloud-O, by region name. Add a region here.
FJCLOUD_COMPUTE_ENDPOINTS: Mapping[str, str] = {
    "jp-east-3": "https://compute.jp-east-3.cloud.global.fujitsu.com/v2.1/%(project_id)s",
    "jp-west-3": "https://compute.jp-west-3.cloud.global.fujitsu.com/v2.1/%(project_id)s",
}
#: The host of FJcloud-O's identity service in each region.
FJCLOUD_IDENTITY_HOST = re.compile(r"^identity\.(?P<region>[a-z0-9-]+)\.cloud\.global\.fujitsu\.com$")

SOURCE_OVERRIDE = "endpoint override"
SOURCE_BUILTIN = "built-in FJcloud-O endpoint"
SOURCE_CATALOG = "service catalog"

#: The project placeholders of OpenStack endpoint templates.
PROJECT_PLACEHOLDERS = ("%(project_id)s", "%(tenant_id)s")
OVERRIDE_SETTING = "OS_COMPUTE_ENDPOINT_OVERRIDE / compute_endpoint_override"


@dataclasses.dataclass(frozen=True)
class ComputeEndpoint:
    """A resolved compute endpoint and why it was chosen."""

    url: str
    source: str
    region: str | None

    def describe(self) -> str:
        region = self.region or "no region"
        return f"{redact_url(self.url)} ({self.source}, {region})"


def is_fjcloud_identity(auth_url: str | None) -> bool:
    """Whether the login goes to FJcloud-O's identity service."""
    if not auth_url:
        return False
    host = parse.urlsplit(auth_url).hostname or ""
    found = FJCLOUD_IDENTITY_HOST.match(host)
    return bool(found) and found.group("region") in FJCLOUD_COMPUTE_ENDPOINTS


def check_override(template: str) -> str:
    """Refuse an override that cannot be a compute endpoint, before any request."""
    def refuse(problem: str) -> errors.InvalidInput:
        return errors.InvalidInput(
            _("The compute endpoint override ({setting}) {url!r} {problem}.").format(
                setting=OVERRIDE_SETTING, url=redact_url(template), problem=problem
            )
        )

    parts = parse.urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise refuse(_("is not an absolute http or https URL"))
    if parts.query or parts.fragment or "?" in template or "#" in template:
        raise refuse(_("has a query or fragment: give the endpoint URL alone"))
    rest = template
    for placeholder in PROJECT_PLACEHOLDERS:
        rest = rest.replace(placeholder, "")
    if "%(" in rest:
        raise refuse(
            _("has a placeholder other than %(project_id)s or %(tenant_id)s")
        )
    return template


def substitute_project_id(template: str, project_id: Callable[[], str]) -> str:
    """Fill ``%(project_id)s`` (or ``%(tenant_id)s``).

    The project id is only asked for when the template has a placeholder.
    """
    if not any(placeholder in template for placeholder in PROJECT_PLACEHOLDERS):
        return template
    project = project_id()
    for placeholder in PROJECT_PLACEHOLDERS:
        template = template.replace(placeholder, project)
    return template


def resolve_compute_endpoint(
    region: str | None,
    override: str | None,
    project_id: Callable[[], str],
    catalog_lookup: Callable[[], str | None],
    auth_url: str | None = None,
) -> ComputeEndpoint | None:
    """Choose the compute endpoint.

    An explicit override beats the built-in FJcloud-O table (only for a login
    at FJcloud-O's identity service), which beats the service catalog.
    ``project_id`` and ``catalog_lookup`` are callables so that nothing is
    asked of the identity service that the rule does not need. Returns None
    when no rule gives an endpoint.
    """
    if override:
        url = substitute_project_id(check_override(override), project_id)
        return ComputeEndpoint(url.rstrip("/"), SOURCE_OVERRIDE, region)
    if region in FJCLOUD_COMPUTE_ENDPOINTS and is_fjcloud_identity(auth_url):
        url = substitute_project_id(FJCLOUD_COMPUTE_ENDPOINTS[region], project_id)
        return ComputeEndpoint(url, SOURCE_BUILTIN, region)
    url = catalog_lookup()
    if url:
        return ComputeEndpoint(url.rstrip("/"), SOURCE_CATALOG, region)
    return None
