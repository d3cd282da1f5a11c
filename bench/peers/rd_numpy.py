"""rd_numpy.py - the peer of bench/workloads/rd_bernoulli.ixp: Blahut-Arimoto
in NumPy for a Bernoulli(0.3) source with Hamming distortion at the 26
slopes beta = logspace(-0.5, 1.5, 26) (nats), warm-started from high to
low beta like ixp. Each slope iterates until Blahut's bound on the
Lagrangian, max over xhat of ln sum_x p(x) A(x, xhat) / c(x), is below
1e-13 nats. Prints the sum of the 26 rates (the value the driver compares
with ixp's) and the largest error against R(D) = h(p) - h(D)."""
import numpy as np

p = np.array([0.7, 0.3])
d = np.array([[0.0, 1.0], [1.0, 0.0]])


def h(x):
    return 0.0 if x <= 0 or x >= 1 else -x * np.log(x) - (1 - x) * np.log(1 - x)


def blahut_arimoto(beta, q):
    a = np.exp(-beta * d)
    for _ in range(1000000):
        c = a @ q
        s = a.T @ (p / c)
        q = q * s
        if np.log(s.max()) < 1e-13:
            break
    c = a @ q
    cond = a * q / c[:, None]  # Q(xhat | x)
    dist = float(p @ (cond * d).sum(axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(cond > 0, cond * np.log(cond / q), 0.0)
    return float(p @ terms.sum(axis=1)), dist, q


q = np.array([0.5, 0.5])
rates, worst = [], 0.0
for beta in np.logspace(-0.5, 1.5, 26)[::-1]:
    rate, dist, q = blahut_arimoto(beta, q)
    q = np.maximum(q, 1e-300)
    rates.append(max(rate, 0.0))
    worst = max(worst, abs(max(rate, 0.0) - (h(0.3) - h(min(dist, 0.3)))))
print("value = %.17g" % sum(rates))
print("closed_form_error = %.3g" % worst)
