"""How objects show themselves in Jupyter: the History summary table and inline animations."""

import base64
import io
import re
import tempfile
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

import boundaryviz as bv
from boundaryviz import Animation, Dataset, gaussians, save_animation, show, train

SMALL = dict(size=(320, 200), resolution=24)  # cheap frames: only the encoding is under test
DATA_URI = re.compile(r'<(img|video) src="data:([a-z]+/[a-z0-9]+);base64,([A-Za-z0-9+/=]+)"')


@pytest.fixture(scope="module")
def history():
    return train(gaussians(), activation="tanh", learning_rate=0.05, epochs=9, stop_loss=0)


def _rows(page):
    """The History table as {header: cell text}, parsed strictly (it must be well-formed)."""
    table = ET.fromstring(page)
    assert table.tag == "table" and table.get("class") == "boundaryviz-history"
    return table.find("caption").text, {tr.find("th").text: tr.find("td").text for tr in table.iter("tr")}


def _inline(markup):
    """(tag, mime type, decoded bytes) of the one data URI in ``markup``."""
    found = DATA_URI.findall(markup)
    assert len(found) == 1, markup[:200]
    tag, mime, data = found[0]
    return tag, mime, base64.b64decode(data, validate=True)


# ------------------------------------------------------------------------- History table
def test_history_html_summarises_settings_and_outcome(history):
    caption, rows = _rows(history._repr_html_())
    assert caption == "History tanh_lr0.05"
    assert rows == {
        "dataset": "gaussians (400 samples)",
        "network": "2 → 2 → 1 (tanh)",
        "training": "adam, learning rate 0.05, full batch, seed 0",
        "stop rule": "9 epochs",
        "epochs run": "9 of 9",
        "stop reason": "max_epochs",
        "final loss": f"{history.final.loss:.4f} (epoch 0: {history[0].loss:.4f})",
        "final accuracy": f"{history.final.accuracy:.1%}",
    }


def test_history_html_for_an_early_stop_with_sgd_batches():
    run = train(gaussians(), optimizer="sgd", momentum=0.9, learning_rate=0.5, batch_size=64,
                hidden=(3, 2), epochs=150, stop_loss=0.5, seed=3)
    assert run.stop_reason == "stop_loss" and run.epochs_run < 150
    page = run._repr_html_()
    assert "loss &lt; 0.5" in page  # escaped, still well-formed
    _, rows = _rows(page)
    assert rows["network"] == "2 → 3 → 2 → 1 (relu)"
    assert rows["training"] == "sgd (momentum 0.9), learning rate 0.5, batches of 64, seed 3"
    assert rows["stop rule"] == "150 epochs or loss < 0.5"
    assert rows["epochs run"] == f"{run.epochs_run} of 150"
    assert rows["stop reason"] == "stop_loss"
    assert rows["final loss"].startswith(f"{run.final.loss:.4f} ")
    assert float(rows["final loss"].split()[0]) < 0.5


def test_history_html_for_a_diverged_run():
    data = gaussians()
    far = Dataset(data.X * 1e200, data.y, name="far")  # the first update overflows the logits
    run = train(far, optimizer="sgd", learning_rate=1, epochs=50, stop_loss=0)
    assert run.stop_reason == "diverged"
    _, rows = _rows(run._repr_html_())
    assert rows["stop reason"] == "diverged"
    assert rows["final loss"].split()[0] in ("nan", "inf")


# ------------------------------------------------------------------------ inline animation
def test_show_keeps_the_gif_in_memory_and_leaves_no_file(history, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where show's temporary folder goes
    animation = show(history, fps=10, **SMALL)
    assert list(tmp_path.iterdir()) == []
    assert isinstance(animation, Animation)
    assert animation.path is None and animation.format == "gif" and animation.fps == 10
    assert animation.n_frames == len(history) == 10
    assert animation.size_bytes == len(animation.data) and animation.data[:6] == b"GIF89a"
    assert "data=" not in repr(animation)  # the bytes stay out of the repr

    tag, mime, data = _inline(animation._repr_html_())
    assert (tag, mime) == ("img", "image/gif") and data == animation.data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "GIF" and image.size == (320, 200)
        assert image.n_frames == animation.n_frames


def test_show_passes_options_on(history):
    animation = show(history, max_frames=4, **SMALL)
    with Image.open(io.BytesIO(animation.to_bytes())) as image:
        assert image.n_frames == animation.n_frames == 4


def test_saved_animation_reads_its_file_when_shown(history, tmp_path):
    animation = save_animation(history, tmp_path / "run.gif", **SMALL)
    assert animation.path == str(tmp_path / "run.gif") and animation.data is None
    markup = animation.to_html(width=400)
    assert ' width="400"' in markup and 'alt="run.gif"' in markup
    tag, mime, data = _inline(markup)
    assert (tag, mime) == ("img", "image/gif")
    assert data == (tmp_path / "run.gif").read_bytes() and len(data) == animation.size_bytes
    with Image.open(io.BytesIO(data)) as image:
        assert image.n_frames == animation.n_frames == len(history)


# The WebP and MP4 files themselves are the writers' business (tests of save_animation);
# here an Animation holding such bytes must put them in the right element, unchanged.
def test_webp_animation_is_an_img():
    frames = [Image.new("RGB", (40, 30), color) for color in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="WEBP", save_all=True, append_images=frames[1:], duration=100)
    animation = Animation(None, 3, 10.0, buffer.tell(), "webp", data=buffer.getvalue())
    tag, mime, data = _inline(animation._repr_html_())
    assert (tag, mime) == ("img", "image/webp") and data == buffer.getvalue()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "WEBP" and image.n_frames == 3


def test_mp4_animation_is_a_looping_video(tmp_path):
    payload = bytes(range(256)) * 3  # stands in for an MP4: only the markup is under test
    (tmp_path / "run.mp4").write_bytes(payload)
    animation = Animation(str(tmp_path / "run.mp4"), 3, 10.0, len(payload), "mp4")
    markup = animation.to_html(width=320)
    tag, mime, data = _inline(markup)
    assert (tag, mime) == ("video", "video/mp4") and data == payload
    assert markup.endswith("></video>")
    for attribute in ("autoplay", "muted", "loop", "playsinline", "controls", 'width="320"', 'title="run.mp4"'):
        assert f" {attribute}" in markup, attribute


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        (("not a history",), {}, TypeError, "history must be a boundaryviz History. Got str"),
        ((None,), {"format": "avi"}, ValueError, "format must be one of 'gif', 'html', 'mp4', 'webp'. Got 'avi'"),
        ((None,), {"fps": 0}, ValueError, "fps"),
    ],
)
def test_show_rejects_bad_input(history, args, kwargs, error, message):
    args = tuple(history if a is None else a for a in args)
    with pytest.raises(error, match=re.escape(message)):
        show(*args, **kwargs)


def test_animation_without_path_or_data_says_so():
    with pytest.raises(ValueError, match="neither a path nor data"):
        Animation(None, 1, 15.0, 0, "gif").to_html()


def test_show_is_public():
    assert bv.show is show and "show" in bv.__all__
