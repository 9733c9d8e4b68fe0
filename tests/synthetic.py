"""Synthetic frames shared by the writer tests: a few flat colours, a square that moves."""

import numpy as np

COLORS = np.array([[255, 255, 255], [0, 114, 178], [213, 94, 0], [17, 17, 17], [0, 158, 115]], np.uint8)


def painted_frames(n=5, size=(48, 32)):
    """Frames painted from COLORS: a background and a square that moves, plus a stripe.

    Returns
    -------
    list of ndarray of shape (size[1], size[0], 3), dtype uint8
    """
    width, height = size
    out = []
    for i in range(n):
        frame = np.empty((height, width, 3), np.uint8)
        frame[:] = COLORS[0]
        frame[4:12, 3 + 4 * i : 11 + 4 * i] = COLORS[1 + i % 2]
        frame[-3:, : 5 * (i + 1)] = COLORS[3]
        out.append(frame)
    return out
