"""
The HTML player
===============

A GIF plays at its own pace. The player is one self-contained HTML file with the GIF's frames:
play / pause, a slider over the epochs, ← / → to step, a speed choice and a loop switch, and
links to a moment (``player.html#epoch=40``). Embed it in a post with an ``<iframe>``; in a
notebook, ``bv.show(history, player=True)`` shows it inline.
"""

import boundaryviz as bv

history = bv.train(bv.gaussians(), activation="relu", learning_rate=0.1, epochs=80)
options = bv.AnimationOptions(max_frames=40, size=(640, 374), resolution=100)
bv.save_animation(history, "player.html", options=options)

# %%
# The same frames are there to draw yourself: :class:`boundaryviz.Renderer` gives any epoch's
# frame as an array, here the one that ``player.html#epoch=40`` opens at.
import matplotlib.pyplot as plt

renderer = bv.Renderer(history, size=(640, 374), resolution=100)
plt.imsave("epoch40.png", renderer.frame(40))  # ndarray of shape (374, 640, 3)
