#!/bin/sh
# mi_suite.sh — every estimator of mutual information against the suite of
# distributions with closed-form MI (bench/mi_suite.c), run as a user runs
# them: the real ixp binary on a generated .ixp per estimator and task,
#
#   units nats
#   sweep s in 0 .. SEEDS-1 {
#     data t = npy("TASK_s{s}.npy")
#     print mi(t[0 .. a]; t[a+1 .. b]) in t using E with stderr
#   }
#
# then one line per estimator: tasks within 0.05 nats of the truth (the
# seed-averaged estimate, and single runs), mean absolute error of the
# seed average, mean reported standard error against the observed standard
# deviation over seeds, and time; then per family; then the estimate of
# every task.
#
#   sh bench/mi_suite.sh [--quick] [IXP]
#
# --quick (make bench): 12 tasks, 2 seeds, the slow estimators (mixture,
# critic) left out unless SUITE_SLOW=1. Without it (make suite): all
# tasks, 3 seeds, every estimator; the tables go to stdout and to
# bench/results/mi_suite.md. Environment:
#   SUITE_ESTIMATORS  the estimators, separated by ';' (default: the list below)
#   SUITE_TASKS       task names, separated by ',' (default: all; see mi_suite --list)
#   SUITE_SEEDS, SUITE_N   seeds per task (3) and rows (5000)
#   SUITE_SLOW=0|1    include mixture and critic (default: 1, 0 with --quick)
#   SUITE_TIMEOUT     seconds allowed per task and estimator (default 900)
#   SUITE_SET=heldout  the held-out tasks (mi_suite.c HELDOUT) instead of the suite
#   SUITE_OUT         where the tables go (default bench/results/mi_suite.md; --quick: none)
#   SUITE_KEEP=1      keep the folder of samples and raw results
# An estimator ixp does not know (a build without it) is skipped with a
# line saying so; one that does not take `with stderr` runs without it.
set -u
cd "$(dirname "$0")/.." || exit 2

quick=0
if [ "${1:-}" = --quick ]; then quick=1; shift; fi
IXP=${1:-./ixp}
case $IXP in /*) ;; *) IXP=$(pwd)/$IXP ;; esac
GEN=build/bench/mi_suite
[ -x "$GEN" ] || { echo "mi_suite.sh: $GEN is missing (make build/bench/mi_suite)" >&2; exit 2; }
[ -x "$IXP" ] || { echo "mi_suite.sh: $IXP is missing" >&2; exit 2; }

ALL_EST='gaussian;gaussian(bias = 1);gcmi;ksg;ksg(lnc = 1);mixture;critic;mixed;kernel;auto'
QUICK_TASKS='normal-1x1,dense-5x5,dense-25x25,sparse-10x10,normcdf-3x3,halfcube-5x5,wiggly-1x1,student-2x2-nu1,asinh-student-3x3-nu3,additive-eps0.1,swissroll-2x1,spiral-5x5'
if [ $quick = 1 ]; then
  SEEDS=${SUITE_SEEDS:-2} TASKS=${SUITE_TASKS:-$QUICK_TASKS} SLOW=${SUITE_SLOW:-0} OUT=${SUITE_OUT:-}
else
  SEEDS=${SUITE_SEEDS:-3} TASKS=${SUITE_TASKS:-} SLOW=${SUITE_SLOW:-1} OUT=${SUITE_OUT-bench/results/mi_suite.md}
fi
N=${SUITE_N:-5000}
EST=${SUITE_ESTIMATORS:-$ALL_EST}
TIMEOUT=${SUITE_TIMEOUT:-900}
to=
command -v timeout >/dev/null 2>&1 && to="timeout $TIMEOUT"

dir=$(mktemp -d "${TMPDIR:-/tmp}/mi_suite.XXXXXX") || exit 2
if [ "${SUITE_KEEP:-0}" = 1 ]; then echo "mi_suite: files kept in $dir"; else trap 'rm -rf "$dir"' EXIT; fi
trap 'exit 130' INT TERM

echo "mi_suite: N = $N, $SEEDS seeds, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
"$GEN" --check >"$dir/check.txt" || { cat "$dir/check.txt"; echo "mi_suite: the closed forms failed their checks" >&2; exit 1; }
"$GEN" --gen "$dir" --n "$N" --seeds "$SEEDS" --tasks "$TASKS" || exit 1
mkdir -p "$dir/probe"
SUITE_SET= "$GEN" --gen "$dir/probe" --n 1000 --seeds 1 --tasks normal-1x1 >/dev/null || exit 1

# The columns of a side: t[a] or t[a .. b].
cols() { if [ "$1" = "$2" ]; then echo "t[$1]"; else echo "t[$1 .. $2]"; fi; }

# Write the program of estimator $1 (with $2: " with stderr" or empty) on
# task $3 (dx $4, dy $5, seeds $6) to stdout.
program() {
  echo "units nats"
  echo "sweep s in 0 .. $(($6 - 1)) {"
  echo "  data t = npy(\"$3_s{s}.npy\")"
  echo "  print mi($(cols 0 $(($4 - 1))); $(cols "$4" $(($4 + $5 - 1)))) in t using $1$2"
  echo "}"
}

# value <TAB> stderr of each JSON line printed by ixp --json (NA when absent).
parse() {
  awk '{
    v = "NA"; se = "NA"; s = $0
    while ((i = index(s, "\"value\":")) > 0) { s = substr(s, i + 8); if (match(s, /^-?[0-9][0-9.eE+-]*/)) v = substr(s, 1, RLENGTH) }
    if (match($0, /"stderr":-?[0-9][0-9.eE+-]*/)) se = substr($0, RSTART + 9, RLENGTH - 9)
    print v "\t" se
  }'
}

now() { date +%s.%N; }
raw=$dir/raw.tsv
: >"$raw"
: >"$dir/skipped.txt"
old_ifs=$IFS
IFS=';'
for e in $EST; do
  IFS=$old_ifs
  case $e in mixture*|critic*) if [ "$SLOW" != 1 ]; then echo "$e: skipped (slow; SUITE_SLOW=1 runs it)" | tee -a "$dir/skipped.txt"; IFS=';'; continue; fi ;; esac
  # Probe: does this ixp know the estimator, and does it take `with stderr`?
  # Only a check error (status 3) says no; a runtime error on the small
  # probe (too few rows, say) is left to the tasks.
  with=" with stderr"
  program "$e" "$with" normal-1x1 1 1 1 >"$dir/probe/p.ixp"
  (cd "$dir/probe" && $to "$IXP" --json p.ixp </dev/null >/dev/null 2>"$dir/probe/err")
  if [ $? = 3 ]; then
    with=
    program "$e" "" normal-1x1 1 1 1 >"$dir/probe/p.ixp"
    (cd "$dir/probe" && $to "$IXP" --json p.ixp </dev/null >/dev/null 2>"$dir/probe/err2")
    if [ $? = 3 ]; then
      echo "$e: skipped: $(grep -m1 error "$dir/probe/err2" | sed 's/^[^ ]* //')" | tee -a "$dir/skipped.txt"
      IFS=';'; continue
    fi
    echo "$e: without stderr: $(grep -m1 error "$dir/probe/err" | sed 's/^[^ ]* //')"
  fi
  while IFS='	' read -r task dx dy truth family; do
    program "$e" "$with" "$task" "$dx" "$dy" "$SEEDS" >"$dir/run.ixp"
    t0=$(now)
    (cd "$dir" && $to "$IXP" --json --digits max run.ixp </dev/null >"$dir/run.out" 2>"$dir/run.err")
    rc=$?
    t1=$(now)
    secs=$(echo "$t0 $t1 $SEEDS" | awk '{ printf "%.3f", ($2 - $1) / $3 }')
    parse <"$dir/run.out" | awk -v e="$e" -v t="$task" -v tr="$truth" -v f="$family" -v s="$secs" \
      'BEGIN { OFS = "\t" } { print e, t, f, tr, NR - 1, $1, $2, s }' >>"$raw"
    got=$(wc -l <"$dir/run.out")
    if [ "$rc" != 0 ] || [ "$got" -lt "$SEEDS" ]; then
      msg=$(grep -m1 -i error "$dir/run.err" | cut -c1-160)
      [ "$rc" = 124 ] && msg="timed out after $TIMEOUT s"
      echo "$e on $task: status $rc: $msg" | tee -a "$dir/skipped.txt"
      i=$got
      while [ "$i" -lt "$SEEDS" ]; do
        printf '%s\t%s\t%s\t%s\t%s\tNA\tNA\t%s\n' "$e" "$task" "$family" "$truth" "$i" "$secs" >>"$raw"
        i=$((i + 1))
      done
    fi
  done <"$dir/tasks.tsv"
  echo "$e: done"
  IFS=';'
done
IFS=$old_ifs

# The tables (markdown), from raw: est task family truth seed value se secs.
report() {
  ntasks=$(wc -l <"$dir/tasks.tsv")
  echo "## MI estimators on the suite: $ntasks distribution$([ "$ntasks" = 1 ] || echo s), N = $N, $SEEDS seed$([ "$SEEDS" = 1 ] || echo s)"
  echo
  echo "ixp $(git describe --always --dirty 2>/dev/null), $(date -u '+%Y-%m-%d %H:%M UTC'), OMP_NUM_THREADS=${OMP_NUM_THREADS:-default}, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)."
  echo "Within: |estimate - truth| <= 0.05 nats; 'mean' is the seed-averaged estimate (tasks), 'runs' single runs."
  echo "MAE: mean absolute error of the seed average. SE: mean reported standard error; std: mean observed std over seeds;"
  # With S seeds an exact standard error over the sample std has median 1 / sqrt(m / (S - 1)), m the
  # median of chi-square with S - 1 degrees of freedom (Wilson-Hilferty: 1.48 at 2 seeds, 1.20 at 3).
  honest=$(awk -v k=$((SEEDS - 1)) 'BEGIN { if (k < 1) print "-"; else { m = k * (1 - 2 / (9 * k)) ^ 3; printf "%.2f", 1 / sqrt(m / k) } }')
  echo "SE / std: the median over tasks of their ratio; an exact standard error gives about $honest with $SEEDS seeds (the sample std of few seeds is small more often than not)."
  echo
  awk -F'\t' -v S="$SEEDS" '
    function abs(x) { return x < 0 ? -x : x }
    function median(a, m,    i, j, t) {
      for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
      return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
    }
    { key = $1 SUBSEP $2
      if (!($1 in seen)) { seen[$1] = 1; order[++ne] = $1 }
      if (!(key in tt)) { tt[key] = 1; tasks[$1] = tasks[$1] SUBSEP $2; fam[$2] = $3; truth[$2] = $4; if (!($2 in tseen)) { tseen[$2] = 1; torder[++nt] = $2 } }
      secs[$1] += $8
      if ($6 == "NA") { bad[key] = 1; next }
      n[key]++; sum[key] += $6; sq[key] += $6 * $6
      runs[$1]++; if (abs($6 - $4) <= 0.05) rin[$1]++
      if ($7 != "NA") { sen[$1]++; ses[$1] += $7; tsen[key]++; tses[key] += $7 }
    }
    END {
      print "| estimator | within (mean) | within (runs) | MAE | SE | std | SE / std | gaussian | monotone | student | additive | embedding | s / run |"
      print "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
      for (i = 1; i <= ne; i++) {
        e = order[i]; k = 0; win = 0; mae = 0; sd = 0; nsd = 0; nr = 0; delete ff; delete fw; delete ratio
        m = split(substr(tasks[e], 2), tl, SUBSEP)
        for (j = 1; j <= m; j++) {
          t = tl[j]; key = e SUBSEP t; f = fam[t]; ff[f]++
          if (bad[key] || n[key] < S) continue
          mu = sum[key] / n[key]; err = abs(mu - truth[t]); k++; mae += err
          if (err <= 0.05) { win++; fw[f]++ }
          var = n[key] > 1 ? (sq[key] - n[key] * mu * mu) / (n[key] - 1) : 0
          if (n[key] > 1) { sd += sqrt(var > 0 ? var : 0); nsd++ }
          if (n[key] > 1 && var > 0 && tsen[key] == n[key]) ratio[++nr] = tses[key] / tsen[key] / sqrt(var)
          est[key] = mu
        }
        printf "| %s | %d/%d | %d/%d | %s | %s | %s |", e, win, m, rin[e] + 0, m * S,
          k ? sprintf("%.3f", mae / k) : "-", sen[e] ? sprintf("%.4f", ses[e] / sen[e]) : "-",
          nsd ? sprintf("%.4f", sd / nsd) : "-"
        printf " %s |", nr ? sprintf("%.2f", median(ratio, nr)) : "-"
        split("gaussian monotone student additive embedding", fl, " ")
        for (j = 1; j <= 5; j++) printf " %d/%d |", fw[fl[j]] + 0, ff[fl[j]] + 0
        printf " %.2f |\n", secs[e] / m
        if (k < m) failed[e] = m - k
      }
      for (e in failed) printf "\n%s: %d task(s) failed to run (counted as misses).\n", e, failed[e]
      print ""
      print "Seed-averaged estimate per task (* within 0.05 nats):"
      print ""
      printf "| task | truth |"; for (i = 1; i <= ne; i++) printf " %s |", order[i]; print ""
      printf "|---|---|"; for (i = 1; i <= ne; i++) printf "---|"; print ""
      for (j = 1; j <= nt; j++) {
        t = torder[j]; printf "| %s | %.3f |", t, truth[t]
        for (i = 1; i <= ne; i++) {
          key = order[i] SUBSEP t
          if (key in est) printf " %.3f%s |", est[key], abs(est[key] - truth[t]) <= 0.05 ? "*" : ""
          else printf " fail |"
        }
        print ""
      }
    }' "$raw"
  if [ -s "$dir/skipped.txt" ]; then echo; sed 's/^/    /' "$dir/skipped.txt"; fi
}

if [ ! -s "$raw" ]; then echo "mi_suite: no estimator ran"; exit 1; fi
report >"$dir/report.md"
echo
cat "$dir/report.md"
if [ -n "$OUT" ]; then
  mkdir -p "$(dirname "$OUT")"
  cp "$dir/report.md" "$OUT"
  echo
  echo "mi_suite: tables written to $OUT"
fi
