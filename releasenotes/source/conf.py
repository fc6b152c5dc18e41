# Sphinx configuration of the release notes (reno).
#
#   sphinx-build -W -b html releasenotes/source releasenotes/build/html
#
# reno reads the notes from the git history: commit a note before building.

project = "fj-osc-actions Release Notes"
copyright = "fj-osc-actions developers"
author = "fj-osc-actions developers"

extensions = ["reno.sphinxext"]

master_doc = "index"
source_suffix = {".rst": "restructuredtext"}
exclude_patterns = []

html_theme = "alabaster"
# Wide enough for the command output tables.
html_theme_options = {"page_width": "1240px", "body_max_width": "none"}
html_static_path = []
html_show_sourcelink = False
