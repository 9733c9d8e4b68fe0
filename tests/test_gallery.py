"""The gallery of a small sweep: files, determinism, the page's content, and the page in Chromium."""

import functools
import os
import random
import shutil
import threading
import time
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from conftest import has, need
from PIL import Image
from readback import sha256

import boundaryviz as bv
from boundaryviz.cli.command import main
from boundaryviz.gallery import build as gallery
from boundaryviz.output.animation import frame_indices
from boundaryviz.runs.run import RunResult

# MP4 needs the video extra: without it the gallery is tested in GIF and WebP, and only the
# MP4 parts skip (test_gallery_has_mp4_with_the_video_extra says so; on CI it fails).
VIDEO = has("imageio_ffmpeg")
FORMATS = ("gif", "mp4", "webp") if VIDEO else ("gif", "webp")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-gpu"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """Six short runs (two stop early) in every format, small frames, and their gallery."""
    out = tmp_path_factory.mktemp("gallery")
    specs = bv.reference_specs(bv.gaussians(), out, epochs=16, stop_loss=0.7, formats=FORMATS,
                               render={"size": (480, 280), "resolution": 30}, max_frames=0, tiles=True)
    results = list(bv.run_sweep(specs, jobs=1))
    random.Random(0).shuffle(results)  # as if finished in any order
    files = bv.write_gallery(results, out, formats=FORMATS)
    return out, results, files


class _Page(HTMLParser):
    """Tags with their attributes, and the text of each <code> block."""

    def __init__(self):
        super().__init__()
        self.tags = []
        self.code = []
        self.text = []
        self._in_code = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "code":
            self._in_code = True
            self.code.append("")

    def handle_endtag(self, tag):
        if tag == "code":
            self._in_code = False

    def handle_data(self, data):
        if self._in_code:
            self.code[-1] += data
        self.text.append(data)


def _parse(path):
    page = _Page()
    page.feed(open(path, encoding="utf-8").read())
    return page


# ---------------------------------------------------------------------------- the files
def test_gallery_has_mp4_with_the_video_extra():
    need("imageio_ffmpeg")
    assert "mp4" in FORMATS


def test_gallery_files(sweep):
    out, _, files = sweep
    names = [os.path.basename(p) for p, _ in files]
    assert names == ["index.html", "summary.png", *(f"compare.{fmt}" for fmt in FORMATS)]
    for path, size in files:
        assert os.path.getsize(path) == size > 0
    assert not [n for n in os.listdir(out) if n.endswith(".partial")]


def test_summary_is_a_grid_without_time_stamps(sweep, tmp_path):
    out, results, _ = sweep
    path = out / "summary.png"
    with Image.open(path) as image:
        assert image.mode == "RGB"
        width, height = image.size
        # 3 columns of 640-pixel tiles, 2 rows of 373-pixel tiles, plus labels
        assert 3 * 640 < width < 3 * 640 + 250 and 2 * 373 < height < 2 * 373 + 250
    data = path.read_bytes()
    assert b"tIME" not in data and b"tEXt" not in data and b"iTXt" not in data
    again = gallery.write_summary(list(reversed(results)), tmp_path / "summary.png")
    assert sha256(again) == sha256(path)


def test_compare_advances_together_and_marks_stopped_runs(sweep):
    out, results, _ = sweep
    histories = [r.history for r in results]
    last = max(h.epochs_run for h in histories)
    stopped = [h for h in histories if h.epochs_run < last]
    assert len(stopped) == 2  # relu and tanh at learning rate 0.1 reach the stop loss early
    # the compare shows the longest run's frames (kept by its worker), at most 60 of them
    longest = max(results, key=lambda r: r.history.epochs_run)
    assert len(longest.tiles) == last + 1  # max_frames=0: a frame per epoch
    n = len(frame_indices(len(longest.tiles), gallery.COMPARE_MAX_FRAMES))
    red = np.array(gallery.STOPPED, np.uint8)
    with Image.open(out / "compare.gif") as image:
        assert image.n_frames == n
        image.seek(0)
        first = np.asarray(image.convert("RGB"))
        image.seek(n - 1)
        final = np.asarray(image.convert("RGB"))
    width = 240  # half of the runs' 480-pixel frames
    # no stopped frame yet (a few antialiased pixels may map to the palette's red)
    assert np.all(first == red, axis=-1).sum() < 50
    # a 3-pixel red frame around each stopped tile (and its red label)
    assert np.all(final == red, axis=-1).sum() > len(stopped) * 3 * 2 * width
    webp = Image.open(out / "compare.webp")
    assert webp.n_frames == n


def test_index_embeds_every_animation(sweep):
    out, results, _ = sweep
    page = _parse(out / "index.html")
    images = [a["src"] for t, a in page.tags if t == "img"]
    videos = [a for t, a in page.tags if t == "video"]
    expected_images = sorted(os.path.basename(p) for r in results for p, _ in r.files if not p.endswith(".mp4"))
    expected_videos = sorted(os.path.basename(p) for r in results for p, _ in r.files if p.endswith(".mp4"))
    assert sorted(images) == sorted(expected_images + ["summary.png", "compare.gif", "compare.webp"])
    assert sorted(v["src"] for v in videos) == sorted(expected_videos + (["compare.mp4"] if VIDEO else []))
    for video in videos:
        assert {"autoplay", "muted", "loop", "playsinline"} <= set(video)
        assert int(video["width"]) % 2 == 0 and int(video["height"]) % 2 == 0
    for tag, attrs in page.tags:
        if tag == "img":
            assert attrs["alt"] and int(attrs["width"]) > 0


def test_index_captions_and_snippets(sweep):
    out, results, _ = sweep
    page = _parse(out / "index.html")
    text = " ".join(page.text)
    for r in results:
        s = r.summary
        for needle in (s["activation"], f"{s['learning_rate']:g}", f"{s['epochs_run']} of 16", s["stop_reason"],
                       f"{s['final_loss']:.4f}", f"{s['final_accuracy']:.1%}"):
            assert needle in text
    # the snippets are shown as text (escaped in the page), ready to paste
    assert '<img src="relu_lr0.1.gif" width="480" height="280" alt="A 2 → 2 → 1 relu network' in "\n".join(page.code)
    assert any(c.startswith("![A 2 → 2 → 1 tanh network") and c.endswith("](tanh_lr0.01.webp)") for c in page.code)
    assert any(c.startswith('<video src="relu_lr0.001.mp4"') for c in page.code) == VIDEO
    raw = (out / "index.html").read_text(encoding="utf-8")
    assert "<pre><code>&lt;img src=&quot;relu_lr0.1.gif&quot;" in raw


def test_index_is_self_contained(sweep):
    out, _, _ = sweep
    page = _parse(out / "index.html")
    raw = (out / "index.html").read_text(encoding="utf-8")
    assert not [t for t, _ in page.tags if t in ("script", "link", "iframe", "object", "embed", "base")]
    ids = {attrs["id"] for _, attrs in page.tags if "id" in attrs}
    for _, attrs in page.tags:
        for key in ("src", "href", "poster"):
            if key in attrs:
                assert "://" not in attrs[key] and not attrs[key].startswith(("/", "data:")), attrs
                if attrs[key].startswith("#"):  # a place on the page itself
                    assert attrs[key][1:] in ids, attrs
                else:
                    assert os.path.exists(out / attrs[key])
    assert "url(" not in raw and "@import" not in raw and "@font-face" not in raw


def test_index_same_bytes_whatever_the_order(sweep, tmp_path):
    out, results, files = sweep
    extras = [p for p, _ in files[1:]]
    before = sha256(out / "index.html")
    gallery.write_index(list(reversed(results)), out, extras=extras)
    assert sha256(out / "index.html") == before


def test_runs_kept_from_an_earlier_sweep_are_listed_without_statistics(sweep, tmp_path):
    out, results, _ = sweep
    kept = [RunResult(r.name, {}, r.files, skipped=True) for r in results]
    assert gallery.write_summary(kept, tmp_path / "summary.png") is None
    assert gallery.write_compare(kept, tmp_path) == []
    index = gallery.write_index(kept, tmp_path)
    page = _parse(index)
    assert "kept from an earlier run (no statistics)" in " ".join(page.text)


def test_gallery_checks_its_input(tmp_path):
    with pytest.raises(ValueError, match="format must be one of"):
        bv.write_gallery([], tmp_path, formats=("avi",))
    with pytest.raises(ValueError, match="is not a folder"):
        bv.write_gallery([], tmp_path / "missing")
    with pytest.raises(TypeError, match="RunResults"):
        bv.write_gallery(["relu_lr0.1.gif"], tmp_path)
    assert bv.write_gallery([], tmp_path) == []


# ------------------------------------------------------------------------------ the CLI
TINY = ["--activations", "relu", "--learning-rates", "0.1,0.01", "--epochs", "2", "--resolution", "10", "-q"]


def test_cli_writes_the_gallery_and_lists_it(tmp_path, capsys):
    assert main([*TINY, "--out", str(tmp_path)]) == 0
    table = capsys.readouterr().out
    for name in ("index.html", "summary.png", "compare.gif"):
        assert (tmp_path / name).exists()
        assert name in table
    assert "gallery" in table


def test_cli_gallery_is_the_same_after_a_resume(tmp_path):
    # a run kept by --skip-existing brings no tiles: the gallery draws it again, and must draw
    # what its worker kept (same frames, size, resolution, palette)
    args = [*TINY, "--stop-loss", "0.69", "--max-frames", "0", "--epochs", "5"]
    first, again = tmp_path / "first", tmp_path / "again"
    assert main([*args, "--out", str(first)]) == 0
    shutil.copytree(first, again)
    os.remove(again / "relu_lr0.1.gif")  # redrawn by a worker; relu_lr0.01 is kept as it is
    assert main([*args, "--out", str(again), "--skip-existing"]) == 0
    for name in ("compare.gif", "summary.png", "relu_lr0.1.gif", "relu_lr0.01.gif"):
        assert sha256(first / name) == sha256(again / name), name


def test_cli_no_gallery(tmp_path, capsys):
    assert main([*TINY, "--out", str(tmp_path), "--no-gallery"]) == 0
    assert sorted(os.listdir(tmp_path)) == ["relu_lr0.01.gif", "relu_lr0.1.gif"]
    assert "index.html" not in capsys.readouterr().out


# ----------------------------------------------------------------------------- Chromium


@pytest.fixture
def served(sweep):
    """The gallery folder over HTTP on 127.0.0.1 (an ephemeral port)."""
    out = sweep[0]

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def test_gallery_plays_in_chromium(chromium, served):
    from playwright.sync_api import sync_playwright

    requests = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.goto(served + "index.html", wait_until="load")

            # the runs' images load lazily: scrolled into view, each one loads
            lazy = page.eval_on_selector_all("img[loading=lazy]", "els => els.length")
            assert lazy == 12
            for img in page.locator("img[loading=lazy]").all():
                img.scroll_into_view_if_needed()
            page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)",
                                   timeout=20_000)
            images = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.getAttribute('src'), e.complete, e.naturalWidth])")
            assert len(images) == 3 + 12
            assert all(complete and width > 0 for _, complete, width in images), images
            page.wait_for_function(
                "() => [...document.querySelectorAll('video')].every(v => v.readyState >= 2)", timeout=20_000)
            assert page.eval_on_selector_all("video", "els => els.length") == (1 + 6 if VIDEO else 0)

            # animations play: a GIF's pixels change, a video's clock runs
            gif = page.locator('img[src="compare.gif"]')
            gif.scroll_into_view_if_needed()
            shots = [gif.screenshot()]
            for _ in range(8):  # 0.5 s apart, until two differ (the last frame is held 1.5 s)
                time.sleep(0.5)
                shots.append(gif.screenshot())
                if shots[-1] != shots[-2]:
                    break
            assert shots[-1] != shots[-2], "compare.gif did not animate"
            if VIDEO:
                video = page.locator('video[src="relu_lr0.1.mp4"]')
                video.scroll_into_view_if_needed()
                page.wait_for_function(
                    "() => { const v = document.querySelector('video[src=\"relu_lr0.1.mp4\"]');"
                    " return !v.paused && v.currentTime > 0.2; }", timeout=10_000)
        finally:
            browser.close()
    assert requests and all(url.startswith(served) for url in requests), requests
