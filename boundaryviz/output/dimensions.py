"""The pixel size of an animation or picture file, read from its header (no decoding)."""

from __future__ import annotations

import os

from PIL import Image

from .player import read_player_size

__all__ = ["frame_size"]


def frame_size(path):
    """(width, height) of an animation or picture from its header; None if unreadable."""
    if os.path.splitext(path)[1].lower() == ".mp4":
        return _mp4_frame_size(path)
    if os.path.splitext(path)[1].lower() == ".html":
        return read_player_size(path)
    try:
        with Image.open(path) as image:
            return image.size
    except OSError:
        return None


def _mp4_frame_size(path):
    """(width, height) of the first video track of an MP4: the end of its ``tkhd`` box.

    The writer puts the index (``moov``) first, so the first megabyte holds it.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20)
    except OSError:
        return None
    start = head.find(b"tkhd")
    while start >= 4:
        size = int.from_bytes(head[start - 4 : start], "big")
        if 84 <= size <= 120 and start - 4 + size <= len(head):
            end = start - 4 + size
            width, height = (int.from_bytes(head[i : i + 4], "big") >> 16 for i in (end - 8, end - 4))
            if width and height:
                return width, height
        start = head.find(b"tkhd", start + 4)
    return None
