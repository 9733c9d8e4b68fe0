"""The documentation: docstring examples as doctests, and the site built and browsed.

The site is built once per session, from a copy of ``docs/`` and ``examples/`` in a temporary
folder, with ``sphinx-build -W`` (warnings are errors), so every example runs in this build.
Then headless Chromium opens every page, follows every internal link, image and iframe, and
takes three screenshots (into ``$BOUNDARYVIZ_DOCS_SCREENSHOTS`` when set, else a temporary
folder). Without Sphinx or its extensions the site tests skip locally and fail on CI.
"""

import doctest
import functools
import importlib.util
import inspect
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest

import boundaryviz as bv

ROOT = Path(__file__).resolve().parents[1]
DOCS_EXTRAS = ("sphinx", "sphinx_gallery", "numpydoc", "pydata_sphinx_theme", "myst_parser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
BUILD_TIMEOUT = 600  # seconds; the build takes about a minute on two cores
# Frameworks a docstring example may need; its doctest skips where one is not installed.
OPTIONAL = {"torch": "torch", "keras": "keras", "dask": "distributed", "distributed": "distributed",
            "ipywidgets": "ipywidgets", "IPython": "IPython"}


# ---------------------------------------------------------------------------- doctests
def _public_objects():
    """The package's own docstring, then every public class and function, by public name."""
    yield "boundaryviz", bv
    for name in sorted(bv.__all__):
        obj = getattr(bv, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            yield f"boundaryviz.{name}", obj


def test_every_public_name_has_a_docstring():
    missing = [name for name, obj in _public_objects() if not inspect.getdoc(obj)]
    assert not missing, f"public names without a docstring: {missing}"


def _modules():
    """The package's modules with docstring examples, found by walking it (so the list follows
    any restructure). Importing them imports no optional framework."""
    names = [bv.__name__] + [m.name for m in pkgutil.walk_packages(bv.__path__, bv.__name__ + ".")]
    finder = doctest.DocTestFinder()
    return [name for name in names if not name.endswith("__main__")
            and any(t.examples for t in finder.find(importlib.import_module(name)))]


def _needs_missing_framework(test):
    source = "\n".join(example.source for example in test.examples)
    for word, package in OPTIONAL.items():
        if re.search(rf"\b(import|from)\s+{word}\b", source) and importlib.util.find_spec(package) is None:
            return package
    return None


@pytest.mark.parametrize("module_name", _modules())
def test_docstring_examples(module_name, tmp_path, monkeypatch):
    """The examples in a module's docstrings run as written, in a scratch folder.

    A docstring whose example imports PyTorch, Keras, Dask or IPython is skipped (and named)
    where that framework is not installed; the module itself never imports one.
    """
    module = importlib.import_module(module_name)
    tests = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    skipped = {t.name: _needs_missing_framework(t) for t in tests}
    skipped = {name: package for name, package in skipped.items() if package}
    monkeypatch.chdir(tmp_path)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        if test.name not in skipped:
            runner.run(test, out=lambda text: print(text, end=""))
    assert runner.failures == 0, f"{runner.failures} of {runner.tries} examples in {module_name} failed (output above)"
    if skipped:
        pytest.skip(f"not run, their framework is not installed: {skipped}")


def test_every_public_example_is_run():
    """Each public name with examples lives in a module that test_docstring_examples walks."""
    walked = set(_modules())
    for name, obj in _public_objects():
        if obj is not bv and any(t.examples for t in doctest.DocTestFinder().find(obj, name)):
            assert inspect.getmodule(obj).__name__ in walked, name


# ---------------------------------------------------------------------------- the site
class Site:
    def __init__(self, src, html, started):
        self.src, self.html, self.started = src, html, started


def _require_docs_extras():
    """Skip (fail on CI) where the docs extra, or the frameworks its examples use, are missing."""
    missing = [m for m in DOCS_EXTRAS + ("torch", "keras", "jax") if importlib.util.find_spec(m) is None]
    if missing:
        why = (f"the docs extra is not installed ({', '.join(missing)}; the gallery's examples "
               f"use PyTorch and Keras): pip install -e \".[docs]\"")
        if os.environ.get("CI"):
            pytest.fail(f"CI builds the documentation, but {why}")
        pytest.skip(why)


def build_site(src_root, html):
    """Copy docs/ and examples/ (no generated files) into src_root and build them into html."""
    generated = shutil.ignore_patterns("_build", "auto_examples", "generated", "_gallery_extra",
                                       "__pycache__", "*.gif", "*.png",
                                       "*.html")
    shutil.copytree(ROOT / "docs", src_root / "docs", ignore=generated)
    shutil.copy2(ROOT / "docs" / "example.gif", src_root / "docs" / "example.gif")
    shutil.copytree(ROOT / "examples", src_root / "examples", ignore=generated)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               KERAS_BACKEND=os.environ.get("KERAS_BACKEND", "jax"), MPLBACKEND="Agg")
    started = time.time()
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html",
                           str(src_root / "docs"), str(html)],
                          capture_output=True, text=True, env=env, timeout=BUILD_TIMEOUT)
    assert proc.returncode == 0, f"sphinx-build -W failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    return Site(src_root, html, started)


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    _require_docs_extras()
    base = tmp_path_factory.mktemp("docs")
    return build_site(base / "src", base / "html")


class _Refs(HTMLParser):
    """The links, images, iframes, scripts and stylesheets of a page, and its element ids."""

    def __init__(self):
        super().__init__()
        self.refs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for attr in ("href", "src"):
            if attrs.get(attr) is not None and tag in ("a", "img", "iframe", "script", "link", "source", "video"):
                self.refs.append((tag, attr, attrs[attr], attrs.get("rel", "")))


def _refs(path):
    parser = _Refs()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def test_every_example_ran_in_this_build(site):
    """Each example has its page, ran in this build, and shows at least one picture it made."""
    examples = sorted(p.stem for p in (ROOT / "examples").glob("plot_*.py"))
    assert len(examples) >= 12
    images = site.src / "docs" / "auto_examples" / "images"
    for stem in examples:
        page = site.html / "auto_examples" / f"{stem}.html"
        assert page.is_file(), f"no page for examples/{stem}.py"
        generated = site.src / "docs" / "auto_examples" / f"{stem}.rst"
        ran = re.search(r"Total running time of the script:\*\* \(\d+ minutes ([\d.]+) seconds\)",
                        generated.read_text(encoding="utf-8"))
        assert ran and generated.stat().st_mtime >= site.started - 1, f"examples/{stem}.py did not run in this build"
        made = sorted(images.glob(f"sphx_glr_{stem}_[0-9][0-9][0-9].*"))
        assert made, f"examples/{stem}.py showed no picture"
        script_mtime = (site.src / "examples" / f"{stem}.py").stat().st_mtime
        for image in made:
            mtime = image.stat().st_mtime
            assert mtime >= site.started - 1 and mtime >= script_mtime, f"{image.name} is older than this build"
            shown = [src for tag, _, src, _ in _refs(page).refs if tag == "img"]
            assert any(src.endswith(image.name) for src in shown), f"{image.name} is not shown on {page.name}"
        if stem == "plot_11_html_player":
            player = site.src / "docs" / "_gallery_extra" / "auto_examples" / "players" / f"{stem}_player.html"
            assert player.stat().st_mtime >= site.started - 1, "the player is older than this build"
            assert (site.html / "auto_examples" / "players" / player.name).is_file()


def test_every_api_name_has_a_page(site):
    for name, obj in _public_objects():
        if obj is bv:
            continue
        page = site.html / "api" / "generated" / f"{name}.html"
        assert page.is_file(), f"no API page for {name}"
        assert name.split(".")[-1] in page.read_text(encoding="utf-8")


def test_nothing_is_fetched_from_elsewhere(site):
    """No page loads a script, stylesheet, font, image or frame from another host."""
    offenders = []
    for page in site.html.rglob("*.html"):
        for tag, attr, url, _ in _refs(page).refs:
            if tag == "a":
                continue
            if urlsplit(url).scheme in ("http", "https") or url.startswith("//"):
                offenders.append(f"{page.relative_to(site.html)}: <{tag} {attr}={url}>")
    for css in site.html.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", css.read_text(encoding="utf-8", errors="replace")):
            offenders.append(f"{css.relative_to(site.html)}: url({url})")
    assert not offenders, "external resources:\n" + "\n".join(offenders)


@pytest.fixture(scope="session")
def served(site):
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site.html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")  # not the session: test_gallery's and test_player's own Playwright
def browser(chromium):            # cannot start while this one holds its event loop open
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def crawl(browser, base):
    """Open every internal page in Chromium from index.html; return what is broken.

    Every link, image, iframe, script and stylesheet that points inside the site is
    followed: HTML pages are opened (and crawled in turn), everything else is fetched, and a
    link to ``page.html#anchor`` needs an element with that id. Requests the browser makes to
    another host are listed too.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside, problems, pages = [], [], {}
    context.on("request", lambda r: None if r.url.startswith((base, "data:", "blob:", "about:")) else outside.append(r.url))
    page = context.new_page()
    todo, seen, fetched = [urljoin(base, "index.html")], set(), {}
    anchors = []  # (from page, url, fragment)
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            problems.append(f"{url}: HTTP {response and response.status}")
            continue
        found = page.evaluate("""() => {
            const out = [];
            for (const el of document.querySelectorAll('a[href], img[src], iframe[src], script[src], link[href], source[src]')) {
                const url = el.tagName === 'A' || el.tagName === 'LINK' ? el.href : el.src;
                out.push([el.tagName.toLowerCase(), url]);
            }
            const ids = Array.from(document.querySelectorAll('[id], a[name]'), e => e.id || e.name);
            return [out, ids];
        }""")
        pages[url] = set(found[1])
        for tag, ref in found[0]:
            if not ref.startswith(base):
                continue
            target, fragment = urldefrag(ref)
            if fragment and tag == "a" and "=" not in fragment:  # "#epoch=40" is a player's state
                anchors.append((url, target, unquote(fragment)))
            if target.endswith((".html", "/")) and tag in ("a", "iframe"):
                todo.append(target if not target.endswith("/") else target + "index.html")
            elif target not in fetched:
                fetched[target] = url
    for target, origin in fetched.items():
        response = context.request.get(target)
        if response.status != 200 or not response.body():
            problems.append(f"{origin} -> {target}: HTTP {response.status}")
    for origin, target, fragment in anchors:
        if target in pages and fragment not in pages[target]:
            problems.append(f"{origin} -> {target}#{fragment}: no such anchor")
    context.close()
    return pages, fetched, problems, outside


def test_every_link_image_and_iframe_works(browser, served):
    pages, fetched, problems, outside = crawl(browser, served)
    assert len(pages) > 50, f"only {len(pages)} pages reached from index.html"
    assert any(u.endswith(".gif") for u in fetched) and any("/players/" in u for u in pages)
    assert not problems, "broken:\n" + "\n".join(problems)
    assert not outside, "requests to other hosts:\n" + "\n".join(sorted(set(outside)))


SCREENSHOTS = {
    "gallery_index.png": "auto_examples/index.html",
    "example_reference.png": "auto_examples/plot_01_reference.html",
    "api_train.png": "api/generated/boundaryviz.train.html",
}


@pytest.mark.parametrize("name, path", SCREENSHOTS.items())
def test_screenshots(browser, served, name, path, tmp_path_factory):
    """Three pages as a reader sees them; every image on them has loaded and has a size."""
    folder = Path(os.environ.get("BOUNDARYVIZ_DOCS_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(urljoin(served, path), wait_until="load")
        for handle in page.query_selector_all("img"):
            handle.scroll_into_view_if_needed()
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_function("Array.from(document.images).every(i => i.complete)")
        broken = page.evaluate("Array.from(document.images).filter(i => !i.naturalWidth).map(i => i.src)")
        assert not broken, f"images that did not load on {path}: {broken}"
        page.screenshot(path=str(folder / name), full_page=False)
    finally:
        page.close()
    assert (folder / name).stat().st_size > 10_000
