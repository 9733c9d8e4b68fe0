"""Optional frameworks, imported only when asked for, with a message naming the extra."""

from __future__ import annotations

import importlib
import importlib.util
import os

__all__ = ["MissingExtraError", "EXTRAS", "require", "check_available"]

EXTRAS = {
    "torch": ("torch", "PyTorch"),
    "keras": ("keras", "Keras"),
    "cluster": ("distributed", "Dask distributed"),
}
"""dict: extra name → (module to import, what it is)."""


class MissingExtraError(ImportError, ValueError):
    """An optional dependency is not installed; the message names the extra to install.

    Also a ``ValueError`` (what was asked for cannot be done here), so callers that check
    their input before any work catch it there.
    """


def _message(extra):
    module, what = EXTRAS[extra]
    return f"{what} is not installed: pip install 'boundaryviz[{extra}]'"


def check_available(extra):
    """Raise :class:`MissingExtraError` unless the extra's module can be imported (no import)."""
    module, _ = EXTRAS[extra]
    if not _findable(module):
        raise MissingExtraError(_message(extra))
    if extra == "keras" and not _findable(_keras_backend()):
        backend = _keras_backend()
        how = ("pip install 'boundaryviz[keras]'" if backend == "jax"
               else f"pip install {backend}, or unset KERAS_BACKEND to use JAX (boundaryviz[keras])")
        raise MissingExtraError(f"Keras's backend {backend!r} is not installed: {how}")


def _findable(module):
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # e.g. blocked with sys.modules[name] = None
        return False


def _keras_backend():
    backend = os.environ.get("KERAS_BACKEND", "jax")
    return {"tensorflow": "tensorflow", "torch": "torch", "jax": "jax", "numpy": "numpy"}.get(backend, backend)


def require(extra):
    """Import and return the extra's framework module.

    Keras is imported with the JAX backend unless ``KERAS_BACKEND`` names another.

    Raises
    ------
    MissingExtraError
    """
    check_available(extra)
    module, _ = EXTRAS[extra]
    if extra == "keras":
        os.environ.setdefault("KERAS_BACKEND", "jax")
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # installed but broken
        raise MissingExtraError(f"{_message(extra)} ({exc})") from exc
