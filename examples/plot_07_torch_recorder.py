"""
A PyTorch model of your own
===========================

Train as you always do, and call ``recorder.snap(model)`` after each epoch (the first call is
epoch 0). :class:`boundaryviz.Recorder` copies the parameters; loss and accuracy are computed
by boundaryviz on the data set, the same way for every framework. A ``Sequential`` of ``Linear``
layers and ReLU / Tanh is converted exactly into the built-in network.

Needs PyTorch: ``pip install "boundaryviz[torch]"`` (for a CPU build,
``pip install "torch==2.13.0+cpu"``).
"""

import torch

import boundaryviz as bv

torch.manual_seed(0)
data = bv.gaussians()
X, y = torch.tensor(data.X), torch.tensor(data.y, dtype=torch.float64)
model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1)).double()
optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
recorder = bv.Recorder(data)
recorder.snap(model)  # epoch 0: the initial weights
for _ in range(60):
    optimizer.zero_grad()
    torch.nn.functional.binary_cross_entropy_with_logits(model(X)[:, 0], y).backward()
    optimizer.step()
    recorder.snap(model)

history = recorder.history
print(history.headline)
options = bv.AnimationOptions(max_frames=30, size=(640, 374), resolution=100)
bv.save_animation(history, "torch.gif", options=options)
