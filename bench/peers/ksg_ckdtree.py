"""ksg_ckdtree.py - the KSG peer of bench/workloads/ksg_*.ixp: KSG-1 mutual
information (Kraskov, Stoegbauer & Grassberger 2004, algorithm 1) with
scipy's cKDTree, max-norm, every column rescaled to unit variance (as ixp
and JIDT do), of the first half of an .npy file's columns against the
second half:
  I = psi(k) + psi(N) - < psi(n_x + 1) + psi(n_y + 1) >
where eps_i is the distance to the k-th neighbour in the joint space and
n_x counts the other rows closer than eps_i in x (strictly).

usage: ksg_ckdtree.py FILE.npy K [RUN FULL]
With RUN and FULL, also a permutation test: RUN surrogates (y's rows
permuted, each one a whole new estimate, as a plain loop does) are timed
and the time of the FULL - RUN not run is printed as extra_seconds."""
import sys
import time
import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma


def marginal_counts(v, eps):
    # query_ball_point counts distances <= r, the row itself included.
    r = np.nextafter(eps, 0)
    return cKDTree(v).query_ball_point(v, r, p=np.inf, return_length=True) - 1


def ksg(x, y, k):
    n = len(x)
    eps = cKDTree(np.hstack([x, y])).query(np.hstack([x, y]), k=k + 1, p=np.inf)[0][:, -1]
    nx, ny = marginal_counts(x, eps), marginal_counts(y, eps)
    return digamma(k) + digamma(n) - np.mean(digamma(nx + 1) + digamma(ny + 1))


a = np.load(sys.argv[1])
a = a / a.std(axis=0, ddof=1)
half, k = a.shape[1] // 2, int(sys.argv[2])
x, y = a[:, :half], a[:, half:]
print("value = %.17g" % ksg(x, y, k))
if len(sys.argv) > 4:
    run, full = int(sys.argv[3]), int(sys.argv[4])
    rng = np.random.default_rng(1)
    t = time.perf_counter()
    null = [ksg(x, y[rng.permutation(len(y))], k) for _ in range(run)]
    each = (time.perf_counter() - t) / run
    print("extra_seconds = %.6g" % (each * (full - run)))
    print("note = cKDTree: %d of %d surrogates run, %.3f s each, the rest scaled" % (run, full, each))
