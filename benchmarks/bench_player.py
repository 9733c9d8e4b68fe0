"""Benchmark the HTML player and the notebook explorer (issue 14).

What it measures, on the six reference runs (``reference_specs`` of the default job, seed 0):

1. **Sizes**: each run's GIF and its HTML player written from the same frames in one pass
   (``save_animations``), in bytes, and their ratio. The issue's limit is 2 MB a player.
2. **Writing cost** per frame of each format on its own, from the same pre-rendered frames:
   ``GifWriter`` against ``PlayerWriter`` (palette mapping, changed rectangle, deflate).
3. **Explorer redraw** per frame, as ``explore`` does it when the slider moves to another
   snapshot: ``Renderer.frame`` (update the artists and draw) plus ``frame_png`` (PNG
   encoding), and the whole ``slider.value = i`` round in the kernel (without a browser).
   Snapshots are visited in a shuffled order over every epoch, as a reader scrubs; median
   and 90th percentile over all of them.

Usage::

    python benchmarks/bench_player.py            # about a minute
    python benchmarks/bench_player.py --quick    # two runs, fewer redraws
    python benchmarks/bench_player.py --json player.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time

import numpy as np


def _ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def measure_sizes(specs):
    """Sizes of the GIF and the player of every run, written together."""
    import boundaryviz as bv

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_player_") as folder:
        for spec in specs:
            history = bv.train(spec.dataset, config=spec.config)
            gif, player = bv.save_animations(
                history, [os.path.join(folder, f"{spec.name}.gif"), os.path.join(folder, f"{spec.name}.html")])
            rows.append({"run": spec.name, "frames": gif.n_frames, "gif_bytes": gif.size_bytes,
                         "player_bytes": player.size_bytes})
    return rows


def measure_writers(spec, repeats=3):
    """Milliseconds per frame to write pre-rendered frames as a GIF and as a player."""
    import boundaryviz as bv
    from boundaryviz.output.animation import GIF_TOLERANCE, animation_palette, frame_indices
    from boundaryviz.output.formats import open_writer
    from boundaryviz.render.renderer import Renderer

    history = bv.train(spec.dataset, config=spec.config)
    renderer = Renderer(history)
    indices = frame_indices(len(renderer))
    palette = animation_palette(renderer, indices)
    frames = [renderer.frame(int(i)) for i in indices]
    epochs = [history.snapshots[int(i)].epoch for i in indices]
    result = {}
    with tempfile.TemporaryDirectory(prefix="bench_player_") as folder:
        for fmt in ("gif", "html"):
            best = float("inf")
            for _ in range(repeats):
                start = time.perf_counter()
                with open_writer(os.path.join(folder, f"a.{fmt}"), fps=12, palette=palette,
                                 tolerance=GIF_TOLERANCE, epochs=epochs) as writer:
                    for frame in frames:
                        writer.append(frame)
                best = min(best, time.perf_counter() - start)
            result[fmt] = best / len(frames)
    return result


def measure_explorer(spec, n_redraws, seed=0):
    """Per-redraw times of the explorer over every snapshot, in a shuffled order."""
    import boundaryviz as bv
    from boundaryviz.output.explorer import frame_png

    history = bv.train(spec.dataset, config=spec.config)
    explorer = bv.explore(history)
    renderer = explorer.renderer
    order = np.random.default_rng(seed).permutation(len(history))[:n_redraws]
    draw, png, whole = [], [], []
    for index in order:
        index = int(index)
        start = time.perf_counter()
        frame = renderer.frame(index)
        middle = time.perf_counter()
        frame_png(frame)
        end = time.perf_counter()
        draw.append(middle - start)
        png.append(end - middle)
    for index in np.random.default_rng(seed + 1).permutation(len(history))[:n_redraws]:
        if int(index) == explorer.slider.value:
            continue
        start = time.perf_counter()
        explorer.slider.value = int(index)  # observer: draw, encode, send to the image widget
        whole.append(time.perf_counter() - start)

    def stats(values):
        return {"median": float(np.median(values)), "p90": float(np.percentile(values, 90))}

    return {"snapshots": len(history), "redraws": len(order), "frame": stats(draw), "png": stats(png),
            "slider": stats(whole), "png_bytes": len(frame_png(renderer.frame(len(history) // 2)))}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two runs and 60 redraws")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)

    import boundaryviz as bv

    specs = bv.reference_specs(bv.gaussians(), tempfile.gettempdir())
    if args.quick:
        specs = specs[:2]
    print(f"boundaryviz {bv.__version__} from {os.path.dirname(bv.__file__)}; Python {platform.python_version()}, "
          f"{os.cpu_count()} cores", file=sys.stderr)

    sizes = measure_sizes(specs)
    print("\n| run | frames | GIF | HTML player | player / GIF |\n|---|---|---|---|---|")
    for row in sizes:
        print(f"| {row['run']} | {row['frames']} | {row['gif_bytes'] / 1e6:.2f} MB | "
              f"{row['player_bytes'] / 1e6:.2f} MB | {row['player_bytes'] / row['gif_bytes']:.2f} |")
    largest = max(row["player_bytes"] for row in sizes)
    print(f"\nlargest player: {largest / 1e6:.2f} MB (limit 2 MB)")

    writers = measure_writers(specs[1])
    print(f"\nwriting pre-rendered frames ({specs[1].name}), per frame: GIF {_ms(writers['gif'])}, "
          f"HTML player {_ms(writers['html'])}")

    explorer = measure_explorer(specs[0], 60 if args.quick else 201)
    print(f"\nexplorer redraw ({specs[0].name}, {explorer['redraws']} of {explorer['snapshots']} snapshots, "
          "shuffled), median / 90th percentile:")
    print(f"  Renderer.frame  {_ms(explorer['frame']['median'])} / {_ms(explorer['frame']['p90'])}")
    print(f"  frame_png       {_ms(explorer['png']['median'])} / {_ms(explorer['png']['p90'])}"
          f"  ({explorer['png_bytes'] / 1e3:.0f} kB a frame)")
    print(f"  slider.value =  {_ms(explorer['slider']['median'])} / {_ms(explorer['slider']['p90'])}"
          "  (the whole redraw in the kernel)")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"sizes": sizes, "writers_s_per_frame": writers, "explorer_s": explorer}, handle, indent=2)


if __name__ == "__main__":
    main()
