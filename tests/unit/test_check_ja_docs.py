"""tools/check_ja_docs.py on small trees of pages, with and without git history."""

from __future__ import annotations

import os
import pathlib
import subprocess
import tempfile
import unittest

from tools import check_ja_docs

ENGLISH = """\
=====
Title
=====

Intro.

Usage
=====

Run it:

.. code-block:: console

   $ openstack server action list web-01   # the actions
   +----+
   | ID |
   +----+

Details
-------

Output::

   some output
"""

JAPANESE = """\
========
タイトル
========

はじめに。

使い方
======

実行します。

.. code-block:: console

   $ openstack server action list web-01   # アクション
   +----+
   | ID |
   +----+

詳細
----

出力

::

   出力の例
"""

GIT_IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}


class StructureTest(unittest.TestCase):
    def test_headings_and_levels(self):
        self.assertEqual([(1, "Title"), (2, "Usage"), (3, "Details")],
                         [(h.level, h.title) for h in check_ja_docs.headings(ENGLISH)])
        self.assertEqual([1, 2, 3], [h.level for h in check_ja_docs.headings(JAPANESE)])
        # A two-character title needs no more than its width; "::" is no underline.
        self.assertEqual([(1, "例")], [(h.level, h.title) for h in check_ja_docs.headings("例\n==\n")])
        self.assertEqual([], check_ja_docs.headings("A paragraph\n::\n\n   block\n"))

    def test_code_blocks_and_their_commands(self):
        blocks = check_ja_docs.code_blocks(ENGLISH)
        self.assertEqual(["console", "literal"], [b.kind for b in blocks])
        self.assertEqual(("$ openstack server action list web-01",), blocks[0].commands)
        self.assertEqual(["console", "literal"], [b.kind for b in check_ja_docs.code_blocks(JAPANESE)])
        prompt = ".. code-block:: console\n\n   (osc) $ pip install fj-osc-actions\n   text\n"
        self.assertEqual(("(osc) $ pip install fj-osc-actions",),
                         check_ja_docs.code_blocks(prompt)[0].commands)

    def test_a_faithful_translation_passes(self):
        self.assertEqual([], check_ja_docs.structure_problems(ENGLISH, JAPANESE))

    def test_a_missing_section_is_located_by_its_code_blocks(self):
        japanese = JAPANESE.replace("使い方\n======\n", "")
        self.assertEqual(
            ["2 sections, English has 3; they differ at English section 2 'Usage' (level 2, line 7)"],
            check_ja_docs.structure_problems(ENGLISH, japanese))

    def test_another_level(self):
        japanese = JAPANESE.replace("詳細\n----\n", "詳細\n====\n")
        self.assertEqual(
            ["3 sections, English has 3; they differ at English section 3 'Details' (level 3, line 19)"],
            check_ja_docs.structure_problems(ENGLISH, japanese))

    def test_another_kind_of_code_block(self):
        japanese = JAPANESE.replace("出力\n\n::\n", "出力\n\n.. code-block:: text\n")
        self.assertEqual(
            ["2 code blocks, English has 2; they differ at English block 2 (literal, line 22)"],
            check_ja_docs.structure_problems(ENGLISH, japanese))

    def test_other_commands(self):
        japanese = JAPANESE.replace("list web-01", "list web-02")
        self.assertEqual(
            ["code block 1 (line 12) has other commands than the English one (line 12): "
             "missing '$ openstack server action list web-01'; "
             "not in English '$ openstack server action list web-02'"],
            check_ja_docs.structure_problems(ENGLISH, japanese))


class TreeTest(unittest.TestCase):
    def setUp(self):
        self.root = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(subprocess.run, ["rm", "-rf", str(self.root)], check=True)
        (self.root / "doc/source/ja").mkdir(parents=True)

    def write(self, path: str, text: str) -> None:
        (self.root / path).write_text(text, encoding="utf-8")

    def git(self, *args: str) -> str:
        return subprocess.run(["git", "-C", str(self.root), *args], capture_output=True, text=True,
                              check=True, env={**os.environ, **GIT_IDENTITY}).stdout.strip()

    def commit(self, message: str, *paths: str) -> str:
        self.git("add", *paths)
        self.git("commit", "-q", "-m", message)
        return self.git("rev-parse", "--short", "HEAD")

    def test_missing_and_orphan_pages(self):
        self.write("doc/source/usage.rst", ENGLISH)
        self.write("doc/source/ja/old.rst", JAPANESE)
        self.assertEqual(
            ["doc/source/ja/usage.rst: missing (the Japanese page of doc/source/usage.rst)",
             "doc/source/ja/old.rst: has no English page doc/source/old.rst"],
            check_ja_docs.check(self.root, use_git=False))

    def test_git_history_decides_what_is_followed(self):
        self.git("init", "-q")
        self.write("doc/source/usage.rst", ENGLISH)
        self.write("doc/source/ja/usage.rst", JAPANESE)
        self.commit("both", "doc")
        self.assertEqual([], check_ja_docs.check(self.root))
        # An English change in the working tree, then committed alone.
        self.write("doc/source/usage.rst", ENGLISH + "\nMore.\n")
        self.assertEqual(["doc/source/ja/usage.rst: doc/source/usage.rst is changed in the working "
                          "tree, usage.rst is not"], check_ja_docs.check(self.root))
        english_only = self.commit("English only", "doc/source/usage.rst")
        problems = check_ja_docs.check(self.root)
        self.assertEqual(1, len(problems))
        self.assertIn("does not follow 1 later English commit(s) of usage.rst "
                      f"(newest: {english_only} English only)", problems[0])
        # Recording that it needs no translation is following it.
        self.write("doc/source/ja/usage.rst", JAPANESE + f"\n.. English revision: {english_only}\n")
        self.commit("ja: nothing to translate", "doc/source/ja/usage.rst")
        self.assertEqual([], check_ja_docs.check(self.root))
        # Both in one commit is followed too.
        self.write("doc/source/usage.rst", ENGLISH + "\nMore, again.\n")
        self.write("doc/source/ja/usage.rst", JAPANESE + "\nもっと。\n")
        self.commit("both again", "doc")
        self.assertEqual([], check_ja_docs.check(self.root))

    def test_a_recorded_revision_must_be_an_english_commit(self):
        self.git("init", "-q")
        self.write("doc/source/usage.rst", ENGLISH)
        self.write("doc/source/ja/usage.rst", JAPANESE)
        self.commit("both", "doc")
        self.write("README", "x")
        other = self.commit("not the page", "README")
        self.write("doc/source/ja/usage.rst", JAPANESE + f"\n.. English revision: {other}\n"
                   ".. English revision: 0123abcd\n")
        self.assertEqual(
            [f"doc/source/ja/usage.rst: '.. English revision: {other}' is not a commit of usage.rst",
             "doc/source/ja/usage.rst: '.. English revision: 0123abcd' is not a commit"],
            check_ja_docs.check(self.root))

    def test_a_shallow_clone_sees_a_change_it_has(self):
        self.git("init", "-q")
        self.write("doc/source/usage.rst", ENGLISH)
        self.write("doc/source/ja/usage.rst", JAPANESE)
        self.commit("both", "doc")
        for n in range(3):
            self.write("README", str(n))
            self.commit(f"other {n}", "README")
        self.write("doc/source/usage.rst", ENGLISH + "\nMore.\n")
        self.commit("English only", "doc/source/usage.rst")
        clone = pathlib.Path(tempfile.mkdtemp())
        self.addCleanup(subprocess.run, ["rm", "-rf", str(clone)], check=True)
        subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{self.root}", str(clone / "c")],
                       check=True, capture_output=True)
        problems = check_ja_docs.check(clone / "c")
        self.assertEqual(1, len(problems))
        self.assertIn("does not follow 1 later English commit(s)", problems[0])
