#!/bin/sh
# KSG MI on the same CSV with ixp and scikit-learn's
# mutual_info_regression (k = 4), when Debian's python3-sklearn is
# installed; skipped cleanly otherwise.
IXP=${1:-./ixp}
PY=/usr/bin/python3  # Debian's python, where python3-sklearn installs
[ -x "$PY" ] || PY=python3
if ! $PY -c 'import sklearn, numpy' 2>/dev/null; then
  echo "sklearn comparison: skipped (python3-sklearn is not installed)"
  exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
$PY - "$tmp" <<'PY'
import sys, time, numpy as np
from sklearn.feature_selection import mutual_info_regression
rng = np.random.default_rng(1)
n, rho = 100000, 0.9
x = rng.standard_normal(n)
y = rho * x + np.sqrt(1 - rho * rho) * rng.standard_normal(n)
np.savetxt(sys.argv[1] + "/pair.csv", np.c_[x, y], delimiter=",", header="x,y", comments="", fmt="%.17g")
t = time.perf_counter()
mi = mutual_info_regression(x.reshape(-1, 1), y, n_neighbors=4, random_state=0)[0]
print(f"{time.perf_counter() - t:.4f} {mi:.6f}", file=open(sys.argv[1] + "/sk.txt", "w"))
PY
printf 'units nats\ndata d = csv("pair.csv")\nprint mi(x; y) in d using ksg(k = 4)\n' > "$tmp/ksg.ixp"
start=$(date +%s.%N)
ours=$("$IXP" --digits 6 "$tmp/ksg.ixp" | sed 's/.*= //')
end=$(date +%s.%N)
read -r sk_time sk_mi < "$tmp/sk.txt"
awk -v a="$start" -v b="$end" -v s="$sk_time" -v o="$ours" -v m="$sk_mi" 'BEGIN {
  t = b - a
  printf "sklearn comparison, KSG k = 4, N = 1e5 (ixp time includes reading the CSV):\n"
  printf "  ixp %.3f s (MI %s nats)   sklearn %.3f s (MI %s nats)   ratio %.3f\n", t, o, s, m, t / s }'
