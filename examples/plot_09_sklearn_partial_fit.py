"""
scikit-learn's MLPClassifier with partial_fit
=============================================

Each ``partial_fit`` call is one epoch; snap the classifier after it. Any activation of
``MLPClassifier`` is converted exactly into the built-in network.
"""

import warnings

from sklearn.neural_network import MLPClassifier

import boundaryviz as bv

data = bv.gaussians()
clf = MLPClassifier(hidden_layer_sizes=(2,), activation="tanh", learning_rate_init=0.1,
                    random_state=0)
recorder = bv.Recorder(data)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # partial_fit never "converges": one epoch a call
    for _ in range(60):
        clf.partial_fit(data.X, data.y, classes=[0, 1])
        recorder.snap(clf)

print(recorder.history.headline)
options = bv.AnimationOptions(max_frames=30, size=(640, 374), resolution=100)
bv.save_animation(recorder.history, "sklearn.gif", options=options)
