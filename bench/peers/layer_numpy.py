"""layer_numpy.py - the NumPy peer of bench_batch's layer figure:
h = tanh(X W^T + b) for X of N rows x IN, W of OUT x IN, b of OUT, the
same shapes as the batch evaluator's run (the data are NumPy's own normal
draws). Prints the median of REPS timed runs of the expression alone.
usage: layer_numpy.py N IN OUT REPS"""
import sys
import time

import numpy as np

n, d_in, d_out, reps = (int(a) for a in sys.argv[1:5])
rng = np.random.default_rng(1)
x = rng.standard_normal((n, d_in))
w = rng.standard_normal((d_out, d_in)) / np.sqrt(d_in)
b = 0.1 * rng.standard_normal(d_out)
times = []
for _ in range(reps):
    t0 = time.perf_counter()
    h = np.tanh(x @ w.T + b)
    times.append(time.perf_counter() - t0)
print("seconds = %.6f" % sorted(times)[len(times) // 2])
print("checksum = %.6f" % float(h.sum()))
