"""The contract view's cache: one rescoped token per project, and the listing
of the login's projects, kept for the next runs.

Touches files under the token cache's directory only, through
:class:`fj_osc_actions.tokencache.TokenCache` (0600 files, written
atomically, distrusted when foreign or loose). A project's token is keyed by
the login's identity and that project's ID; the listing is kept with the
login's token and lives as long as it (3 hours on FJcloud-O), so a second
run of ``--my-projects`` sends no identity request at all. A ``--project``
that the kept listing lacks makes the listing be asked again (a project
given to the user meanwhile).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Mapping

from fj_osc_actions import tokencache


class ProjectTokens:
    """The cached tokens of one identity's projects, and its listing of them."""

    def __init__(self, identity: Mapping[str, str],
                 cache: tokencache.TokenCache | None = None) -> None:
        self.identity = dict(identity)
        self.cache = cache or tokencache.TokenCache()

    def load(self, project_id: str) -> str | None:
        """The cached auth state of the project's token, if still valid."""
        return self.cache.load(tokencache.cache_key(self.identity, project_id))

    def store(self, project_id: str, auth: Any) -> bool:
        return self.cache.store(tokencache.cache_key(self.identity, project_id),
                                auth.get_auth_state())

    def discard(self, project_id: str) -> None:
        self.cache.discard(tokencache.cache_key(self.identity, project_id))

    def listing(self) -> list[dict[str, Any]] | None:
        """The projects as last listed, while the login's token they came with lives."""
        state = self.cache.load(self._listing_key())
        try:
            listed = json.loads(state)["projects"] if state else None
        except (ValueError, KeyError, TypeError):
            return None
        return listed if isinstance(listed, list) else None

    def store_listing(self, login_auth: Any, projects: list[dict[str, Any]]) -> bool:
        """Keep the listing with the login's auth state (and so its expiry)."""
        state = login_auth.get_auth_state()
        if not state:
            return False
        kept = dict(json.loads(state), projects=projects)
        return self.cache.store(self._listing_key(), json.dumps(kept))

    def _listing_key(self) -> str:
        login = tokencache.cache_key(self.identity)
        return hashlib.sha256(f"{login}/projects".encode("utf-8")).hexdigest()


def for_run(instance: Any) -> ProjectTokens | None:
    """The project tokens of OSC's login (None: the cache is off for this run)."""
    identity = tokencache.identity_of(instance)
    return ProjectTokens(identity) if identity is not None else None
