"""``fj-osc-actions-simulator``: run a local FJcloud-O region until stopped.

Options::

    --port N              TCP port on 127.0.0.1 (default 0 = a free port)
    --data FILE           JSON/YAML data file instead of the seeded demo data
    --token-ttl SECONDS   token lifetime (default 10800 = 3 hours)
    --page-size N         max actions per list page (Nova [api]max_limit, 1000)
    --bulk-actions N      add server bulk-01 with N actions
    --max-microversion X.Y  highest compute microversion (default 2.104)
    --fault NAME[:TIMES]  queue a fault for compute requests; repeatable.
                          TIMES = how many requests it hits, in order;
                          omitted or 0 = every compute request (always).
                          e.g. --fault 503:1 (one 503, then success),
                          --fault slow:2 (every request 2 s late),
                          --fault slow:2:3 (the next 3 requests).
    --dump-data           print the data as YAML (a data-file template), exit

It prints the URL, ``export OS_*=...`` lines, a clouds.yaml snippet, then a
line ``READY <url>`` and serves until SIGINT/SIGTERM (exit status 0).
"""

import argparse
import signal
import sys
import threading

from fj_osc_actions.simulator import data as simdata


def _parse_fault(text):
    from fj_osc_actions.simulator.app import validate_fault
    name, times = text, 0
    head, sep, tail = text.rpartition(":")
    if sep and tail.isdigit() and head:
        # "slow:2" is a fault name alone; "slow:2:3" and "503:1" carry TIMES
        if not (head == "slow"):
            name, times = head, int(tail)
    try:
        validate_fault(name)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    return name, times


def build_parser():
    p = argparse.ArgumentParser(
        prog="fj-osc-actions-simulator",
        description="Offline simulator of a Fujitsu FJcloud-O region "
                    "(Keystone v3 + Nova server actions), on 127.0.0.1 only.")
    p.add_argument("--port", type=int, default=0,
                   help="TCP port (default 0 = a free port)")
    p.add_argument("--data", metavar="FILE",
                   help="JSON or YAML data file (default: seeded demo data)")
    p.add_argument("--token-ttl", type=float, default=10800, metavar="SECONDS",
                   help="token lifetime in seconds (default 10800)")
    p.add_argument("--page-size", type=int, default=1000, metavar="N",
                   help="max actions per list page (default 1000)")
    p.add_argument("--bulk-actions", type=int, default=0, metavar="N",
                   help="add server bulk-01 with N actions")
    p.add_argument("--max-microversion", default="2.104", metavar="X.Y",
                   help="highest compute microversion (default 2.104)")
    p.add_argument("--fault", action="append", default=[], type=_parse_fault,
                   metavar="NAME[:TIMES]",
                   help="queue a fault for compute requests (500, 503, "
                        "502-html, not-json, no-instance-action, 401, 403, "
                        "close, slow:<seconds>); TIMES omitted or 0 = always")
    p.add_argument("--dump-data", action="store_true",
                   help="print the data (seed, or --data, plus --bulk-actions) "
                        "as YAML, a starting point for a data file, and exit")
    return p


def dump_data(args):
    import yaml
    data = simdata.seed_data() if args.data is None else \
        simdata.load_file(args.data)
    if args.bulk_actions > 0:
        data.setdefault("servers", []).append(
            simdata.bulk_server(args.bulk_actions))
    sys.stdout.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return 0


def banner(sim):
    url = sim.url
    lines = [
        "FJcloud-O simulator listening on %s" % url,
        "",
        "# Users (domain = contract number %s): demo/demo-secret (member), "
        "admin/admin-secret (admin), other/other-secret (other-project)"
        % simdata.DOMAIN_NAME,
        "export OS_AUTH_URL=%s/v3" % url,
        "export OS_USERNAME=demo",
        "export OS_PASSWORD=demo-secret",
        "export OS_USER_DOMAIN_NAME=%s" % simdata.DOMAIN_NAME,
        "export OS_PROJECT_NAME=%s" % simdata.PROJECT_NAME,
        "export OS_PROJECT_DOMAIN_NAME=%s" % simdata.DOMAIN_NAME,
        "export OS_REGION_NAME=jp-east-3",
        "export OS_INTERFACE=public",
        "export OS_IDENTITY_API_VERSION=3",
        "export OS_COMPUTE_ENDPOINT_OVERRIDE='%s/v2.1/%%(project_id)s'" % url,
        "# (upstream 'openstack server event ...' needs no override: the catalog"
        " already points here; unset it there to keep compute discovery working)",
        "",
        "# clouds.yaml",
        "clouds:",
        "  fjcloud-sim:",
        "    auth:",
        "      auth_url: %s/v3" % url,
        "      username: demo",
        "      password: demo-secret",
        "      user_domain_name: %s" % simdata.DOMAIN_NAME,
        "      project_name: %s" % simdata.PROJECT_NAME,
        "      project_domain_name: %s" % simdata.DOMAIN_NAME,
        "    region_name: jp-east-3",
        "    interface: public",
        "    identity_api_version: 3",
        "    compute_endpoint_override: '%s/v2.1/%%(project_id)s'" % url,
        "",
        "READY %s" % url,
    ]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.dump_data:
        try:
            return dump_data(args)
        except (OSError, ValueError) as e:
            print("fj-osc-actions-simulator: error: %s" % e, file=sys.stderr)
            return 2
    from fj_osc_actions.simulator.server import Simulator
    try:
        sim = Simulator(data=args.data, token_ttl=args.token_ttl,
                        page_size=args.page_size,
                        max_microversion=args.max_microversion,
                        bulk_actions=args.bulk_actions, port=args.port)
    except (OSError, ValueError) as e:
        print("fj-osc-actions-simulator: error: %s" % e, file=sys.stderr)
        return 2
    for name, times in args.fault:
        sim.inject(name, times=times)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            sim.start()
        except OSError as e:
            print("fj-osc-actions-simulator: error: %s" % e, file=sys.stderr)
            return 2
        sys.stdout.write(banner(sim))
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
        for s, h in old.items():
            signal.signal(s, h)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
