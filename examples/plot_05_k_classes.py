"""
Moons, circles and a spiral of K classes
========================================

The synthetic data sets, each with a network wide enough for it. With more than two classes the
output is a softmax: each point of the field takes the colour of its most probable class, paler
where the model is less sure, and black lines mark where two classes tie.
"""

import matplotlib.pyplot as plt

import boundaryviz as bv

fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), layout="constrained")
for ax, data in zip(axes, (bv.moons(), bv.circles())):
    history = bv.train(data, activation="tanh", hidden=(8,), learning_rate=0.05, epochs=150)
    bv.plot_panel(history, -1, panel="input", ax=ax, resolution=100)
    ax.set_title(f"{data.name}: accuracy {history.final.accuracy:.0%}")
plt.show()

# %%
# A spiral of three classes: 2 inputs, 32 hidden units, 3 outputs.
spiral = bv.spiral(n_classes=3)
history = bv.train(spiral, activation="relu", hidden=(32,), learning_rate=0.05, epochs=150)
print(history.headline)
options = bv.AnimationOptions(max_frames=30, size=(640, 374), resolution=100)
bv.save_animation(history, "spiral3.gif", options=options)
