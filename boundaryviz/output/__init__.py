"""Files and displays: frames → animation files, the player, the notebook explorer.

- ``palette``: the fixed palette of an animation and the rectangles that change;
- ``atomic``: atomic files (a temporary file renamed into place) and the writers' base class;
- ``writers``: the GIF and MP4 writers and frame timing;
- ``webp``: the WebP writer, encoding in a thread as frames come;
- ``player``: the self-contained HTML player (with ``player.html``, its template);
- ``formats``: the registry of formats, which also clears partial files and reads a
  finished file back (completeness, pixel size);
- ``pipeline``: frames encoded in a thread while the next one is drawn;
- ``animation``: :func:`~boundaryviz.save_animation`, :func:`~boundaryviz.save_animations`,
  :func:`~boundaryviz.show` and :class:`~boundaryviz.Animation`;
- ``explorer``: :func:`~boundaryviz.explore`, a slider over every snapshot in a notebook;
- ``tiles``: half-size tiles of a run's frames, for the gallery's compare animation.
"""
