"""Benchmark boundaryviz's animation pipeline against the naive pyplot pipeline (issue 4).

What it measures, all within one run so that the ratios hold on a busy machine:

1. **End to end**: the default job (the reference runs through ``reference_specs`` and
   ``run_sweep``, GIFs into a temporary folder) with ``jobs=1`` and with ``jobs=N`` (all
   cores, at least 2), the parallel job both cold (starting the loky workers, as the command
   line does every time) and warm (workers reused); three interleaved rounds, best of each.
   Peak resident memory of this process and its workers is sampled while each job runs.
2. **Stages** of boundaryviz's pipeline, in milliseconds per frame, each the best of three
   passes over the same frames: update (mesh evaluation and artist data, ``Renderer.update``),
   draw (``Renderer.frame_rgba``, the canvas buffer as save_animation streams it; with a
   renderer that lacks it, ``Renderer.frame`` minus the pixel read), pixel read (the RGB copy),
   palette mapping (``Palette.index``) and GIF encoding (``GifWriter`` fed pre-indexed
   frames), next to the encode-only floor (``GifWriter`` fed pre-rendered RGB frames). A
   detail pass splits update and draw further, per panel and per artist.
3. **Naive pipeline**, as tutorials write it: for every frame a new pyplot figure, ``contourf``
   of the probability on the same 200 × 200 mesh, scatter plots of the samples in input and
   hidden space, ``savefig`` to PNG at the same 960 × 560 pixels, then ``imageio.mimsave`` of
   the PNGs into a GIF. Same histories, same frames (``frame_indices``). When it runs on a
   subset of the frames, the report says so and extrapolates per frame.
4. **Memory** of a 2000-epoch run in a fresh subprocess (trains and writes its GIF; the peak
   is its own high-water mark, ``VmHWM``), and the high-water mark after each of
   save_animation's steps.

The package is imported from a copy taken at start (see :func:`snapshot_package`), so that
every process of one benchmark run measures the same code.

Usage::

    python benchmarks/bench_render.py                # full, three to four minutes
    python benchmarks/bench_render.py --quick        # about one minute
    python benchmarks/bench_render.py --json bench.json

Private renderer attributes are read only by the detail pass (:func:`measure_detail`); if the
renderer's internals change, that section reports itself unavailable and the rest still runs.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime
import hashlib
import importlib.util
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time


def snapshot_package():
    """Copy boundaryviz's source to a temporary folder and import it from there, here and in
    every worker and subprocess (PYTHONPATH).

    The package is installed in editable mode while others edit it: without a copy, the loky
    workers and the subprocesses would import whatever is on disk when they start, and one
    benchmark run could compare different versions of the code.

    Returns
    -------
    (str, str, str)
        The source folder, a digest of its ``.py`` files, the folder holding the copy.
    """
    source = os.path.dirname(importlib.util.find_spec("boundaryviz").origin)
    root = tempfile.mkdtemp(prefix="bench_boundaryviz_src_")
    shutil.copytree(source, os.path.join(root, "boundaryviz"), ignore=shutil.ignore_patterns("__pycache__"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    sys.path.insert(0, root)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    digest = hashlib.sha1()
    for name in sorted(os.listdir(os.path.join(root, "boundaryviz"))):
        if name.endswith(".py"):
            with open(os.path.join(root, "boundaryviz", name), "rb") as handle:
                digest.update(name.encode() + b"\0" + handle.read())
    return source, digest.hexdigest()[:10], root


SNAPSHOT = snapshot_package() if __name__ == "__main__" else (None, "live tree", None)
os.environ.setdefault("MPLBACKEND", "Agg")  # also for the loky workers and the subprocess
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import imageio.v2 as imageio  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.artist import Artist  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

import boundaryviz as bv  # noqa: E402
from boundaryviz.output import animation as animate  # noqa: E402
from boundaryviz.output.palette import Palette  # noqa: E402
from boundaryviz.output.writers import GifWriter  # noqa: E402
from boundaryviz.render import geometry  # noqa: E402
from boundaryviz.runs.sweep import default_jobs  # noqa: E402

perf = time.perf_counter
MB = 1e6
DPI = 100
NAIVE_BUDGET_S = 180.0  # full mode runs the naive pipeline on every frame if it fits in this
GIF_TOLERANCE = getattr(animate, "GIF_TOLERANCE", 16)  # what save_animation passes to GifWriter

MODES = {
    # runs of the default job, frames per run, runs split into stages, naive subset, long run
    "full": dict(learning_rates=(0.1, 0.01, 0.001), max_frames=animate.DEFAULT_MAX_FRAMES,
                 stage_runs=("relu_lr0.1", "tanh_lr0.1"), naive_frames=None,
                 long_runs=((200, animate.DEFAULT_MAX_FRAMES), (2000, animate.DEFAULT_MAX_FRAMES)),
                 ),
    "quick": dict(learning_rates=(0.1,), max_frames=40, stage_runs=("relu_lr0.1",), naive_frames=6,
                  long_runs=((2000, 40),)),
}


# --------------------------------------------------------------------------------- helpers
class RssSampler:
    """Peak summed RSS of this process and its descendants (loky workers), sampled every 50 ms.

    Needs psutil; without it ``peak`` stays None and the report falls back on ru_maxrss.
    """

    def __init__(self, interval=0.05):
        self.interval = interval
        self.peak = None
        self.peak_single = None
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        try:
            import psutil
        except ImportError:
            return self
        me = psutil.Process()

        def poll():
            while True:
                total, single = 0, 0
                with contextlib.suppress(Exception):
                    for proc in [me, *me.children(recursive=True)]:
                        with contextlib.suppress(Exception):
                            rss = proc.memory_info().rss
                            total += rss
                            single = max(single, rss)
                self.peak = max(self.peak or 0, total)
                self.peak_single = max(self.peak_single or 0, single)
                if self._stop.wait(self.interval):
                    return

        self._thread = threading.Thread(target=poll, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        return False


def best_of(fn, repeats):
    """Shortest wall time of ``repeats`` calls of ``fn`` (seconds) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        t0 = perf()
        result = fn()
        best = min(best, perf() - t0)
    return best, result


class PreIndexed(Palette):
    """The palette of a real Palette whose ``index`` passes pre-indexed frames through.

    Feeding a GifWriter pre-indexed frames through this times its encoding alone.
    """

    def __init__(self, palette):  # not super().__init__: that would rebuild the lookup table
        self.__dict__.update(vars(palette))

    def index(self, frame):
        return frame


def write_gif(path, frames, palette, fps):
    """Stream ``frames`` into a GIF exactly as save_animation does; returns its size in bytes."""
    with GifWriter(path, fps=fps, palette=palette, hold_last_ms=1500, tolerance=GIF_TOLERANCE) as gif:
        for frame in frames:
            gif.append(frame)
    return os.path.getsize(path)


def git_state():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "boundaryviz"], cwd=here,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes in boundaryviz/" if dirty else "")


# ------------------------------------------------------------------------------ end to end
def cpu_seconds():
    """{pid: user + system seconds} of this process and its descendants (psutil), or {}."""
    try:
        import psutil
    except ImportError:
        return {}
    me = psutil.Process()
    seconds = {}
    for proc in [me, *me.children(recursive=True)]:
        with contextlib.suppress(Exception):
            t = proc.cpu_times()
            seconds[proc.pid] = t.user + t.system
    return seconds


def stop_workers():
    """Shut down loky's reusable worker pool (joblib's), so that the next parallel job starts cold.

    Workers are spawned lazily, so asking for the executor spawns none.
    """
    from joblib.externals.loky import get_reusable_executor

    get_reusable_executor().shutdown(wait=True)


def best_job(rounds):
    """The fastest of several measurements of one job, with every wall time and the top memory."""
    best = dict(min(rounds, key=lambda job: job["wall_s"]))
    best["walls_s"] = [job["wall_s"] for job in rounds]
    for key in ("peak_rss_total_mb", "peak_rss_process_mb"):
        values = [job[key] for job in rounds if job[key] is not None]
        best[key] = max(values) if values else None
    return best


def measure_job(dataset, mode, jobs, label):
    """Run the default job once through run_sweep with ``jobs`` workers."""
    with tempfile.TemporaryDirectory(prefix="bench_job_") as out:
        specs = bv.reference_specs(dataset, out, learning_rates=mode["learning_rates"],
                                   max_frames=mode["max_frames"], render={"resolution": 200, "layer": -1})
        load = os.getloadavg()[0]
        cpu_before = cpu_seconds()
        with RssSampler() as memory:
            t0 = perf()
            results = list(bv.run_sweep(specs, jobs=jobs))
            wall = perf() - t0
        cpu_after = cpu_seconds()  # loky workers live on after the job: their time is still there
        cpu = sum(v - cpu_before.get(pid, 0.0) for pid, v in cpu_after.items()) if cpu_after else None
        order = {spec.name: i for i, spec in enumerate(specs)}
        results.sort(key=lambda r: order[r.name])
        frames = sum(len(animate.frame_indices(len(r.history), s.options.max_frames)) for r, s in zip(results, specs))
        sizes = {r.name: r.files[0][1] for r in results}
    return dict(label=label, jobs=jobs, wall_s=wall, frames=frames, ms_per_frame=1000 * wall / frames,
                cpu_s=cpu, load_before=load, load_after=os.getloadavg()[0],
                peak_rss_total_mb=None if memory.peak is None else memory.peak / MB,
                peak_rss_process_mb=None if memory.peak_single is None else memory.peak_single / MB,
                gif_bytes=sizes, specs=specs)


# ---------------------------------------------------------------------------------- stages
def measure_stages(spec, history, repeats, tmp):
    """Per-frame stage times of one run (best of ``repeats`` passes over its frames)."""
    indices = [int(i) for i in animate.frame_indices(len(history), spec.options.max_frames)]
    n = len(indices)
    t0 = perf()
    renderer = bv.Renderer(history, **spec.render)
    t1 = perf()
    renderer.frame(indices[0])  # the first frame draws the whole figure and caches the background
    t2 = perf()
    samples = [renderer.frame(i) for i in sorted({0, indices[n // 2], indices[-1]})]
    t3 = perf()
    palette = Palette.from_frames(renderer.key_colors(), samples)
    t4 = perf()
    setup = dict(renderer_ms=1000 * (t1 - t0), first_frame_ms=1000 * (t2 - t1),
                 palette_samples_ms=1000 * (t3 - t2), palette_build_ms=1000 * (t4 - t3))

    # save_animation streams the canvas buffer itself when the renderer offers frame_rgba (a
    # view); otherwise it uses frame(), which pays the RGB copy. Time the path it takes.
    view = getattr(renderer, "frame_rgba", None)
    canvas = renderer.figure.canvas
    times = {k: np.empty((repeats, n)) for k in ("update", "frame", "read", "palette")}
    rgbs, indexed = [], []
    for rep in range(repeats):
        # consecutive indices differ (also from the last of the previous pass), so update()
        # never hits its cache of the current snapshot
        for k, i in enumerate(indices):
            a = perf()
            renderer.update(i)
            b = perf()
            pixels = view(i) if view is not None else renderer.frame(i)  # update(i) is cached now
            c = perf()
            rgb = np.asarray(canvas.buffer_rgba())[:, :, :3].copy()  # the RGB copy on its own
            d = perf()
            idx = palette.index(pixels)
            e = perf()
            times["update"][rep, k] = b - a
            times["frame"][rep, k] = c - b
            times["read"][rep, k] = d - c
            times["palette"][rep, k] = e - d
            if rep == 0:
                rgbs.append(rgb)
                indexed.append(idx)
    draw = times["frame"] - (0 if view is not None else times["read"])
    per_frame = {  # best of the passes, frame by frame
        "update": times["update"].min(axis=0),
        "draw": draw.min(axis=0),
        "read": times["read"].min(axis=0),
        "palette": times["palette"].min(axis=0),
    }
    path = os.path.join(tmp, f"{spec.name}_stages.gif")
    floor_s, floor_size = best_of(lambda: write_gif(path, rgbs, palette, spec.fps), repeats)
    with open(path, "rb") as handle:
        floor_bytes = handle.read()
    indexed_path = os.path.join(tmp, "indexed.gif")
    encode_s, _ = best_of(lambda: write_gif(indexed_path, indexed, PreIndexed(palette), spec.fps), repeats)
    with open(indexed_path, "rb") as handle:
        encode_valid = handle.read() == floor_bytes  # GifWriter still maps through palette.index

    # the public call on a fresh renderer, once: cross-checks the stage sum and the frames
    public = os.path.join(tmp, f"{spec.name}_public.gif")
    fresh = bv.Renderer(history, **spec.render)
    t0 = perf()
    animation = bv.save_animation(history, public, fps=spec.fps, max_frames=spec.options.max_frames, renderer=fresh)
    public_s = perf() - t0
    with open(public, "rb") as handle:
        identical = handle.read() == floor_bytes
    return dict(name=spec.name, frames=n, per_frame=per_frame, floor_ms=1000 * floor_s / n,
                encode_ms=1000 * encode_s / n, encode_valid=encode_valid, read_in_path=view is None,
                gif_bytes=floor_size, setup=setup,
                save_animation_ms=1000 * public_s / animation.n_frames, identical_to_save_animation=identical)


class _Timers:
    """Wraps methods of single objects (never their classes) to add up the time spent in them.

    Nested calls count in the outermost wrapped call only.
    """

    def __init__(self):
        self.seconds = {}
        self._depth = 0

    def wrap(self, obj, method, key):
        original = getattr(obj, method)

        def timed(*args, **kwargs):
            if self._depth:
                return original(*args, **kwargs)
            self._depth += 1
            start = perf()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[key] = self.seconds.get(key, 0.0) + perf() - start
                self._depth -= 1

        setattr(obj, method, timed)


def _artist_names(renderer):
    """Readable names of the figure's artists: ``panel.attribute`` where a panel holds them."""
    axes_names = {id(ax): name for name, ax in getattr(renderer, "axes", {}).items()}
    names = {}
    # private: the panel objects of this renderer, only to name their artists
    for panel_name in ("input_panel", "hidden_panel", "curve_panel", "status"):
        panel = getattr(renderer, panel_name, None)
        for attr, value in (vars(panel).items() if panel is not None else ()):
            for artist in value if isinstance(value, (list, tuple)) else [value]:
                if isinstance(artist, Artist) and not isinstance(artist, Axes):
                    names.setdefault(id(artist), f"{panel_name.replace('_panel', '')}.{attr}")
    for artist in renderer.figure.findobj(include_self=False):
        if id(artist) not in names:
            ax = artist.axes
            where = "figure" if ax is None else axes_names.get(id(ax), "twin axes")
            names[id(artist)] = f"{where}:{type(artist).__name__}"
    return names


def measure_detail(spec, history, repeats):
    """Split update per panel and draw per artist, timing the public update() and frame().

    On one renderer only, wraps each panel's ``update`` or ``show`` (private attributes
    ``input_panel``, ``hidden_panel``, ``curve_panel``, ``status``) and the view functions
    that compute what it shows, every artist's ``draw`` and the canvas's
    ``restore_region`` with timers, so the split follows whatever the renderer draws. What
    the timers do not see in ``frame_rgba()`` (or ``frame()`` minus its RGB copy) -- writing
    the fields as pixels, loop overhead -- is the remainder.
    """
    indices = [int(i) for i in animate.frame_indices(len(history), spec.options.max_frames)]
    r = bv.Renderer(history, **spec.render)
    r.frame(indices[0])  # full draw and background first, unwrapped
    timers = _Timers()
    for panel_name in ("input_panel", "hidden_panel", "curve_panel", "status"):
        panel = getattr(r, panel_name, None)
        # panels that compute and draw in ``update``, or that ``show`` a view computed apart
        method = next((m for m in ("update", "show") if hasattr(panel, m)), None)
        if method is not None:
            timers.wrap(panel, method, f"update: {panel_name.replace('_panel', '')}")
    # where the panel maths are pure functions (boundaryviz.render.views), their time counts for
    # the panel too; put back once measured, so no other renderer is timed
    views = sys.modules.get("boundaryviz.render.views")
    restore = []
    for function, key in (("input_view", "update: input"), ("hidden_view", "update: hidden")):
        if hasattr(views, function):
            restore.append((function, getattr(views, function)))
            timers.wrap(views, function, key)
    try:
        return _measure_wrapped(r, history, indices, timers, repeats, spec)
    finally:
        for function, original in restore:
            setattr(views, function, original)


def _measure_wrapped(r, history, indices, timers, repeats, spec):
    """The loop of :func:`measure_detail` once its timers are in place."""
    names = _artist_names(r)
    for artist in r.figure.findobj(include_self=False):
        timers.wrap(artist, "draw", f"draw: {names[id(artist)]}")
    canvas = r.figure.canvas
    timers.wrap(canvas, "restore_region", "draw: restore background")
    points = geometry.mesh(geometry.input_limits(history.dataset.X), r.resolution)[2]
    view = getattr(r, "frame_rgba", None)  # the path save_animation takes, as in measure_stages

    per_frame = {}
    for rep in range(repeats):
        for k, i in enumerate(indices):
            timers.seconds = {}
            snap = history.snapshots[i]
            a = perf()
            snap.predict_proba(points)
            b = perf()
            r.update(i)
            c = perf()
            if view is not None:
                view(i)
                d = e = perf()  # no copy in this path
            else:
                r.frame(i)
                d = perf()
                np.asarray(canvas.buffer_rgba())[:, :, :3].copy()
                e = perf()
            seen = dict(timers.seconds)
            update_seen = sum(v for key, v in seen.items() if key.startswith("update"))
            draw_seen = sum(v for key, v in seen.items() if key.startswith("draw"))
            seen["mesh predict_proba 200x200 (public call, for reference)"] = b - a
            seen["rest of update (status values, bookkeeping)"] = (c - b) - update_seen
            seen["rest of draw (field pixels, loop, timer overhead)"] = (d - c) - (e - d) - draw_seen
            for key, value in seen.items():
                per_frame.setdefault(key, np.full((repeats, len(indices)), np.nan))[rep, k] = value
    ms = {key: 1000 * float(np.nanmean(np.nanmin(v, axis=0))) for key, v in per_frame.items()}
    return dict(name=spec.name, frames=len(indices), ms=ms)


# ----------------------------------------------------------------------------------- naive
def naive_frame(history, index, mesh, path):
    """One frame the tutorial way: new pyplot figure, contourf, scatters, savefig, close."""
    xs, ys, points = mesh
    X, y = history.dataset.X, history.dataset.y
    snap = history.snapshots[index]
    a = perf()
    proba = snap.predict_proba(points)[:, 1].reshape(len(ys), len(xs))
    hidden = snap.hidden(X)
    b = perf()
    fig, (ax_in, ax_hid) = plt.subplots(1, 2, figsize=(960 / DPI, 560 / DPI), dpi=DPI)
    ax_in.contourf(xs, ys, proba, levels=np.linspace(0, 1, 11), cmap="RdBu_r")
    ax_in.scatter(X[:, 0], X[:, 1], c=y, cmap="bwr", s=11, edgecolors="none")
    ax_in.set_title("input space")
    ax_hid.scatter(hidden[:, 0], hidden[:, 1], c=y, cmap="bwr", s=11, edgecolors="none")
    ax_hid.set_title("hidden space")
    fig.suptitle(f"epoch {snap.epoch}  loss {snap.loss:.4f}  accuracy {snap.accuracy:.1%}")
    c = perf()
    fig.savefig(path, dpi=DPI)
    d = perf()
    plt.close(fig)
    e = perf()
    return dict(compute=b - a, figure=c - b, savefig=d - c, close=e - d)


def naive_run(spec, history, indices, tmp, complete):
    """The naive pipeline on ``indices`` of one run; per-stage seconds and the GIF size."""
    mesh = geometry.mesh(geometry.input_limits(history.dataset.X), 200)
    totals = dict(compute=0.0, figure=0.0, savefig=0.0, close=0.0)
    paths = []
    for k, i in enumerate(indices):
        path = os.path.join(tmp, f"{spec.name}_{k:04d}.png")
        for key, value in naive_frame(history, i, mesh, path).items():
            totals[key] += value
        paths.append(path)
    gif = os.path.join(tmp, f"{spec.name}_naive.gif")
    a = perf()
    frames = [imageio.imread(p) for p in paths]
    b = perf()
    imageio.mimsave(gif, frames, duration=1000 / spec.fps, loop=0)
    c = perf()
    totals["read PNGs"] = b - a
    totals["mimsave"] = c - b
    shape = frames[0].shape
    for p in paths:
        os.remove(p)
    return dict(name=spec.name, frames=len(indices), seconds=totals, gif_bytes=os.path.getsize(gif),
                frame_shape=shape, complete=complete)


def measure_naive(specs, histories, frames_per_run, budget_s, tmp):
    """The naive pipeline on every run (full) or a few frames of two runs (quick).

    Full mode stops before a run that would take the total past ``budget_s``.
    """
    runs, skipped = [], []
    t0 = perf()
    selected = specs if frames_per_run is None else specs[:2]
    for spec in selected:
        history = histories[spec.name]
        indices = [int(i) for i in animate.frame_indices(len(history), spec.options.max_frames)]
        if frames_per_run is not None:
            pick = np.unique(np.linspace(0, len(indices) - 1, frames_per_run).round().astype(int))
            indices = [indices[j] for j in pick]
        elif runs:
            done = sum(r["frames"] for r in runs)
            per_frame = (perf() - t0) / done
            if perf() - t0 + per_frame * len(indices) > budget_s:
                skipped.append(spec.name)
                continue
        runs.append(naive_run(spec, history, indices, tmp, complete=frames_per_run is None))
    frames = sum(r["frames"] for r in runs)
    stages = {key: 1000 * sum(r["seconds"][key] for r in runs) / frames for key in runs[0]["seconds"]}
    return dict(runs=runs, frames=frames, ms_per_frame=stages, total_ms_per_frame=sum(stages.values()),
                frame_shape=runs[0]["frame_shape"], skipped_runs=skipped, wall_s=perf() - t0)


# ------------------------------------------------------------------------------- long run
LONG_RUN = r"""
import json, resource, sys, time
t0 = time.perf_counter()
import boundaryviz as bv

def status(field):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024

epochs, max_frames, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
data = bv.make_dataset("gaussians", seed=0)
after_import = status("VmRSS")
t1 = time.perf_counter()
history = bv.train(data, activation="relu", learning_rate=0.1, epochs=epochs, stop_loss=0)
t2 = time.perf_counter()
animation = bv.save_animation(history, path, max_frames=max_frames)
t3 = time.perf_counter()
print(json.dumps(dict(
    module=bv.__file__, epochs_run=history.epochs_run, frames=animation.n_frames, gif_bytes=animation.size_bytes,
    import_s=t1 - t0, train_s=t2 - t1, render_s=t3 - t2, rss_after_import=after_import,
    peak_rss=status("VmHWM"), ru_maxrss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
)))
"""
# Peak RSS is the child's VmHWM (high-water mark of its own address space, reset by exec).
# Its ru_maxrss is printed too but not used: on Linux a child started from this process
# inherits this process's high-water mark in ru_maxrss, which would report the benchmark's
# own memory (it holds a run's pre-rendered frames) instead of the run's.


STEPS_RUN = r"""
import json, sys
def hwm():
    with open("/proc/self/status") as handle:
        return next(int(l.split()[1]) * 1024 for l in handle if l.startswith("VmHWM:"))
steps = [("start", hwm())]
import numpy, matplotlib
steps.append(("import numpy, matplotlib", hwm()))
import boundaryviz as bv
from boundaryviz.output.animation import frame_indices
from boundaryviz.output.palette import Palette
from boundaryviz.output.writers import GifWriter
steps.append(("import boundaryviz", hwm()))
epochs, max_frames, path, tolerance = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
history = bv.train(bv.make_dataset("gaussians", seed=0), activation="relu", learning_rate=0.1, epochs=epochs,
                   stop_loss=0)
steps.append((f"train {epochs} epochs", hwm()))
renderer = bv.Renderer(history)
steps.append(("Renderer()", hwm()))
indices = [int(i) for i in frame_indices(len(history), max_frames)]
renderer.frame(indices[0])
steps.append(("first frame", hwm()))
samples = [renderer.frame(i) for i in sorted({0, indices[len(indices) // 2], indices[-1]})]
palette = Palette.from_frames(renderer.key_colors(), samples)
steps.append(("Palette.from_frames", hwm()))
get = getattr(renderer, "frame_rgba", renderer.frame)
with GifWriter(path, fps=15, palette=palette, hold_last_ms=1500, tolerance=tolerance) as gif:
    for i in indices:
        gif.append(get(i))
steps.append(("all frames through GifWriter", hwm()))
print(json.dumps(steps))
"""
# The steps of save_animation one by one (public Renderer, Palette, GifWriter), with the
# high-water mark after each: where a peak comes from.


def measure_memory_steps(epochs, max_frames, tmp):
    path = os.path.join(tmp, f"steps_{epochs}.gif")
    done = subprocess.run([sys.executable, "-c", STEPS_RUN, str(epochs), str(max_frames), path, str(GIF_TOLERANCE)],
                          capture_output=True, text=True, cwd=tmp)  # not the repository: "-c" puts cwd first
    if done.returncode != 0:
        raise RuntimeError(f"the memory-steps subprocess failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_long_run(epochs, max_frames, tmp):
    """Train ``epochs`` epochs and write the GIF in a fresh interpreter; its own peak RSS."""
    path = os.path.join(tmp, f"long_{epochs}.gif")
    t0 = perf()
    done = subprocess.run([sys.executable, "-c", LONG_RUN, str(epochs), str(max_frames), path],
                          capture_output=True, text=True, cwd=tmp)  # not the repository: "-c" puts cwd first
    wall = perf() - t0
    if done.returncode != 0:
        raise RuntimeError(f"the {epochs}-epoch subprocess failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(epochs=epochs, max_frames=max_frames, wall_s=wall)
    return result


def measure_cli(mode, repeats, tmp, max_frames=None):
    """``python -m boundaryviz`` as a user runs it (start-up, sweep, gallery), best of ``repeats``.

    ``max_frames`` overrides the mode's (0: a frame per epoch).
    """
    max_frames = mode["max_frames"] if max_frames is None else max_frames
    args = [sys.executable, "-m", "boundaryviz", "-q", "--learning-rates",
            ",".join(f"{lr:g}" for lr in mode["learning_rates"]), "--max-frames", str(max_frames)]
    walls = []
    for k in range(repeats):
        out = os.path.join(tmp, f"cli_{max_frames}_{k}")
        t0 = perf()
        done = subprocess.run(args + ["--out", out], capture_output=True, text=True, cwd=tmp)
        walls.append(perf() - t0)
        if done.returncode != 0:
            raise RuntimeError(f"python -m boundaryviz failed:\n{done.stderr}")
    files = sorted(os.listdir(out))
    sizes = {name: os.path.getsize(os.path.join(out, name)) for name in files if name.endswith(".gif")}
    return dict(wall_s=min(walls), walls_s=walls, files=files, gif_bytes=sizes, max_frames=max_frames)


# ---------------------------------------------------------------------------------- report
def verdict(value, target, better):
    ok = value >= target if better == "higher" else value <= target
    return "PASS" if ok else "FAIL"


def mode_long(r):
    longest = max(r["long_runs"], key=lambda x: x["epochs"])
    return f"{longest['epochs']} epochs, {longest['frames']} frames"


def build_report(r):
    """The compact text report from the results dict ``r``."""
    out = []
    add = out.append
    jobs1, jobsn, warm = r["jobs1"], r["jobsn"], r["jobsn_warm"]
    add(f"boundaryviz render benchmark — {r['mode']} mode — {r['date']}")
    add(f"  boundaryviz {bv.__version__} @ {r['git']}, source snapshot {r['snapshot']}; "
        f"Python {platform.python_version()}, matplotlib {matplotlib.__version__}, NumPy {np.__version__}; "
        f"{r['cores']} cores; "
        f"load average {r['load_start']:.2f} at start, {r['load_end']:.2f} at end")
    add(f"  job: {len(jobs1['gif_bytes'])} runs ({', '.join(jobs1['gif_bytes'])}), "
        f"{jobs1['frames']} frames of 960x560 in all (frames per run: {r['frames_per_run']})")
    add("")
    add(f"END TO END  (reference_specs + run_sweep, GIFs into a temp folder; best of {r['repeats']} interleaved "
        "rounds, all walls in brackets; CPU = this process and its workers)")
    for job, note in ((jobs1, ""), (jobsn, "  cold: includes starting the loky workers"),
                      (warm, "  warm: workers reused")):
        if job is None:
            continue
        memory = ("peak RSS n/a" if job["peak_rss_total_mb"] is None else
                  f"peak RSS {job['peak_rss_total_mb']:.0f} MB all processes, "
                  f"{job['peak_rss_process_mb']:.0f} MB largest")
        cpu = "" if job["cpu_s"] is None else f"CPU {job['cpu_s']:5.2f} s = {job['cpu_s'] / job['wall_s']:.2f} cores  "
        walls = "/".join(f"{w:.1f}" for w in job["walls_s"])
        add(f"  jobs={job['jobs']:<3} {job['wall_s']:6.2f} s wall [{walls}]  {job['ms_per_frame']:5.1f} ms/frame  "
            f"{cpu}load {job['load_before']:.1f}->{job['load_after']:.1f}  {memory}{note}")
    cli = r.get("cli")
    if cli:
        add(f"  python -m boundaryviz  {cli['wall_s']:6.2f} s wall [{'/'.join(f'{w:.1f}' for w in cli['walls_s'])}]"
            f"  the default job as a user runs it: interpreter start-up, all cores, gallery "
            f"({', '.join(cli['files'])})")
        add("    its GIFs: " + ", ".join(f"{k} {v / MB:.2f} MB" for k, v in cli["gif_bytes"].items()))
    every = r.get("cli_every_epoch")
    if every:
        add(f"  python -m boundaryviz --max-frames 0  {every['wall_s']:6.2f} s wall "
            f"[{'/'.join(f'{w:.1f}' for w in every['walls_s'])}]  a frame per epoch ({r['epoch_frames']} frames), "
            "gallery included")
    add("  GIF sizes: " + ", ".join(f"{k} {v / MB:.2f} MB" for k, v in jobs1["gif_bytes"].items())
        + f"  (total {sum(jobs1['gif_bytes'].values()) / MB:.2f} MB)")
    add("")
    s = r["stages"]
    add(f"STAGES  (boundaryviz, ms per frame, best of {r['repeats']} per frame; runs {', '.join(s['runs'])}, "
        f"{s['frames']} frames)")
    add(f"  train                 {s['train_ms_per_epoch']:7.3f} ms/epoch  ({s['train_ms_per_run']:.0f} ms per run)")
    draw_label = "draw (blit, frame_rgba: no copy)" if not s["read_in_path"] else "draw (blit: frame() - RGB copy)"
    read_label = "pixel read (RGB copy)" + ("" if s["read_in_path"] else " [not in save_animation's path]")
    rows = (("update", "update (mesh eval, contours, artist data)"), ("draw", draw_label),
            ("read", read_label), ("palette", "palette mapping (Palette.index)"),
            ("encode", "encode (GifWriter, pre-indexed)" + ("" if s["encode_valid"] else " [INVALID: bytes differ]")))
    for key, label in rows:
        add(f"  {label:<52} {s['ms'][key]:7.2f}")
    add(f"  {'= render + encode per frame (as save_animation runs)':<52} {s['pipeline_ms']:7.2f}")
    add(f"  {'encode-only floor (GifWriter on pre-rendered RGB frames)':<52} {s['floor_ms']:7.2f}")
    add(f"  {'save_animation, public call, once (incl. setup)':<52} {s['save_animation_ms']:7.2f}   "
        f"GIF identical to the staged one: {'yes' if s['identical'] else 'NO'}")
    st = s["setup"]
    setup_ms = sum(st.values())
    add(f"  setup per run {setup_ms:.0f} ms (Renderer() {st['renderer_ms']:.0f}, "
        f"first frame {st['first_frame_ms']:.0f}, "
        f"3 palette sample frames {st['palette_samples_ms']:.0f}, Palette build {st['palette_build_ms']:.0f}); "
        f"amortised {setup_ms * len(s['runs']) / s['frames']:.2f} ms/frame")
    d = r.get("detail")
    if d is None:
        add(f"  detail: unavailable ({r.get('detail_error')})")
    else:
        add(f"DETAIL  (run {d['name']}, ms per frame, best of {r['repeats']}, timers wrapped on one renderer's "
            "panels and artists; nested draws count in the outer artist)")
        for prefix in ("update", "draw"):
            items = sorted(((v, k) for k, v in d["ms"].items() if k.startswith(prefix)), reverse=True)
            rest = d["ms"][next(k for k in d["ms"] if k.startswith("rest of " + prefix))]
            add(f"  {prefix} ({sum(v for v, _ in items) + rest:.2f}): "
                + ", ".join(f"{k[len(prefix) + 2:]} {v:.2f}" for v, k in items[:12]))
            if len(items) > 12:
                add(f"    + {len(items) - 12} more, {sum(v for v, _ in items[12:]):.2f} together")
        others = [(k, v) for k, v in d["ms"].items() if not k.startswith(("update", "draw"))]
        add("  " + "; ".join(f"{k} {v:.2f}" for k, v in others))
    add("")
    nv = r["naive"]
    total_frames = jobs1["frames"]
    scope = ("all frames of every run" if nv["frames"] == total_frames else
             f"SUBSET: {nv['frames']} of {total_frames} frames (runs {', '.join(x['name'] for x in nv['runs'])}); "
             "the job time below is EXTRAPOLATED per frame")
    add(f"NAIVE PIPELINE  (pyplot figure per frame, contourf 200x200 + 2 scatters, savefig PNG "
        f"{nv['frame_shape'][1]}x{nv['frame_shape'][0]}, imageio.mimsave; {scope})")
    add("  ms/frame: " + ", ".join(f"{k} {v:.1f}" for k, v in nv["ms_per_frame"].items())
        + f"  = {nv['total_ms_per_frame']:.1f}")
    add(f"  job: {r['naive_job_s']:.1f} s ({'measured' if nv['frames'] == total_frames else 'extrapolated'}; "
        f"training {r['train_job_s']:.2f} s included)")
    add(f"  at a frame per epoch, as tutorials draw it ({r['epoch_frames']} frames): "
        f"{r['naive_epoch_job_s']:.1f} s (extrapolated per frame)")
    sizes = ", ".join(f"{x['name']} {x['gif_bytes'] / MB:.2f} MB" for x in nv["runs"] if x["complete"])
    add(f"  naive GIF sizes: {sizes or 'n/a (subsets only)'}")
    add("")
    add("MEMORY")
    for lr in r["long_runs"]:
        add(f"  {lr['epochs']}-epoch run, subprocess (train + save_animation, {lr['frames']} frames, "
            f"{lr['gif_bytes'] / MB:.2f} MB GIF): peak RSS {lr['peak_rss'] / MB:.0f} MB "
            f"(after imports {lr['rss_after_import'] / MB:.0f} MB); train {lr['train_s']:.2f} s, "
            f"render {lr['render_s']:.2f} s")
    steps = r.get("memory_steps")
    if steps:
        parts = [f"{name} +{(hwm - prev) / MB:.0f}" for (name, hwm), (_, prev) in zip(steps[1:], steps[:-1])]
        add(f"  high-water mark by step ({mode_long(r)}, save_animation's steps one by one, MB): "
            f"start {steps[0][1] / MB:.0f}, " + ", ".join(parts) + f" = {steps[-1][1] / MB:.0f}")
    else:
        add(f"  high-water mark by step: unavailable ({r.get('memory_steps_error')})")
    add(f"  this benchmark process: ru_maxrss {r['ru_self_mb']:.0f} MB (holds one run's pre-rendered frames); "
        "job peaks above add the RSS of all processes (shared pages counted in each)")
    add("")
    add("RATIOS                                               value     target")
    for label, value, target, better in r["ratios"]:
        mark = verdict(value, target, better) if target is not None else "info"
        goal = "" if target is None else (">= " if better == "higher" else "<= ") + f"{target:g}"
        unit = " MB" if "MB" in label else "x"
        add(f"  {label:<50} {value:7.2f}{unit:<3} {goal:<8} {mark}")
    for job in (jobsn, warm):
        if job["cpu_s"] is not None:
            cores = job["cpu_s"] / job["wall_s"]
            possible = min(job["jobs"], len(jobs1["gif_bytes"]))
            if cores < 0.75 * possible:
                add(f"  note: the {job['label']} jobs={job['jobs']} run kept only {cores:.2f} of {possible} cores busy "
                    f"(load average {job['load_before']:.1f}); on a busy machine its ratio to jobs=1 understates "
                    "the speed-up. Rerun when idle.")
    return "\n".join(out)


# ------------------------------------------------------------------------------------ main
def run(mode_name, jobs, repeats):
    mode = MODES[mode_name]
    dataset = bv.make_dataset("gaussians", seed=0)
    results = dict(mode=mode_name, date=datetime.datetime.now().isoformat(timespec="seconds"),
                   git=git_state(), snapshot=SNAPSHOT[1], cores=default_jobs(), load_start=os.getloadavg()[0],
                   repeats=repeats, max_frames=mode["max_frames"])
    log = lambda msg: print(f"[{perf() - START:6.1f} s] {msg}", file=sys.stderr, flush=True)  # noqa: E731

    # Rounds of jobs=1, jobs=N cold, jobs=N warm, interleaved so that a burst of load from
    # elsewhere hits all three alike; the best of each is reported (all are in the JSON).
    rounds = {"jobs1": [], "jobsn": [], "jobsn_warm": []}
    for k in range(repeats):
        log(f"end to end, round {k + 1} of {repeats}: jobs=1, jobs={jobs} cold, jobs={jobs} warm")
        stop_workers()  # idle workers would count in jobs=1's memory; jobs=N starts cold
        rounds["jobs1"].append(measure_job(dataset, mode, 1, "jobs1"))
        rounds["jobsn"].append(measure_job(dataset, mode, jobs, "cold"))
        rounds["jobsn_warm"].append(measure_job(dataset, mode, jobs, "warm"))
    specs = rounds["jobs1"][0]["specs"]
    for key, measured in rounds.items():
        for job in measured:
            job.pop("specs")
        results[key] = best_job(measured)

    log("training (best of 3 per run)")
    histories, train_s = {}, {}
    for spec in specs:
        train_s[spec.name], histories[spec.name] = best_of(lambda spec=spec: bv.train(spec.dataset, config=spec.config),
                                                           repeats)
    results["frames_per_run"] = sorted({len(animate.frame_indices(len(h), mode["max_frames"]))
                                        for h in histories.values()})

    with tempfile.TemporaryDirectory(prefix="bench_render_") as tmp:
        stage_results = []
        for name in mode["stage_runs"]:
            log(f"stages, {name}")
            spec = next(s for s in specs if s.name == name)
            stage_results.append(measure_stages(spec, histories[name], repeats, tmp))
        try:
            log(f"detail, {mode['stage_runs'][0]}")
            spec = next(s for s in specs if s.name == mode["stage_runs"][0])
            results["detail"] = measure_detail(spec, histories[spec.name], repeats)
        except Exception as exc:  # private attributes changed under us: report, carry on
            results["detail"] = None
            results["detail_error"] = f"{type(exc).__name__}: {exc}"
        log("python -m boundaryviz, as a subprocess")
        results["cli"] = measure_cli(mode, min(repeats, 2), tmp)
        log("python -m boundaryviz --max-frames 0, as a subprocess")
        results["cli_every_epoch"] = measure_cli(mode, 1, tmp, max_frames=0)
        log("naive pipeline")
        results["naive"] = measure_naive(specs, histories, mode["naive_frames"], NAIVE_BUDGET_S, tmp)
        results["long_runs"] = []
        for epochs, max_frames in mode["long_runs"]:
            log(f"{epochs}-epoch subprocess")
            results["long_runs"].append(measure_long_run(epochs, max_frames, tmp))
        log("memory by step")
        try:
            results["memory_steps"] = measure_memory_steps(*mode["long_runs"][-1], tmp)
        except Exception as exc:  # the steps replicate save_animation: report a mismatch, carry on
            results["memory_steps"] = None
            results["memory_steps_error"] = f"{type(exc).__name__}: {exc}"

    frames = sum(x["frames"] for x in stage_results)
    per = {key: np.concatenate([x["per_frame"][key] for x in stage_results]) for key in stage_results[0]["per_frame"]}
    ms = {key: 1000 * float(v.mean()) for key, v in per.items()}
    ms["encode"] = sum(x["encode_ms"] * x["frames"] for x in stage_results) / frames
    floor = sum(x["floor_ms"] * x["frames"] for x in stage_results) / frames
    epochs = sum(histories[name].epochs_run for name in mode["stage_runs"])
    read_in_path = any(x["read_in_path"] for x in stage_results)
    results["stages"] = dict(
        runs=[x["name"] for x in stage_results], frames=frames, ms=ms, read_in_path=read_in_path,
        pipeline_ms=sum(v for k, v in ms.items() if k != "read" or read_in_path), floor_ms=floor,
        encode_valid=all(x["encode_valid"] for x in stage_results),
        save_animation_ms=sum(x["save_animation_ms"] * x["frames"] for x in stage_results) / frames,
        identical=all(x["identical_to_save_animation"] for x in stage_results),
        setup={k: float(np.mean([x["setup"][k] for x in stage_results])) for k in stage_results[0]["setup"]},
        train_ms_per_epoch=1000 * sum(train_s[name] for name in mode["stage_runs"]) / epochs,
        train_ms_per_run=1000 * float(np.mean([train_s[name] for name in mode["stage_runs"]])),
        per_run=[{k: v for k, v in x.items() if k != "per_frame"} for x in stage_results],
    )

    nv = results["naive"]
    total_frames = results["jobs1"]["frames"]
    results["train_job_s"] = sum(train_s.values())
    results["naive_job_s"] = results["train_job_s"] + nv["total_ms_per_frame"] * total_frames / 1000
    results["epoch_frames"] = sum(len(h) for h in histories.values())  # one frame per snapshot
    long_run = max(results["long_runs"], key=lambda x: x["epochs"])
    if SNAPSHOT[2] is not None and not long_run["module"].startswith(SNAPSHOT[2]):
        results["snapshot"] += f" (NOT used by the subprocesses: {long_run['module']})"
    jobs1, jobsn = results["jobs1"], results["jobsn"]
    # the tutorial pipeline draws a frame per epoch; its per-frame cost is measured above
    results["naive_epoch_job_s"] = results["train_job_s"] + nv["total_ms_per_frame"] * results["epoch_frames"] / 1000
    cli, every = results["cli"], results["cli_every_epoch"]
    ratios = [
        ("naive, a frame per epoch / python -m boundaryviz", results["naive_epoch_job_s"] / cli["wall_s"],
         30, "higher"),
        ("  same frames: both a frame per epoch", results["naive_epoch_job_s"] / every["wall_s"], None, None),
        (f"  same frames: both {total_frames} (naive / CLI)", results["naive_job_s"] / cli["wall_s"], None, None),
        (f"  same frames, sweep only (jobs={jobs}, cold)", results["naive_job_s"] / jobsn["wall_s"], None, None),
        ("  same frames, sweep only, jobs=1", results["naive_job_s"] / jobs1["wall_s"], None, None),
        ("  per frame (naive / staged pipeline)", nv["total_ms_per_frame"] / results["stages"]["pipeline_ms"],
         None, None),
        (f"jobs=1 / jobs={jobs} (cold)", jobs1["wall_s"] / jobsn["wall_s"], 1.6, "higher"),
        (f"jobs=1 / jobs={jobs} (warm workers)", jobs1["wall_s"] / results["jobsn_warm"]["wall_s"], None, None),
        ("(render + encode) / encode-only floor", results["stages"]["pipeline_ms"] / floor, 3, "lower"),
        (f"{long_run['epochs']}-epoch run peak RSS, MB", long_run["peak_rss"] / MB, 300, "lower"),
    ]
    results["ratios"] = ratios
    results["ru_self_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MB
    results["load_end"] = os.getloadavg()[0]
    results["wall_s"] = perf() - START
    return results


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="about one minute: 2 runs, 35 frames each, "
                        "naive pipeline on 6 frames of each")
    parser.add_argument("--jobs", type=int, default=max(2, default_jobs()),
                        help="workers of the parallel job (default: all cores, at least 2; "
                        f"here {max(2, default_jobs())})")
    parser.add_argument("--repeats", type=int, default=3, help="passes of the short measurements (default: 3)")
    parser.add_argument("--json", metavar="PATH", help="also write the results and the report as JSON")
    args = parser.parse_args(argv)
    if args.jobs < 2 or args.repeats < 1:
        parser.error("--jobs must be at least 2 and --repeats at least 1.")
    results = run("quick" if args.quick else "full", args.jobs, args.repeats)
    report = build_report(results)
    print(report)
    print(f"(benchmark wall time {results['wall_s']:.0f} s)")
    if args.json:
        results["report"] = report
        with open(args.json, "w") as handle:
            json.dump(_jsonable(results), handle, indent=1)
    return 0


START = perf()

if __name__ == "__main__":
    sys.exit(main())
