"""help_format: wrapping by display width, and the formatter it gives a parser."""

from __future__ import annotations

import argparse
import os
import unittest
from unittest import mock

from cliff import _argparse as cliff_argparse
from hypothesis import given, settings, strategies as st

from fj_osc_actions import help_format
from fj_osc_actions.help_format import display_width, wrap


class DisplayWidthTest(unittest.TestCase):
    def test_columns_of_characters(self):
        for text, columns in (("abc", 3), ("日本", 4), ("ＡＢ", 4), ("ｱｲ", 2), ("、。", 4),
                              ("e\u0301", 1), ("--last-failed", 13), ("ID（", 4), ("", 0)):
            with self.subTest(text=text):
                self.assertEqual(columns, display_width(text))


class WrapTest(unittest.TestCase):
    def test_truth_table(self):
        for text, width, lines in (
            # Japanese breaks between any two characters...
            ("サーバのアクションを表示します", 10, ["サーバのア", "クションを", "表示します"]),
            # ...but not before closing punctuation (the 。 goes with ま)...
            ("表示しますか。はい", 10, ["表示します", "か。はい"]),
            ("あいうえ。かき", 8, ["あいう", "え。かき"]),
            # ...nor after opening punctuation.
            ("あいう（えお）", 8, ["あいう", "（えお）"]),
            # ASCII words, options and identifiers are never cut...
            ("--last-failed と併用します", 16, ["--last-failed と", "併用します"]),
            ("OS-EXT-STS:task_state が設定", 24, ["OS-EXT-STS:task_state が", "設定"]),
            ("例: reboot、live-migration（複数）", 20, ["例: reboot、", "live-migration（複", "数）"]),
            # ...nor a command in backquotes, which keeps its bracket.
            ("ID（`openstack server action list` で確認", 34,
             ["ID（`openstack server action list`", "で確認"]),
            ("リクエストID（`openstack server action list` で確認", 34,
             ["リクエストID", "（`openstack server action list`", "で確認"]),
            ("`a\n  b` です", 80, ["`a b` です"]),
            # A line may end between a wide character and an ASCII word.
            ("リクエストIDです", 12, ["リクエストID", "です"]),
            # Whitespace is collapsed, as argparse does; spaces end lines.
            ("a  b\n\nc 日本", 80, ["a b c 日本"]),
            ("aaa bbb ccc", 7, ["aaa bbb", "ccc"]),
            # What is wider than a line is cut, a command at its spaces first.
            ("`openstack server action list`", 16, ["`openstack", "server action", "list`"]),
            ("あい（`openstack server action list`", 16, ["あい（`openstack", "server action", "list`"]),
            ("x" * 12, 5, ["xxxxx", "xxxxx", "xx"]),
            ("、::", 3, ["、", "::"]),
            ("", 10, []),
        ):
            with self.subTest(text=text, width=width):
                self.assertEqual(lines, wrap(text, width))

    def test_a_command_wider_than_a_line_is_cut_next_to_a_wide_character(self):
        # found by the property below: "::" was cut in two
        self.assertEqual(["`、", ":: `"], wrap("`、:: `", 4))

    def test_a_wide_character_fits_a_line_of_one_column(self):
        self.assertEqual(["日", "本"], wrap("日本", 1))


TEXT = st.text(alphabet=st.sampled_from(list("ab-:_`. \n") + list("日本語、。（）ー")),
               max_size=80)


class WrapPropertiesTest(unittest.TestCase):
    @settings(max_examples=300, deadline=None)
    @given(TEXT, st.integers(min_value=2, max_value=40))
    def test_no_line_is_wider_and_nothing_is_lost(self, text, width):
        lines = wrap(text, width)
        self.assertEqual([], [line for line in lines if display_width(line) > width])
        self.assertEqual("".join(text.split()), "".join("".join(lines).split()))
        self.assertEqual([], [line for line in lines if line != line.strip() or not line])

    @settings(max_examples=300, deadline=None)
    @given(TEXT, st.integers(min_value=2, max_value=40))
    def test_a_word_that_fits_is_never_cut(self, text, width):
        lines = wrap(text, width)
        # (Backquotes are the commands' rule, in the truth table.)
        for word in text.split():
            for run in _narrow_runs(word):
                if display_width(run) <= width and "`" not in run:
                    self.assertTrue(any(run in line for line in lines), (run, lines))


def _narrow_runs(word: str) -> list[str]:
    runs, run = [], ""
    for char in word + "日":
        if help_format.is_wide(char):
            runs.append(run)
            run = ""
        else:
            run += char
    return [run for run in runs if run]


JAPANESE_DESCRIPTION = (
    "サーバのアクションとそのイベントを表示します。\n\nリクエストID、--latest、--last-failed "
    "のいずれかを指定します。"
)
JAPANESE_HELP = "アクションのリクエストID（`openstack server action list` で確認できます）。"


def cliff_parser(description: str, option_help: str) -> argparse.ArgumentParser:
    """A parser as cliff makes it (cliff's ArgumentParser and SmartHelpFormatter)."""
    parser = cliff_argparse.ArgumentParser(prog="openstack server action show",
                                           description=description,
                                           formatter_class=cliff_argparse.SmartHelpFormatter)
    parser.add_argument("--request-id", metavar="<request-id>", help=option_help)
    return parser


def help_at(parser: argparse.ArgumentParser, columns: int) -> str:
    with mock.patch.dict(os.environ, {"COLUMNS": str(columns)}):
        return parser.format_help()


class FitToTerminalTest(unittest.TestCase):
    def test_japanese_help_fits(self):
        parser = cliff_parser(JAPANESE_DESCRIPTION, JAPANESE_HELP)
        help_format.fit_to_terminal(parser)
        self.assertTrue(issubclass(parser.formatter_class, cliff_argparse.SmartHelpFormatter))
        for columns in (80, 60, 40):
            with self.subTest(columns=columns):
                text = help_at(parser, columns)
                body = text.split("\n\n", 1)[1]  # after the usage
                # argparse's width is COLUMNS - 2.
                self.assertEqual([], [line for line in body.splitlines()
                                      if display_width(line) > columns - 2])
                self.assertIn("--last-failed", text)
                if columns >= 60:  # the help column holds the whole command
                    self.assertIn("`openstack server action list`", text)

    def test_english_help_keeps_cliffs_formatter(self):
        english = "Request ID of the action (see `openstack server action list`). " * 3
        parser = cliff_parser("Show a server action and its events.", english)
        before = help_at(parser, 60)
        help_format.fit_to_terminal(parser)
        self.assertIs(cliff_argparse.SmartHelpFormatter, parser.formatter_class)
        self.assertEqual(before, help_at(parser, 60))

    def test_cliffs_line_breaks_in_an_option_help_are_kept(self):
        parser = cliff_parser(JAPANESE_DESCRIPTION, "一行目です。\n二行目です。")
        help_format.fit_to_terminal(parser)
        lines = [line.strip() for line in help_at(parser, 80).splitlines()]
        self.assertIn("二行目です。", lines)
        self.assertTrue(any(line.endswith("一行目です。") for line in lines))

    def test_argparses_joined_description_is_kept(self):
        # argparse joins a description's paragraphs; only the wrapping changes.
        parser = cliff_parser(JAPANESE_DESCRIPTION, JAPANESE_HELP)
        help_format.fit_to_terminal(parser)
        self.assertIn("表示します。 リクエストID", help_at(parser, 200))

    def test_a_raw_formatter_is_left_raw(self):
        parser = argparse.ArgumentParser(prog="p", description="日本語\n  そのまま",
                                         formatter_class=argparse.RawDescriptionHelpFormatter)
        help_format.fit_to_terminal(parser)
        self.assertIn("日本語\n  そのまま\n", help_at(parser, 80))

    def test_one_class_per_formatter(self):
        base = cliff_argparse.SmartHelpFormatter
        made = help_format.display_width_formatter(base)
        self.assertIs(made, help_format.display_width_formatter(base))
        self.assertIs(made, help_format.display_width_formatter(made))
