"""The :class:`Simulator`: the WSGI app served from a background thread."""

import logging
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from fj_osc_actions.simulator.app import SimulatorApp
from fj_osc_actions.simulator.data import build_store

HOST = "127.0.0.1"


class _QuietHandler(WSGIRequestHandler):
    """No per-request access log lines on stderr."""

    def log_request(self, *args, **kwargs):
        pass

    def log(self, type, message, *args):
        if type == "error":
            logging.getLogger("fj_osc_actions.simulator").error(
                message.rstrip(), *args)


class Simulator:
    """A local FJcloud-O region.  Binds 127.0.0.1 only.

    :param data: None (seeded demo data), a dict, or a path to a .json/.yaml
        file (format: :mod:`fj_osc_actions.simulator.data`).
    :param token_ttl: token lifetime in seconds (FJcloud-O: 3 hours).
    :param page_size: Nova's ``[api]max_limit`` for the actions list.
    :param max_microversion: highest compute microversion served.
    :param bulk_actions: >0 adds server ``bulk-01`` with that many actions.
    :param port: TCP port, 0 = a free one.
    :param full_page_links: if True, a ``next`` link is added whenever a
        page is full (what real Nova does, even when nothing remains);
        by default only when more actions remain.
    """

    def __init__(self, data=None, token_ttl=10800, page_size=1000,
                 max_microversion="2.104", bulk_actions=0, port=0,
                 full_page_links=False):
        self.store = build_store(data, bulk_actions)
        self.app = SimulatorApp(self.store, token_ttl=token_ttl,
                                page_size=page_size,
                                max_microversion=max_microversion,
                                full_page_links=full_page_links)
        self._port = int(port)
        self._server = None
        self._thread = None

    # lifecycle ---------------------------------------------------------
    def start(self):
        if self._server is not None:
            return self
        self._server = make_server(HOST, self._port, self.app, threaded=True,
                                   request_handler=_QuietHandler)
        self._server.daemon_threads = True
        self.app.base_url = self.url
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="fj-osc-actions-simulator",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self):
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # addresses ---------------------------------------------------------
    @property
    def port(self):
        if self._server is None:
            raise RuntimeError("simulator not started")
        return self._server.server_port

    @property
    def url(self):
        return "http://%s:%d" % (HOST, self.port)

    @property
    def identity_url(self):
        return self.url + "/v3"

    @property
    def compute_endpoint_template(self):
        return self.url + "/v2.1/%(project_id)s"

    # control -------------------------------------------------------------
    def inject(self, fault, path_contains=None, times=1):
        """Queue ``fault`` for the next ``times`` matching compute requests
        (``times=0``: every matching request until :meth:`clear_faults`)."""
        self.app.inject(fault, path_contains, times)

    def clear_faults(self):
        self.app.clear_faults()

    def expire_tokens(self):
        """Make every token issued so far expired (401 on use)."""
        return self.app.expire_tokens()

    def issued_token_ids(self):
        """Token ids issued so far (to prove they never leak into output)."""
        return self.app.issued_token_ids()

    @property
    def request_log(self):
        return self.app.request_log()

    def compute_requests(self):
        return [e for e in self.app.request_log()
                if e.path == "/v2.1" or e.path.startswith("/v2.1/")]

    def clear_log(self):
        self.app.clear_log()
