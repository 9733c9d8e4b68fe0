"""
The reference experiment
========================

Three normal clouds, the middle one class 0, the outer two class 1: no straight line
separates them. A 2-2-1 network with tanh units is trained with Adam at learning rate 0.1, and
every epoch becomes a frame: the input space (left), the hidden space (right) and the training
curve (below).

This is a shortened run (60 epochs, 30 frames, half-size frames) so that the page builds in
seconds; ``python -m boundaryviz`` runs the full experiment (200 epochs, six runs).
"""

import boundaryviz as bv

data = bv.gaussians()  # 400 points; X has shape (400, 2), y (400,)
history = bv.train(data, activation="tanh", learning_rate=0.1, epochs=60)
print(history.stop_reason, f"loss {history.final.loss:.4f}", f"accuracy {history.final.accuracy:.1%}")

# %%
# Each snapshot becomes a frame; ``max_frames`` keeps every k-th epoch (and the last).
options = bv.AnimationOptions(max_frames=30, size=(640, 374), resolution=100)
bv.save_animation(history, "reference.gif", options=options)
