"""
Iris and wine in their own units
================================

Two tables that scikit-learn ships inside its package (nothing is downloaded). The network
trains on standardised features, and the scaler is folded into its first layer, so the panels,
the boundary and the units' lines are drawn in centimetres (iris) or in the wine's own
measurements, and the tick labels are plain numbers.
"""

import boundaryviz as bv

iris = bv.iris()  # petal length and width (cm), three species
print(iris.name, iris.X.shape, iris.n_classes, "classes")
history = bv.train(iris, activation="tanh", hidden=(4,), learning_rate=0.1, epochs=80)
options = bv.AnimationOptions(max_frames=30, size=(640, 374), resolution=100)
bv.save_animation(history, "iris.gif", options=options)

# %%
# Wine: flavanoids against proline, two columns of very different scales.
wine = bv.wine()
history = bv.train(wine, activation="relu", hidden=(6,), learning_rate=0.05, epochs=80)
print(history.headline)
bv.save_animation(history, "wine.gif", options=options)
