"""Writes var5.csv: a 5-node linear VAR with known links, in trials.

x1[t] = 0.4 x1[t-1]                      + e1
x2[t] = 0.3 x2[t-1] + 0.5 x1[t-2]        + e2
x3[t] = 0.3 x3[t-1] + 0.4 x1[t-1]        + e3
x4[t] = 0.3 x4[t-1] + 0.5 x2[t-1] + 0.4 x3[t-3] + e4
x5[t] = 0.3 x5[t-1] + 0.5 x4[t-1]        + e5

e ~ N(0, 1) independent; each trial starts from zeros and drops a burn-in
of 100 steps. Python's own seeded generator (random.Random), so the file
is the same on every machine: python3 var5.py [trials] [samples] > var5.csv
"""
import random
import sys

LINKS = {  # target: [(source, lag, coefficient)], nodes 1-based
    1: [(1, 1, 0.4)],
    2: [(2, 1, 0.3), (1, 2, 0.5)],
    3: [(3, 1, 0.3), (1, 1, 0.4)],
    4: [(4, 1, 0.3), (2, 1, 0.5), (3, 3, 0.4)],
    5: [(5, 1, 0.3), (4, 1, 0.5)],
}


def trial(rng, samples, burnin=100):
    x = {v: [0.0] * 3 for v in LINKS}
    for _ in range(burnin + samples):
        new = {v: sum(c * x[s][-lag] for s, lag, c in LINKS[v]) + rng.gauss(0, 1) for v in LINKS}
        for v in LINKS:
            x[v].append(new[v])
    return [[x[v][i] for v in sorted(LINKS)] for i in range(3 + burnin, 3 + burnin + samples)]


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    rng = random.Random(20190701)
    print("trial,x1,x2,x3,x4,x5")
    for t in range(trials):
        for row in trial(rng, samples):
            print(",".join([str(t + 1)] + ["%.6f" % v for v in row]))


if __name__ == "__main__":
    main()
