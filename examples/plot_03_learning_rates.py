"""
Learning rates side by side
===========================

Adam at learning rates 0.1, 0.01 and 0.001, everything else the same. The largest finds the
two folds quickly; the smallest has hardly moved after 100 epochs. The lower row shows the
hidden space, where the 0.5 line of the output unit is always straight.
"""

import matplotlib.pyplot as plt

import boundaryviz as bv

data = bv.gaussians()
rates = (0.1, 0.01, 0.001)
histories = [bv.train(data, activation="relu", learning_rate=lr, epochs=100) for lr in rates]

fig, axes = plt.subplots(2, 3, figsize=(11, 7), layout="constrained")
for column, (lr, history) in enumerate(zip(rates, histories)):
    bv.plot_panel(history, -1, panel="input", ax=axes[0, column], resolution=100)
    bv.plot_panel(history, -1, panel="hidden", ax=axes[1, column], resolution=100)
    axes[0, column].set_title(f"lr {lr}: loss {history.final.loss:.3f}")
plt.show()

# %%
# The training curves on one plot: loss per epoch.
fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
for lr, history in zip(rates, histories):
    ax.plot(history.losses, label=f"lr {lr}")
ax.set(xlabel="epoch", ylabel="loss (binary cross-entropy)")
ax.legend()
plt.show()

# %%
# And the fastest of the three as an animation.
options = bv.AnimationOptions(max_frames=25, size=(640, 374), resolution=100)
bv.save_animation(histories[0], "relu_lr0.1.gif", options=options)
