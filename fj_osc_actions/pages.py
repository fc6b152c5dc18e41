"""Nova's lists: the checked query of a list of actions, and paging.

Every page after the first is asked with the marker of the ``next`` link
only (its scheme and host are Nova's idea of its own address, which may
differ from the endpoint in use); a marker seen twice is an error, not a
loop. No request is made here: ``paged`` is given the GET to use.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterator
from urllib import parse

from fj_osc_actions import errors
from fj_osc_actions import microversion as mv
from fj_osc_actions import models
from fj_osc_actions import validation
from fj_osc_actions.i18n import _


@dataclasses.dataclass(frozen=True)
class ListQuery:
    """The checked query of a list of actions."""

    params: dict[str, str]
    limit: int | None
    #: The options given, with the microversion each needs.
    needs: tuple[tuple[mv.Microversion, str], ...] = ()

    def check_supported(self, version: mv.Microversion) -> None:
        """Refuse options that the microversion in use cannot honour (it
        can change after the first response: a 406 fallback, or latest)."""
        for needed, option in self.needs:
            mv.require(version, needed, option)


def list_query(
    version: mv.Microversion,
    limit: int | None = None,
    marker: str | None = None,
    changes_since: str | None = None,
    changes_before: str | None = None,
) -> ListQuery:
    """Check the options of a list of actions (no request) and build its query."""
    params: dict[str, str] = {}
    needs: list[tuple[mv.Microversion, str]] = []
    if limit is not None:
        params["limit"] = str(validation.check_limit(limit))
        needs.append((mv.PAGING, "--limit"))
    if marker is not None:
        params["marker"] = validation.check_id(marker, validation.MARKER)
        needs.append((mv.PAGING, "--marker"))
    if changes_since is not None:
        params["changes-since"] = validation.check_time_filter(changes_since, "--changes-since")
        needs.append((mv.PAGING, "--changes-since"))
    if changes_before is not None:
        params["changes-before"] = validation.check_time_filter(changes_before, "--changes-before")
        needs.append((mv.CHANGES_BEFORE, "--changes-before"))
    query = ListQuery(params, limit, tuple(needs))
    query.check_supported(version)
    return query


@dataclasses.dataclass(frozen=True)
class PageShape:
    """Where a Nova list keeps its items and its links, and how to read an item."""

    items_key: str
    links_key: str
    parse: Callable[[Any], Any]


ACTIONS_PAGE = PageShape("instanceActions", "links", models.InstanceAction.from_api)
SERVERS_PAGE = PageShape("servers", "servers_links", models.Server.from_api)

#: GET(segments, target, params) -> the JSON object of one page.
Get = Callable[[list[str], errors.Target, dict[str, str]], dict[str, Any]]


def next_marker(links: Any) -> str | None:
    """The marker of the rel=next link: only the marker is taken from it."""
    if not isinstance(links, list):
        return None
    for link in links:
        if isinstance(link, dict) and link.get("rel") == "next":
            query = parse.parse_qs(parse.urlsplit(str(link.get("href", ""))).query)
            markers = query.get("marker")
            if markers:
                return markers[-1]
    return None


def parse_item(target: errors.Target, parse_api: Callable[[Any], Any], raw: Any) -> Any:
    try:
        return parse_api(raw)
    except models.ShapeError as error:
        raise errors.unexpected(target, str(error)) from None


def paged(get: Get, segments: list[str], target: errors.Target, params: dict[str, str],
          shape: PageShape, one_page: bool = False) -> Iterator[Any]:
    """Items of a Nova list, page by page, following the rel=next links.

    The first page is fetched before this returns (its errors surface
    here); the rest as the iterator is consumed, one page in memory at a time.
    """
    first_page = get(segments, target, params)

    def items() -> Iterator[Any]:
        page, seen_markers = first_page, set()
        while True:
            raw_items = page.get(shape.items_key)
            if not isinstance(raw_items, list):
                raise errors.unexpected(
                    target, _("no '{key}' list in the response").format(key=shape.items_key))
            parsed = [parse_item(target, shape.parse, raw) for raw in raw_items]
            yield from parsed
            marker = next_marker(page.get(shape.links_key))
            if one_page or not parsed or marker is None:
                return
            if marker in seen_markers:
                raise errors.unexpected(
                    target, _("the next page repeats marker {marker}").format(marker=marker))
            seen_markers.add(marker)
            page = get(segments, target, dict(params, marker=marker))

    return items()
