"""Benchmark issue 22's targets ("close to the floor"), each as a ratio measured within one run.

Every measurement runs in a fresh subprocess that imports boundaryviz from a given source
tree; with ``--against TREE`` (for example an untouched checkout of the code before a
change) each measurement is taken for both trees in interleaved rounds, best of the rounds,
so that a busy machine slows both alike. The load average is printed with the results.

Targets (PASS / FAIL):

1. **Formats**: each format's job (``save_animation`` of one reference run, renderer and
   palette set-up included) within 1.5x the GIF job's time on the same frames. Also the
   encode-only time of each format on pre-rendered frames and the file sizes.
2. **Notebook**: one history (``train(gaussians(), epochs=50)``, 51 frames) written by
   ``save_animation`` within 2x the encode-only floor of its frames (``GifWriter`` fed the
   pre-rendered frames, palette given), set-up included.
3. **Wide layers**: ms per frame of hidden 16, 64 and (32, 32) (tanh, 51 frames) at most
   1.3x the reference network's (hidden 2) in the same process.
4. **Explorer**: the whole redraw (``explorer.slider.value = i``, shuffled snapshots) at
   most 16 ms median.
5. **Grid** (``--grid``): a grid of the 300-run grid's shape, shortened (2 activations x 5
   learning rates x 3 hidden x 1 seed, 60 epochs), in half the ``--against`` tree's time.
6. **Start-up**: ``import boundaryviz`` and ``python -m boundaryviz --help`` no slower than
   the ``--against`` tree (within 5 %).

Also the default job's floor: start-up and imports plus encoding the job's own GIF frames,
pre-rendered, spread over the cores (total encoding time / cores), and the default job's
time (``python -m boundaryviz``) over it.

Lower bounds: what the notebook job and the default job would cost if encoding were free
(set-up and drawing alone, no writer), over their floors. A ratio can go below its bound only
if the frames are drawn faster, not by any change to the writers or the pipeline.

Usage::

    python benchmarks/bench_perf.py                          # this tree alone
    python benchmarks/bench_perf.py --against /work/baseline # ratios to another tree too
    python benchmarks/bench_perf.py --rounds 5 --grid --json perf.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
perf = time.perf_counter


# ------------------------------------------------------------------ tasks (in a subprocess)
def _reference(index=0):
    import boundaryviz as bv

    spec = bv.reference_specs(bv.gaussians(), tempfile.gettempdir())[index]
    return spec, bv.train(spec.dataset, config=spec.config)


def _encode_only(history, path):
    """Seconds to encode ``history``'s GIF frames alone (pre-rendered, palette given), and how many."""
    from boundaryviz.output.animation import GIF_TOLERANCE, animation_palette, frame_indices
    from boundaryviz.output.writers import GifWriter
    from boundaryviz.render.renderer import Renderer

    renderer = Renderer(history)
    indices = frame_indices(len(renderer))
    palette = animation_palette(renderer, indices)
    frames = [renderer.frame_rgba(int(i)).copy() for i in indices]
    t0 = perf()
    with GifWriter(path, fps=12, palette=palette, tolerance=GIF_TOLERANCE) as gif:
        for frame in frames:
            gif.append(frame)
    return perf() - t0, len(frames)


def _draw_only(history):
    """Seconds of ``save_animation``'s work on ``history`` without any encoding: a new Renderer,
    its palette, and every frame the GIF keeps drawn. No writer can make the job cheaper than
    this unless the frames are drawn faster."""
    from boundaryviz.output.animation import animation_palette, frame_indices
    from boundaryviz.render.renderer import Renderer

    t0 = perf()
    renderer = Renderer(history)
    indices = frame_indices(len(renderer))
    animation_palette(renderer, indices)
    for i in indices:
        renderer.frame_rgba(int(i))
    return perf() - t0


def task_formats():
    """Seconds of each format's job and of its encoding alone, on one reference run."""
    import boundaryviz as bv
    from boundaryviz.output.animation import GIF_TOLERANCE, animation_palette, frame_indices
    from boundaryviz.output.formats import open_writer
    from boundaryviz.render.renderer import Renderer

    spec, history = _reference()
    renderer = Renderer(history)
    indices = frame_indices(len(renderer))
    palette = animation_palette(renderer, indices)
    frames = [renderer.frame_rgba(int(i)).copy() for i in indices]
    epochs = [history.snapshots[int(i)].epoch for i in indices]
    out = {"run": spec.name, "frames": len(frames)}
    with tempfile.TemporaryDirectory(prefix="bench_perf_") as folder:
        for fmt in ("gif", "webp", "mp4", "html"):
            path = os.path.join(folder, f"enc.{fmt}")
            t0 = perf()
            with open_writer(path, fps=12, palette=palette, tolerance=GIF_TOLERANCE, epochs=epochs) as writer:
                for frame in frames:
                    writer.append(frame)
            out[f"encode_{fmt}"] = perf() - t0
            path = os.path.join(folder, f"job.{fmt}")
            t0 = perf()
            bv.save_animation(history, path)
            out[f"job_{fmt}"] = perf() - t0
            out[f"bytes_{fmt}"] = os.path.getsize(path)
    return out


def task_notebook():
    """Seconds of save_animation of a 51-snapshot history in a fresh process (the first call in a
    new kernel: matplotlib is imported on the way) and again (a warm kernel); of encoding its
    frames alone; and of its set-up and drawing alone, warm (:func:`_draw_only`)."""
    import boundaryviz as bv

    history = bv.train(bv.gaussians(), learning_rate=0.1, epochs=50)
    with tempfile.TemporaryDirectory(prefix="bench_perf_") as folder:
        path = os.path.join(folder, "job.gif")
        t0 = perf()
        bv.save_animation(history, path)
        job = perf() - t0
        t0 = perf()
        bv.save_animation(history, path)
        warm = perf() - t0
        floor, n_frames = _encode_only(history, os.path.join(folder, "enc.gif"))
    return {"frames": n_frames, "job": job, "warm": warm, "floor": floor, "draw": _draw_only(history)}


def task_explorer(n_redraws=120):
    """Median and 90th percentile of the explorer's whole redraw, and its parts."""
    import numpy as np

    import boundaryviz as bv

    _, history = _reference()
    explorer = bv.explore(history)
    order = np.random.default_rng(1).permutation(len(history))[:n_redraws]
    whole, draw = [], []
    for index in order:
        if int(index) == explorer.slider.value:
            continue
        t0 = perf()
        explorer.slider.value = int(index)
        whole.append(perf() - t0)
    for index in order[:40]:
        t0 = perf()
        explorer.renderer.frame(int(index))
        draw.append(perf() - t0)
    value = explorer.image.value
    return {"median": float(np.median(whole)), "p90": float(np.percentile(whole, 90)),
            "draw_median": float(np.median(draw)), "image_bytes": len(value), "image_format": explorer.image.format}


def task_floor():
    """The default job's encode-only work: its six runs' GIF frames, pre-rendered, encoded."""
    import boundaryviz as bv

    total, n, draw = 0.0, 0, 0.0
    with tempfile.TemporaryDirectory(prefix="bench_perf_") as folder:
        for spec in bv.reference_specs(bv.gaussians(), folder):
            history = bv.train(spec.dataset, config=spec.config)
            seconds, n_frames = _encode_only(history, os.path.join(folder, "a.gif"))
            total += seconds
            n += n_frames
            draw += _draw_only(history)
    return {"encode_total": total, "frames": n, "draw_total": draw}


def task_wide(epochs=50):
    """ms per frame (``Renderer.frame_rgba``, every snapshot) of wide hidden layers and of the
    reference network, tanh, learning rate 0.1, ``epochs`` epochs; best of two passes each."""
    import boundaryviz as bv
    from boundaryviz.render.renderer import Renderer

    out = {}
    for hidden in ((2,), (16,), (64,), (32, 32)):
        history = bv.train(bv.gaussians(), hidden=hidden, activation="tanh", learning_rate=0.1, epochs=epochs)
        renderer = Renderer(history)
        renderer.frame_rgba(0)  # the first full draw is set-up
        passes = []
        for _ in range(2):
            t0 = perf()
            for i in range(1, len(history)):
                renderer.frame_rgba(i)
            passes.append((perf() - t0) / (len(history) - 1))
            renderer.frame_rgba(0)
        out["x".join(map(str, hidden))] = min(passes)
    return out


def task_profile():
    """Where a run's set-up and a frame's milliseconds go (CPU time of this process, so a busy
    machine inflates them less): the reference run (relu, learning rate 0.1, 68 frames)."""
    import numpy as np

    from boundaryviz.output.animation import GIF_TOLERANCE, frame_indices
    from boundaryviz.output.palette import ChangedRects, Palette
    from boundaryviz.render.renderer import Renderer

    clock = time.process_time
    spec, history = _reference()
    Renderer(history).frame_rgba(0)  # fonts and caches loaded once per process, as in a worker
    out = {}
    t0 = clock()
    renderer = Renderer(history)
    out["setup: Renderer()"] = clock() - t0
    blitter = renderer._blitter
    renderer.update(0)
    t0 = clock()
    blitter.set_animated(True)
    renderer.canvas.draw()
    blitter._background = renderer.canvas.copy_from_bbox(renderer.figure.bbox)
    out["setup: first full draw (background)"] = clock() - t0
    t0 = clock()
    blitter._plan()
    renderer.frame_rgba(0)
    out["setup: blit plan, sprites and digits"] = clock() - t0
    indices = frame_indices(len(renderer))
    n = len(indices)
    t0 = clock()
    samples = [renderer.frame(int(i)) for i in sorted({int(indices[0]), int(indices[n // 2]), int(indices[-1])})]
    out["setup: three sample frames"] = clock() - t0
    t0 = clock()
    palette = Palette.from_frames(renderer.key_colors(), samples)
    out["setup: palette (median cut and lookup table)"] = clock() - t0
    t0 = clock()
    palette.index(renderer.frame_rgba(1))
    out["setup: 24-bit lookup table (first frame indexed)"] = clock() - t0
    rects = ChangedRects(palette, GIF_TOLERANCE)
    parts = dict.fromkeys(("frame: update (views)", "frame: blit draw", "frame: palette indices",
                           "frame: changed rectangle", "frame: LZW"), 0.0)
    from PIL import GifImagePlugin, Image

    for i in indices:
        renderer._current = None
        t0 = clock()
        renderer.update(int(i))
        t1 = clock()
        buffer = renderer._blitter.draw()
        t2 = clock()
        index = palette.index(buffer)
        t3 = clock()
        box, data = rects.next(index)
        t4 = clock()
        data = np.ascontiguousarray(data)
        image = Image.frombuffer("P", (data.shape[1], data.shape[0]), data, "raw", "P", 0, 1)
        for _ in GifImagePlugin.getdata(image, offset=box[:2], duration=80, disposal=1, transparency=255):
            pass
        t5 = clock()
        for key, dt in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            parts[key] += dt / n
    out.update(parts)
    return out


TASKS = {"profile": task_profile, "wide": task_wide, "formats": task_formats, "notebook": task_notebook,
         "explorer": task_explorer, "floor": task_floor}


# --------------------------------------------------------------------- driver (this process)
def _env(tree):
    env = dict(os.environ, PYTHONPATH=tree, MPLBACKEND="Agg")
    return env


def run_task(tree, name):
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--task", name], env=_env(tree),
                          capture_output=True, text=True, check=True, cwd=tree)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def time_command(tree, argv):
    t0 = perf()
    subprocess.run(argv, env=_env(tree), cwd=tree, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return perf() - t0


def best(rows):
    """Element-wise minimum of a list of result dicts (numbers only; other values from the first)."""
    out = dict(rows[0])
    for row in rows[1:]:
        for key, value in row.items():
            if isinstance(value, float):
                out[key] = min(out[key], value)
    return out


def measure(tree, rounds_of, trees, grid):
    """Interleaved rounds over ``trees``; ``rounds_of(name)`` gives the rounds of each part."""
    results = {t: {} for t in trees}
    py = sys.executable

    def job_cli(tree, argv):
        out = tempfile.mkdtemp(prefix="bench_perf_cli_")
        try:
            return time_command(tree, [py, "-m", "boundaryviz", "-q", "--out", out, *argv])
        finally:
            shutil.rmtree(out, ignore_errors=True)

    parts = {
        "formats": lambda t: run_task(t, "formats"),
        "wide": lambda t: run_task(t, "wide"),
        "notebook": lambda t: run_task(t, "notebook"),
        "explorer": lambda t: run_task(t, "explorer"),
        "floor": lambda t: run_task(t, "floor"),
        "import": lambda t: {"s": time_command(t, [py, "-c", "import boundaryviz"])},
        "help": lambda t: {"s": time_command(t, [py, "-m", "boundaryviz", "--help"])},
        "default_job": lambda t: {"s": job_cli(t, [])},
    }
    if grid:
        parts["grid"] = lambda t: {"s": job_cli(t, [
            "--activations", "relu,tanh", "--learning-rates", "1,0.3,0.1,0.03,0.01", "--hidden", "2",
            "--hidden", "8", "--hidden", "4,2", "--seeds", "0", "--epochs", "60", "--no-gallery"])}
    for name, fn in parts.items():
        rows = {t: [] for t in trees}
        for _ in range(rounds_of(name)):
            for t in trees:
                rows[t].append(fn(t))
        for t in trees:
            results[t][name] = best(rows[t])
        print(f"  {name} done (load {os.getloadavg()[0]:.2f})", file=sys.stderr)
    return results


def report(res, base, cores):
    lines = []

    def line(label, value, target, ok):
        lines.append(f"{'PASS' if ok else 'FAIL'}  {label}: {value} (target {target})")

    f = res["formats"]
    for fmt in ("webp", "mp4", "html"):
        ratio = f[f"job_{fmt}"] / f["job_gif"]
        line(f"1. {fmt} job / GIF job ({f['frames']} frames of {f['run']})", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5)
    lines.append("      per frame (ms): " + ", ".join(
        f"{fmt} job {1000 * f[f'job_{fmt}'] / f['frames']:.1f} / encode {1000 * f[f'encode_{fmt}'] / f['frames']:.1f}"
        for fmt in ("gif", "webp", "mp4", "html")))
    sizes = (f"{fmt} {f[f'bytes_{fmt}'] / 1e3:.0f}" for fmt in ("gif", "webp", "mp4", "html"))
    lines.append("      sizes (kB): " + ", ".join(sizes))
    nb = res["notebook"]
    ratio = nb["job"] / nb["floor"]
    line(f"2. notebook save_animation / encode-only floor ({nb['frames']} frames: {nb['job']:.2f} s / "
         f"{nb['floor']:.2f} s)", f"{ratio:.2f}x", "<= 2x", ratio <= 2)
    if "draw" in nb:
        lines.append(f"      2. warm (a second call, matplotlib imported): {nb['warm']:.2f} s = "
                     f"{nb['warm'] / nb['floor']:.2f}x; lower bound with free encoding (set-up and drawing "
                     f"alone, warm): {nb['draw']:.2f} s = {nb['draw'] / nb['floor']:.2f}x the floor")
    wide = res["wide"]
    for key in ("16", "64", "32x32"):
        ratio = wide[key] / wide["2"]
        line(f"3. hidden {key} per frame ({1000 * wide[key]:.1f} ms against the reference's {1000 * wide['2']:.1f} ms)",
             f"{ratio:.2f}x", "<= 1.3x", ratio <= 1.3)
    ex = res["explorer"]
    line(f"4. explorer redraw median (p90 {1000 * ex['p90']:.1f} ms; draw alone {1000 * ex['draw_median']:.1f} ms; "
         f"{ex['image_format']} {ex['image_bytes'] / 1e3:.0f} kB)", f"{1000 * ex['median']:.1f} ms", "<= 16 ms",
         ex["median"] <= 0.016)
    if "grid" in res:
        if base is not None:
            ratio = res["grid"]["s"] / base["grid"]["s"]
            line(f"5. grid of 30 runs ({res['grid']['s']:.1f} s, against {base['grid']['s']:.1f} s)", f"{ratio:.2f}x",
                 "<= 0.5x", ratio <= 0.5)
        else:
            lines.append(f"      5. grid of 30 runs: {res['grid']['s']:.1f} s (no --against tree to compare)")
    for name, label in (("import", "import boundaryviz"), ("help", "python -m boundaryviz --help")):
        if base is not None:
            ratio = res[name]["s"] / base[name]["s"]
            line(f"6. {label} ({1000 * res[name]['s']:.0f} ms, against {1000 * base[name]['s']:.0f} ms)",
                 f"{ratio:.2f}x", "<= 1.05x", ratio <= 1.05)
        else:
            lines.append(f"      6. {label}: {1000 * res[name]['s']:.0f} ms")
    fl = res["floor"]
    floor = res["import"]["s"] + fl["encode_total"] / cores
    ratio = res["default_job"]["s"] / floor
    lines.append(f"      default job: {res['default_job']['s']:.2f} s; its floor {floor:.2f} s (start-up "
                 f"{res['import']['s']:.2f} s + encoding its {fl['frames']} frames {fl['encode_total']:.2f} s / "
                 f"{cores} cores); ratio {ratio:.2f}x (target <= 1.5x: {'PASS' if ratio <= 1.5 else 'FAIL'})")
    if "draw_total" in fl:
        bound = res["import"]["s"] + fl["draw_total"] / cores
        lines.append(f"      default job, lower bound with free encoding: start-up + drawing alone "
                     f"{fl['draw_total']:.2f} s / {cores} cores = {bound:.2f} s = {bound / floor:.2f}x its floor")
    if base is not None:
        for key, label in (("default_job", "default job"),):
            lines.append(f"      {label} against the other tree: {res[key]['s'] / base[key]['s']:.2f}x")
        bf = base["formats"]
        lines.append("      against the other tree, each format's job: " + ", ".join(
            f"{fmt} {f[f'job_{fmt}'] / bf[f'job_{fmt}']:.2f}x" for fmt in ("gif", "webp", "mp4", "html"))
            + f"; notebook {nb['job'] / base['notebook']['job']:.2f}x; hidden 64 per frame "
            f"{wide['64'] / base['wide']['64']:.2f}x; explorer median "
            f"{ex['median'] / base['explorer']['median']:.2f}x")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", choices=sorted(TASKS), help=argparse.SUPPRESS)
    parser.add_argument("--tree", default=HERE, help="source tree to measure (default: this one)")
    parser.add_argument("--against", metavar="TREE", help="another source tree measured in the same rounds")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds, best of each (default: 3)")
    parser.add_argument("--grid", action="store_true", help="also time a shortened grid (a minute or two a round)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = parser.parse_args(argv)
    if args.task:
        print(json.dumps(TASKS[args.task]()))
        return 0
    trees = [os.path.abspath(args.tree)] + ([os.path.abspath(args.against)] if args.against else [])
    cores = os.cpu_count() or 1
    load_before = os.getloadavg()

    def rounds_of(name):
        return 1 if name in ("floor", "grid") else args.rounds if name not in ("import", "help") else 3 * args.rounds

    results = measure(None, rounds_of, trees, args.grid)
    res, base = results[trees[0]], results.get(trees[1]) if len(trees) > 1 else None
    print(f"tree {trees[0]}" + (f" against {trees[1]}" if base else "") + f"; {cores} cores; load average "
          f"{load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after ({args.rounds} interleaved rounds, best of each)")
    lines = report(res, base, cores)
    print("\n".join(lines))
    if base is not None:
        print("\nthe other tree alone:")
        print("\n".join(line for line in report(base, None, cores) if not line.startswith("      against")))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"results": results, "report": lines, "load": [load_before, os.getloadavg()]}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
