"""The OpenStackClient plugin contract.

Every ``openstack`` run imports this module, so it imports nothing heavy:
the client is imported when a command of this plugin runs.
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import Any

LOG = logging.getLogger(__name__)

API_NAME = "fj_server_actions"
# OSC reads <option without "os_"> from the cloud config; no such option is
# defined: the commands use the compute microversion the user gives with
# --os-compute-api-version (OSC's own option), read in make_client.
API_VERSION_OPTION = "os_fj_server_actions_api_version"
DEFAULT_API_VERSION = "2"
API_VERSIONS = ("2",)


def make_client(instance: Any) -> Any:
    """Build the ActionsClient from the session OSC already set up."""
    from fj_osc_actions import client

    options = _client_options(instance)  # sets up OSC's session first
    return client.ActionsClient(instance.session, **options)


def make_contract(instance: Any) -> Any:
    """The contract view's reader (several projects): the same login and options."""
    from fj_osc_actions import contract

    from fj_osc_actions import project_tokens

    options = _client_options(instance)  # sets up OSC's session first
    return contract.Contract(instance.session, tokens=project_tokens.for_run(instance), **options)


def _client_options(instance: Any) -> dict[str, Any]:
    """The client's options from OSC's configuration, once OSC's auth is set up."""
    from fj_osc_actions import validation

    config = instance._cli_options.config
    # osc-lib < 4 names a cloud "" when none is given, so openstacksdk then
    # leaves OS_API_TIMEOUT out of the config: read it as OSC would have.
    timeout = validation.check_timeout(
        config.get("api_timeout") if config.get("api_timeout") is not None
        else os.environ.get("OS_API_TIMEOUT"))
    # The commands set auth_required = False so that OSC does not log in
    # before they have checked their input. OSC has no public way to ask for
    # its auth now: its shell sets this same private flag from a command's
    # auth_required, and OSC's setup_auth loads the auth plugin only when it
    # is set. This is the one place that touches OSC's privates.
    instance._auth_required = True
    instance.setup_auth()
    # Token cache hook (issue 20): after OSC made its auth plugin, before
    # the first request; commands.py writes a new login back.
    from fj_osc_actions import tokencache
    tokencache.attach(instance)
    return dict(
        region_name=instance.region_name,
        interface=instance.interface,
        # The environment beats clouds.yaml, as for OSC's other OS_* values
        # (OSC itself reads OS_* variables only when no cloud is named).
        endpoint_override=os.environ.get("OS_COMPUTE_ENDPOINT_OVERRIDE")
        or config.get("compute_endpoint_override"),
        microversion=config.get("compute_api_version"),
        timeout=timeout,
    )


def build_option_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """No global options of our own: OSC's compute options apply."""
    return parser


def check_api_version(check_version: str) -> bool:
    return True
