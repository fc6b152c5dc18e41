# Sphinx configuration of the English documentation.
#
# The Japanese documentation is a separate tree, doc/source/ja/, with its own
# conf.py; it is built on its own and is excluded here.
#
#   sphinx-build -W --keep-going -b html -d doc/build/doctrees/en doc/source doc/build/html/en
#   sphinx-build -W --keep-going -b html -d doc/build/doctrees/ja doc/source/ja doc/build/html/ja

import os
import sys

# The command reference is generated from the plugin's help, which follows
# the locale: English here, whoever builds the docs.
os.environ["LANGUAGE"] = "C"

# Let autodoc import the package from this checkout even when it is not
# installed; the command reference (autoprogram-cliff) reads the
# entry points, so for that the package must be installed (pip install -e .).
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))

project = "fj-osc-actions"
copyright = "fj-osc-actions developers"
author = "fj-osc-actions developers"

extensions = [
    "sphinx.ext.autodoc",
    "cliff.sphinxext",
]

language = "en"
master_doc = "index"
source_suffix = {".rst": "restructuredtext"}

# The Japanese tree has its own conf.py and build.
exclude_patterns = ["ja", "ja/**"]

# autoprogram-cliff: commands are shown as "openstack server action ...".
autoprogram_cliff_application = "openstack"

autodoc_member_order = "bysource"
autodoc_default_options = {
    "members": True,
    "undoc-members": True,
    "show-inheritance": True,
}

html_theme = "alabaster"
# Wide enough for the command output tables.
html_theme_options = {"page_width": "1240px", "body_max_width": "none"}
html_title = "fj-osc-actions documentation"
html_static_path = []
html_show_sourcelink = False
