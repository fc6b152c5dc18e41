"""The token cache: a login reused by the next runs, until its token expires.

Touches files under the cache directory only, ``$XDG_CACHE_HOME/fj-osc-actions/``
(default ``~/.cache/fj-osc-actions/``, created 0700): one file per identity
holding keystoneauth's auth state (token, catalog, expiry), created 0600 under
a temporary name in the same directory and renamed into place (never chmod'ed
after writing). Files or directories of another user, or with looser
permissions, are ignored (and replaced when possible); any failure means a
login as without the cache, told in the debug log only (never the token).

The key is a SHA-256 of the identity without any secret (auth URL normalised,
auth type, region, user and user domain, project ID or name and domain). A
token is used only with more than keystoneauth's margin (120 s) left. Off with
``FJ_OSC_ACTIONS_TOKEN_CACHE=0`` or ``cache: {auth: false}`` in clouds.yaml;
only the logins of ``CACHED_AUTH_TYPES`` are cached (no token logins).

Commands: ``attach(instance)`` (``plugin.make_client``, before the first
request) gives OSC's auth plugin the cached token; ``write_back(instance)``
(when the command ends) stores a new login's token (also the one after a 401).
One login used for many projects, one cached token per project::

    identity = tokencache.identity_of(instance)     # None: no cache for this run
    key = tokencache.cache_key(identity, project_id=project_id)
    cache = tokencache.TokenCache()
    state = cache.load(key)       # str for plugin.set_auth_state(), or None
    cache.store(key, plugin.get_auth_state())        # after a login or rescope
    cache.discard(key)            # a token the cloud refused
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import stat
import time
import weakref
from typing import Any, Callable, Mapping, NamedTuple
from urllib.parse import urlsplit, urlunsplit

from keystoneauth1 import access
from keystoneauth1.identity import base as identity_base

LOG = logging.getLogger(__name__)

ENVIRONMENT_SWITCH = "FJ_OSC_ACTIONS_TOKEN_CACHE"
DIRECTORY_NAME = "fj-osc-actions"
#: keystoneauth logs in again when a token has less than this left.
MARGIN_SECONDS = identity_base.BaseIdentityPlugin.MIN_TOKEN_LIFE_SECONDS
#: Logins with a secret that a cached token saves sending (not token logins).
CACHED_AUTH_TYPES = frozenset({"password", "v3password", "v3applicationcredential", "v3totp"})
#: The fields of clouds.yaml's ``auth:`` that name who logs in where: no secret.
IDENTITY_FIELDS = ("username", "user_id", "user_domain_name", "user_domain_id", "default_domain_name",
                   "default_domain_id", "project_id", "project_name", "project_domain_name",
                   "project_domain_id", "domain_id", "domain_name", "system_scope", "trust_id",
                   "application_credential_id", "application_credential_name")
#: What a project ID of ``cache_key`` replaces: the login's own scope.
SCOPE_FIELDS = ("project_id", "project_name", "project_domain_name", "project_domain_id",
                "domain_id", "domain_name", "system_scope", "trust_id")
_OFF = ("0", "false", "no", "off")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MAX_FILE_BYTES = 16 * 1024 * 1024


def cache_directory() -> str:
    """``$XDG_CACHE_HOME/fj-osc-actions`` (an absolute XDG_CACHE_HOME), else ``~/.cache/...``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # the XDG spec: a relative path is ignored
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, DIRECTORY_NAME)


def normalise_auth_url(url: str) -> str:
    """Scheme and host in lower case, no default port, no trailing slash."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), parts.query, ""))


def identity_fields(auth_type: str | None, auth_args: Mapping[str, Any],
                    region: str | None) -> dict[str, str] | None:
    """Who logs in where, without any secret; None: a login not to cache."""
    if auth_type not in CACHED_AUTH_TYPES or auth_args.get("token") or not auth_args.get("auth_url"):
        return None
    fields = {name: str(auth_args[name]) for name in IDENTITY_FIELDS if auth_args.get(name)}
    fields.update(auth_url=normalise_auth_url(str(auth_args["auth_url"])),
                  auth_type=auth_type, region=region or "")
    return fields


def cache_key(identity: Mapping[str, str], project_id: str | None = None) -> str:
    """Hex SHA-256 of the identity; with ``project_id``, of that project's (rescoped)
    token of the same user: the project ID replaces the login's own scope fields."""
    fields = dict(identity)
    if project_id is not None:
        for name in SCOPE_FIELDS:
            fields.pop(name, None)
        fields["project_id"] = project_id
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _switched_off_in_clouds_yaml(cli_options: Any) -> bool:
    """``cache: {auth: false}`` at the top of the clouds.yaml openstacksdk read.

    The loader keeps the top level in ``extra_config``; the file itself is
    read too, as the loader can drop it with OS_* variables and no cloud.
    """
    loader = getattr(cli_options, "_openstack_config", None)
    top = getattr(loader, "extra_config", None)
    if not isinstance(top, dict) or "cache" not in top:
        path = getattr(loader, "config_filename", None)
        top = None
        if path:
            import yaml

            try:
                with open(path, encoding="utf-8") as handle:
                    top = yaml.safe_load(handle)
            except (OSError, ValueError, yaml.YAMLError):
                return False
    section = top.get("cache") if isinstance(top, dict) else None
    value = section.get("auth") if isinstance(section, dict) else None
    return value is False or str(value).strip().lower() in _OFF


def identity_of(instance: Any) -> dict[str, str] | None:
    """The identity of OSC's login (ClientManager), or None: no cache this run."""
    if os.environ.get(ENVIRONMENT_SWITCH, "").strip().lower() in _OFF:
        LOG.debug("Token cache: off (%s)", ENVIRONMENT_SWITCH)
        return None
    options = instance._cli_options
    identity = None if getattr(options, "service_provider", None) else identity_fields(
        options.config.get("auth_type"), options.get_auth_args(), instance.region_name)
    if identity is None:
        LOG.debug("Token cache: not used for auth type %s", options.config.get("auth_type"))
        return None
    if _switched_off_in_clouds_yaml(options):
        LOG.debug("Token cache: off (cache: auth: false in clouds.yaml)")
        return None
    return identity


def _trusted(info: os.stat_result, kind: int, private_bits: int) -> str | None:
    """Why this file or directory is not trusted, or None."""
    if stat.S_IFMT(info.st_mode) != kind:
        return "not a regular file" if kind == stat.S_IFREG else "not a directory"
    if info.st_uid != os.geteuid():
        return "owned by another user"
    if info.st_mode & private_bits:
        return "permissions looser than 0600/0700"
    return None


class TokenCache:
    """One file of keystoneauth auth state per key, in ``directory``."""

    def __init__(self, directory: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = directory or cache_directory()
        self._clock = clock

    def path(self, key: str) -> str:
        return os.path.join(self.directory, key)

    def usable(self, state: str) -> str | None:
        """Why this auth state is not to be used (corrupt, expires soon), or None."""
        try:
            data = json.loads(state)
            token, body = data["auth_token"], data["body"]
            if not isinstance(token, str) or not token or not isinstance(body, dict):
                return "not an auth state"
            expires = access.create(body=body, auth_token=token).expires
        except Exception as error:  # any malformed state: a login, never a traceback
            return f"not an auth state ({type(error).__name__})"
        if expires is None:
            return "no expiry"
        if expires.timestamp() - self._clock() < MARGIN_SECONDS:
            return "expires within %d s" % MARGIN_SECONDS
        return None

    def load(self, key: str) -> str | None:
        """The cached auth state of ``key`` if it is trusted and valid, else None."""
        try:
            why = _trusted(os.lstat(self.directory), stat.S_IFDIR, 0o077)
            if why is None:
                fd = os.open(self.path(key), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
                with os.fdopen(fd, "rb") as handle:
                    why = _trusted(os.fstat(handle.fileno()), stat.S_IFREG, 0o077)
                    state = handle.read(_MAX_FILE_BYTES).decode("utf-8")
                why = why or self.usable(state)
        except FileNotFoundError:
            why = "none cached"
        except (OSError, ValueError) as error:
            why = f"unreadable ({type(error).__name__})"
        if why is not None:
            LOG.debug("Token cache: no usable token in %s (%s)", self.path(key), why)
            return None
        return state

    def store(self, key: str, state: str | None) -> bool:
        """Write ``state`` for ``key`` (atomically, 0600); False if not written."""
        if not state or self.usable(state) is not None:
            return False
        temporary = None
        try:
            self._private_directory()
            temporary = os.path.join(self.directory, f".{key}.{secrets.token_hex(8)}.tmp")
            fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(state.encode("utf-8"))
            os.replace(temporary, self.path(key))
            return True
        except OSError as error:
            LOG.debug("Token cache: could not write %s (%s)", self.path(key),
                      error.strerror or type(error).__name__)
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            return False

    def discard(self, key: str) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.path(key))

    def _private_directory(self) -> None:
        """Create the directory 0700; make our own 0700 again; refuse any other."""
        os.makedirs(os.path.dirname(self.directory), 0o700, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(self.directory, 0o700)
        info = os.lstat(self.directory)
        why = _trusted(info, stat.S_IFDIR, 0o077)
        if why is not None and stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid():
            os.chmod(self.directory, 0o700)
        elif why is not None:
            raise OSError(0, f"{self.directory} is {why}")


class _Attached(NamedTuple):
    """What ``write_back`` needs of one run: where, and the token it started with."""

    cache: TokenCache
    key: str
    auth: Any
    token: str | None


_ATTACHED: weakref.WeakKeyDictionary[Any, _Attached] = weakref.WeakKeyDictionary()


def attach(instance: Any) -> None:
    """Give OSC's auth plugin the cached token of this identity, if any."""
    auth = getattr(instance, "auth", None)
    if not isinstance(auth, identity_base.BaseIdentityPlugin) or instance in _ATTACHED:
        return  # no keystoneauth login, or a second client of this run (one login)
    identity = identity_of(instance)
    if identity is None:
        return
    cache, key = TokenCache(), cache_key(identity)
    if auth.auth_ref is None:
        state = cache.load(key)
        if state is not None:
            auth.set_auth_state(state)
            LOG.debug("Token cache: token from the cache %s (expires %s)", cache.path(key),
                      auth.auth_ref.expires.isoformat(timespec="seconds") if auth.auth_ref else "?")
    _ATTACHED[instance] = _Attached(cache, key, auth, _token(auth))


def write_back(instance: Any) -> None:
    """Store the token of a new login of this run (a 401's new login too)."""
    try:
        attached = _ATTACHED.pop(instance)
    except (KeyError, TypeError):  # never attached (TypeError: not weakly referable)
        return
    token = _token(attached.auth)
    if token is None and attached.token is not None:
        LOG.debug("Token cache: the cached token was refused; entry discarded")
        attached.cache.discard(attached.key)
    elif token is not None and token != attached.token:
        stored = attached.cache.store(attached.key, attached.auth.get_auth_state())
        LOG.debug("Token cache: token from a login%s", f", stored in {attached.cache.path(attached.key)}"
                  if stored else ", not stored")


def _token(auth: Any) -> str | None:
    auth_ref = getattr(auth, "auth_ref", None)
    return auth_ref.auth_token if auth_ref is not None else None
