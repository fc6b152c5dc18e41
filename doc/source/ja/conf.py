# Sphinx configuration of the Japanese documentation (日本語版).
#
# A separate tree with the same pages and file names as the English one in
# doc/source/, so that a translator can compare the two page by page.
#
#   sphinx-build -W --keep-going -b html -d doc/build/doctrees/ja doc/source/ja doc/build/html/ja

import os
import sys

# The settings shared with the English tree live in doc/source/conf.py.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
from conf import *  # noqa: E402,F401,F403

# The generated command reference in Japanese (the English conf set "C").
os.environ["LANGUAGE"] = "ja"

language = "ja"
exclude_patterns = []
html_title = "fj-osc-actions ドキュメント"


# -- Japanese line breaks ------------------------------------------------------
#
# reStructuredText keeps the line breaks of a paragraph, and browsers show a
# line break between two Japanese characters as a space ("ツ リー"). Join the
# lines of Japanese text where both sides of the break are wide (CJK)
# characters, or one side is Japanese punctuation; other breaks next to
# ASCII words stay spaces ("の API"). Code,
# literals and comments are left alone.

import re  # noqa: E402

from docutils import nodes  # noqa: E402

_WIDE = "\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff1f"
_WIDE_BREAK = re.compile(
    rf"(?<=[{_WIDE}])\n(?=[{_WIDE}])|(?<=[{_PUNCT}])\n|\n(?=[{_PUNCT}])"
)
_IS_WIDE = re.compile(rf"[{_WIDE}]")
_IS_PUNCT = re.compile(rf"[{_PUNCT}]")
_KEEP = (nodes.FixedTextElement, nodes.literal, nodes.raw, nodes.comment)


def _prose(text_node):
    parent = text_node.parent
    while parent is not None:
        if isinstance(parent, _KEEP):
            return False
        parent = parent.parent
    return True


def _block(text_node):
    parent = text_node.parent
    while parent is not None and not isinstance(parent, nodes.TextElement):
        parent = parent.parent
    while parent is not None and isinstance(parent, nodes.Inline):
        parent = parent.parent
    return parent


def _joins(before, after):
    """Whether a line break between these two characters is dropped."""
    if _IS_PUNCT.match(before) or _IS_PUNCT.match(after):
        return True
    return bool(_IS_WIDE.match(before) and _IS_WIDE.match(after))


def join_japanese_lines(app, doctree):
    # Every text node in document order; only prose is changed, and a break
    # at the edge of a node is joined only with the prose right next to it.
    texts = list(doctree.findall(nodes.Text))
    prose = [_prose(t) for t in texts]
    # "\x00 " is an escaped space ("\ " in the source): the writer drops it.
    new_texts = [
        _WIDE_BREAK.sub("", str(t).replace("\x00 ", "")) if p else str(t)
        for t, p in zip(texts, prose)
    ]
    for i in range(len(texts) - 1):
        if not (prose[i] and prose[i + 1]):
            continue
        if _block(texts[i]) is not _block(texts[i + 1]):
            continue
        here, there = new_texts[i], new_texts[i + 1]
        if here.endswith("\n") and len(here) > 1 and there:
            if _joins(here[-2], there[0]):
                new_texts[i] = here[:-1]
        elif there.startswith("\n") and here and len(there) > 1:
            if _joins(here[-1], there[1]):
                new_texts[i + 1] = there[1:]
    for old, new, p in zip(texts, new_texts, prose):
        if p and new != str(old):
            old.parent.replace(old, nodes.Text(new))


def setup(app):
    app.connect("doctree-read", join_japanese_lines)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
