"""The gallery of a sweep: ``index.html``, ``summary.png`` and ``compare.*``.

- ``entries``: the runs a gallery shows: their settings, place in the grid and outcome;
- ``sheet``: grid pictures with Pillow (fonts, layout, label bands);
- ``summary``: ``summary.png``, every run's last frame;
- ``compare``: ``compare.*``, every run side by side, animated;
- ``page``: ``index.html``;
- ``build``: :func:`~boundaryviz.write_gallery`, which writes all three.
"""
