"""The Japanese documentation follows the English one, page by page.

``sh tools/check.sh ja-docs`` (and CI, through tools/run-tests.sh) runs::

    python tools/check_ja_docs.py [ROOT]

For every English page ``doc/source/X.rst`` the Japanese page
``doc/source/ja/X.rst`` must exist (and no Japanese page may lack its
English one) and have

* the same sections: the same headings at the same levels, in order (the
  titles are translated, so only their levels are compared);
* the same code blocks, in order (``code-block`` and its language, or a
  literal ``::`` block), and in them the same command lines (``$ ...``,
  compared as written; a trailing ``# comment`` may be translated);
* no English change it has not followed: no commit that touched the English
  page after the last commit that touched the Japanese page (same commit is
  fine), and no English page changed in the working tree without its
  Japanese page.

An English change that needs no translation (a typo) is followed by
recording it in the Japanese page: a comment line ``.. English revision:
<commit>`` naming the English commit, changed in the Japanese page.

Git is read only when ROOT is a git checkout; a shallow clone is enough (the
commits it lacks were before both pages' last changes, or the boundary
commit stands for them). Prints one line per problem; exit status 1 if any.
"""

from __future__ import annotations

import argparse
import difflib
import pathlib
import re
import subprocess
import sys
import unicodedata
from typing import NamedTuple

EN = pathlib.Path("doc/source")
JA = EN / "ja"
#: A section title's underline (and overline): one punctuation character repeated.
_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#.<>])\1+\s*$")
_CODE_DIRECTIVE = re.compile(r"^(\s*)\.\. (?:code-block|code|sourcecode)::\s*(\S*)")
_DIRECTIVE = re.compile(r"^\s*\.\. [\w:-]+::")
_COMMAND = re.compile(r"^\s*((?:\(\S+\) )?\$ .*?)\s*$")
_TRAILING_COMMENT = re.compile(r"\s+#\s.*$")
REVISION = re.compile(r"^\.\. English revision: (\S+)\s*$", re.MULTILINE)


class Heading(NamedTuple):
    level: int
    title: str
    line: int
    #: The adornment: its character, after "=" if overlined too ("==" for =, overlined).
    style: str


class CodeBlock(NamedTuple):
    kind: str
    commands: tuple[str, ...]
    line: int


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def headings(text: str) -> list[Heading]:
    """Section titles at column 0, with levels as docutils assigns them
    (each new adornment style, overlined or not, is the next level); an
    underline reaches at least the end of its title, as docutils wants."""
    lines = text.splitlines()
    styles: list[tuple[bool, str]] = []
    found = []
    for n in range(len(lines) - 1):
        title, under = lines[n], lines[n + 1]
        if not title.strip() or title[0].isspace() or _ADORNMENT.match(title):
            continue
        match = _ADORNMENT.match(under)
        if not match or len(under.rstrip()) < max(2, _columns(title.rstrip())):
            continue
        over = n > 0 and lines[n - 1] == under.rstrip()
        style = (over, match.group(1))
        if style not in styles:
            styles.append(style)
        found.append(Heading(styles.index(style) + 1, title.strip(), n + 1,
                             ("=" if over else "") + match.group(1)))
    return found


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _block_body(lines: list[str], start: int, indent: int) -> list[str]:
    """The lines of a block that starts after ``start``: more indented than ``indent``."""
    body = []
    for line in lines[start + 1:]:
        if line.strip() and _indent(line) <= indent:
            break
        body.append(line)
    return body


def code_blocks(text: str) -> list[CodeBlock]:
    """``code-block`` directives and ``::`` literal blocks, with their command lines."""
    lines = text.splitlines()
    blocks = []
    skip_to = -1
    for n, line in enumerate(lines):
        if n <= skip_to:
            continue
        directive = _CODE_DIRECTIVE.match(line)
        literal = (not directive and not _DIRECTIVE.match(line)
                   and line.rstrip().endswith("::") and line.strip())
        if not (directive or literal):
            continue
        indent = len(directive.group(1)) if directive else _indent(line)
        body = _block_body(lines, n, indent)
        if literal and not any(part.strip() for part in body):
            continue  # "::" with nothing indented after it is not a block
        commands = tuple(_TRAILING_COMMENT.sub("", m.group(1)) for part in body
                         if (m := _COMMAND.match(part)))
        kind = (directive.group(2) or "default") if directive else "literal"
        blocks.append(CodeBlock(kind, commands, n + 1))
        skip_to = n + len(body)
    return blocks


def _first_difference(english: list, japanese: list) -> int:
    """Where the English list first has what the Japanese one does not (or another)."""
    for tag, i1, _, _, _ in difflib.SequenceMatcher(None, english, japanese, autojunk=False).get_opcodes():
        if tag != "equal":
            return i1
    return len(english)


def structure_problems(english: str, japanese: str) -> list[str]:
    """How the Japanese page's sections, code blocks and commands differ."""
    problems = []
    en_heads, ja_heads = headings(english), headings(japanese)
    en_blocks, ja_blocks = code_blocks(english), code_blocks(japanese)
    if [h.level for h in en_heads] != [h.level for h in ja_heads]:
        # Located by what a translation keeps, the adornments (a removed
        # section changes the levels of the sections after it).
        at = _first_difference([h.style for h in en_heads], [h.style for h in ja_heads])
        where = (f"English section {at + 1} '{en_heads[at].title}' (level {en_heads[at].level}, "
                 f"line {en_heads[at].line})" if at < len(en_heads) else "after the last English section")
        problems.append(f"{len(ja_heads)} sections, English has {len(en_heads)}; they differ at {where}")
    if [b.kind for b in en_blocks] != [b.kind for b in ja_blocks]:
        at = _first_difference([b.kind for b in en_blocks], [b.kind for b in ja_blocks])
        where = (f"English block {at + 1} ({en_blocks[at].kind}, line {en_blocks[at].line})"
                 if at < len(en_blocks) else "after the last English block")
        problems.append(f"{len(ja_blocks)} code blocks, English has {len(en_blocks)}; "
                        f"they differ at {where}")
    else:
        for number, (en_block, ja_block) in enumerate(zip(en_blocks, ja_blocks), 1):
            if en_block.commands != ja_block.commands:
                missing = [c for c in en_block.commands if c not in ja_block.commands]
                extra = [c for c in ja_block.commands if c not in en_block.commands]
                problems.append(
                    f"code block {number} (line {ja_block.line}) has other commands than the "
                    f"English one (line {en_block.line}): "
                    + "; ".join([f"missing {c!r}" for c in missing] + [f"not in English {c!r}" for c in extra]
                                or ["the same commands in another order"]))
    return problems


def _git(root: pathlib.Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          check=True).stdout.strip()


def _last_commit(root: pathlib.Path, path: pathlib.Path) -> str:
    return _git(root, "log", "-1", "--format=%H", "--", str(path))


def freshness_problems(root: pathlib.Path, english: pathlib.Path, japanese: pathlib.Path) -> list[str]:
    """English changes (committed, or in the working tree) the Japanese page has not followed."""
    changed = _git(root, "diff", "--name-only", "HEAD", "--", str(english), str(japanese)).splitlines()
    if str(english) in changed and str(japanese) not in changed:
        return [f"{english} is changed in the working tree, {japanese.name} is not"]
    ja_last = _last_commit(root, japanese)
    if not ja_last:
        return []  # not committed yet: it is newer than any English commit
    later = _git(root, "log", "--format=%h %s", f"{ja_last}..HEAD", "--", str(english)).splitlines()
    if not later:
        return []
    return [f"does not follow {len(later)} later English commit(s) of {english.name} "
            f"(newest: {later[0][:80]}); see `git diff {ja_last[:12]} HEAD -- {english}`, then "
            f"update the page, or record a change that needs no translation with "
            f"'.. English revision: {later[0].split()[0]}'"]


def revision_problems(root: pathlib.Path, english: pathlib.Path, text: str, shallow: bool) -> list[str]:
    """A recorded English revision names a commit of the English page."""
    problems = []
    for revision in REVISION.findall(text):
        try:
            commit = _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
        except subprocess.CalledProcessError:
            if not shallow:
                problems.append(f"'.. English revision: {revision}' is not a commit")
            continue
        if not _git(root, "show", "--format=", "--name-only", commit, "--", str(english)):
            problems.append(f"'.. English revision: {revision}' is not a commit of {english.name}")
    return problems


def is_git_checkout(root: pathlib.Path) -> bool:
    try:
        return _git(root, "rev-parse", "--show-toplevel") == str(root.resolve())
    except (subprocess.CalledProcessError, FileNotFoundError):
        return False


def check(root: pathlib.Path, use_git: bool | None = None) -> list[str]:
    """Every problem of the Japanese pages under ``root``, one line each."""
    use_git = is_git_checkout(root) if use_git is None else use_git
    shallow = use_git and _git(root, "rev-parse", "--is-shallow-repository") == "true"
    english_pages = sorted(p.relative_to(root / EN) for p in (root / EN).glob("*.rst"))
    japanese_pages = sorted(p.relative_to(root / JA) for p in (root / JA).glob("*.rst"))
    problems = [f"{JA / page}: missing (the Japanese page of {EN / page})"
                for page in english_pages if page not in japanese_pages]
    problems += [f"{JA / page}: has no English page {EN / page}"
                 for page in japanese_pages if page not in english_pages]
    for page in english_pages:
        if page not in japanese_pages:
            continue
        english, japanese = EN / page, JA / page
        ja_text = (root / japanese).read_text(encoding="utf-8")
        found = structure_problems((root / english).read_text(encoding="utf-8"), ja_text)
        if use_git:
            found += freshness_problems(root, english, japanese)
            found += revision_problems(root, english, ja_text, shallow)
        problems += [f"{japanese}: {problem}" for problem in found]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("root", nargs="?", type=pathlib.Path,
                        default=pathlib.Path(__file__).resolve().parents[1])
    args = parser.parse_args(argv)
    problems = check(args.root)
    for problem in problems:
        print(f"check_ja_docs: {problem}", file=sys.stderr)
    if not problems:
        pages = len(list((args.root / EN).glob("*.rst")))
        print(f"check_ja_docs: {pages} Japanese pages follow their English pages")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
