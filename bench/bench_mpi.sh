#!/bin/sh
# bench_mpi.sh — strong scaling of build/ixp-mpi from 1 to 2 ranks on the
# 64-point sweep of Gaussian mutual information (bench/mpi/gaussian_sweep.ixp,
# N rows a pass: BENCH_MPI_N, default 200000), one OpenMP thread a rank.
#
#   sh bench/bench_mpi.sh [IXP_MPI] [PLAIN_IXP]
#
# Prints the median wall time of RUNS runs (default 5) of: the plain ixp;
# ixp-mpi on 1 and 2 ranks; mpirun's own start and stop (an empty file) on
# 1 and 2 ranks; the efficiency T1 / (2 T2), with and without mpirun's
# start-up; and the time rank 0 spent in collectives (the gather of the
# passes' logs and the statement agreements, waiting for the slower rank
# included). The outputs of every run must be identical (checked).
set -eu
cd "$(dirname "$0")/.."
mpi=${1:-build/ixp-mpi} plain=${2:-./ixp}
runs=${RUNS:-5} n=${BENCH_MPI_N:-200000}
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 IXP_RANKS_TIMES=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
work=bench/mpi/gaussian_sweep.ixp
: >"$tmp/empty.ixp"

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# time_runs NAME CMD...: RUNS wall times into $tmp/NAME.t, output kept.
time_runs() {
  name=$1
  shift
  for i in $(seq "$runs"); do
    t0=$(now)
    "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
    t1=$(now)
    echo "$t1 - $t0" | bc -l >>"$tmp/$name.t"
    grep -o 'spent [0-9.]* s' "$tmp/$name.err" | awk '{ print $2 }' >>"$tmp/$name.comm" || true
  done
}

# Interleaved, so that a change in the machine's load hits every variant.
for i in $(seq "$runs"); do
  runs_saved=$runs runs=1
  time_runs plain "$plain" --set n="$n" "$work"
  time_runs r1 mpirun -n 1 "$mpi" --set n="$n" "$work"
  time_runs r2 mpirun --oversubscribe -n 2 "$mpi" --set n="$n" "$work"
  time_runs e1 mpirun -n 1 "$mpi" "$tmp/empty.ixp"
  time_runs e2 mpirun --oversubscribe -n 2 "$mpi" "$tmp/empty.ixp"
  runs=$runs_saved
done
cmp -s "$tmp/plain.out" "$tmp/r1.out" && cmp -s "$tmp/plain.out" "$tmp/r2.out" ||
  { echo "bench_mpi: outputs differ between the plain run and 1 or 2 ranks" >&2; exit 1; }

m() { median <"$tmp/$1.t"; }
tp=$(m plain) t1=$(m r1) t2=$(m r2) e1=$(m e1) e2=$(m e2)
c1=$(median <"$tmp/r1.comm") c2=$(median <"$tmp/r2.comm")
echo "bench_mpi: 64-point sweep of Gaussian MI, $n rows a pass, median of $runs runs, $(getconf _NPROCESSORS_ONLN) cores"
printf '  plain ixp            %8.3f s\n' "$tp"
printf '  ixp-mpi, 1 rank      %8.3f s   (mpirun start and stop alone: %.3f s)\n' "$t1" "$e1"
printf '  ixp-mpi, 2 ranks     %8.3f s   (mpirun start and stop alone: %.3f s)\n' "$t2" "$e2"
printf '  speed-up 1 -> 2      %8.2fx  efficiency %.0f%% (ideal 2x, 100%%)\n' \
  "$(echo "$t1 / $t2" | bc -l)" "$(echo "100 * $t1 / (2 * $t2)" | bc -l)"
printf '  without start-up     %8.2fx  efficiency %.0f%%\n' \
  "$(echo "($t1 - $e1) / ($t2 - $e2)" | bc -l)" "$(echo "100 * ($t1 - $e1) / (2 * ($t2 - $e2))" | bc -l)"
printf '  rank 0 in collectives: %.4f s on 1 rank, %.4f s on 2 ranks\n' "$c1" "$c2"
