"""Benchmark data with more than two features (issue 20): iris (4), wine (13), breast cancer
(30) and digits (64, 10 classes), each on its default plane (PCA) and on LDA, against the 2-D
reference run in the same process.

For each: final accuracy, the plane's agreement in the last frame, the GIF's size (target
<= 2 MB) and ms per frame of ``Renderer.frame_rgba`` over the frames the GIF keeps, as a ratio
to the reference run (gaussians, relu, learning rate 0.1, hidden 2) measured in the same run
(target <= 1.5x for d <= 64). Two 2-D runs of 3 and 10 classes (blobs, no plane) show what
K classes cost by themselves. Runs take turns; the best of ``--rounds`` counts.

Usage::

    python benchmarks/bench_features.py [--rounds 3] [--epochs 200]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402

import boundaryviz as bv  # noqa: E402
from boundaryviz.output.animation import frame_indices  # noqa: E402
from boundaryviz.render.views import input_view  # noqa: E402

CASES = [
    ("iris (4)", lambda: bv.iris(features="all")),
    ("wine (13)", lambda: bv.wine(features="all")),
    ("breast cancer (30)", bv.breast_cancer),
    ("digits (64)", bv.digits),
]


def per_frame_ms(renderer, indices):
    renderer.frame_rgba(int(indices[0]))  # the first full draw is set-up
    start = time.perf_counter()
    for i in indices:
        renderer.frame_rgba(int(i))
    return 1000 * (time.perf_counter() - start) / len(indices)


def agreement(renderer, index=-1):
    view = input_view(renderer.history.snapshots[index], renderer.geometry)
    return None if view.agrees is None else float(np.mean(view.agrees))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args(argv)
    settings = dict(activation="relu", learning_rate=0.01, hidden=(8,), epochs=args.epochs, stop_loss=0)
    reference = bv.train(bv.gaussians(), activation="relu", learning_rate=0.1)
    runs = [("2-D reference", reference, bv.AnimationOptions())]
    # the same number of classes in two dimensions: what K classes cost without any plane
    for k in (3, 10):
        runs.append((f"2-D blobs, {k} classes", bv.train(bv.blobs(n_classes=k), **settings), bv.AnimationOptions()))
    for name, make in CASES:
        history = bv.train(make(), **settings)
        for view in ("pca", "lda"):
            runs.append((f"{name}, {view}", history, bv.AnimationOptions(view=view)))
    renderers = [(label, history, bv.Renderer(history, options=options), options)
                 for label, history, options in runs]
    best = {}
    for _ in range(args.rounds):
        for label, history, renderer, options in renderers:
            indices = frame_indices(len(history), options.max_frames)
            best[label] = min(best.get(label, float("inf")), per_frame_ms(renderer, indices))
    lines = [f"bench_features: {time.strftime('%Y-%m-%d %H:%M')}, load average {os.getloadavg()[0]:.2f}, "
             f"best of {args.rounds} rounds; {settings}"]
    lines.append(f"{'run':<26}{'accuracy':>9}{'agrees':>8}{'GIF MB':>8}{'ms/frame':>10}{'ratio':>7}  target")
    ref_ms = best["2-D reference"]
    with tempfile.TemporaryDirectory() as folder:
        for label, history, renderer, options in renderers:
            path = os.path.join(folder, "run.gif")
            bv.save_animation(history, path, renderer=renderer, options=options)
            size = os.path.getsize(path) / 1e6
            ratio = best[label] / ref_ms
            agrees = agreement(renderer)
            ok = size <= 2 and ratio <= 1.5
            lines.append(f"{label:<26}{history.final.accuracy:>9.1%}{'' if agrees is None else f'{agrees:.0%}':>8}"
                         f"{size:>8.2f}{best[label]:>10.2f}{ratio:>7.2f}  {'PASS' if ok else 'FAIL'}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
