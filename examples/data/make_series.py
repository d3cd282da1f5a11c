# Writes the time series of examples/transfer_entropy_data.ixp, with the
# Python standard library only (random.Random(seed) is reproducible):
#
# coupled.csv: 10 trials of 2000 steps of a linear-Gaussian pair in which
#   y drives x:  y[t] = 0.7 y[t-1] + e,  x[t] = 0.5 x[t-1] + 0.6 y[t-1] + e'
#   (e, e' independent standard normals; 200 steps of burn-in per trial).
# markov.csv: 4 trials of 5000 steps of a binary Markov chain with
#   P(s[t] = 1 | s[t-1] = 1) = 0.9 and P(s[t] = 1 | s[t-1] = 0) = 0.2.
import random

rng = random.Random(20261207)
with open("coupled.csv", "w") as f:
    f.write("trial,x,y\n")
    for trial in range(10):
        x = y = 0.0
        for t in range(-200, 2000):
            x, y = 0.5 * x + 0.6 * y + rng.gauss(0, 1), 0.7 * y + rng.gauss(0, 1)
            if t >= 0:
                f.write(f"{trial},{x:.6f},{y:.6f}\n")

with open("markov.csv", "w") as f:
    f.write("trial,s\n")
    for trial in range(4):
        s = 1 if rng.random() < 2 / 3 else 0  # the stationary law: P(s = 1) = 2/3
        for t in range(5000):
            f.write(f"{trial},{s}\n")
            s = 1 if rng.random() < (0.9 if s == 1 else 0.2) else 0
