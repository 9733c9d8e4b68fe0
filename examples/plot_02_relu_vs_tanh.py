"""
ReLU against tanh
=================

The same data, the same initial weights, two activations. With ReLU each hidden unit switches
on along a straight line (dashed, h1 and h2) and the network folds the plane there; with tanh
the plane is squashed smoothly. Watch the hidden space (right): ReLU piles the class-0 cloud
into a corner, tanh bends the lattice into a curve.
"""

import matplotlib.pyplot as plt

import boundaryviz as bv

data = bv.gaussians()
options = bv.AnimationOptions(max_frames=30, size=(640, 374), resolution=100)
histories = {}
for activation in ("relu", "tanh"):
    histories[activation] = bv.train(data, activation=activation, learning_rate=0.1, epochs=80)
    bv.save_animation(histories[activation], f"{activation}.gif", options=options)

# %%
# The last epoch of each, side by side: :func:`boundaryviz.plot_panel` draws one panel into
# axes of your own.
fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), layout="constrained")
for ax, (activation, history) in zip(axes, histories.items()):
    bv.plot_panel(history, -1, panel="input", ax=ax, resolution=100)
    ax.set_title(f"{activation}: loss {history.final.loss:.3f}, epoch {history.final.epoch}")
plt.show()
