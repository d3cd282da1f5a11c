/* test_history.c — history-encoded counts of lagged discrete columns
 * (history.h) against ixp_count_rows on lagged columns built here by
 * hand: the same entropies bit for bit (dense tables, every estimator,
 * binary and ternary alphabets, embeddings and scattered lags, future
 * lags, trials), the same counts in hash mode, and bad input. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

/* n codes below `alphabet` from a seeded linear congruential stream; each
 * code repeats the previous one with probability about 1/2, so that
 * histories have structure. */
static uint32_t *codes(uint64_t seed, size_t n, uint32_t alphabet) {
  uint32_t *v = malloc(n * sizeof *v), prev = 0;
  for (size_t i = 0; i < n; i++) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    uint32_t r = (uint32_t)(seed >> 33);
    v[i] = prev = (r & 1) ? prev : (r >> 1) % alphabet;
  }
  return v;
}

/* The lagged columns of a column list over the trials, gathered by hand:
 * out[c][row] for each valid time of each trial, in order; their count. */
static size_t gather(const IxpHistColumn *cols, int ncols, const long *ts, int nt, uint32_t **out) {
  int lo = cols[0].lag, hi = cols[0].lag;
  for (int c = 0; c < ncols; c++) lo = cols[c].lag < lo ? cols[c].lag : lo, hi = cols[c].lag > hi ? cols[c].lag : hi;
  size_t m = 0;
  for (int i = 0; i < nt; i++)
    for (long t = ts[i] + hi; t < ts[i + 1] + lo; t++) {
      for (int c = 0; c < ncols; c++) out[c][m] = cols[c].codes[t - cols[c].lag];
      m++;
    }
  return m;
}

/* Entropy of the columns in mask by ixp_count_rows on the gathered columns. */
static double general_entropy(uint32_t **g, int ncols, size_t m, uint64_t mask, IxpDiscreteEstimator e, size_t alphabet) {
  const uint32_t *sel[64];
  int d = 0;
  for (int c = 0; c < ncols; c++)
    if (mask >> c & 1) sel[d++] = g[c];
  uint64_t *counts;
  size_t k;
  cr_assert_eq(ixp_count_rows(sel, d, m, &counts, &k), IXP_EST_OK);
  double h;
  cr_assert_eq(ixp_entropy_from_counts(e, counts, k, alphabet > k ? alphabet : k, &h), IXP_EST_OK);
  free(counts);
  return h;
}

static bool same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Every marginal of interest of one column list, every estimator. */
static void check_list(const IxpHistColumn *cols, int ncols, size_t n, const long *ts, int nt) {
  uint32_t *g[IXP_HISTORY_MAX_COLS];
  for (int c = 0; c < ncols; c++) g[c] = malloc(n * sizeof *g[c]);
  long one[2] = {0, (long)n};
  size_t m = gather(cols, ncols, ts ? ts : one, ts ? nt : 1, g);
  IxpHistCounts hc;
  cr_assert_eq(ixp_history_count(cols, ncols, n, ts, nt, &hc), IXP_EST_OK);
  cr_assert_eq(hc.rows, m);
  uint64_t all = (UINT64_C(1) << ncols) - 1;
  const uint64_t masks[] = {all, all & ~UINT64_C(1), UINT64_C(1), all & 0x2a, all & 0x3e, all & ~UINT64_C(0x6)};
  for (int e = IXP_EST_PLUGIN; e <= IXP_EST_NSB; e++)
    for (size_t i = 0; i < sizeof masks / sizeof *masks; i++) {
      if (!masks[i]) continue;
      double want = general_entropy(g, ncols, m, masks[i], (IxpDiscreteEstimator)e, 0), got;
      cr_assert_eq(ixp_history_entropy(&hc, masks[i], (IxpDiscreteEstimator)e, 0, &got), IXP_EST_OK);
      cr_assert(same_bits(got, want), "estimator %d mask %#llx: %.17g vs %.17g", e, (unsigned long long)masks[i], got,
                want);
    }
  ixp_history_free(&hc);
  for (int c = 0; c < ncols; c++) free(g[c]);
}

/* Transfer entropy's columns, k = l = 5 on binary series: x[t], x[t-1 ..
 * t-5], y[t-1 .. t-5] (two shift-register runs), one series and trials. */
Test(history, te_columns_match_count_rows) {
  size_t n = 20000;
  uint32_t *x = codes(1, n, 2), *y = codes(2, n, 2);
  IxpHistColumn cols[11];
  cols[0] = (IxpHistColumn){x, 2, 0};
  for (int j = 1; j <= 5; j++) cols[j] = (IxpHistColumn){x, 2, j}, cols[5 + j] = (IxpHistColumn){y, 2, j};
  check_list(cols, 11, n, NULL, 0);
  const long ts[4] = {0, 7000, 7003, 20000}; /* a trial too short for the lags contributes nothing */
  check_list(cols, 11, n, ts, 3);
  free(x), free(y);
}

/* Ternary codes, scattered and future lags, a column twice. */
Test(history, scattered_lags_and_ternary) {
  size_t n = 5000;
  uint32_t *x = codes(3, n, 3), *y = codes(4, n, 3), *z = codes(5, n, 2);
  IxpHistColumn cols[6] = {{x, 3, 0}, {y, 3, 2}, {x, 3, 3}, {z, 2, -1}, {y, 3, 1}, {x, 3, 4}};
  check_list(cols, 6, n, NULL, 0);
  const long ts[3] = {0, 2500, 5000};
  check_list(cols, 6, n, ts, 2);
  free(x), free(y), free(z);
}

/* Large alphabets: more states than the dense table holds, so a hash
 * table; the marginal counts are the same multiset as count_rows' and
 * the plug-in entropy agrees to rounding (count_rows lists them in
 * another order there). */
Test(history, hash_mode) {
  size_t n = 30000;
  uint32_t *x = codes(6, n, 1000), *y = codes(7, n, 3000);
  IxpHistColumn cols[4] = {{x, 1000, 0}, {x, 1000, 1}, {y, 3000, 1}, {y, 3000, 2}};
  IxpHistCounts hc;
  cr_assert_eq(ixp_history_count(cols, 4, n, NULL, 0, &hc), IXP_EST_OK);
  cr_assert_null(hc.dense);
  uint32_t *g[4];
  for (int c = 0; c < 4; c++) g[c] = malloc(n * sizeof *g[c]);
  long one[2] = {0, (long)n};
  size_t m = gather(cols, 4, one, 1, g);
  for (uint64_t mask = 1; mask < 16; mask++) {
    const uint32_t *sel[4];
    int d = 0;
    for (int c = 0; c < 4; c++)
      if (mask >> c & 1) sel[d++] = g[c];
    uint64_t *a, *b;
    size_t ka, kb;
    cr_assert_eq(ixp_count_rows(sel, d, m, &a, &ka), IXP_EST_OK);
    cr_assert_eq(ixp_history_marginal(&hc, mask, &b, &kb), IXP_EST_OK);
    cr_assert_eq(ka, kb, "mask %llu: %zu vs %zu states", (unsigned long long)mask, ka, kb);
    uint64_t sa = 0, sb = 0, qa = 0, qb = 0;
    for (size_t i = 0; i < ka; i++) sa += a[i], sb += b[i], qa += a[i] * a[i], qb += b[i] * b[i];
    cr_assert(sa == sb && qa == qb, "mask %llu", (unsigned long long)mask);
    double ha, hb;
    cr_assert_eq(ixp_entropy_from_counts(IXP_EST_PLUGIN, a, ka, 0, &ha), IXP_EST_OK);
    cr_assert_eq(ixp_history_entropy(&hc, mask, IXP_EST_PLUGIN, 0, &hb), IXP_EST_OK);
    cr_assert(fabs(ha - hb) < 1e-12 * ha, "mask %llu: %.17g vs %.17g", (unsigned long long)mask, ha, hb);
    free(a), free(b);
  }
  ixp_history_free(&hc);
  for (int c = 0; c < 4; c++) free(g[c]);
  free(x), free(y);
}

Test(history, bad_input) {
  uint32_t v[8] = {0, 1, 2, 1, 0, 1, 0, 1};
  IxpHistCounts hc;
  IxpHistColumn two[2] = {{v, 2, 0}, {v, 2, 1}}, three[2] = {{v, 3, 0}, {v, 3, 1}};
  cr_assert_eq(ixp_history_count(two, 2, 8, NULL, 0, &hc), IXP_EST_EINPUT); /* a code 2 in a binary column */
  cr_assert_eq(ixp_history_count(three, 2, 8, NULL, 0, &hc), IXP_EST_OK);
  cr_assert_eq(hc.rows, 7);
  ixp_history_free(&hc);
  IxpHistColumn big[3] = {{v, 4000000000u, 0}, {v, 4000000000u, 1}, {v, 4000000000u, 2}}; /* > 2^64 states */
  cr_assert_eq(ixp_history_count(big, 3, 8, NULL, 0, &hc), IXP_EST_EINPUT);
  cr_assert_eq(ixp_history_count(three, 0, 8, NULL, 0, &hc), IXP_EST_EINPUT);
}
