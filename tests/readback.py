"""Reading written files back, shared by the test modules."""

import hashlib

import numpy as np
from PIL import Image


def read_animation(path):
    """Every frame (composited, RGB), the durations in ms and the loop count of a GIF or WebP.

    Returns
    -------
    frames : list of ndarray of shape (H, W, 3)
    durations : list of int
    loop : int or None
    """
    frames, durations = [], []
    with Image.open(path) as image:
        loop = image.info.get("loop")
        for i in range(image.n_frames):
            image.seek(i)
            image.load()
            frames.append(np.asarray(image.convert("RGB")))
            durations.append(image.info["duration"])
    return frames, durations, loop


def sha256(path):
    """Hex SHA-256 of a file's bytes."""
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()
