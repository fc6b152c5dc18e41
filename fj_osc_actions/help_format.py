"""Help wrapped by display width, for help written with wide characters (Japanese).

argparse wraps help with :mod:`textwrap`, which counts characters and breaks
only at spaces and hyphens: a Japanese line comes out about twice as wide as
the terminal, a sentence without spaces stays one line, and ``--max-width``
may be cut after its hyphen. Here an East Asian wide or fullwidth character
takes two columns, and a line may end at a space or between two characters
one of which is wide, but never inside a run of other characters (an option
such as ``--last-failed``, an identifier such as ``OS-EXT-STS:task_state``),
never inside a command in backquotes, never before closing punctuation
(``、。）``) and never after opening punctuation (``（``). Only what is wider
than a whole line is cut, so that no line is wider than the terminal.

:func:`fit_to_terminal` gives a parser this wrapping when its description
holds a wide character, that is when the help is shown in Japanese; any
other help keeps the formatter cliff chose, so English help is unchanged.
Whatever that formatter does (cliff keeps the line breaks of an option's
help, argparse joins the lines of a description) it still does: only its
wrapping is replaced.

Standard library only: ``commands.py`` imports it when it makes a parser.
"""

from __future__ import annotations

import argparse
import functools
import sys
import unicodedata
from typing import NamedTuple

#: Not at the start of a line: closing brackets, stops, small kana, and the
#: ASCII ones that follow a word.
NO_LINE_START = frozenset(
    "、。，．・：；？！ー～々ゝゞ…）」』】〕〉》〗〙〟’”｝］"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ"
    ")]}.,:;!?%"
)
#: Not at the end of a line: opening brackets.
NO_LINE_END = frozenset("（「『【〔〈《〖〘〝‘“｛［([{")
#: Wider than any line: asks a formatter for its lines without wrapping them.
_UNWRAPPED = sys.maxsize // 2


def char_width(char: str) -> int:
    """Columns a terminal gives the character: 2 wide or fullwidth, 0 combining."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(char) for char in text)


def is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def has_wide(text: str) -> bool:
    return any(is_wide(char) for char in text)


class _Piece(NamedTuple):
    """Text a line never breaks inside, and whether a space comes before it."""

    text: str
    spaced: bool

    @property
    def width(self) -> int:
        return display_width(self.text)


def _atoms(text: str) -> list[_Piece]:
    """Spaces, wide characters one by one, commands in backquotes, runs of the rest."""
    atoms: list[_Piece] = []
    spaced = False
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            spaced = True
            i += 1
            continue
        end = i + 1
        if char == "`" and "`" in text[i + 1:]:
            end = text.index("`", i + 1) + 1
        elif not is_wide(char):
            while end < len(text) and not text[end].isspace() and not is_wide(text[end]) \
                    and text[end] != "`":
                end += 1
        # A command's own whitespace as single spaces, as argparse collapses it.
        atoms.append(_Piece(" ".join(text[i:end].split()), spaced))
        spaced = False
        i = end
    return atoms


def _may_break(before: str, after: _Piece) -> bool:
    """Whether a line may end between ``before`` and ``after``."""
    if after.spaced:
        return True
    last, first = before[-1], after.text[0]
    if not (is_wide(last) or is_wide(first)):
        return False  # inside a word, an option, an identifier
    return first not in NO_LINE_START and last not in NO_LINE_END


def _segments(atoms: list[_Piece]) -> list[list[_Piece]]:
    """The atoms grouped where no line may end between them."""
    segments: list[list[_Piece]] = []
    for atom in atoms:
        if segments and not _may_break(segments[-1][-1].text, atom):
            segments[-1].append(atom)
        else:
            segments.append([atom])
    return segments


def _by_columns(piece: _Piece, width: int) -> list[_Piece]:
    """A word wider than a line, cut into lines' worth of columns: next to a
    wide character where it can be, inside a run of narrow ones only when
    that run alone is wider than a line."""
    if piece.width <= width:
        return [piece]
    parts, current = [], ""
    for run in _narrow_runs_and_wide_chars(piece.text):
        for part in ([run] if display_width(run) <= width else list(run)):
            if current and display_width(current + part) > width:
                parts.append(current)
                current = ""
            current += part
    parts.append(current)
    return [_Piece(part, piece.spaced and n == 0) for n, part in enumerate(parts)]


def _narrow_runs_and_wide_chars(text: str) -> list[str]:
    runs: list[str] = []
    for char in text:
        if runs and not is_wide(char) and not is_wide(runs[-1][-1]):
            runs[-1] += char
        else:
            runs.append(char)
    return runs


def _cut(segment: list[_Piece], width: int) -> list[_Piece]:
    """A segment wider than a line: its atoms, a command at its spaces, a word by
    columns; then what fits together joined again, so that as little is cut."""
    parts = [part for atom in segment
             for n, word in enumerate(atom.text.split(" "))
             for part in _by_columns(_Piece(word, atom.spaced if n == 0 else True), width)]
    joined: list[_Piece] = []
    for part in parts:
        if joined and not part.spaced and joined[-1].width + part.width <= width:
            joined[-1] = _Piece(joined[-1].text + part.text, joined[-1].spaced)
        else:
            joined.append(part)
    return joined


def _pieces(text: str, width: int) -> list[_Piece]:
    """What the lines are filled with: the segments, cut only when wider than a line."""
    pieces: list[_Piece] = []
    for segment in _segments(_atoms(text)):
        # Within a segment no atom has a space before it.
        joined = _Piece("".join(atom.text for atom in segment), segment[0].spaced)
        pieces.extend([joined] if joined.width <= width else _cut(segment, width))
    return pieces


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns (whitespace collapsed, as argparse does)."""
    width = max(width, 2)
    lines: list[str] = []
    line, used = "", 0
    for piece in _pieces(text, width):
        gap = 1 if piece.spaced and line else 0
        if line and used + gap + piece.width > width:
            lines.append(line)
            line, used, gap = "", 0, 0
        line += " " * gap + piece.text
        used += gap + piece.width
    if line:
        lines.append(line)
    return lines


class DisplayWidthHelpFormatter(argparse.HelpFormatter):
    """Mixed in before the parser's own formatter: its lines, wrapped by display width."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        if isinstance(self, argparse.RawTextHelpFormatter):
            return super()._split_lines(text, width)
        return [line for logical in super()._split_lines(text, _UNWRAPPED)
                for line in wrap(logical, width)]

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if isinstance(self, argparse.RawDescriptionHelpFormatter):
            return super()._fill_text(text, width, indent)
        logical = super()._fill_text(text, _UNWRAPPED, "").splitlines()
        # As textwrap.fill: the width includes the indent.
        return "\n".join(indent + line for part in logical
                         for line in wrap(part, width - len(indent)))


@functools.lru_cache(maxsize=None)
def display_width_formatter(base: type[argparse.HelpFormatter]) -> type[argparse.HelpFormatter]:
    """``base`` (cliff's formatter, say) with the wrapping of this module."""
    if issubclass(base, DisplayWidthHelpFormatter):
        return base
    return type(f"DisplayWidth{base.__name__}", (DisplayWidthHelpFormatter, base),
                {"__module__": __name__})


def fit_to_terminal(parser: argparse.ArgumentParser) -> None:
    """Help written with wide characters wrapped by display width; other help unchanged."""
    if has_wide(parser.description or ""):
        parser.formatter_class = display_width_formatter(parser.formatter_class)
