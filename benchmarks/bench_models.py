"""Benchmark the model protocol (issue 11): what a frame costs per kind of model, and the
default job's cost per frame before and after, in one run.

1. **Default job, before and after.** For each source tree given (``--before DIR``, a checkout
   of an earlier commit, and this tree), a fresh subprocess trains the six reference runs and
   times, per frame, ``Renderer.frame_rgba`` (update + draw, as save_animation streams it) and
   ``save_animation`` whole (render + palette + encode), over the frames the default job keeps.
   The two trees take turns, three rounds; the best round of each counts.
2. **Per kind of model**, in this tree: the same weights (the relu, learning rate 0.1 run)
   recorded from the built-in network, a scikit-learn ``MLPClassifier``, a PyTorch
   ``nn.Sequential`` (float64), a PyTorch module with its own ``forward`` (evaluated by
   PyTorch), a Keras ``Sequential`` and a Keras functional model (evaluated by Keras). Each
   is timed per frame like the default job, best of three passes, and as a ratio to the
   built-in network.
3. **Engines**: the time to train the relu, learning rate 0.1 run (200 epochs) with each
   engine, and the largest relative loss difference from the numpy engine.

4. **A 200 000-row CSV** (three classes, columns in raw units), in a fresh subprocess: load,
   training time (100 epochs, every sample), cost per frame against the 400-sample reference
   run's in the same process (target: within 3x), and the process's peak memory (target:
   under 1 GB).

Usage::

    python benchmarks/bench_models.py --before /path/to/old/checkout
    python benchmarks/bench_models.py            # sections 2 and 3, and this tree alone in 1
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DIR = os.path.dirname(os.path.abspath(__file__))

# Runs in a subprocess with PYTHONPATH set to one tree; prints JSON. Uses only names that
# every version of the package has had: train, Renderer, frame_indices, save_animation.
DEFAULT_JOB = r"""
import json, os, sys, tempfile, time
import boundaryviz as bv
sys.path.insert(0, sys.argv[1])
from bench_models import frame_indices, per_frame

data = bv.gaussians()
out = {"render_ms": {}, "save_ms": {}}
tmp = tempfile.mkdtemp()
for activation in ("relu", "tanh"):
    for lr in (0.1, 0.01, 0.001):
        history = bv.train(data, activation=activation, learning_rate=lr)
        name = f"{activation}_lr{lr:g}"
        indices = frame_indices(len(history), 100)
        out["render_ms"][name] = per_frame(history)
        t = time.perf_counter()
        bv.save_animation(history, os.path.join(tmp, name + ".gif"))
        out["save_ms"][name] = 1000 * (time.perf_counter() - t) / len(indices)
print(json.dumps(out))
"""


WRITE_BIG_CSV = r"""
import sys
import numpy as np

path = sys.argv[1]

rng = np.random.default_rng(0)
n = 200_000
c = rng.integers(0, 3, size=n)
X = np.column_stack([100 * np.cos(2 * np.pi * c / 3), 100 * np.sin(2 * np.pi * c / 3)]) + rng.normal(scale=70, size=(n, 2))
names = np.array(["sunny", "cloudy", "rain"])
with open(path, "w") as f:
    f.write("temperature (F),pressure (kPa),weather\n")
    f.writelines(f"{a:.3f},{b:.3f},{names[k]}\n" for (a, b), k in zip(X, c))
"""

# Runs in a fresh process, so that its peak memory is boundaryviz's alone (not the writing).
BIG_CSV = r"""
import json, resource, sys, time
import boundaryviz as bv
sys.path.insert(0, sys.argv[2])
from bench_models import frame_indices, per_frame

path = sys.argv[1]


def peak_mb():
    # VmHWM: this process's own high-water mark. getrusage's ru_maxrss would carry over the
    # parent's peak through fork and exec (the parent has loaded PyTorch and Keras by now).
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


t0 = time.perf_counter()
data = bv.load_csv(path)
t1 = time.perf_counter()
big = bv.train(data, activation="tanh", hidden=(4,), learning_rate=0.05, epochs=100, stop_loss=0)
t2 = time.perf_counter()
big_ms = per_frame(big)
ref_ms = per_frame(bv.train(bv.gaussians(), activation="tanh", learning_rate=0.1))
print(json.dumps({"load_s": t1 - t0, "train_s": t2 - t1, "big_ms": big_ms, "ref_ms": ref_ms,
                  "accuracy": big.final.accuracy,
                  "peak_mb": peak_mb()}))
"""


def big_csv():
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": HERE}
        path = os.path.join(tmp, "big.csv")
        subprocess.run([sys.executable, "-c", WRITE_BIG_CSV, path], env=env, check=True)
        proc = subprocess.run([sys.executable, "-c", BIG_CSV, path, BENCH_DIR], env=env,
                              capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_default_job(tree):
    env = {**os.environ, "PYTHONPATH": tree}
    proc = subprocess.run([sys.executable, "-c", DEFAULT_JOB, BENCH_DIR], env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def frame_indices(n_snapshots, max_frames):
    """The frames a file keeps, from whichever layout the tree being measured has."""
    import importlib

    for home in ("boundaryviz.output.animation", "boundaryviz"):
        try:
            return importlib.import_module(home).frame_indices(n_snapshots, max_frames)
        except (ImportError, AttributeError):
            continue
    raise ImportError("frame_indices not found in this tree")


def per_frame(history, repeats=3):
    """Best-of-``repeats`` ms per frame of ``Renderer.frame_rgba`` over the job's frames.

    Uses only names every version of the package has had (``frame_indices``, ``Renderer``),
    so a subprocess can run it against an earlier tree.
    """
    import boundaryviz as bv

    indices = frame_indices(len(history), 100)
    Renderer = bv.Renderer
    renderer = Renderer(history)
    renderer.frame_rgba(int(indices[0]))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for i in indices:
            renderer.frame_rgba(int(i))
        best = min(best, (time.perf_counter() - start) / len(indices))
    return 1000 * best


def recorded_histories(history):
    """The same weights through each recorder path: name -> History (or a reason it is missing)."""
    import numpy as np

    import boundaryviz as bv

    data = history.dataset
    out = {"built-in network": history}

    def record(name, make, load, **kwargs):
        try:
            model = make()
        except ImportError as exc:
            out[name] = f"unavailable ({exc})"
            return
        recorder = bv.Recorder(data, **kwargs)
        for snap in history:
            load(model, snap)
            recorder.snap(model)
        out[name] = recorder.history

    from sklearn.neural_network import MLPClassifier

    def make_sklearn():
        clf = MLPClassifier(hidden_layer_sizes=(2,), random_state=0)
        clf.partial_fit(data.X, data.y, classes=[0, 1])
        return clf

    def load_sklearn(clf, snap):
        clf.coefs_ = [np.array(w) for w in snap.weights]
        clf.intercepts_ = [np.array(b) for b in snap.biases]

    record("scikit-learn MLPClassifier (exact)", make_sklearn, load_sklearn)

    def torch_load(model, snap):
        import torch

        linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
        with torch.no_grad():
            for linear, W, b in zip(linears, snap.weights, snap.biases):
                linear.weight.copy_(torch.tensor(W.T))
                linear.bias.copy_(torch.tensor(b))

    def make_torch_sequential():
        import torch

        nn = torch.nn
        return nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)).double()

    def make_torch_module():
        import torch

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.body = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())
                self.head = torch.nn.Linear(2, 1)

            def forward(self, x):
                return self.head(self.body(x))

        return Net().double()

    record("PyTorch nn.Sequential (exact)", make_torch_sequential, torch_load)
    record("PyTorch module, own forward (run by PyTorch)", make_torch_module, torch_load, layer="body")

    os.environ.setdefault("KERAS_BACKEND", "jax")

    def keras_load(model, snap):
        model.set_weights([w for pair in zip(snap.weights, snap.biases) for w in pair])

    def make_keras_sequential():
        import keras

        return keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="relu"),
                                 keras.layers.Dense(1, activation="sigmoid")])

    def make_keras_functional():
        import keras

        inputs = keras.Input((2,))
        hidden = keras.layers.Dense(2, activation="relu", name="features")(inputs)
        return keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(hidden))

    record("Keras Sequential (exact)", make_keras_sequential, keras_load)
    record("Keras functional (run by Keras)", make_keras_functional, keras_load, layer="features")
    return out


def engines(data):
    import numpy as np

    import boundaryviz as bv

    rows = {}
    reference = None
    for engine in bv.ENGINES:
        try:
            start = time.perf_counter()
            history = bv.train(data, activation="relu", learning_rate=0.1, stop_loss=0, engine=engine)
            seconds = time.perf_counter() - start
        except ImportError as exc:
            rows[engine] = f"unavailable ({exc})"
            continue
        if reference is None:
            reference = history.losses
        diff = float(np.max(np.abs(history.losses - reference) / np.abs(reference)))
        rows[engine] = (seconds, diff)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", help="an earlier checkout to compare the default job with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--default-job-only", action="store_true",
                        help="only section 1 (the default job, before and after)")
    args = parser.parse_args(argv)
    sys.path.insert(0, HERE)
    import boundaryviz as bv

    lines = [f"bench_models: {time.strftime('%Y-%m-%d %H:%M')}, load average {os.getloadavg()[0]:.2f}"]

    trees = [("after", HERE)] + ([("before", os.path.abspath(args.before))] if args.before else [])
    best = {}
    for _ in range(args.rounds):
        for label, tree in trees[::-1]:
            result = run_default_job(tree)
            for key in ("render_ms", "save_ms"):
                mean = sum(result[key].values()) / len(result[key])
                best[(label, key)] = min(best.get((label, key), float("inf")), mean)
    lines.append(f"\n1. DEFAULT JOB, ms per frame (mean of the six runs, best of {args.rounds} rounds)")
    lines.append(f"   {'tree':<8}{'render (frame_rgba)':>22}{'save_animation':>18}")
    for label, _ in trees:
        lines.append(f"   {label:<8}{best[(label, 'render_ms')]:>22.2f}{best[(label, 'save_ms')]:>18.2f}")
    if args.before:
        for key, what in (("render_ms", "render"), ("save_ms", "save_animation")):
            ratio = best[("after", key)] / best[("before", key)]
            lines.append(f"   after / before, {what:<15} {ratio:6.3f}x   (target <= 1.10)  {'PASS' if ratio <= 1.10 else 'FAIL'}")

    if args.default_job_only:
        print("\n".join(lines))
        return
    data = bv.gaussians()
    history = bv.train(data, activation="relu", learning_rate=0.1)
    lines.append("\n2. PER KIND OF MODEL, ms per frame (relu, lr 0.1, the same weights; best of 3)")
    base = None
    for name, recorded in recorded_histories(history).items():
        if isinstance(recorded, str):
            lines.append(f"   {name:<48} {recorded}")
            continue
        ms = per_frame(recorded)
        base = base or ms
        lines.append(f"   {name:<48} {ms:7.2f} ms   {ms / base:5.2f}x built-in")

    lines.append("\n3. ENGINES, relu lr 0.1, 200 epochs: training time, largest relative loss difference from numpy")
    for engine, row in engines(data).items():
        if isinstance(row, str):
            lines.append(f"   {engine:<8} {row}")
        else:
            lines.append(f"   {engine:<8} {row[0]:7.2f} s   {row[1]:.2e}")
    big = big_csv()
    ratio = big["big_ms"] / big["ref_ms"]
    lines.append("\n4. A 200 000-ROW CSV (3 classes, 5,000 points drawn), fresh process")
    lines.append(f"   load {big['load_s']:.2f} s, train 100 epochs {big['train_s']:.2f} s, final accuracy {big['accuracy']:.1%}")
    lines.append(f"   per frame {big['big_ms']:.2f} ms against the reference run's {big['ref_ms']:.2f} ms: "
                 f"{ratio:.2f}x (target <= 3)  {'PASS' if ratio <= 3 else 'FAIL'}")
    lines.append(f"   peak memory {big['peak_mb']:.0f} MB (target < 1024)  {'PASS' if big['peak_mb'] < 1024 else 'FAIL'}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
