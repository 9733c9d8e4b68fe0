"""
More than two features: the view plane
======================================

Breast cancer has 30 measurements per sample, and the network is trained on all of them. The
input panel shows the model on one fixed plane through those 30 dimensions: here the first
two principal axes (the default), then the most class-separating directions (LDA). Samples are
drawn at their projections, fainter the farther they lie from the plane; a ring marks a sample
whose class at its real point differs from the field's at its projection, and the title says
what share of the samples agree.
"""

import boundaryviz as bv

data = bv.breast_cancer()
print(data.X.shape, data.class_names)
history = bv.train(data, hidden=(8,), learning_rate=0.01, epochs=60, stop_loss=0)
print(history.headline)
options = bv.AnimationOptions(max_frames=30, size=(640, 374), resolution=100)
bv.save_animation(history, "cancer_pca.gif", options=options)

# %%
# The same history on the LDA plane: the directions that separate the classes best.
bv.save_animation(history, "cancer_lda.gif", options=options.replace(view="lda"))

# %%
# An axis-aligned slice along two named features, the other 28 held at their means.
names = data.feature_names
bv.save_animation(history, "cancer_slice.gif", options=options.replace(view=(names[0], names[1])))
