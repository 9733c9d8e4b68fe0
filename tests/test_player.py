"""The HTML player: its frames are the GIF's, it is one file, and it plays, scrubs and deep-links
in headless Chromium opened from disk."""

import base64
import html
import io
import json
import os
import re
import subprocess
import sys
import time
import zlib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from readback import read_animation, sha256

import boundaryviz as bv
from boundaryviz.output.animation import frame_indices
from boundaryviz.output.formats import is_complete, open_writer
from boundaryviz.output.palette import Palette
from boundaryviz.output.player import BAR_HEIGHT, PlayerWriter, read_player_size

SMALL = {"size": (320, 200), "resolution": 30}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-gpu"]
STATE = "e => [e.dataset.epoch, e.dataset.frame, e.dataset.playing]"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A 120-epoch run (every other epoch kept: 61 frames) as a GIF and a player."""
    out = tmp_path_factory.mktemp("player")
    history = bv.train(bv.gaussians(), activation="relu", learning_rate=0.1, epochs=120, stop_loss=0)
    gif, player = bv.save_animations(history, [out / "run.gif", out / "run.html"], max_frames=61, **SMALL)
    frames, durations, _ = read_animation(gif.path)
    epochs = [history.snapshots[i].epoch for i in frame_indices(len(history), 61)]
    return out, history, player, frames, durations, epochs


def _meta_and_rects(page):
    """The player's metadata and its frames' rectangles, unpacked as the page's script does."""
    meta = json.loads(re.search(r'<script type="application/json" id="bv-meta">(.*?)</script>', page, re.S)[1])
    data = base64.b64decode(re.search(r'<script type="text/plain" id="bv-data">(.*?)</script>', page, re.S)[1])
    rects, start = [], 0
    for box, size in zip(meta["boxes"], meta["sizes"]):
        left, top, right, bottom = box
        raw = zlib.decompress(data[start : start + size], -15)
        rects.append((box, np.frombuffer(raw, np.uint8).reshape(bottom - top, right - left)))
        start += size
    assert start == len(data)
    return meta, rects


def _composed(meta, rects):
    """Every frame of the player, RGB, as its canvas shows them."""
    colours = np.array(meta["palette"], np.uint8).reshape(-1, 3)
    screen = np.zeros((meta["height"], meta["width"]), np.uint8)
    frames = []
    for (left, top, right, bottom), data in rects:
        view = screen[top:bottom, left:right]
        keep = data == 255
        view[~keep] = data[~keep]
        frames.append(colours[screen])
    return frames


# --------------------------------------------------------------------------- the file
def test_player_frames_and_timing_are_the_gifs(run):
    out, history, player, gif_frames, durations, epochs = run
    assert player.format == "html" and player.n_frames == len(gif_frames) == 61
    meta, rects = _meta_and_rects(Path(player.path).read_text(encoding="utf-8"))
    frames = _composed(meta, rects)
    assert len(frames) == len(gif_frames)
    for i, (mine, theirs) in enumerate(zip(frames, gif_frames)):
        assert np.array_equal(mine, theirs), f"frame {i} differs from the GIF's"
    assert meta["delays"] == durations
    assert meta["labels"] == epochs and epochs[:3] == [0, 2, 4] and epochs[-1] == 120
    assert meta["unit"] == "epoch" and (meta["width"], meta["height"]) == SMALL["size"]
    # frames that change little are stored small: not every frame is the whole picture
    assert sum(1 for box, _ in rects if box == [0, 0, 320, 200]) < 5


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_player_is_one_self_contained_file(run):
    page = Path(run[2].path).read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag not in ("iframe", "img", "object", "embed", "base", "video", "audio"), tag
        for key in ("src", "href", "action", "poster", "srcset"):
            if key in attrs:
                # in-page links, and an empty icon (so the browser asks for no favicon.ico)
                assert attrs[key].startswith("#") or attrs[key] == "data:,", (tag, attrs)
    scripts = [a for t, a in parser.tags if t == "script"]
    assert len(scripts) == 3 and not any("src" in a for a in scripts)
    assert "://" not in page and "@import" not in page and "url(" not in page and "@font-face" not in page
    assert page.rstrip().endswith("</html>") and is_complete(run[2].path)


def test_a_cut_off_player_is_not_complete(run, tmp_path):
    # --skip-existing keeps only whole files
    cut = tmp_path / "cut.html"
    cut.write_bytes(Path(run[2].path).read_bytes()[:-200])
    assert not is_complete(cut)


def test_player_same_bytes_every_time(run, tmp_path):
    out, history, player, *_ = run
    again = bv.save_animation(history, tmp_path / "run.html", max_frames=61, **SMALL)
    assert sha256(again.path) == sha256(player.path)


def test_player_size_is_read_back(run):
    assert read_player_size(run[2].path) == (320, 200 + BAR_HEIGHT)
    assert read_player_size(run[0] / "run.gif") is None
    assert read_player_size(run[0] / "missing.html") is None


def test_player_writer_checks_its_input(tmp_path):
    palette = Palette([[0, 0, 0], [255, 255, 255]])
    with pytest.raises(ValueError, match="needs a palette"):
        open_writer(tmp_path / "a.html", fps=10)
    with pytest.raises(ValueError, match="at least one frame"):
        with PlayerWriter(tmp_path / "a.html", fps=10, palette=palette):
            pass
    with pytest.raises(ValueError, match="epochs names 1 frames; a frame more was appended"):  # at once
        with PlayerWriter(tmp_path / "a.html", fps=10, palette=palette, epochs=[0]) as player:
            player.append(np.zeros((4, 4, 3), np.uint8))
            player.append(np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match="first one's size"):
        with PlayerWriter(tmp_path / "a.html", fps=10, palette=palette) as player:
            player.append(np.zeros((4, 4, 3), np.uint8))
            player.append(np.zeros((4, 6, 3), np.uint8))
    assert os.listdir(tmp_path) == []  # no half-written file


def test_player_without_epochs_counts_frames(tmp_path):
    palette = Palette([[0, 0, 0], [255, 255, 255]])
    with PlayerWriter(tmp_path / "blink.html", fps=10, palette=palette) as player:
        player.append(np.zeros((4, 6, 3), np.uint8))
        player.append(np.full((4, 6, 3), 255, np.uint8))
    page = (tmp_path / "blink.html").read_text(encoding="utf-8")
    meta, rects = _meta_and_rects(page)
    assert meta["unit"] == "frame" and meta["labels"] == [0, 1]
    assert [f[0, 0].tolist() for f in _composed(meta, rects)] == [[0, 0, 0], [255, 255, 255]]
    assert "<title>blink</title>" in page


def test_the_page_before_its_script_runs_names_the_first_and_last_epoch(tmp_path):
    palette = Palette([[0, 0, 0], [255, 255, 255]])
    with PlayerWriter(tmp_path / "a.html", fps=10, palette=palette, epochs=[3, 5, 10]) as player:
        for value in (0, 255, 0):
            player.append(np.full((4, 6, 3), value, np.uint8))
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert 'data-epoch="3"' in page and 'href="#epoch=3"' in page
    assert ">epoch 3 / 10</a>" in page


def test_show_player_is_an_iframe_of_the_whole_page(run):
    history = run[1]
    shown = bv.show(history, player=True, max_frames=61, **SMALL)
    assert shown.path is None and shown.format == "html" and shown.n_frames == 61
    markup = shown.to_html()
    match = re.fullmatch(r'<iframe srcdoc="([^"]*)" width="320" height="(\d+)" title="[^"]*" '
                         r'style="border: 0; max-width: 100%"></iframe>', markup)
    assert match and int(match[2]) == 200 + BAR_HEIGHT
    assert html.unescape(match[1]).encode("utf-8") == shown.data
    assert shown._repr_html_() == markup
    assert 'width="160" height="144"' in shown.to_html(width=160)  # frame scaled, bar kept
    with pytest.raises(ValueError, match="format must be left out"):
        bv.show(history, player=True, format="webp")
    with pytest.raises(TypeError, match="player must be True or False"):
        bv.show(history, player="yes")


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """``python -m boundaryviz --format gif,html`` for two short runs: (folder, its stdout)."""
    out = tmp_path_factory.mktemp("cli")
    args = [sys.executable, "-m", "boundaryviz", "--activations", "relu", "--learning-rates", "0.1,0.01",
            "--epochs", "6", "--resolution", "10", "--format", "gif,html", "--out", str(out), "-q", "--jobs", "1"]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return out, done.stdout


def test_cli_writes_players_and_lists_them(cli_run, tmp_path):
    out, table = cli_run
    for name in ("relu_lr0.1.html", "relu_lr0.01.html", "compare.html"):
        assert is_complete(out / name)
        assert name in table
    # the compare player's slider shows the epochs of the runs, not frame numbers
    meta, _ = _meta_and_rects((out / "compare.html").read_text(encoding="utf-8"))
    assert meta["unit"] == "epoch" and meta["labels"] == list(range(7))
    bad = subprocess.run([sys.executable, "-m", "boundaryviz", "--format", "gif,htm", "--out", str(tmp_path / "bad")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "'html'" in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1 and not (tmp_path / "bad").exists()


def test_gallery_shows_links_and_gives_an_iframe_for_each_player(cli_run):
    out, _ = cli_run
    page = (out / "index.html").read_text(encoding="utf-8")
    parser = _Tags()
    parser.feed(page)
    frames = sorted(a["src"] for t, a in parser.tags if t == "iframe")
    assert frames == ["compare.html", "relu_lr0.01.html", "relu_lr0.1.html"]
    links = {a["href"] for t, a in parser.tags if t == "a"}
    assert {"compare.html", "relu_lr0.01.html", "relu_lr0.1.html"} <= links
    snippet = (f'<iframe src="relu_lr0.1.html" width="960" height="{560 + BAR_HEIGHT}" '
               'style="border: 0; max-width: 100%" title="A 2 → 2 → 1 relu network')
    assert html.escape(snippet) in page  # shown as text, ready to paste
    assert "add #epoch=N to the address" in page
    assert "<script" not in page  # the players' scripts stay inside their frames


# ----------------------------------------------------------------------------- Chromium


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    """A fresh page that records every request and every script error."""
    context = browser.new_context(viewport={"width": 800, "height": 600})
    page = context.new_page()
    page.requests = []
    page.errors = []
    context.on("request", lambda request: page.requests.append(request.url))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not page.errors, page.errors


def _state(page):
    epoch, frame, playing = page.eval_on_selector("#bv-player", STATE)
    return int(epoch), int(frame), playing == "true"


def _wait_epoch(page, epoch):
    page.wait_for_function(f"() => document.getElementById('bv-player').dataset.epoch === '{epoch}'",
                           timeout=10_000)


def _canvas(page, selector="canvas"):
    """The canvas's pixels, RGB (its PNG, lossless, decoded here)."""
    url = page.eval_on_selector(selector, "c => c.toDataURL('image/png')")
    with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as image:
        assert image.mode == "RGBA"
        rgba = np.asarray(image)
    assert (rgba[:, :, 3] == 255).all()
    return rgba[:, :, :3]


def test_player_from_disk_makes_no_request_and_plays(run, page):
    url = Path(run[2].path).as_uri()
    page.goto(url, wait_until="load")
    # it starts playing: the frame moves on by itself
    page.wait_for_function("() => +document.getElementById('bv-player').dataset.frame >= 3", timeout=10_000)
    assert _state(page)[2] is True
    assert page.requests == [url]


def test_arrow_keys_step_frames_and_show_the_gifs_pixels(run, page):
    out, history, player, gif_frames, _, epochs = run
    page.goto(Path(player.path).as_uri(), wait_until="load")
    page.keyboard.press("Home")  # pauses, back to the first frame
    _wait_epoch(page, epochs[0])
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    _wait_epoch(page, epochs[5])
    time.sleep(0.3)  # paused: nothing moves on
    assert _state(page) == (epochs[5], 5, False)
    assert np.array_equal(_canvas(page), gif_frames[5])
    assert page.inner_text(".bv-epoch") == f"epoch {epochs[5]} / {epochs[-1]}"
    assert page.get_attribute(".bv-epoch", "href") == f"#epoch={epochs[5]}"  # the link follows the frame
    assert page.get_attribute(".bv-slider", "aria-valuetext") == f"epoch {epochs[5]} / {epochs[-1]}"  # screen readers
    page.keyboard.press("ArrowLeft")
    _wait_epoch(page, epochs[4])
    assert np.array_equal(_canvas(page), gif_frames[4])
    page.keyboard.press("End")
    _wait_epoch(page, epochs[-1])
    assert np.array_equal(_canvas(page), gif_frames[-1])
    page.keyboard.press("ArrowRight")  # stays on the last frame
    time.sleep(0.2)
    assert _state(page)[:2] == (epochs[-1], len(epochs) - 1)


@pytest.mark.parametrize("asked, frame", [(40, 20), (41, 20), (43, 21), (45, 22), (500, 60)])
def test_epoch_in_the_address_opens_there_paused(run, page, asked, frame):
    out, history, player, gif_frames, _, epochs = run
    page.goto(Path(player.path).as_uri() + f"#epoch={asked}", wait_until="load")
    _wait_epoch(page, epochs[frame])  # the kept frame nearest the epoch asked for (the earlier of two)
    time.sleep(0.3)
    assert _state(page) == (epochs[frame], frame, False)
    assert np.array_equal(_canvas(page), gif_frames[frame])
    # a link in the page to another moment moves there
    page.evaluate("() => { window.location.hash = '#epoch=10'; }")
    _wait_epoch(page, 10)
    assert np.array_equal(_canvas(page), gif_frames[5])


def test_epoch_in_the_address_while_playing_pauses_there(run, page):
    """A #epoch= link followed while the player plays: it pauses and stays on that epoch."""
    out, history, player, gif_frames, _, epochs = run
    page.goto(Path(player.path).as_uri(), wait_until="load")
    page.wait_for_function("() => { const d = document.getElementById('bv-player').dataset;"
                           " return d.playing === 'true' && +d.frame >= 3; }", timeout=10_000)
    page.evaluate("() => { window.location.hash = '#epoch=100'; }")
    _wait_epoch(page, 100)
    time.sleep(0.5)  # six frame times or so: a player still playing would have moved on
    assert _state(page) == (100, 50, False)
    assert np.array_equal(_canvas(page), gif_frames[50])
    assert page.get_attribute(".bv-play", "aria-label") == "Play"
    assert page.inner_text(".bv-epoch") == f"epoch 100 / {epochs[-1]}"


def test_slider_pauses_and_scrubs_speed_and_loop(run, page):
    out, history, player, gif_frames, _, epochs = run
    page.goto(Path(player.path).as_uri(), wait_until="load")
    page.wait_for_function("() => +document.getElementById('bv-player').dataset.frame >= 1", timeout=10_000)
    page.fill(".bv-slider", "30")  # as a drag ends: an input event
    _wait_epoch(page, epochs[30])
    assert _state(page) == (epochs[30], 30, False)
    assert np.array_equal(_canvas(page), gif_frames[30])
    # without loop, at 4x, play runs to the last frame and stops there
    page.uncheck(".bv-loop")
    page.select_option(".bv-speed", "4")
    page.click(".bv-play")
    started = time.monotonic()
    page.wait_for_function("() => document.getElementById('bv-player').dataset.playing === 'false'",
                           timeout=10_000)
    elapsed = time.monotonic() - started
    assert _state(page) == (epochs[-1], 60, False)
    # 30 frames of 80-90 ms at 4x take about 0.65 s; at 1x they would take 2.5 s
    assert elapsed < 2.0
    # play again at the end starts over
    page.click(".bv-play")
    page.wait_for_function("() => { const d = document.getElementById('bv-player').dataset;"
                           " return d.playing === 'true' && +d.frame < 30; }", timeout=5_000)
    # space on a focused control is that control's own: the loop box ticks (playing goes on),
    # the play button pauses (once, not twice)
    page.focus(".bv-loop")
    page.keyboard.press(" ")
    assert page.is_checked(".bv-loop") and _state(page)[2] is True
    page.focus(".bv-play")
    page.keyboard.press(" ")
    page.wait_for_function("() => document.getElementById('bv-player').dataset.playing === 'false'",
                           timeout=5_000)
    time.sleep(0.2)
    assert _state(page)[2] is False


def test_reduced_motion_starts_paused(run, browser):
    context = browser.new_context(reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(Path(run[2].path).as_uri(), wait_until="load")
        _wait_epoch(page, 0)
        time.sleep(0.4)
        assert _state(page) == (0, 0, False)
        page.click(".bv-play")
        page.wait_for_function("() => +document.getElementById('bv-player').dataset.frame >= 2", timeout=5_000)
    finally:
        context.close()


def test_player_in_an_iframe_and_inline_as_srcdoc(run, page):
    out, history, player, gif_frames, _, epochs = run
    post = out / "post.html"
    post.write_text('<!doctype html><meta charset="utf-8"><p>A moment of training:</p>'
                    f'<iframe src="run.html#epoch={epochs[12]}" width="320" height="{200 + BAR_HEIGHT}" '
                    'style="border:0" title="player"></iframe>', encoding="utf-8")
    page.goto(post.as_uri(), wait_until="load")
    frame = page.frame_locator("iframe")
    frame.locator(f"#bv-player[data-epoch='{epochs[12]}']").wait_for(timeout=10_000)
    inner = page.frames[1]
    assert np.array_equal(_canvas(inner), gif_frames[12])
    # the control bar fits in the snippet's height: nothing to scroll inside the frame
    assert inner.evaluate("() => document.documentElement.scrollHeight") <= 200 + BAR_HEIGHT
    # inline, as a notebook shows it: the page in an <iframe srcdoc>, playing
    notebook = out / "notebook.html"
    notebook.write_text('<!doctype html><meta charset="utf-8">' + player.to_html(), encoding="utf-8")
    page.goto(notebook.as_uri(), wait_until="load")
    page.frame_locator("iframe").locator("#bv-player[data-playing='true']").wait_for(timeout=10_000)
    inline = page.frames[1]
    inline.wait_for_function("() => +document.getElementById('bv-player').dataset.frame >= 2", timeout=10_000)
    assert all(url.startswith("file://") or url == "about:srcdoc" for url in page.requests), page.requests


def test_gallery_players_play_in_chromium(cli_run, page):
    out, _ = cli_run
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto((out / "index.html").as_uri(), wait_until="load")
    for name in ("compare.html", "relu_lr0.1.html", "relu_lr0.01.html"):
        frame = page.locator(f'iframe[src="{name}"]')
        frame.scroll_into_view_if_needed()
        player = page.frame_locator(f'iframe[src="{name}"]').locator("#bv-player")
        player.wait_for(timeout=10_000)
        inner = page.frame(url=(out / name).as_uri())
        inner.wait_for_function("() => +document.getElementById('bv-player').dataset.frame >= 1", timeout=10_000)
        # the frame's height fits the player: canvas and bar, nothing cut off
        box = frame.bounding_box()
        height = inner.evaluate("() => document.getElementById('bv-player').getBoundingClientRect().height")
        assert abs(box["height"] - height) <= 1.5, (name, box, height)
    assert all(url.startswith(out.as_uri()) for url in page.requests), page.requests


def _damaged_copy(player, folder, bad, damage):
    """A copy of the player whose frame ``bad`` cannot be unpacked; returns its path.

    ``damage`` is ``"bytes"`` (its deflated bytes overwritten, the same number of them, so the
    other frames' offsets stay right: it no longer inflates) or ``"box"`` (its rectangle one
    pixel wider in the metadata: it inflates to fewer bytes than the rectangle holds).
    """
    page = Path(player.path).read_text(encoding="utf-8")
    meta, _ = _meta_and_rects(page)
    if damage == "bytes":
        found = re.search(r'<script type="text/plain" id="bv-data">(.*?)</script>', page, re.S)
        data = bytearray(base64.b64decode(found[1]))
        start = sum(meta["sizes"][:bad])
        data[start : start + meta["sizes"][bad]] = b"\xff" * meta["sizes"][bad]  # a reserved deflate block type
        text = base64.b64encode(bytes(data)).decode()
    else:
        found = re.search(r'<script type="application/json" id="bv-meta">(.*?)</script>', page, re.S)
        left, top, right, bottom = meta["boxes"][bad]
        meta["boxes"][bad] = [left, top, right + 1, bottom] if right < meta["width"] else [left - 1, top, right, bottom]
        text = json.dumps(meta)
    path = folder / "damaged.html"
    path.write_text(page[: found.start(1)] + text + page[found.end(1) :], encoding="utf-8")
    return path


@pytest.mark.parametrize("damage", ["bytes", "box"])
def test_a_frame_that_cannot_be_unpacked_stops_playback_and_says_which(run, page, tmp_path, damage):
    """A damaged frame: playback stops on the frame before it and stays stopped (Play tries the
    frame again and stops again), one message names the frame, and the frames before it still show."""
    out, history, player, gif_frames, _, epochs = run
    bad = 12
    page.goto(_damaged_copy(player, tmp_path, bad, damage).as_uri(), wait_until="load")
    stopped = "() => document.getElementById('bv-player').dataset.playing === 'false'"
    page.wait_for_function(stopped, timeout=10_000)  # it started playing, and stopped by itself
    time.sleep(0.5)  # a player still playing would have moved on or tried again by now
    assert _state(page) == (epochs[bad - 1], bad - 1, False)
    assert np.array_equal(_canvas(page), gif_frames[bad - 1])
    assert page.get_attribute(".bv-play", "aria-label") == "Play"
    assert page.input_value(".bv-slider") == str(bad - 1)  # the slider where the picture is
    notes = page.locator(".bv-note")
    assert notes.count() == 1
    message = notes.inner_text()
    assert f"epoch {epochs[bad]} (frame {bad + 1} of {len(epochs)}) could not be unpacked" in message, message
    assert "Playback stopped" in message and f"epoch {epochs[bad - 1]}" in message, message
    # Play again: the same frame fails, playback stops again, still one message
    page.click(".bv-play")
    page.wait_for_function(stopped, timeout=5_000)
    time.sleep(0.3)
    assert _state(page) == (epochs[bad - 1], bad - 1, False)
    assert notes.count() == 1
    # the frames before it still show
    page.keyboard.press("Home")
    _wait_epoch(page, epochs[0])
    assert np.array_equal(_canvas(page), gif_frames[0])
