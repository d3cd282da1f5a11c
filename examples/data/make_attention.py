# Writes attention_q.npy (6 x 4) and attention_k.npy (8 x 4): the queries
# and keys of one small attention head, Gaussian numbers rounded to three
# decimals (no NumPy needed: the .npy files are written by hand). Prints the
# entropy in bits of each softmax row of Q K^T / sqrt(4), computed here
# independently of ixp, for the expect lines of attention_entropy.ixp.
import math
import random
import struct

rng = random.Random(14)


def matrix(rows, cols):
    return [[round(rng.gauss(0, 1.5), 3) for _ in range(cols)] for _ in range(rows)]


def write_npy(path, m):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }" % (len(m), len(m[0]))
    header += " " * (63 - (10 + len(header)) % 64) + "\n"  # the whole prefix a multiple of 64 bytes
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("ascii"))
        for row in m:
            f.write(struct.pack("<%dd" % len(row), *row))


def entropy_bits(logits):
    top = max(logits)
    w = [math.exp(x - top) for x in logits]
    z = math.fsum(w)
    return -math.fsum(p * math.log2(p) for p in (x / z for x in w) if p > 0)


q, k = matrix(6, 4), matrix(8, 4)
write_npy("attention_q.npy", q)
write_npy("attention_k.npy", k)
for i, qi in enumerate(q):
    logits = [math.fsum(a * b for a, b in zip(qi, kj)) / 2 for kj in k]
    print("row %d: %.17g" % (i, entropy_bits(logits)))
