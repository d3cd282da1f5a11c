# Writes epoch_0.csv .. epoch_3.csv and labels.csv: a toy "training run".
# The input x is a symbol 0..7 and the label y its parity; at epoch e a
# hidden code t copies x, but each of x's 3 bits is kept only with
# probability (e + 1) / 4 (else replaced by a coin flip), so I(X;T) grows
# over the epochs. Rows are the same 64 inputs (8 copies of each symbol) in
# every file, so the files join row by row with labels.csv.
import random

rng = random.Random(2024)
xs = [i % 8 for i in range(64)]
with open("labels.csv", "w") as f:
    f.write("x,y\n")
    for x in xs:
        f.write(f"{x},{bin(x).count('1') % 2}\n")
for e in range(4):
    keep = (e + 1) / 4
    with open(f"epoch_{e}.csv", "w") as f:
        f.write("t\n")
        for x in xs:
            t = 0
            for b in range(3):
                bit = (x >> b) & 1 if rng.random() < keep else rng.randrange(2)
                t |= bit << b
            f.write(f"{t}\n")
