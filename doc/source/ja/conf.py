# Sphinx configuration of the Japanese documentation (日本語版).
#
# A separate tree with the same pages and file names as the English one in
# doc/source/, so that a translator can compare the two page by page.
#
#   sphinx-build -W --keep-going -b html -d doc/build/doctrees/ja doc/source/ja doc/build/html/ja

import os
import sys

sys.path.insert(
    0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
)

project = "fj-osc-actions"
copyright = "fj-osc-actions developers"
author = "fj-osc-actions developers"

extensions = [
    "sphinx.ext.autodoc",
    "cliff.sphinxext",
]

language = "ja"
master_doc = "index"
source_suffix = {".rst": "restructuredtext"}
exclude_patterns = []

autoprogram_cliff_application = "openstack"

autodoc_member_order = "bysource"
autodoc_default_options = {
    "members": True,
    "undoc-members": True,
    "show-inheritance": True,
}

html_theme = "alabaster"
html_title = "fj-osc-actions ドキュメント"
html_static_path = []
html_show_sourcelink = False
