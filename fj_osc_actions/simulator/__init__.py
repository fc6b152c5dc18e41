"""Offline simulator of a Fujitsu FJcloud-O region (Keystone v3 + Nova subset).

Usage::

    from fj_osc_actions.simulator import Simulator
    with Simulator() as sim:
        print(sim.identity_url)

The OpenStackClient plugin never imports this subpackage; importing it pulls
in Werkzeug only when :class:`Simulator` is first used.
"""

__all__ = ["Simulator", "LoggedRequest"]


def __getattr__(name):
    if name == "Simulator":
        from fj_osc_actions.simulator.server import Simulator
        return Simulator
    if name == "LoggedRequest":
        from fj_osc_actions.simulator.app import LoggedRequest
        return LoggedRequest
    raise AttributeError(name)
