"""The Japanese CLI through the real ``openstack``: LANG=ja_JP.UTF-8 against LANG=C.

People read Japanese (errors, notices, help); what scripts read
(json, yaml, csv, value and shell output, exit statuses) is the same in both.
"""

from __future__ import annotations

from concurrent import futures

from fj_osc_actions_simulator import seed
from tests.common import CommandResult
from tests.functional import base

JAPANESE = "ja_JP.UTF-8"
ENGLISH = "C"
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
UNKNOWN_REQ = "req-does-not-exist"
WEB_01 = seed.WEB_01
FAILED_REQ = seed.FAILED_REBOOT_REQUEST


class JapaneseTest(base.FunctionalTestCase):
    def locale_env(self, lang: str, user: str = "demo", **variables: str) -> dict[str, str]:
        env = {k: v for k, v in self.password_env(user).items() if k not in LOCALE_VARIABLES}
        env.update(LANG=lang, **variables)
        return env

    def run_in(self, lang: str, *argv: str, user: str = "demo") -> CommandResult:
        return self.openstack(*argv, env=self.locale_env(lang, user))

    def both(self, *argv: str, user: str = "demo") -> tuple[CommandResult, CommandResult]:
        """The same command in Japanese and in English, run side by side."""
        with futures.ThreadPoolExecutor(2) as pool:
            japanese = pool.submit(self.run_in, JAPANESE, *argv, user=user)
            english = pool.submit(self.run_in, ENGLISH, *argv, user=user)
            return japanese.result(), english.result()

    # -- for people: Japanese -----------------------------------------------

    def test_unknown_request_id(self):
        japanese, english = self.both("server", "action", "show", WEB_01, UNKNOWN_REQ)
        line = self.assert_one_line_failure(
            japanese,
            f"サーバ '{WEB_01}' にアクション '{UNKNOWN_REQ}' が見つかりません (HTTP 404): ",
            f"リクエストIDを `openstack server action list {WEB_01}` で確認してください。",
            "(x-openstack-request-id: req-",
        )
        self.assertTrue(line.startswith("リージョン jp-east-3 (http://127.0.0.1:"), line)
        self.assert_one_line_failure(
            english,
            f"Action '{UNKNOWN_REQ}' not found for server '{WEB_01}' in region jp-east-3",
            f"(HTTP 404): list the server's request IDs with "
            f"`openstack server action list {WEB_01}`.",
        )
        self.assertEqual(english.stdout, japanese.stdout)

    def test_input_refused_before_login(self):
        japanese, english = self.both("server", "action", "show", WEB_01, FAILED_REQ,
                                      "--os-compute-api-version", "two")
        self.assert_one_line_failure(
            japanese, "コンピュート API のマイクロバージョン 'two' は無効です: ",
            "--os-compute-api-version 2.58")
        self.assert_one_line_failure(english, "Invalid compute API microversion 'two'")

    def test_help(self):
        for argv in (["help", "server", "action", "show"],
                     ["server", "action", "show", "--help"]):
            with self.subTest(argv=argv):
                japanese, english = self.both(*argv)
                self.assert_success(japanese)
                self.assert_success(english)
                # wrapped to the terminal's width: compared without the line breaks
                joined = "".join(japanese.stdout.split())
                self.assertIn("サーバのアクションとそのイベントを表示します。", joined)
                self.assertIn("アクションのリクエストID（`openstackserveractionlist`で"
                              "確認できます）。", joined)
                self.assertIn("Show a server action and its events.", english.stdout)
                self.assertNotIn("サーバ", english.stdout)
        japanese = self.run_in(JAPANESE, "server", "action", "list", "--help")
        self.assertIn("新しい順に一覧表示します。", "".join(japanese.stdout.split()))

    def test_events_notice(self):
        argv = ("server", "action", "show", WEB_01, FAILED_REQ, "-f", "json",
                "--os-compute-api-version", "2.1")
        japanese, english = self.both(*argv)
        self.assert_success(japanese)
        self.assertIn("表示されません: マイクロバージョン 2.51 未満では", japanese.stderr)
        self.assertIn("not returned: below microversion 2.51", english.stderr)
        self.assertEqual(english.stdout, japanese.stdout)

    def test_column_names_are_the_same_for_scripts_in_a_table(self):
        # -c and --sort-column take the titles as names, in every locale.
        argv = ("server", "action", "list", WEB_01, "--long", "-c", "Request ID",
                "--sort-column", "Request ID")
        japanese, english = self.both(*argv)
        self.assert_success(japanese)
        self.assertEqual(english.stdout, japanese.stdout)
        self.assertIn("| Request ID ", japanese.stdout.splitlines()[1])
        for request_id in seed.WEB_01_REQUESTS:
            self.assertIn(request_id, japanese.stdout)

    def test_lc_all_wins_over_lang(self):
        result = self.openstack("server", "action", "show", WEB_01, UNKNOWN_REQ,
                                env=self.locale_env(JAPANESE, LC_ALL="C"))
        self.assert_one_line_failure(result, f"Action '{UNKNOWN_REQ}' not found")

    # -- for scripts: the same in every locale ---------------------------------

    def test_machine_output_is_the_same(self):
        commands = [
            ("server", "action", "show", WEB_01, FAILED_REQ),
            ("server", "action", "list", WEB_01, "--long"),
        ]
        formats = {"show": ("json", "yaml", "value", "shell"),
                   "list": ("json", "yaml", "csv", "value")}
        for argv in commands:
            for output in formats[argv[2]]:
                with self.subTest(argv=argv, format=output):
                    japanese, english = self.both(*argv, "-f", output)
                    self.assert_success(english)
                    self.assertEqual(english.code, japanese.code)
                    self.assertEqual(english.stdout, japanese.stdout)
                    if argv[2] == "list" and output == "json":
                        self.assertEqual(
                            ["Request ID", "Action", "Start Time", "Updated At", "Message",
                             "User ID", "Project ID"],
                            list(japanese.json[0]),
                        )

    def test_exit_status_is_the_same(self):
        for argv in (("server", "action", "list", "no-such-server"),
                     ("server", "action", "show", WEB_01)):
            with self.subTest(argv=argv):
                japanese, english = self.both(*argv)
                self.assertEqual(1, english.code, english)
                self.assertEqual(english.code, japanese.code, (japanese, english))
                self.assertEqual(english.stdout, japanese.stdout)
                self.assertNotEqual(english.stderr, japanese.stderr)
