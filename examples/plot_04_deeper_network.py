"""
A deeper network and its layers
===============================

Two hidden layers, 4 then 2 units (``hidden=(4, 2)``). The hidden panel shows one layer at a
time: ``layer=0`` is the first (4 wide, so it is shown through a fixed PCA projection), and
``layer=-1``, the default, the last (2 wide, shown as it is). The input panel's dashed lines
are always the first layer's units.
"""

import boundaryviz as bv

data = bv.moons()
history = bv.train(data, activation="relu", hidden=(4, 2), learning_rate=0.05, epochs=120)
print(history.headline)

for layer in (0, -1):
    options = bv.AnimationOptions(max_frames=30, size=(640, 374), resolution=100, layer=layer)
    bv.save_animation(history, f"deeper_layer{layer}.gif", options=options)
