#!/usr/bin/env python3
"""Trains a tiny tanh network and saves its layers' activations at chosen
epochs, for examples/information_plane_epochs.ixp.

The task (after Shwartz-Ziv & Tishby, 2017, made small): the inputs are all
256 patterns of 8 bits, the label is y = ((x[0] and x[1]) or x[2]) xor x[3] (half
the patterns are 1). The network is 8 -> 6 -> 4 -> 2: two tanh layers and
a softmax output, trained by minibatch gradient descent on the cross
entropy. Written with the standard library only (no NumPy), seeded, so the
same files come out on every run; the .npy files are version 1.0, little
endian: x.npy (256 x 8, int8), y.npy (256, int8) and act_E_L.npy (256 x
width, float32) for layer L = 1, 2, 3 at epoch E.

    python3 examples/data/plane/make_activations.py   # rewrites the files here
"""
import math
import os
import random
import struct

EPOCHS = list(range(0, 301, 20))
WIDTHS = [8, 6, 4, 2]
RATE, BATCH, SEED = 0.1, 16, 2026
HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, rows, descr, code):
    """Writes rows (a list of lists, or a flat list for 1-D) as .npy."""
    shape = "(%d, %d)" % (len(rows), len(rows[0])) if isinstance(rows[0], list) else "(%d,)" % len(rows)
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    flat = [v for r in rows for v in r] if isinstance(rows[0], list) else rows
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(struct.pack("<%d%s" % (len(flat), code), *flat))


def normal(rng):
    """A standard normal draw (Box-Muller on the generator's uniforms)."""
    u, v = 1.0 - rng.random(), rng.random()
    return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)


def forward(net, x):
    """The activations of every layer for one input: tanh, tanh, softmax."""
    acts = [x]
    for k, (w, b) in enumerate(net):
        z = [b[j] + sum(w[j][i] * acts[-1][i] for i in range(len(acts[-1]))) for j in range(len(b))]
        if k < len(net) - 1:
            acts.append([math.tanh(v) for v in z])
        else:
            m = max(z)
            e = [math.exp(v - m) for v in z]
            acts.append([v / sum(e) for v in e])
    return acts


def step(net, batch, ys):
    """One gradient step on the batch's mean cross entropy."""
    grads = [([[0.0] * len(w[0]) for _ in w], [0.0] * len(b)) for w, b in net]
    for x, y in zip(batch, ys):
        acts = forward(net, x)
        delta = [p - (1.0 if j == y else 0.0) for j, p in enumerate(acts[-1])]
        for k in range(len(net) - 1, -1, -1):
            w, _ = net[k]
            gw, gb = grads[k]
            below = acts[k]
            for j, d in enumerate(delta):
                gb[j] += d
                for i, a in enumerate(below):
                    gw[j][i] += d * a
            if k:
                delta = [(1 - below[i] ** 2) * sum(w[j][i] * delta[j] for j in range(len(delta)))
                         for i in range(len(below))]
    for (w, b), (gw, gb) in zip(net, grads):
        for j in range(len(b)):
            b[j] -= RATE * gb[j] / len(batch)
            for i in range(len(w[j])):
                w[j][i] -= RATE * gw[j][i] / len(batch)


def main():
    rng = random.Random(SEED)
    xs = [[(p >> i) & 1 for i in range(8)] for p in range(256)]
    ys = [((x[0] and x[1]) or x[2]) ^ x[3] for x in xs]
    save("x.npy", xs, "|i1", "b")
    save("y.npy", ys, "|i1", "b")
    net = [([[normal(rng) / math.sqrt(n_in) for _ in range(n_in)] for _ in range(n_out)], [0.0] * n_out)
           for n_in, n_out in zip(WIDTHS, WIDTHS[1:])]
    order = list(range(256))
    for epoch in range(EPOCHS[-1] + 1):
        if epoch in EPOCHS:
            acts = [forward(net, x) for x in xs]
            for layer in range(1, len(WIDTHS)):
                save("act_%d_%d.npy" % (epoch, layer), [a[layer] for a in acts], "<f4", "f")
            right = sum(max(range(2), key=lambda j: a[-1][j]) == y for a, y in zip(acts, ys))
            print("epoch %3d: %3d of 256 right" % (epoch, right))
        rng.shuffle(order)
        for s in range(0, 256, BATCH):
            idx = order[s:s + BATCH]
            step(net, [xs[i] for i in idx], [ys[i] for i in idx])


if __name__ == "__main__":
    main()
