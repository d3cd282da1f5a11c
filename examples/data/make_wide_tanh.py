# make_wide_tanh.py - writes wide_tanh_w.csv, the 28 x 28 weight matrix of
# examples/wide_tanh_network.ixp: independent standard normal entries from
# Python's own generator with a fixed seed (pure Python, no NumPy).
import random

rng = random.Random(14)
n = 28
with open("wide_tanh_w.csv", "w") as f:
    f.write(",".join("w%d" % j for j in range(n)) + "\n")
    for i in range(n):
        f.write(",".join(repr(rng.gauss(0.0, 1.0)) for _ in range(n)) + "\n")
