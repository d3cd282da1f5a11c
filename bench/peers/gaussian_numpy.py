"""gaussian_numpy.py - the peer of bench/workloads/gaussian_d64.ixp: the
Gaussian MI estimate of the first half of an .npy file's columns against
the second half, from the sample covariance with slogdet,
I = 1/2 (ln det Cx + ln det Cy - ln det C) nats (the covariance's
normalisation cancels). usage: gaussian_numpy.py FILE.npy"""
import sys
import numpy as np

a = np.load(sys.argv[1])
half = a.shape[1] // 2
c = np.cov(a, rowvar=False)
ld = lambda m: np.linalg.slogdet(m)[1]
print("value = %.17g" % (0.5 * (ld(c[:half, :half]) + ld(c[half:, half:]) - ld(c))))
