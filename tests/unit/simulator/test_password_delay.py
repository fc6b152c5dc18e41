"""``password_delay``: a password login waits (Keystone hashes it), a token login does not."""

from __future__ import annotations

import contextlib
import io
from concurrent.futures import ThreadPoolExecutor

from fj_osc_actions_simulator import Simulator, cli
from tests.unit.simulator import TIMEOUT, SimTestCase, password_auth


class PasswordDelayTest(SimTestCase):

    sim_kwargs = {"password_delay": 0.3}
    manual_clock = True

    def test_password_login_waits_for_the_delay(self):
        with ThreadPoolExecutor(1) as pool:
            login = pool.submit(self.issue, password_auth("demo"))
            self.assertTrue(self.clock.wait_for_sleepers(1, TIMEOUT))
            self.clock.advance(0.299)
            self.assertEqual(1, self.clock.sleepers)
            self.assertFalse(login.done())
            self.clock.advance(0.001)
            self.assertEqual(201, login.result(TIMEOUT).status_code)

    def test_a_wrong_password_waits_too(self):
        with ThreadPoolExecutor(1) as pool:
            login = pool.submit(self.issue, password_auth("demo", password="wrong"))
            self.assertTrue(self.clock.wait_for_sleepers(1, TIMEOUT))
            self.clock.advance(0.3)
            self.assertEqual(401, login.result(TIMEOUT).status_code)

    def test_token_login_does_not_wait(self):
        with ThreadPoolExecutor(1) as pool:
            first = pool.submit(self.issue, password_auth("demo"))
            self.assertTrue(self.clock.wait_for_sleepers(1, TIMEOUT))
            self.clock.advance(0.3)
            token = first.result(TIMEOUT).headers["X-Subject-Token"]
        # The clock no longer moves: a token login that slept would never answer.
        rescoped = self.issue({"auth": {"identity": {"methods": ["token"],
                                                     "token": {"id": token}}}})
        self.assertEqual(201, rescoped.status_code)
        self.assertEqual(0, self.clock.sleepers)


class PasswordDelayOptionTest(SimTestCase):

    def test_default_is_no_delay(self):
        self.assertEqual(0, self.sim.app.identity.password_delay)
        self.assertEqual(201, self.issue(password_auth("demo")).status_code)

    def test_option_and_refusals(self):
        self.assertEqual(0.3, cli.build_parser().parse_args(["--password-delay", "0.3"])
                         .password_delay)
        self.assertEqual(0, cli.build_parser().parse_args([]).password_delay)
        with contextlib.redirect_stderr(io.StringIO()) as stderr, self.assertRaises(SystemExit):
            cli.build_parser().parse_args(["--password-delay", "-1"])
        self.assertIn("argument --password-delay: '-1' is not a number >= 0", stderr.getvalue())
        with self.assertRaisesRegex(ValueError, "password_delay"):
            Simulator(password_delay=-0.5)
