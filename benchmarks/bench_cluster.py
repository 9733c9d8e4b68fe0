"""Benchmark a sweep locally (joblib's loky backend) against the same sweep on a Dask cluster.

What it measures (issue 13), all within one run so that the ratios hold on a busy machine:

1. **Local**: a 48-run grid (activations relu, tanh × learning rates 0.1, 0.01, 0.001 ×
   hidden 2 and 4 × seeds 0-3, the default job's other settings) through
   ``run_sweep(jobs=N)`` on all N cores.
2. **Cluster**: the same grid through ``run_sweep(scheduler=client)`` on a ``LocalCluster``
   of N single-threaded worker processes on the same cores. The workers send back the
   files' bytes; this process writes them.
3. **Scaling**: the cluster with one worker process, then with two.
4. **Dask's default worker environment**: Dask's nanny starts workers with
   ``MALLOC_TRIM_THRESHOLD_=65536``, which turns off glibc's adaptive mmap threshold: every
   frame-sized array is then mapped and unmapped afresh (about 0.4 s of system time a run
   here). The cluster rows above start workers without it (the ``None`` override that Dask
   documents, as README's "On a cluster" shows); this row keeps Dask's default.

Both paths are warm: the loky workers and the Dask workers have imported boundaryviz and
drawn one tiny run before the clock starts (a cluster outlives a sweep; the command line
starts fresh loky workers each time, which costs about a second more). Each measurement is
the best of ``--rounds`` rounds, the local and cluster rounds interleaved. The cluster's
overhead is ``local runs/s ÷ cluster runs/s − 1`` (target: within 15 %). After the rounds,
the files of one cluster sweep are compared with one local sweep's, byte for byte.

Usage::

    python benchmarks/bench_cluster.py              # 48 runs, 2 rounds: about five minutes on 2 cores
    python benchmarks/bench_cluster.py --quick      # smaller runs, one round: about a minute
    python benchmarks/bench_cluster.py --json out.json
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time

import boundaryviz as bv
from boundaryviz.runs.sweep import default_jobs

GRID = {"activation": ["relu", "tanh"], "learning_rate": [0.1, 0.01, 0.001], "hidden": [(2,), (4,)],
        "seed": [0, 1, 2, 3]}
TARGET = 0.15


def make_specs(out_dir, quick):
    settings = dict(epochs=60, render={"resolution": 60}) if quick else {}
    return bv.grid_specs(bv.gaussians(), out_dir, grid=GRID, **settings)


def digests(folder):
    out = {}
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as handle:
            out[name] = hashlib.sha256(handle.read()).hexdigest()
    return out


def timed_sweep(specs, **where):
    """Seconds for every run of ``specs`` to be written, through ``run_sweep(**where)``."""
    start = time.perf_counter()
    n = sum(1 for _ in bv.run_sweep(specs, **where))
    elapsed = time.perf_counter() - start
    assert n == len(specs)
    return elapsed


def warm_up(tmp, **where):
    """One tiny run per worker, so that imports and first draws are not timed."""
    folder = tempfile.mkdtemp(dir=tmp)
    specs = bv.grid_specs(bv.gaussians(), folder, grid={"activation": ["relu"], "learning_rate": [0.1],
                                                         "seed": list(range(4))},
                          epochs=2, render={"resolution": 10})
    list(bv.run_sweep(specs, **where))


def fresh(tmp, name):
    folder = os.path.join(tmp, name)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    return folder


@contextlib.contextmanager
def local_cluster(n_workers, trim=False):
    """A LocalCluster of single-threaded worker processes; ``trim``: Dask's default
    ``MALLOC_TRIM_THRESHOLD_`` in their environment, else none."""
    import dask
    from distributed import Client, LocalCluster

    environ = {} if trim else {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
    with dask.config.set(environ):
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", silence_logs=40)
    try:
        with Client(cluster, set_as_default=False) as client:
            client.wait_for_workers(n_workers, timeout=60)
            yield client
    finally:
        cluster.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="60 epochs at resolution 60, one round")
    parser.add_argument("--rounds", type=int, default=None, help="rounds of each measurement (default: 2)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.quick else 2)
    cores = max(2, default_jobs())
    tmp = tempfile.mkdtemp(prefix="bench-cluster-")
    n_runs = len(make_specs(tmp, args.quick))
    print(f"boundaryviz {bv.__version__} · Python {platform.python_version()} · {os.cpu_count()} CPUs "
          f"({default_jobs()} usable) · {n_runs} runs{' (quick)' if args.quick else ''} · best of {rounds}",
          flush=True)
    trimmed = f"cluster, {cores}, Dask's env"
    times = {"local": [], f"cluster, {cores} workers": [], "cluster, 1 worker": [], trimmed: []}
    try:
        warm_up(tmp, jobs=cores)
        with local_cluster(cores) as client:
            warm_up(tmp, scheduler=client)
            for r in range(rounds):
                times["local"].append(timed_sweep(make_specs(fresh(tmp, "local"), args.quick), jobs=cores))
                print(f"  round {r + 1}: local {times['local'][-1]:.1f} s", flush=True)
                key = f"cluster, {cores} workers"
                times[key].append(timed_sweep(make_specs(fresh(tmp, "cluster"), args.quick), scheduler=client))
                print(f"  round {r + 1}: {key} {times[key][-1]:.1f} s", flush=True)
            same = digests(os.path.join(tmp, "local")) == digests(os.path.join(tmp, "cluster"))
        with local_cluster(1) as client:
            warm_up(tmp, scheduler=client)
            for r in range(rounds):
                key = "cluster, 1 worker"
                times[key].append(timed_sweep(make_specs(fresh(tmp, "one"), args.quick), scheduler=client))
                print(f"  round {r + 1}: {key} {times[key][-1]:.1f} s", flush=True)
        with local_cluster(cores, trim=True) as client:
            warm_up(tmp, scheduler=client)
            for r in range(rounds):
                times[trimmed].append(timed_sweep(make_specs(fresh(tmp, "trim"), args.quick), scheduler=client))
                print(f"  round {r + 1}: {trimmed} {times[trimmed][-1]:.1f} s", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    best = {key: min(values) for key, values in times.items()}
    rate = {key: n_runs / seconds for key, seconds in best.items()}
    many = f"cluster, {cores} workers"
    overhead = rate["local"] / rate[many] - 1
    scaling = rate[many] / rate["cluster, 1 worker"]
    print()
    print(f"{'sweep':<26} {'seconds':>8} {'runs/s':>8}")
    for key in ("local", many, "cluster, 1 worker", trimmed):
        print(f"{key:<26} {best[key]:>8.1f} {rate[key]:>8.2f}")
    verdict = "within" if overhead <= TARGET else "over"
    print(f"\ncluster overhead vs local on the same {cores} cores: {overhead:+.1%} ({verdict} the {TARGET:.0%} target)")
    print(f"throughput from 1 to {cores} worker processes: x{scaling:.2f}")
    print(f"with Dask's default worker environment (MALLOC_TRIM_THRESHOLD_=65536): "
          f"{rate['local'] / rate[trimmed] - 1:+.1%} vs local")
    print(f"cluster files byte-identical to local: {'yes' if same else 'NO'}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"date": datetime.datetime.now().isoformat(timespec="seconds"), "runs": n_runs,
                       "quick": args.quick, "cores": cores, "seconds": times, "best_seconds": best,
                       "runs_per_second": rate, "overhead": overhead, "scaling": scaling,
                       "identical": same}, handle, indent=2)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
