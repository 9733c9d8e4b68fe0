"""Sphinx configuration of boundaryviz's documentation.

Build it with ``sphinx-build -W docs docs/_build/html`` (after ``pip install -e ".[docs]"``).
Nothing is fetched while building: no intersphinx, no fonts or scripts from a CDN.
"""

import inspect
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))  # _gallery_scraper
if (ROOT / "boundaryviz" / "__init__.py").is_file():
    sys.path.insert(0, str(ROOT))  # document this checkout, not another installed copy

os.environ.setdefault("KERAS_BACKEND", "jax")  # before any example imports Keras
os.environ.setdefault("MPLBACKEND", "Agg")

from _gallery_scraper import EXTRA_DIR  # noqa: E402

import boundaryviz  # noqa: E402

project = "boundaryviz"
author = "the boundaryviz developers"
copyright = "the boundaryviz developers"
release = version = boundaryviz.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_gallery_extra", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "**.codeobj.json"]
templates_path = ["_templates"]
myst_heading_anchors = 3

# ---------------------------------------------------------------------------- API reference
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"inherited-members": False}
autodoc_typehints = "none"  # numpydoc's Parameters section says the types
numpydoc_show_class_members = False  # the class template lists the members itself
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Checked on every docstring the API pages show; a failing check is a warning, and the build
# runs with -W. GL08 is "the object has no docstring".
numpydoc_validation_checks = {
    "GL02",  # closing quotes on the line of the text
    "GL03",  # double blank lines
    "GL06",  # an unknown section
    "GL07",  # sections in the wrong order
    "GL08",  # no docstring
    "SS01",  # no summary
    "SS02",  # a summary starting in lower case
    "SS06",  # a summary over more than one line
    "PR01",  # a parameter not documented
    "PR02",  # a documented parameter that does not exist
    "PR03",  # parameters documented in the wrong order
    "PR04",  # a parameter without a type
    "PR06", "PR07", "PR08", "PR10",
    "RT01",  # no Returns (or Yields) section
    "RT03",  # a return value without a description
    "RT04",
}
# A Protocol's signature is typing's (*args, **kwargs), which the docstring of Model cannot
# document: it is never instantiated, and says so. PR01 is waived for that docstring alone.
numpydoc_validation_overrides = {"PR01": r"A protocol is never instantiated"}


def _check_public_docstrings(app):
    """Fail the build (a warning under -W) for a public name without a docstring."""
    from sphinx.util import logging

    log = logging.getLogger("boundaryviz.docs")
    for name in boundaryviz.__all__:
        obj = getattr(boundaryviz, name)
        if (inspect.isclass(obj) or inspect.isfunction(obj)) and not inspect.getdoc(obj):
            log.warning(f"boundaryviz.{name} is public (in __all__) but has no docstring")
    # Every public name is on the API index, and nothing else is.
    listed = set()
    for line in (HERE / "api" / "index.rst").read_text(encoding="utf-8").splitlines():
        if line.startswith("   ") and line.strip().isidentifier():
            listed.add(line.strip())
        elif line.startswith(".. data:: "):
            listed.add(line.split()[-1])
    for name in sorted(set(boundaryviz.__all__) - listed):
        log.warning(f"boundaryviz.{name} is public (in __all__) but not listed in docs/api/index.rst")
    for name in sorted(listed - set(boundaryviz.__all__)):
        log.warning(f"docs/api/index.rst lists {name}, which is not in boundaryviz.__all__")


# ---------------------------------------------------------------------------- gallery
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py|/_",
    "image_scrapers": ("matplotlib", "_gallery_scraper.scrape_animations"),
    "reset_modules": ("matplotlib", "_gallery_scraper.reset_example_dir"),
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    # its sg_execution_times pages load jQuery and DataTables from a CDN: nothing is fetched
    "write_computation_times": False,
    "image_srcset": [],
    "matplotlib_animations": False,
    "capture_repr": ("_repr_html_", "__repr__"),
    "abort_on_example_error": False,  # every failure is listed at the end, and fails the build
    "only_warn_on_example_error": False,
}

# sphinx-gallery keeps the pages of examples since renamed or deleted, which -W then fails on
# ("document isn't included in any toctree"): drop them before it runs.
for _stale in (HERE / "auto_examples").glob("plot_*.*"):
    if not (ROOT / "examples" / (_stale.name.split(".")[0] + ".py")).is_file():
        _stale.unlink()

# ---------------------------------------------------------------------------- HTML
html_theme = "pydata_sphinx_theme"
html_title = f"boundaryviz {release}"
html_static_path = ["_static"]
html_css_files = ["boundaryviz.css"]
EXTRA_DIR.mkdir(exist_ok=True)
html_extra_path = [str(EXTRA_DIR)]  # the HTML players and gallery pages that examples write
html_theme_options = {
    "navigation_with_keys": False,
    "header_links_before_dropdown": 5,
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "navbar_align": "left",
}
html_show_sourcelink = False
html_last_updated_fmt = None
html_copy_source = False


def setup(app):
    app.connect("builder-inited", _check_public_docstrings)
