# Writes logistic.csv: 2000 consecutive states of the logistic map
# x' = 4 x (1 - x), a deterministic chaotic series whose successive values
# are strongly dependent but almost uncorrelated.
x = 0.1234
with open("logistic.csv", "w") as f:
    f.write("x,next\n")
    for _ in range(2000):
        y = 4 * x * (1 - x)
        f.write(f"{x!r},{y!r}\n")
        x = y
