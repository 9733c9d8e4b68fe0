"""The registry of formats: every entry's writer round-trips, and every reader of format facts
(open_writer, check_format, Animation.to_html, the gallery page, the command line, the clean-up
of temporary files) takes them from the registry."""

import mimetypes
import os
import re
import threading
from html.parser import HTMLParser

import pytest
from conftest import EXTRA_MODULES, need
from PIL import Image
from readback import read_animation
from synthetic import COLORS, painted_frames

from boundaryviz.cli.parser import build_parser
from boundaryviz.gallery import build as gallery
from boundaryviz.output.animation import Animation, save_animation
from boundaryviz.output.atomic import PARTIAL_SUFFIX, try_lock
from boundaryviz.output.formats import (
    FORMATS,
    REGISTRY,
    Format,
    check_format,
    check_path,
    format_of,
    frame_size,
    get_format,
    is_complete,
    open_writer,
    remove_partials,
)
from boundaryviz.output.palette import Palette
from boundaryviz.output.player import BAR_HEIGHT
from boundaryviz.output.writers import GifWriter

ENTRIES = [pytest.param(entry, id=entry.name) for entry in REGISTRY]


def _needs(entry):
    """Skip an entry whose extra is not installed here (fail on CI)."""
    if entry.extra is not None:
        need(*EXTRA_MODULES[entry.extra])


def _write(entry, folder, name="clip", n=3):
    path = os.path.join(folder, name + entry.suffix)
    with open_writer(path, fps=10, palette=Palette(COLORS), epochs=list(range(0, 5 * n, 5))) as writer:
        for frame in painted_frames(n):
            writer.append(frame)
    return path


def _count_frames(entry, path):
    """Frames in the file and whether it loops, read back by a reader of its kind."""
    if entry.element == "img":  # GIF, WebP
        frames, _, loop = read_animation(path)
        return len(frames), loop == 0
    if entry.element == "video":
        import imageio.v3 as iio

        from boundaryviz.output.writers import Mp4Writer

        return len(list(iio.imiter(path, plugin="FFMPEG"))) - Mp4Writer.hold_repeats(10, 1500), False
    with open(path, encoding="utf-8") as handle:  # the HTML player
        page = handle.read()
    labels = re.search(r'"labels":\[([^\]]*)\]', page)[1].split(",")
    return len(labels), 'class="bv-loop" checked' in page


def _mime(path):
    """The file's MIME type as Pillow reads it, or by its name for what Pillow does not read."""
    try:
        with Image.open(path) as image:
            return image.get_format_mimetype()
    except OSError:
        return mimetypes.guess_type(os.fspath(path))[0]


# ------------------------------------------------------------------------- the registry
def test_registry_names_and_suffixes_are_unique_and_formats_lists_them():
    assert FORMATS == tuple(entry.name for entry in REGISTRY)
    assert len(set(FORMATS)) == len(FORMATS)
    assert len({entry.suffix for entry in REGISTRY}) == len(REGISTRY)
    assert set(FORMATS) == {"gif", "mp4", "webp", "html"}
    assert get_format("mp4").extra == "video"


@pytest.mark.parametrize("entry", ENTRIES)
def test_every_entry_writes_three_frames_that_read_back(entry, tmp_path):
    _needs(entry)
    writer = open_writer(tmp_path / f"a{entry.suffix}", fps=10, palette=Palette(COLORS), epochs=[0, 5, 10])
    assert isinstance(writer, entry.writer)
    # the defaults reach the writer: the last frame held 1.5 s, and exact colours (tolerance 0)
    assert writer.hold_last_ms == 1500 and getattr(writer, "tolerance", 0) == 0
    path = _write(entry, tmp_path)
    assert is_complete(path)
    assert format_of(path) is entry is check_path(path)
    assert _count_frames(entry, path) == (3, entry.loops)
    height, width = painted_frames(1)[0].shape[:2]
    bar = BAR_HEIGHT if entry.suffix == ".html" else 0  # the player's size: the frame and its controls
    assert frame_size(path) == (width, height + bar)  # read from the file's own header, whatever its kind
    assert _mime(path) == entry.mime
    assert entry.element == {"image": "img", "video": "video", "text": "iframe"}[entry.mime.split("/")[0]]
    assert os.listdir(tmp_path) == [os.path.basename(path)]


@pytest.mark.parametrize("entry", ENTRIES)
def test_to_html_shows_each_entry_with_its_element_and_mime(entry, tmp_path):
    _needs(entry)
    path = _write(entry, tmp_path)
    animation = Animation(path, 3, 10.0, os.path.getsize(path), entry.name)
    markup = animation.to_html(width=64)
    assert markup.startswith(f"<{entry.element} ")
    if entry.element == "iframe":  # the whole page inlined
        assert "srcdoc=" in markup
    else:
        assert f'src="data:{entry.mime};base64,' in markup


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sources = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("img", "video", "iframe") and "src" in attrs:
            self.sources.setdefault(attrs["src"], tag)


def test_gallery_page_shows_each_entry_with_its_element(tmp_path):
    entries = [entry for entry in REGISTRY if entry.extra is None or _available(entry)]
    paths = [_write(entry, tmp_path, name="compare") for entry in entries]
    Image.fromarray(painted_frames(1)[0]).save(tmp_path / "summary.png")
    index = gallery.write_index([], tmp_path, extras=[str(tmp_path / "summary.png"), *paths])
    parser = _Tags()
    with open(index, encoding="utf-8") as handle:
        parser.feed(handle.read())
    shown = parser.sources
    assert shown["summary.png"] == "img"  # not an animation: an image
    for entry in entries:
        assert shown[f"compare{entry.suffix}"] == entry.element, entry.name


def _available(entry):
    try:
        check_format(entry.name)
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def history():
    from boundaryviz import gaussians, train

    return train(gaussians(n_samples=40), epochs=2)


def test_save_animation_writes_every_entry(history, tmp_path):
    for entry in REGISTRY:
        if not _available(entry):
            continue
        animation = save_animation(history, tmp_path / f"run{entry.suffix}", size=(240, 160), resolution=12)
        assert animation.format == entry.name and animation.n_frames == 3
        assert is_complete(animation.path)


# ---------------------------------------------------------------------------- refusals
def test_an_unknown_suffix_is_refused_naming_the_registrys(history, tmp_path):
    allowed = ", ".join(f"'{entry.suffix}'" for entry in REGISTRY)
    for call in (lambda p: open_writer(p, fps=10, palette=Palette(COLORS)), check_path,
                 lambda p: save_animation(history, p)):
        with pytest.raises(ValueError, match=re.escape(f"path must end in one of {allowed}. Got ")):
            call(str(tmp_path / "a.avi"))
    assert format_of(tmp_path / "a.avi") is None
    assert not os.listdir(tmp_path)


def test_an_unknown_format_is_refused_naming_the_registrys():
    allowed = ", ".join(repr(name) for name in FORMATS)
    for call in (check_format, get_format):
        with pytest.raises(ValueError, match=re.escape(f"format must be one of {allowed}. Got 'avi'.")):
            call("avi")


def test_cli_format_help_lists_the_registry():
    help_text = " ".join(build_parser().format_help().split())
    assert f"comma-separated formats from {', '.join(FORMATS)}" in help_text


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"suffix": "gif"}, "suffix must be a lower-case ending with its dot. Got 'gif'."),
        ({"suffix": ".GIF"}, "suffix must be a lower-case ending with its dot. Got '.GIF'."),
        ({"element": "object"}, "element must be one of 'img', 'video', 'iframe'. Got 'object'."),
        ({"options": ("colours",)}, "options must be among 'palette', 'tolerance', 'epochs', 'n_frames'. Got ['colours']."),
    ],
)
def test_a_format_entry_is_checked_when_made(kwargs, message):
    settings = {"name": "gif2", "suffix": ".gif2", "writer": GifWriter, "options": ("palette",), "mime": "image/gif",
                "element": "img", "loops": True, "extra": None}
    with pytest.raises(ValueError, match=re.escape(message)):
        Format(**{**settings, **kwargs})


# ------------------------------------------------------------------------------ clean-up
def test_a_gif_cut_inside_its_last_frame_is_not_complete_even_ending_in_a_trailer(tmp_path):
    path = tmp_path / "a.gif"
    with GifWriter(path, fps=10, palette=Palette(COLORS)) as gif:
        for frame in painted_frames(3, size=(40, 30)):
            gif.append(frame)
    assert is_complete(path) is True
    path.write_bytes(path.read_bytes()[:-20] + b";")  # the header and the trailer byte, data cut short
    assert is_complete(path) is False
    assert is_complete(tmp_path / "missing.gif") is False


def test_remove_partials_waits_for_a_writer_that_lets_go(tmp_path):
    partial = tmp_path / f".a.gif.abcd1234{PARTIAL_SUFFIX}"
    partial.write_bytes(b"GIF8")
    fd = os.open(partial, os.O_RDWR)
    assert try_lock(fd)  # a live writer holds it ...
    release = threading.Timer(0.3, os.close, [fd])  # ... and lets go 0.3 s later
    release.start()
    try:
        assert remove_partials(tmp_path, wait=30) == [str(partial)]
    finally:
        release.join()
    assert os.listdir(tmp_path) == []


def test_remove_partials_clears_each_entrys_temporary_files_only(tmp_path):
    ours = [f".run{entry.suffix}.abcd1234{PARTIAL_SUFFIX}" for entry in REGISTRY] + [f".summary.png.x1{PARTIAL_SUFFIX}"]
    theirs = [f".notes.txt.abcd1234{PARTIAL_SUFFIX}", f"run.gif{PARTIAL_SUFFIX}", ".run.gif.abcd1234.part"]
    for name in ours + theirs:
        (tmp_path / name).write_bytes(b"x")
    removed = remove_partials(tmp_path)
    assert sorted(os.path.basename(p) for p in removed) == sorted(ours)
    assert sorted(os.listdir(tmp_path)) == sorted(theirs)
