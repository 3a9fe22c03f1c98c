"""Sphinx settings for the course website (`make site`). scripts/site.py copies this next to the pages it writes."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # course_site.py, the course's own extension

project = "Recurrent Neural Networks, Interactively"
author = "the course's authors"
copyright = "the course's authors"
html_title = project

extensions = ["myst_nb", "course_site"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# The notebooks are shown with the outputs stored in them: nothing runs while the site is built.
nb_execution_mode = "off"
# A widget's stored picture (PNG) or its HTML stands in for it; no widget JavaScript is loaded.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

html_theme = "sphinx_book_theme"
html_theme_options = {
    "show_toc_level": 2,
    "navigation_with_keys": True,
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
}
html_static_path = ["_static"]
html_css_files = ["course.css"]
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_favicon = "_static/favicon.svg"
html_context = {"default_mode": "light"}  # the theme's light mode unless the reader picks another
