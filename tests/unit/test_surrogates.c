/* test_surrogates.c — surrogate row maps (surrogates.h): they are
 * permutations that never leave a trial's time axis, drawn deterministically;
 * the Gaussian test against a recomputation from scratch; p-values of
 * independent AR(1) series spread over (0, 1]; coupled series give the
 * smallest p; plans that cannot draw say why. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gaussian.h"
#include "knn.h"
#include "rng.h"
#include "surrogates.h"
#include "threads.h"

/* The trial of row i. */
static int trial_of(const long *ts, int nt, long i) {
  for (int t = 0; t < nt; t++)
    if (i >= ts[t] && i < ts[t + 1]) return t;
  return -1;
}

static void assert_permutation(const long *rows, long n) {
  char *seen = calloc((size_t)n, 1);
  for (long i = 0; i < n; i++) {
    cr_assert(rows[i] >= 0 && rows[i] < n);
    cr_assert(!seen[rows[i]], "row %ld read twice", rows[i]);
    seen[rows[i]] = 1;
  }
  free(seen);
}

/* Trials of unequal length: 37, 50, 13, 100 rows. */
static const long uneven[] = {0, 37, 87, 100, 200};

Test(surrogates, shift_circular_block_stay_inside_their_trial) {
  IxpSurrogateMethod methods[] = {IXP_SURR_SHIFT, IXP_SURR_CIRCULAR, IXP_SURR_BLOCK};
  long rows[200];
  for (int m = 0; m < 3; m++) {
    IxpSurrogatePlan p = {.method = methods[m], .n = 200, .trial_start = uneven, .ntrials = 4, .block = m == 2 ? 6 : 0};
    char msg[256];
    cr_assert(ixp_surrogate_check(&p, msg, sizeof msg), "%s", msg);
    for (long r = 0; r < 50; r++) {
      cr_assert(ixp_surrogate_rows(&p, 42, r, rows));
      assert_permutation(rows, 200);
      long moved = 0;
      for (long i = 0; i < 200; i++) {
        cr_assert_eq(trial_of(uneven, 4, rows[i]), trial_of(uneven, 4, i), "method %d: row %ld reads row %ld of "
                     "another trial", m, i, rows[i]);
        moved += rows[i] != i;
      }
      if (methods[m] != IXP_SURR_BLOCK) cr_assert_eq(moved, 200, "a shift moves every row");
    }
  }
}

Test(surrogates, shift_offsets_keep_away_from_zero) {
  long ts[] = {0, 100}, rows[100];
  IxpSurrogatePlan p = {.method = IXP_SURR_SHIFT, .n = 100, .trial_start = ts, .ntrials = 1};
  long lo = 100, hi = 0;
  for (long r = 0; r < 2000; r++) {
    cr_assert(ixp_surrogate_rows(&p, 7, r, rows));
    long off = rows[0];
    for (long i = 0; i < 100; i++) cr_assert_eq(rows[i], (i + off) % 100, "a rotation");
    lo = off < lo ? off : lo, hi = off > hi ? off : hi;
  }
  cr_assert_eq(lo, 10, "smallest offset %ld, expected L/10 = 10", lo);
  cr_assert_eq(hi, 90, "largest offset %ld, expected L - L/10 = 90", hi);
}

Test(surrogates, trials_method_maps_to_the_same_time_of_another_trial) {
  long ts[] = {0, 40, 80, 120}, rows[120];
  IxpSurrogatePlan p = {.method = IXP_SURR_TRIALS, .n = 120, .trial_start = ts, .ntrials = 3};
  char msg[256];
  cr_assert(ixp_surrogate_check(&p, msg, sizeof msg), "%s", msg);
  for (long r = 0; r < 100; r++) {
    cr_assert(ixp_surrogate_rows(&p, 9, r, rows));
    assert_permutation(rows, 120);
    for (long i = 0; i < 120; i++) {
      int a = trial_of(ts, 3, i), b = trial_of(ts, 3, rows[i]);
      cr_assert_neq(a, b, "a trial reads itself");
      cr_assert_eq(rows[i] - ts[b], i - ts[a], "row %ld reads another time (%ld)", i, rows[i]);
    }
  }
}

Test(surrogates, block_lengths_and_default) {
  long ts[] = {0, 95}, rows[95];
  IxpSurrogatePlan p = {.method = IXP_SURR_BLOCK, .n = 95, .trial_start = ts, .ntrials = 1};
  cr_assert(ixp_surrogate_rows(&p, 3, 0, rows));
  /* default: blocks of ceil(95/10) = 10 rows, the last of 5: every run of consecutive rows starts at a multiple of 10 */
  for (long i = 1; i < 95; i++)
    if (rows[i] != rows[i - 1] + 1) cr_assert_eq(rows[i] % 10, 0, "a block starts at row %ld", rows[i]);
}

Test(surrogates, draws_are_pure_functions_of_key_and_index) {
  long a[200], b[200];
  IxpSurrogatePlan p = {.method = IXP_SURR_BLOCK, .n = 200, .trial_start = uneven, .ntrials = 4, .block = 5};
  ixp_surrogate_rows(&p, 11, 3, a);
  ixp_surrogate_rows(&p, 11, 4, b);
  ixp_surrogate_rows(&p, 11, 3, b);
  cr_assert(!memcmp(a, b, sizeof a));
  ixp_surrogate_rows(&p, 12, 3, b);
  cr_assert(memcmp(a, b, sizeof a), "another key draws other surrogates");
}

Test(surrogates, plans_that_cannot_draw_say_why) {
  char msg[256];
  IxpSurrogatePlan one = {.method = IXP_SURR_TRIALS, .n = 100};
  cr_assert(!ixp_surrogate_check(&one, msg, sizeof msg));
  cr_assert(strstr(msg, "at least two trials"), "%s", msg);
  IxpSurrogatePlan unequal = {.method = IXP_SURR_TRIALS, .n = 200, .trial_start = uneven, .ntrials = 4};
  cr_assert(!ixp_surrogate_check(&unequal, msg, sizeof msg));
  cr_assert(strstr(msg, "equal length (trial 1 has 37 rows, trial 2 has 50)"), "%s", msg);
  IxpSurrogatePlan blocks = {.method = IXP_SURR_BLOCK, .n = 200, .trial_start = uneven, .ntrials = 4, .block = 20};
  cr_assert(!ixp_surrogate_check(&blocks, msg, sizeof msg));
  cr_assert(strstr(msg, "trial 3 has 13 rows, fewer than two blocks of 20"), "%s", msg);
  long ts[] = {0, 1, 10};
  IxpSurrogatePlan tiny = {.method = IXP_SURR_SHIFT, .n = 10, .trial_start = ts, .ntrials = 2};
  cr_assert(!ixp_surrogate_check(&tiny, msg, sizeof msg));
  cr_assert(strstr(msg, "trial 1 has 1 row, too few"), "%s", msg);
  /* 4 trials have 9 derangements; one trial of 100 rows 81 shifts (10 .. 90), 99 rotations */
  long four[] = {0, 10, 20, 30, 40};
  IxpSurrogatePlan few = {.method = IXP_SURR_TRIALS, .n = 40, .trial_start = four, .ntrials = 4, .count = 10};
  cr_assert_eq(ixp_surrogate_distinct(&few), 9);
  cr_assert(!ixp_surrogate_check(&few, msg, sizeof msg));
  cr_assert(strstr(msg, "at most 9 distinct surrogates here, fewer than the 10 asked for"), "%s", msg);
  few.count = 9;
  cr_assert(ixp_surrogate_check(&few, msg, sizeof msg), "%s", msg);
  IxpSurrogatePlan shift = {.method = IXP_SURR_SHIFT, .n = 100, .count = 82};
  cr_assert_eq(ixp_surrogate_distinct(&shift), 81);
  cr_assert(!ixp_surrogate_check(&shift, msg, sizeof msg));
  shift.method = IXP_SURR_CIRCULAR;
  cr_assert_eq(ixp_surrogate_distinct(&shift), 99);
  cr_assert(ixp_surrogate_check(&shift, msg, sizeof msg), "%s", msg);
  IxpSurrogatePlan blocks4 = {.method = IXP_SURR_BLOCK, .n = 40, .block = 10};
  cr_assert_eq(ixp_surrogate_distinct(&blocks4), 24);
  IxpSurrogateMethod m;
  cr_assert(ixp_surrogate_method_by_name("circular", &m) && m == IXP_SURR_CIRCULAR);
  cr_assert(!ixp_surrogate_method_by_name("shuffle", &m));
}

/* Two AR(1) series x_t = a x_{t-1} + e_t from stream key; y couples to x
 * with weight c (0: independent). */
static void ar_pair(uint64_t key, long n, double a, double c, double *x, double *y) {
  double px = 0, py = 0;
  for (long i = 0; i < n + 50; i++) {
    double ex = ixp_rng_normal(key, 2 * (uint64_t)i), ey = ixp_rng_normal(key, 2 * (uint64_t)i + 1);
    px = a * px + ex;
    py = a * py + ey + c * px;
    if (i >= 50) x[i - 50] = px, y[i - 50] = py;
  }
}

Test(surrogates, gaussian_test_matches_recomputation_from_scratch) {
  enum { N = 500, S = 30 };
  double *x = malloc(N * 2 * sizeof *x), *y = malloc(N * sizeof *y), *z = malloc(N * sizeof *z);
  double xs[N], ys[N];
  ar_pair(5, N, 0.6, 0.3, xs, ys);
  ar_pair(6, N, 0.5, 0.0, z, y);
  for (long i = 0; i < N; i++) x[2 * i] = xs[i], x[2 * i + 1] = xs[i] * 0.3 + y[i];
  long ts[] = {0, 250, 500}, rows[N];
  IxpSurrogatePlan p = {.method = IXP_SURR_CIRCULAR, .n = N, .trial_start = ts, .ntrials = 2};
  IxpSurrogateTest t;
  cr_assert_eq(ixp_surrogate_gaussian_test(x, 2, ys, 1, z, 1, N, &p, S, 77, &t), IXP_SURR_OK);
  /* the reference: covariance of [x y z] with y's rows gathered, ixp_gauss_mi, for every surrogate */
  double null[S], all[N * 4], cov[16];
  long ix[] = {0, 1}, iy[] = {2}, iz[] = {3};
  for (int s = -1; s < S; s++) {
    if (s >= 0) ixp_surrogate_rows(&p, 77, s, rows);
    for (long i = 0; i < N; i++) {
      all[4 * i] = x[2 * i], all[4 * i + 1] = x[2 * i + 1];
      all[4 * i + 2] = ys[s >= 0 ? rows[i] : i], all[4 * i + 3] = z[i];
    }
    cr_assert_eq(ixp_covariance(all, N, 4, cov), IXP_GAUSS_OK);
    double v;
    cr_assert_eq(ixp_gauss_mi(cov, 4, ix, 2, iy, 1, iz, 1, &v), IXP_GAUSS_OK);
    if (s < 0) cr_assert(fabs(v - t.value) < 1e-12, "observed %.17g against %.17g", t.value, v);
    else null[s] = v;
  }
  double mean = 0, ge = 0;
  for (int s = 0; s < S; s++) mean += null[s] / S, ge += null[s] >= t.value;
  cr_assert(fabs(mean - t.null_mean) < 1e-12, "null mean %.17g against %.17g", t.null_mean, mean);
  cr_assert_eq(t.p, (1 + ge) / (1.0 + S));
  free(x), free(y), free(z);
}

/* The fraction of p-values at or below q, against q, for 40 seeds: a
 * Kolmogorov-Smirnov distance to the uniform law of the test's p-values
 * (uniform on {1, ..., S + 1} / (S + 1) when the null is exchangeable). */
static double ks_uniform(const double *p, int m, int S) {
  double worst = 0;
  for (int k = 1; k <= S + 1; k++) {
    double q = (double)k / (S + 1), f = 0;
    for (int i = 0; i < m; i++) f += p[i] <= q + 1e-12;
    worst = fmax(worst, fabs(f / m - q));
  }
  return worst;
}

/* Independent AR(1) pairs: I(x_t; y_{t-1} | x_{t-1}) has no coupling, so
 * over 40 seeds the p-values are near-uniform: mean within 0.15 of 0.5
 * (its standard error is 0.046) and KS distance below 0.26 (the 1 % point
 * of the KS statistic for 40 draws is 1.63 / sqrt(40) = 0.258). */
static void uniform_p(bool ksg) {
  enum { N = 300, M = 40, S = 19 };
  double p[M], x[N], y[N], mean = 0;
  double *xt = malloc(N * sizeof *xt), *yl = malloc(N * sizeof *yl), *xl = malloc(N * sizeof *xl);
  IxpKnnOptions opt = {.k = 4};
  for (int seed = 0; seed < M; seed++) {
    ar_pair(1000 + (uint64_t)seed, N, 0.7, 0, x, y);
    for (long i = 1; i < N; i++) xt[i - 1] = x[i], yl[i - 1] = y[i - 1], xl[i - 1] = x[i - 1];
    IxpSurrogatePlan plan = {.method = IXP_SURR_SHIFT, .n = N - 1};
    IxpSurrogateTest t;
    if (ksg) cr_assert_eq(ixp_surrogate_ksg_test(xt, 1, yl, 1, xl, 1, N - 1, &opt, &plan, S, 31 + (uint64_t)seed, &t), IXP_KNN_OK);
    else cr_assert_eq(ixp_surrogate_gaussian_test(xt, 1, yl, 1, xl, 1, N - 1, &plan, S, 31 + (uint64_t)seed, &t), IXP_SURR_OK);
    p[seed] = t.p;
    mean += t.p / M;
  }
  double ks = ks_uniform(p, M, S);
  cr_assert(fabs(mean - 0.5) < 0.15, "mean p %g", mean);
  cr_assert(ks < 0.26, "KS distance %g", ks);
  free(xt), free(yl), free(xl);
}

Test(surrogates, independent_ar_pairs_give_uniform_p_gaussian) { uniform_p(false); }
Test(surrogates, independent_ar_pairs_give_uniform_p_ksg) { uniform_p(true); }

/* y depends strongly on x: no surrogate reaches the observed value. */
Test(surrogates, coupled_pair_gives_the_smallest_p) {
  enum { N = 400, S = 49 };
  double x[N], y[N];
  ar_pair(3, N, 0.5, 1.0, x, y);
  long ts[] = {0, 50, 100, 150, 200, 250, 300, 350, 400};
  IxpSurrogateMethod methods[] = {IXP_SURR_SHIFT, IXP_SURR_CIRCULAR, IXP_SURR_BLOCK, IXP_SURR_TRIALS, IXP_SURR_PERMUTE};
  IxpKnnOptions opt = {.k = 4};
  for (int m = 0; m < 5; m++) {
    IxpSurrogatePlan p = {.method = methods[m], .n = N, .trial_start = ts, .ntrials = 8, .count = S};
    char msg[256];
    cr_assert(ixp_surrogate_check(&p, msg, sizeof msg), "%s", msg);
    IxpSurrogateTest g, k;
    cr_assert_eq(ixp_surrogate_gaussian_test(x, 1, y, 1, NULL, 0, N, &p, S, 5, &g), IXP_SURR_OK);
    cr_assert_eq(ixp_surrogate_ksg_test(x, 1, y, 1, NULL, 0, N, &opt, &p, S, 5, &k), IXP_KNN_OK);
    cr_assert_eq(g.p, 1.0 / (S + 1), "gaussian, method %d: p %g", m, g.p);
    cr_assert_eq(k.p, 1.0 / (S + 1), "ksg, method %d: p %g", m, k.p);
    cr_assert(g.null_mean < 0.05 && g.value > 0.3, "gaussian value %g, null mean %g", g.value, g.null_mean);
  }
}

/* permute surrogates through ixp_ksg_mi_mapped are the permutation test's. */
Test(surrogates, permute_method_is_the_permutation_test) {
  enum { N = 300 };
  double x[N], y[N];
  ar_pair(8, N, 0.3, 0.2, x, y);
  IxpKnnOptions opt = {.k = 3};
  IxpSurrogatePlan p = {.method = IXP_SURR_PERMUTE, .n = N};
  IxpSurrogateTest t;
  IxpKnnTest ref;
  cr_assert_eq(ixp_surrogate_ksg_test(x, 1, y, 1, NULL, 0, N, &opt, &p, 20, 99, &t), IXP_KNN_OK);
  cr_assert_eq(ixp_ksg_mi_permutation(x, 1, y, 1, N, &opt, 20, 99, &ref), IXP_KNN_OK);
  cr_assert(t.value == ref.value && t.p == ref.p && t.null_mean == ref.null_mean && t.null_std == ref.null_std);
}

/* The same bits at one and two threads. */
Test(surrogates, thread_count_changes_nothing) {
  enum { N = 2000 };
  double x[N], y[N];
  ar_pair(4, N, 0.8, 0.05, x, y);
  IxpSurrogatePlan p = {.method = IXP_SURR_CIRCULAR, .n = N};
  IxpSurrogateTest a, b;
  ixp_threads_watch_load(false);
  ixp_threads_set_budget(1);
  cr_assert_eq(ixp_surrogate_gaussian_test(x, 1, y, 1, NULL, 0, N, &p, 200, 1, &a), IXP_SURR_OK);
  ixp_threads_set_budget(2);
  cr_assert_eq(ixp_surrogate_gaussian_test(x, 1, y, 1, NULL, 0, N, &p, 200, 1, &b), IXP_SURR_OK);
  ixp_threads_watch_load(true);
  cr_assert(a.value == b.value && a.p == b.p && a.null_mean == b.null_mean && a.null_std == b.null_std);
}

Test(surrogates, small_logdet_against_closed_form) {
  double a[9] = {4, 2, 0, 2, 5, 1, 0, 1, 3}, v;  /* det = 4 (15 - 1) - 2 (6) = 44 */
  cr_assert(ixp_small_logdet(a, 3, 3, &v));
  cr_assert(fabs(v - log(44.0)) < 1e-14);
  double singular[4] = {1, 1, 1, 1};
  cr_assert(!ixp_small_logdet(singular, 2, 2, &v));
}
