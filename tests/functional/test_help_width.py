"""The help of our commands through the real ``openstack``: Japanese fits the terminal.

``openstack help server action list`` and ``... show`` with
``LANG=ja_JP.UTF-8`` and ``COLUMNS`` 80 or 60: every line of the description
and of the options is at most ``COLUMNS`` display columns (a wide character
counts two), no option, identifier or command in backquotes is broken
(the runs of ASCII are those of the same help printed 1000 columns wide),
and no line starts with closing punctuation. English help (``LANG=C``) is
what the same ``openstack`` prints without fj_osc_actions' formatter.

Help needs no cloud: no simulator is started.
"""

from __future__ import annotations

import collections
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import unittest

from tests.common import CommandResult, clean_environ
from tests.functional.base import COMMAND_TIMEOUT, OPENSTACK

COMMANDS = (("help", "server", "action", "list"), ("help", "server", "action", "show"))
#: What the Japanese help of each command shows (from the ja catalog).
JAPANESE = {
    "list": "新しい順に一覧表示します。",
    "show": "サーバのアクションとそのイベントを表示します。",
}
#: The same ``openstack`` (openstackclient.shell.main), with our formatter switched off.
WITHOUT_OUR_FORMATTER = (
    "import sys\n"
    "sys.argv[0] = 'openstack'\n"
    "from fj_osc_actions import help_format\n"
    "help_format.fit_to_terminal = lambda parser: None\n"
    "from openstackclient import shell\n"
    "sys.exit(shell.main(sys.argv[1:]))\n"
)
BACKQUOTED = re.compile(r"`[^`]+`")
CLOSING = "、。，．）」』】"
#: Where argparse starts an option's help (max_help_position).
HELP_COLUMN = 24


def is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def columns(line: str) -> int:
    return sum(2 if is_wide(char) else 1 for char in line)


def narrow_runs(text: str) -> collections.Counter[str]:
    """The runs of characters that are neither wide nor spaces: a broken word is two."""
    runs: collections.Counter[str] = collections.Counter()
    for word in text.split():
        run = ""
        for char in word + "\u3000":
            if is_wide(char):
                runs.update([run] if run else [])
                run = ""
            else:
                run += char
    return runs


def laid_out_by_argparse(text: str) -> set[int]:
    """The lines of the usage block, and of option names without their help:
    argparse's own layout, the same in English (wider than 60 columns)."""
    lines = text.splitlines()
    usage = set(range(lines.index(""))) if "" in lines else set()
    names = {n for n, line in enumerate(lines)
             if re.match(r"  [-<]\S", line) and not re.search(r"\S {2,}\S", line)}
    return usage | names


class HelpWidthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.home = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.home.cleanup)

    def run_help(self, argv: tuple[str, ...], lang: str, width: int,
                 program: list[str] | None = None) -> CommandResult:
        env = clean_environ()
        env.update(LANG=lang, COLUMNS=str(width), HOME=self.home.name,
                   OS_CLIENT_CONFIG_FILE=os.devnull)
        completed = subprocess.run((program or [OPENSTACK]) + list(argv), env=env,
                                   capture_output=True, text=True, encoding="utf-8",
                                   timeout=COMMAND_TIMEOUT, check=False)
        result = CommandResult(completed.returncode, completed.stdout, completed.stderr)
        self.assertEqual(0, result.code, result)
        return result

    def test_japanese_lines_fit_and_nothing_is_broken(self):
        for argv in COMMANDS:
            unwrapped = self.run_help(argv, "ja_JP.UTF-8", 1000).stdout
            for width in (80, 60):
                with self.subTest(command=argv[-1], columns=width):
                    text = self.run_help(argv, "ja_JP.UTF-8", width).stdout
                    # (a Japanese sentence may end a line anywhere)
                    self.assertIn(JAPANESE[argv[-1]], "".join(text.split()))
                    # argparse's layout of usage and option names is not
                    # ours: it fits 80 columns, not 60 (in English neither).
                    skipped = laid_out_by_argparse(text) if width == 60 else set()
                    too_wide = [line for n, line in enumerate(text.splitlines())
                                if n not in skipped and columns(line) > width]
                    self.assertEqual([], too_wide)
                    self.assertEqual(narrow_runs(unwrapped), narrow_runs(text))
                    # A command in backquotes is whole, unless wider than the
                    # help column (then broken at its spaces only, as above).
                    fitting = [span for span in BACKQUOTED.findall(unwrapped)
                               if columns(span) <= width - HELP_COLUMN - 2]
                    self.assertEqual(fitting, [span for span in BACKQUOTED.findall(text)
                                               if span in fitting])
                    starts = [line for line in text.splitlines()
                              if line.strip() and line.strip()[0] in CLOSING]
                    self.assertEqual([], starts)
                    ends = [line for line in text.splitlines() if line.rstrip().endswith("（")]
                    self.assertEqual([], ends)

    def test_english_is_what_openstack_prints_without_our_formatter(self):
        without = [sys.executable, "-c", WITHOUT_OUR_FORMATTER]
        for argv in COMMANDS:
            for width in (80, 60):
                with self.subTest(command=argv[-1], columns=width):
                    ours = self.run_help(argv, "C", width).stdout
                    self.assertIn("positional arguments:", ours)
                    self.assertNotRegex(ours, r"[\u3000-\u9fff]")
                    self.assertEqual(self.run_help(argv, "C", width, without).stdout, ours)

    def test_the_formatter_is_what_changes_japanese(self):
        # The comparison above can fail: without our formatter, Japanese
        # lines are wider than the terminal.
        without = [sys.executable, "-c", WITHOUT_OUR_FORMATTER]
        text = self.run_help(COMMANDS[0], "ja_JP.UTF-8", 80, without).stdout
        self.assertTrue([line for line in text.splitlines() if columns(line) > 80])
