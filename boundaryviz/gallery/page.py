"""``index.html``: a static page of every animation of a sweep, captioned, with snippets to paste.

Only relative links to the files beside it: no scripts of its own, no fonts or other
requests. Made to stay quick to open with hundreds of runs (lazy images, a table, groups).
"""

from __future__ import annotations

import html
import os
from urllib.parse import quote

from .._colors import CONVERGED, GROUND, INK, LINE, LINK, MUTED, PAPER, STOPPED
from .._version import __version__
from ..options import AnimationOptions
from ..output.atomic import atomic_output, format_size
from ..output.formats import format_of, frame_size
from ..output.player import fluid_player_style, player_size
from ..runs.grid import axis_words, setting_text, varying
from .entries import GalleryRun, layout_runs, network_text, ordered_results, outcome, run_settings, shared_title

__all__ = ["write_index", "MANY_RUNS"]

MANY_RUNS = 12
"""With more runs than this, the page shows smaller cards, three or four abreast."""

_CSS = f"""
:root {{ --ink: {INK}; --muted: {MUTED}; --line: {LINE}; --paper: {PAPER}; --ground: {GROUND};
        --stop: {STOPPED}; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; background: var(--ground); color: var(--ink);
       font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }}
main {{ max-width: 1320px; margin: 0 auto; padding: 2rem 1.25rem 3rem; }}
h1 {{ font-size: 1.6rem; margin: 0 0 .25rem; }}
h2 {{ font-size: 1.15rem; margin: 2.5rem 0 1rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }}
header p, footer {{ color: var(--muted); margin: 0; }}
footer {{ margin-top: 3rem; font-size: .85rem; }}
.grid {{ display: grid; gap: 1.25rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 420px), 1fr)); }}
.wide {{ grid-template-columns: 1fr; }}
.many {{ grid-template-columns: repeat(auto-fill, minmax(min(100%, 290px), 1fr)); gap: 1rem; }}
.many figcaption {{ padding: .5rem .7rem .7rem; }}
.many dl {{ font-size: .82rem; }}
.many .name {{ font-size: .92rem; }}
a.media {{ display: block; }}
figure {{ margin: 0; background: var(--paper); border: 1px solid var(--line); border-radius: 8px;
         overflow: hidden; }}
figure img, figure video {{ display: block; width: 100%; height: auto; background: #fff; }}
.player {{ container-type: inline-size; }}
.player iframe {{ display: block; width: 100%; border: 0; }}
figcaption {{ padding: .75rem 1rem 1rem; border-top: 1px solid var(--line); }}
.name {{ font-weight: 600; }}
.file {{ color: var(--muted); font-size: .9rem; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .6rem 0; font-size: .92rem; }}
dt {{ color: var(--muted); }}
dd {{ margin: 0; font-variant-numeric: tabular-nums; }}
.stop_loss {{ color: {CONVERGED}; }} .diverged, .interrupted {{ color: var(--stop); }}
.snippet {{ margin-top: .6rem; font-size: .8rem; color: var(--muted); }}
pre {{ margin: .2rem 0 .5rem; padding: .5rem .7rem; background: var(--ground); border: 1px solid var(--line);
      border-radius: 6px; overflow-x: auto; }}
code {{ font: .8rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
       color: var(--ink); white-space: pre-wrap; overflow-wrap: anywhere; }}
h3 {{ font-size: 1rem; margin: 2rem 0 .8rem; scroll-margin-top: 1rem; }}
.note {{ margin: 0 0 1rem; padding: .6rem .9rem; background: #fff8c5; border: 1px solid #d4a72c66; border-radius: 6px; }}
nav p {{ margin: 0 0 .3rem; color: var(--muted); }}
nav ul {{ display: flex; flex-wrap: wrap; gap: .3rem 1.2rem; margin: 0 0 1rem; padding: 0; list-style: none; \
font-size: .92rem; }}
details summary {{ margin-top: .5rem; font-size: .85rem; color: var(--muted); cursor: pointer; }}
figure {{ scroll-margin-top: 1rem; }}
.table {{ max-height: 32rem; overflow: auto; background: var(--paper); border: 1px solid var(--line); border-radius: 8px; }}
table {{ border-collapse: collapse; width: 100%; font-size: .88rem; }}
th, td {{ padding: .3rem .7rem; text-align: left; border-bottom: 1px solid var(--line); white-space: nowrap; }}
thead th {{ position: sticky; top: 0; background: var(--ground); z-index: 1; }}
tbody th {{ font-weight: 500; }}
.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
a {{ color: {LINK}; }}
"""


def _url(path, out_dir):
    rel = os.path.relpath(os.fspath(path), os.fspath(out_dir)).replace(os.sep, "/")
    return quote(rel)


def _media(url, kind, alt, dims, lazy=False):
    """The element showing a file; ``lazy``: an image loads only as it nears the view."""
    size = f' width="{dims[0]}" height="{dims[1]}"' if dims else ""
    if kind == "iframe":
        return _player_frame(url, alt, dims)
    if kind == "video":
        return f'<video src="{url}"{size} autoplay muted loop playsinline aria-label="{alt}"></video>'
    later = ' loading="lazy" decoding="async"' if lazy else ""
    return f'<img src="{url}"{size} alt="{alt}"{later}>'


def _player_frame(url, alt, dims, snippet=False):
    """An ``<iframe>`` of an HTML player: in the gallery its height follows the card's width
    (the frame scales, the control bar does not); in a snippet, the player's own size."""
    width, height = dims or player_size(AnimationOptions().size)
    if snippet:
        return (f'<iframe src="{url}" width="{width}" height="{height}" style="border: 0; max-width: 100%" '
                f'title="{alt}" loading="lazy"></iframe>')
    # the player is never wider than its frames: in a wider card it keeps their size
    style = fluid_player_style((width, height))
    return f'<div class="player"><iframe src="{url}" style="{style}" title="{alt}" loading="lazy"></iframe></div>'


def _snippets(url, kind, alt, dims):
    """(label, text) pairs to paste into a post: HTML always, Markdown for images."""
    tag = _media(url, kind, alt, dims)
    if kind == "iframe":
        return [("HTML (add #epoch=N to the address to open the player paused at epoch N)",
                 _player_frame(url, alt, dims, snippet=True))]
    if kind == "video":
        return [("HTML (Markdown has no video: paste this HTML)", tag)]
    return [("HTML", tag), ("Markdown", f"![{alt}]({url})")]


def _figure(path, out_dir, alt, caption_html, *, lazy=False, anchor=None):
    url = html.escape(_url(path, out_dir), quote=True)
    fmt = format_of(path)
    kind = fmt.element if fmt is not None else "img"  # how a page shows it (summary.png: an image)
    alt_attr = html.escape(alt, quote=True)
    dims = frame_size(path)
    media = _media(url, kind, alt_attr, dims, lazy=lazy)
    if kind == "img":  # opens the file at its own size
        media = f'<a class="media" href="{url}">{media}</a>'
    snippets = "".join(
        f'<div class="snippet">{html.escape(label)}</div><pre><code>'
        f"{html.escape(text)}</code></pre>"
        for label, text in _snippets(_url(path, out_dir), kind, alt, dims)
    )
    if kind == "iframe":
        caption_html += (f'<div class="file"><a href="{url}">Open the player on its own page</a> '
                         "(← → step, space plays, the epoch is a link to that moment)</div>")
    ident = f' id="{html.escape(anchor, quote=True)}"' if anchor else ""
    return (f"<figure{ident}>{media}<figcaption>{caption_html}"
            f"<details><summary>Embed this</summary>{snippets}</details></figcaption></figure>")


def _named_axes(moving, known=()):
    """Settings a run's caption and the table name: activation, learning rate (when the runs
    say them: recorded runs may not), then the other settings that vary."""
    named = [a for a in ("activation", "learning_rate") if not known or any(s.get(a) is not None for s in known)]
    return [*named, *(a for a in moving if a not in ("activation", "learning_rate"))]


def _run_title(result, axes):
    settings = run_settings(result)
    if not settings:
        return result.name
    return " · ".join(setting_text(a, settings[a]) for a in axes if a in settings)


def _run_caption(result, path, axes):
    fmt = os.path.splitext(path)[1].lstrip(".").upper()
    size = format_size(os.path.getsize(path)) if os.path.exists(path) else "missing"
    if result.history is None:
        head = f'<div class="name">{html.escape(result.name)}</div>'
        return (head + f'<div class="file">{html.escape(os.path.basename(path))} · {fmt} · {size}</div>'
                '<dl><dt>note</dt><dd>kept from an earlier run (no statistics)</dd></dl>')
    s, _ = outcome(result)
    settings = run_settings(result)
    reason = s["stop_reason"]
    rows = [(_header_text(a), _value_text(a, settings[a])) for a in axes if a in settings]
    epochs = settings.get("epochs")
    rows += [
        ("epochs run", f"{s['epochs_run']} of {epochs}" if epochs is not None else str(s["epochs_run"])),
        ("stop reason", reason),
        ("final loss", f"{s['final_loss']:.4f}"),
        ("accuracy", f"{s['final_accuracy']:.1%}"),
    ]
    items = ""
    for key, value in rows:
        css = f' class="{html.escape(reason, quote=True)}"' if key == "stop reason" else ""
        items += f"<dt>{html.escape(key)}</dt><dd{css}>{html.escape(value)}</dd>"
    return (f'<div class="name">{html.escape(_run_title(result, axes))}</div>'
            f'<div class="file">{html.escape(os.path.basename(path))} · {fmt} · {size}</div><dl>{items}</dl>')


def _value_text(axis, value):
    """A setting's value alone, as the table shows it: ``0.1``, ``4,2``, ``relu``."""
    if isinstance(value, tuple):
        return ",".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return "full batch" if value is None and axis == "batch_size" else str(value)


def _header_text(axis):
    return {"learning_rate": "learning rate", "batch_size": "batch size", "stop_loss": "stop loss"}.get(
        axis, axis.replace("_", " "))


def _run_alt(result):
    history = result.history
    if history is None:
        return f"Animation of the run {result.name}"
    s, reason = outcome(result)
    net = network_text(s["hidden"], history.dataset)
    how = (f"{s['activation']} network learning its decision boundary on {s['dataset']} "
           f"at learning rate {s['learning_rate']:g}" if history.config is not None else
           f"network ({history.label}) learning its decision boundary on {s['dataset']}")
    return (f"A {net} {how}: {s['epochs_run']} epochs, {reason}, "
            f"final loss {s['final_loss']:.4f}, accuracy {s['final_accuracy']:.1%}")


def _anchor(result):
    return "run-" + result.name


def _table(results, axes, out_dir):
    """A table of every run: its settings that vary, outcome and files (links)."""
    head = ["run", *(_header_text(a) for a in axes), "epochs", "stop reason", "final loss", "accuracy", "files"]
    numeric = {"epochs", "final loss", "accuracy", "learning rate", "seed"}
    cells = "".join(f'<th scope="col"{" class=num" if h in numeric else ""}>{html.escape(h)}</th>' for h in head)
    rows = [f"<thead><tr>{cells}</tr></thead>", "<tbody>"]
    for result in results:
        settings = run_settings(result)
        values = [_value_text(a, settings[a]) if a in settings else "" for a in axes]
        if result.history is not None:
            s, _ = outcome(result)
            ended = [str(s["epochs_run"]), s["stop_reason"], f"{s['final_loss']:.4f}", f"{s['final_accuracy']:.1%}"]
        else:
            ended = ["", "kept (no statistics)", "", ""]
        files = " ".join(
            f'<a href="{html.escape(_url(path, out_dir), quote=True)}">'
            f"{html.escape(os.path.splitext(path)[1].lstrip('.'))}</a>" for path, _ in result.files)
        link = f'<a href="#{html.escape(_anchor(result), quote=True)}">{html.escape(result.name)}</a>'
        tds = [f'<th scope="row">{link}</th>']
        for header, value in zip(head[1:], [*values, *ended]):
            css = ""
            if header == "stop reason" and value:
                css = f' class="{html.escape(value.split()[0], quote=True)}"'
            elif header in numeric:
                css = ' class="num"'
            tds.append(f"<td{css}>{html.escape(value)}</td>")
        tds.append(f"<td>{files}</td>")
        rows.append(f"<tr>{''.join(tds)}</tr>")
    rows.append("</tbody>")
    return '<div class="table"><table>' + "".join(rows) + "</table></div>"


def _groups(results, grouping):
    """Runs grouped by the values of the ``grouping`` settings, in order; [(heading, runs)]."""
    groups = {}
    for result in results:
        settings = run_settings(result)
        key = tuple((a, settings.get(a)) for a in grouping)
        groups.setdefault(key, []).append(result)
    out = []
    for key, members in groups.items():
        known = [(a, v) for a, v in key if v is not None]
        heading = " · ".join(setting_text(a, v) for a, v in known) if known else "other runs"
        out.append((heading, members))
    return out


def write_index(results, out_dir, *, extras=()):
    """Write ``index.html``: every animation of the runs, captioned, with snippets to paste.

    Made to stay quick to open and to read with hundreds of runs: images load lazily (as
    they near the view), a table lists every run's settings that vary and its outcome, and
    the runs are grouped by the settings that vary besides the two the overview pictures
    lay out (:func:`boundaryviz.runs.grid.facets`); when the pictures leave runs out, the page
    says which runs they show.

    Parameters
    ----------
    results : list of RunResult
    out_dir : str or os.PathLike
        The folder holding the runs' files; the page links to them relatively.
    extras : sequence of str
        Gallery files to show first (``summary.png``, ``compare.*``).

    Returns
    -------
    str
        The path of ``index.html``.
    """
    out_dir = os.fspath(out_dir)
    results = ordered_results(results)
    with_history = [r for r in results if r.history is not None]
    shown, _ = layout_runs(with_history)
    if with_history:
        title, subtitle = shared_title(GalleryRun(r) for r in with_history)
        heading = f"How a network learns {title}"
    else:
        heading, subtitle = "boundaryviz runs", ""
    known = [run_settings(r) for r in results if run_settings(r)]
    moving = varying(known) if known else []
    axes = _named_axes(moving, known)
    layout = ""
    if shown is not None:
        layout = f"{axis_words(shown.rows)} down, {axis_words(shown.cols)} across"
    overview = []
    for path in extras:
        name = os.path.basename(path)
        if name.startswith("summary."):
            alt = f"The last frame of every run: {layout}"
            text = f"Where every run ended: {layout}."
        else:
            alt = "Every run side by side, advancing together through the epochs"
            text = "All runs together, through the epochs; a run that stopped is framed in red."
        fmt = os.path.splitext(name)[1].lstrip(".").upper()
        caption = (f'<div class="name">{html.escape(text)}</div>'
                   f'<div class="file">{html.escape(name)} · {fmt} · {format_size(os.path.getsize(path))}</div>')
        overview.append(_figure(path, out_dir, alt, caption))
    grouping = [a for a in moving if shown is None or a not in (shown.rows, shown.cols)]
    groups = _groups(results, grouping)
    n = len(results)
    parts = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(heading)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<header><h1>{html.escape(heading)}</h1><p>{html.escape(subtitle)}"
        f"{' · ' if subtitle else ''}{n} run{'s' if n != 1 else ''}</p></header>",
    ]
    if overview:
        parts.append("<h2>Overview</h2>")
        if shown is not None and not shown.complete:
            parts.append(f'<p class="note">The pictures below show {html.escape(shown.note())}; every run '
                         f'is in the <a href="#all-runs">table</a> and in its group further down.</p>')
        parts += ['<section class="grid wide">', *overview, "</section>"]
    parts += [f'<h2 id="all-runs">All {n} run{"s" if n != 1 else ""}</h2>', _table(results, axes, out_dir)]
    parts.append("<h2>Runs</h2>")
    if len(groups) > 1:
        links = "".join(f'<li><a href="#group-{i}">{html.escape(h)}</a> ({len(m)})</li>'
                        for i, (h, m) in enumerate(groups, 1))
        parts.append(f'<nav><p>Grouped by {html.escape(", ".join(_header_text(a) for a in grouping))}:</p>'
                     f"<ul>{links}</ul></nav>")
    for i, (group_heading, members) in enumerate(groups, 1):
        if len(groups) > 1:
            parts.append(f'<h3 id="group-{i}">{html.escape(group_heading)}</h3>')
        cards = []
        for result in members:
            alt = _run_alt(result)
            for k, (path, _size) in enumerate(result.files):
                cards.append(_figure(path, out_dir, alt, _run_caption(result, path, axes), lazy=True,
                                     anchor=_anchor(result) if k == 0 else None))
        dense = " many" if n > MANY_RUNS else ""
        parts += [f'<section class="grid{dense}">', *cards, "</section>"]
    parts += [f"<footer>Made with boundaryviz {html.escape(__version__)}.</footer>",
              "</main>", "</body>", "</html>", ""]
    path = os.path.join(out_dir, "index.html")
    with atomic_output(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
            handle.write("\n".join(parts))
    return path
