"""Show in the gallery what an example writes: its GIFs, pictures, HTML players and pages.

An example is a plain script that writes its files into the folder it runs in, as a reader's
script would (``bv.save_animation(history, "reference.gif")``). After each code block this
scraper moves every file the block wrote out of ``examples/``:

- ``.gif``, ``.webp`` and ``.png`` files become images of the example page (the first of them
  is the gallery's thumbnail, unless the example names another);
- an ``.html`` file (an HTML player) goes to ``docs/_gallery_extra/auto_examples/players/`` and
  is shown in an ``<iframe>``; Sphinx copies that folder into the built site
  (``html_extra_path``);
- a folder holding an ``index.html`` (a gallery page with its animations) goes to
  ``docs/_gallery_extra/auto_examples/pages/`` and is shown in an ``<iframe>`` too, with its
  ``summary.png`` as an image.

Other files an example leaves (``.mp4`` ...) are removed, so the source tree stays clean.
"""

import html
import shutil
from pathlib import Path

from sphinx_gallery.scrapers import figure_rst

HERE = Path(__file__).resolve().parent
EXTRA_DIR = HERE / "_gallery_extra"  # generated, ignored by git
_SOURCES = {".py", ".txt", ".rst"}
_IMAGES = {".gif", ".webp", ".png"}


def _written(folder):
    """Files and folders in the example's folder that are not sources, oldest first."""
    found = [p for p in folder.iterdir()
             if not p.name.startswith(("_", ".")) and (p.is_dir() or p.suffix not in _SOURCES)]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))


def _iframe(src, title, height):
    src, title = html.escape(src), html.escape(title)
    return (f'\n.. raw:: html\n\n'
            f'    <div class="bv-frame"><iframe src="{src}" title="{title}" loading="lazy" '
            f'style="height: {height}px"></iframe>\n'
            f'    <p><a href="{src}">Open {title} on its own page</a></p></div>\n\n')


def _player_height(path):
    """The player's frame height plus its controls, read from its <img> or canvas size."""
    import re

    text = path.read_text(encoding="utf-8", errors="replace")
    match = re.search(r'height="(\d+)"', text)
    return (int(match.group(1)) if match else 560) + 60


def scrape_animations(block, block_vars, gallery_conf):
    """Sphinx-gallery image scraper: move what the block wrote into the built pages."""
    folder = Path(block_vars["src_file"]).parent
    example = Path(block_vars["src_file"]).stem
    images, rst = [], ""
    for path in _written(folder):
        if path.is_dir():
            if (path / "index.html").is_file():
                target = EXTRA_DIR / "auto_examples" / "pages" / f"{example}_{path.name}"
                shutil.rmtree(target, ignore_errors=True)
                target.parent.mkdir(parents=True, exist_ok=True)
                if (path / "summary.png").is_file():
                    image = Path(next(block_vars["image_path_iterator"])).with_suffix(".png")
                    shutil.copyfile(path / "summary.png", image)
                    images.append(image)
                shutil.move(str(path), target)
                rst += _iframe(f"pages/{target.name}/index.html", f"the gallery page {path.name}/index.html",
                               720)
            else:
                shutil.rmtree(path)
        elif path.suffix in _IMAGES:
            image = Path(next(block_vars["image_path_iterator"])).with_suffix(path.suffix)
            shutil.move(str(path), image)
            images.append(image)
        elif path.suffix == ".html":
            target = EXTRA_DIR / "auto_examples" / "players" / f"{example}_{path.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            height = _player_height(path)
            shutil.move(str(path), target)
            rst += _iframe(f"players/{target.name}", f"the player {path.name}", height)
        else:
            path.unlink()
    if images:
        rst = figure_rst(images, gallery_conf["src_dir"]) + rst
    return rst


def reset_example_dir(gallery_conf, fname, when):
    """Before an example runs, clear what a failed earlier run may have left in examples/."""
    if when != "before":
        return
    folder = Path(gallery_conf["examples_dirs"][0] if isinstance(gallery_conf["examples_dirs"], list)
                  else gallery_conf["examples_dirs"])
    for path in _written(folder):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
