"""Runs of a sweep on a Dask distributed cluster (the ``cluster`` extra).

Each run is one task. A worker trains and renders it into a temporary folder of its own,
reads the files back and returns their bytes with the run's :class:`~boundaryviz.RunResult`;
this process writes every file where the run's spec says, atomically, as results arrive. So
no shared file system is needed, and the files are the bytes a local run writes (the same
code on the same inputs).

A worker that dies mid-run is Dask's to handle: the scheduler gives its runs to another
worker. Leaving early (an error, Ctrl-C, or closing the generator) cancels every run not yet
finished, on the cluster too.

``dask`` and ``distributed`` are imported here, inside the functions, and this module is
imported only when a scheduler is given.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import pickle
import sys
import tempfile
import uuid

from .._validation import ParameterTypeError, ParameterValueError
from .._version import __version__
from ..output.atomic import atomic_output
from .run import run_one

__all__ = ["connect", "run_on_cluster", "check_address", "CONNECT_TIMEOUT"]

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a scheduler to answer, and for it to have a worker."""
RETRIES = 1
"""Times a run that raised on a worker is tried again (a run lost with its worker is
rescheduled by Dask anyway, up to its ``distributed.scheduler.allowed-failures``)."""


def _distributed():
    """The ``distributed`` module, or an ImportError naming the extra to install."""
    from .._extras import require

    return require("cluster")


def check_address(address):
    """Check a scheduler address's form (``tcp://HOST:PORT``) without connecting.

    Parameters
    ----------
    address : str

    Returns
    -------
    str
        The address.

    Raises
    ------
    ValueError, TypeError
        Naming ``scheduler`` and the value.
    """
    if not isinstance(address, str):
        raise ParameterTypeError(f"scheduler must be an address like 'tcp://HOST:PORT' or a distributed Client. "
                                 f"Got {address!r}.", "scheduler")
    _distributed()
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address, strict=True)
        if scheme in ("tcp", "tls"):
            host, port = parse_host_port(location)
            if not host or not port:
                raise ValueError("no host or port")
    except (ValueError, TypeError):
        raise ParameterValueError(f"scheduler must be an address like 'tcp://HOST:PORT'. Got {address!r}.",
                                  "scheduler") from None
    return address


def connect(address, *, timeout=CONNECT_TIMEOUT):
    """A client of the scheduler at ``address`` that has at least one worker.

    Parameters
    ----------
    address : str
        ``tcp://HOST:PORT`` (what ``dask scheduler`` prints as "Scheduler at").
    timeout : float, default=10
        Seconds to wait for the scheduler to answer, then as long again for a worker.

    Returns
    -------
    distributed.Client
        Close it when done (it is a context manager).

    Raises
    ------
    ConnectionError
        One line saying which address did not answer, or that it has no workers, or that
        its workers cannot import this boundaryviz.
    """
    check_address(address)
    distributed = _distributed()
    try:
        client = distributed.Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        log.debug("connecting to %s failed: %s", address, exc)
        raise ConnectionError(f"the Dask scheduler at {address} cannot be reached (no answer within "
                              f"{timeout:g} s).") from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError):
            raise ConnectionError(f"the Dask scheduler at {address} has no workers (none joined within "
                                  f"{timeout:g} s); start some with: dask worker {address}") from None
        try:
            workers = client.run(_worker_facts)
        except (ImportError, AttributeError) as exc:  # boundaryviz missing, or without this module
            raise ConnectionError(f"the Dask workers at {address} cannot run boundaryviz ({type(exc).__name__}: "
                                  f"{exc}); install boundaryviz {__version__} on them.") from None
        wrong = {w: version for w, (version, _) in workers.items() if version != __version__}
        if wrong:
            worker, version = next(iter(wrong.items()))
            raise ConnectionError(f"the Dask workers need boundaryviz {__version__}; {worker} has {version}.")
        trimmed = sorted(w for w, (_, trim) in workers.items() if trim is not None)
        if trimmed:
            log.warning("%d of the Dask workers run with MALLOC_TRIM_THRESHOLD_ set (Dask's default), which "
                        "can make each run up to twice as slow; README's 'On a cluster' shows how to start "
                        "them without it", len(trimmed))
    except BaseException:
        client.close()
        raise
    return client


def _worker_facts():
    """(boundaryviz's version as a worker imports it, its MALLOC_TRIM_THRESHOLD_ or None);
    run on every worker by :func:`connect`."""
    return __version__, os.environ.get("MALLOC_TRIM_THRESHOLD_")


def run_on_cluster(specs, scheduler, *, progress=False):
    """Run every spec on a Dask cluster, write its files here, yield results as runs finish.

    Parameters
    ----------
    specs : list of RunSpec
    scheduler : str or distributed.Client
        The scheduler's address (connected with :func:`connect`, closed at the end), or a
        client to use (left open).
    progress : bool, default=False
        One bar over the runs, on standard error.

    Yields
    ------
    RunResult
        In completion order, after its files are in place.

    Examples
    --------
    >>> from distributed import Client, LocalCluster  # doctest: +SKIP
    >>> with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
    ...     results = list(run_on_cluster(specs, client))  # doctest: +SKIP
    """
    distributed = _distributed()
    specs = list(specs)
    if isinstance(scheduler, distributed.Client):
        client, own = scheduler, False
    else:
        client, own = connect(scheduler), True
    bar = None
    futures = {}
    try:
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(specs), desc="runs", unit="run", file=sys.stderr, dynamic_ncols=True)
        batch = uuid.uuid4().hex[:8]  # keys unique to this sweep: a rerun is new work
        for i, spec in enumerate(specs):
            # submitted in order, so the cluster starts them in order (priority falls with i)
            future = client.submit(_run_pickled, pickle.dumps(spec), key=f"boundaryviz-{spec.name}-{batch}",
                                   pure=False, retries=RETRIES, priority=-i)
            futures[future] = spec
        for future in distributed.as_completed(list(futures), loop=client.loop):
            result, payload = pickle.loads(future.result())
            del futures[future]
            future.release()
            for (path, _size), data in zip(result.files, payload):
                _write(path, data)
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(result.name, refresh=False)
            yield result
    finally:
        if futures:
            # Ctrl-C, an error, or the caller stopped: nothing more runs for this sweep
            with contextlib.suppress(Exception):
                client.cancel(list(futures), force=True)
        if bar is not None:
            bar.close()
        if own:
            with contextlib.suppress(Exception):
                client.close()


def _write(path, data):
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    with atomic_output(path) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(data)


def _run_pickled(spec_pickle):
    """:func:`_run_on_worker` with its argument and result as pickles.

    Dask sends NumPy arrays as zero-copy frames, which can arrive at addresses that are not
    even 8-byte aligned; NumPy's loops may then round differently in the last bit, and a run
    trained on such a dataset is not the run trained locally. Unpickled from bytes, every
    array is a fresh, aligned copy, both here and back in the parent process.
    """
    return pickle.dumps(_run_on_worker(pickle.loads(spec_pickle)), protocol=pickle.HIGHEST_PROTOCOL)


def _run_on_worker(spec):
    """Run ``spec`` into a temporary folder on the worker; return its result and files' bytes.

    Returns
    -------
    (RunResult, tuple of bytes)
        The result names the spec's own paths (where this process writes the bytes).
    """
    base = None
    with contextlib.suppress(ImportError, ValueError):
        from distributed import get_worker

        base = get_worker().local_directory  # Dask removes it with the worker
    with tempfile.TemporaryDirectory(prefix="boundaryviz-", dir=base) as folder:
        result = run_one(dataclasses.replace(spec, out_dir=folder))
        payload = []
        for path, _size in result.files:
            with open(path, "rb") as handle:
                payload.append(handle.read())
    files = tuple((final, len(data)) for final, data in zip(spec.paths(), payload))
    return dataclasses.replace(result, files=files), tuple(payload)
