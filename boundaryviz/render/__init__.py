"""Drawing: a snapshot → a frame. Only ``style``, ``panels``, ``fitting``, ``blit`` and ``renderer``
import matplotlib; this ``__init__`` imports nothing.

- ``geometry``: limits, meshes, projections (pure arrays);
- ``class_colors``: K-class colours, levels and tie lines (pure arrays);
- ``mesh_scores``: class scores over a mesh into work arrays kept from frame to frame (pure arrays);
- ``plane``: the view plane through input space that the input panel shows (pure arrays);
- ``axis_text``: the texts under a view plane's axis labels (loadings, a slice's held values);
- ``frame_geometry``: what stays fixed for an animation (limits, meshes, projection, jitter);
- ``views``: what each panel shows for one snapshot, as frozen arrays (no matplotlib);
- ``style``: the frames' colours and the probability field's colour map;
- ``panels``: the artists, built once; ``show(view)`` only sets their data;
- ``fitting``: tick labels, axis labels and the input panel's place kept inside the frame;
- ``blit``: the fast path that composes a frame behind one ``Blitter``;
- ``renderer``: :class:`~boundaryviz.Renderer` and :func:`~boundaryviz.plot_panel`.
"""
