"""FJcloud-O regions and the rule that picks the compute endpoint.

Pure functions over plain values: no HTTP, no keystoneauth, no CLI.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Mapping, Optional

#: Compute endpoints of FJcloud-O, by region name. Add a region here.
FJCLOUD_COMPUTE_ENDPOINTS: Mapping[str, str] = {
    "jp-east-3": "https://compute.jp-east-3.cloud.global.fujitsu.com/v2.1/%(project_id)s",
    "jp-west-3": "https://compute.jp-west-3.cloud.global.fujitsu.com/v2.1/%(project_id)s",
}

SOURCE_OVERRIDE = "endpoint override"
SOURCE_BUILTIN = "built-in FJcloud-O endpoint"
SOURCE_CATALOG = "service catalog"


@dataclasses.dataclass(frozen=True)
class ComputeEndpoint:
    """A resolved compute endpoint and why it was chosen."""

    url: str
    source: str
    region: Optional[str]

    def describe(self) -> str:
        region = self.region or "no region"
        return f"{self.url} ({self.source}, {region})"


PROJECT_ID_PLACEHOLDER = "%(project_id)s"


def substitute_project_id(template: str, project_id: Callable[[], str]) -> str:
    """Fill ``%(project_id)s``, the placeholder OpenStack overrides use.

    The project id is only asked for when the template has the placeholder.
    """
    if PROJECT_ID_PLACEHOLDER not in template:
        return template
    return template.replace(PROJECT_ID_PLACEHOLDER, project_id())


def resolve_compute_endpoint(
    region: Optional[str],
    override: Optional[str],
    project_id: Callable[[], str],
    catalog_lookup: Callable[[], Optional[str]],
) -> Optional[ComputeEndpoint]:
    """Choose the compute endpoint.

    An explicit override beats the built-in FJcloud-O table, which beats the
    service catalog. ``project_id`` and ``catalog_lookup`` are callables so
    that nothing is asked of the identity service that the rule does not need.
    Returns None when no rule gives an endpoint.
    """
    if override:
        url = substitute_project_id(override, project_id)
        return ComputeEndpoint(url.rstrip("/"), SOURCE_OVERRIDE, region)
    if region in FJCLOUD_COMPUTE_ENDPOINTS:
        url = substitute_project_id(FJCLOUD_COMPUTE_ENDPOINTS[region], project_id)
        return ComputeEndpoint(url, SOURCE_BUILTIN, region)
    url = catalog_lookup()
    if url:
        return ComputeEndpoint(url.rstrip("/"), SOURCE_CATALOG, region)
    return None
