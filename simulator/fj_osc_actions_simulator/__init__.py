"""Offline simulator of a Fujitsu FJcloud-O region (Keystone v3 + Nova subset).

Usage::

    from fj_osc_actions_simulator import Simulator
    with Simulator() as sim:
        env = sim.os_env("demo")      # OS_* variables of a login as demo

Modules: ``server`` (:class:`Simulator`), ``app`` (routing, request log,
control API), ``identity`` (Keystone), ``compute`` (Nova), ``faults``,
``store`` (the data and the data-file format), ``seed`` (the demo data and
its IDs), ``clock``, ``protocol`` (what the handlers share), ``cli``.

The OpenStackClient plugin never imports this subpackage; importing it pulls
in Werkzeug only when :class:`Simulator` is first used.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Simulator", "LoggedRequest", "ManualClock"]


def __getattr__(name: str) -> Any:
    if name == "Simulator":
        from fj_osc_actions_simulator.server import Simulator
        return Simulator
    if name == "LoggedRequest":
        from fj_osc_actions_simulator.app import LoggedRequest
        return LoggedRequest
    if name == "ManualClock":
        from fj_osc_actions_simulator.clock import ManualClock
        return ManualClock
    raise AttributeError(name)
