"""
A Keras model with the callback
===============================

``recorder.keras_callback()`` snaps the model at the start of training and after every epoch;
it changes nothing in your training. Keras 3 runs here on JAX: name the backend before Keras
is first imported (or ``export KERAS_BACKEND=jax``).

Needs Keras and JAX: ``pip install "boundaryviz[keras]"``.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras

import boundaryviz as bv

keras.utils.set_random_seed(0)
data = bv.gaussians()
model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy")
recorder = bv.Recorder(data)
model.fit(data.X, data.y, epochs=60, batch_size=len(data.X), verbose=0,
          callbacks=[recorder.keras_callback()])  # snaps at the start and after every epoch

print(recorder.history.headline)
options = bv.AnimationOptions(max_frames=30, size=(640, 374), resolution=100)
bv.save_animation(recorder.history, "keras.gif", options=options)
