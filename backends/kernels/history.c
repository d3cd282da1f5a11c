/* history.c — joint counts of lagged discrete columns (see history.h).
 *
 * Encoding: a row's number is sum_c v_c w_c, w_c the product of the
 * alphabets of the entries before c. Entries that read one source column
 * at consecutive lags (an embedding x[t-1], x[t-2], ... listed in that
 * order) form a run whose digits are a shift register: from one row to
 * the next every digit moves one place up and the newest value enters at
 * the bottom, so a run costs one load, one multiply and one modulo per
 * row whatever its length (a shift and a mask for a power-of-two
 * alphabet); the hash path uses these. Counting: while the states are
 * few (DENSE_MAX) a dense array, its numbers computed a block of rows at
 * a time column by column (32-bit multiply-adds, 8 rows a step with AVX2, which beat
 * the registers' serial chains), in 4 interleaved copies (row r in copy r
 * mod 4, so that runs of one state do not serialise on one counter) up
 * to DENSE_COPIES_MAX states; else a hash table of the 64-bit numbers
 * (linear probing). */
#include "history.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

#define DENSE_MAX (UINT64_C(1) << 24)
#define DENSE_COPIES_MAX (UINT64_C(1) << 16)
#define COPIES 4
#define BLOCK 2048

/* A run of entries reading one source column at consecutive lags. */
typedef struct {
  const uint32_t *codes;
  int lag;          /* the first (newest) entry's lag */
  uint64_t base;    /* the first entry's weight */
  uint64_t span;    /* alphabet ^ length: the register's modulus */
  uint64_t radix;   /* the alphabet */
  int shift;        /* log2(alphabet) when a power of two, else -1 */
  int len;
} Run;

/* The runs of the column list; false when the states overflow 64 bits. */
static int make_runs(const IxpHistColumn *cols, int ncols, IxpHistCounts *out, Run *runs) {
  uint64_t w = 1;
  int nr = 0;
  for (int c = 0; c < ncols; c++) {
    uint32_t a = cols[c].alphabet;
    out->alphabet[c] = a, out->weight[c] = w;
    Run *r = nr ? &runs[nr - 1] : NULL;
    if (r && r->codes == cols[c].codes && r->radix == a && cols[c].lag == r->lag + r->len) {
      r->len++, r->span *= a;
    } else {
      int sh = -1;
      for (int b = 0; b < 32; b++)
        if (a == UINT32_C(1) << b) sh = b;
      runs[nr++] = (Run){cols[c].codes, cols[c].lag, w, a, a, sh, 1};
    }
    if (a && w > UINT64_MAX / a) return -1;
    w *= a;
  }
  out->nstates = w;
  return nr;
}

/* ------------------------------------------------------------ hash table */

typedef struct {
  uint64_t *key, *cnt;
  size_t cap, n;
} Table;

static bool table_grow(Table *tb) {
  size_t cap = tb->cap ? 2 * tb->cap : 4096;
  uint64_t *key = malloc(cap * sizeof *key), *cnt = calloc(cap, sizeof *cnt);
  if (!key || !cnt) {
    free(key), free(cnt);
    return false;
  }
  for (size_t i = 0; i < tb->cap; i++) {
    if (!tb->cnt[i]) continue;
    size_t p = ixp_mix64(tb->key[i]) & (cap - 1);
    while (cnt[p]) p = (p + 1) & (cap - 1);
    key[p] = tb->key[i], cnt[p] = tb->cnt[i];
  }
  free(tb->key), free(tb->cnt);
  tb->key = key, tb->cnt = cnt, tb->cap = cap;
  return true;
}

static bool table_add(Table *tb, uint64_t s, uint64_t c) {
  if (2 * (tb->n + 1) > tb->cap && !table_grow(tb)) return false;
  size_t p = ixp_mix64(s) & (tb->cap - 1);
  while (tb->cnt[p] && tb->key[p] != s) p = (p + 1) & (tb->cap - 1);
  if (!tb->cnt[p]) tb->key[p] = s, tb->n++;
  tb->cnt[p] += c;
  return true;
}

/* --------------------------------------------------------------- counting */

/* The state of row t from the registers. */
static inline uint64_t state_of(const Run *runs, int nr, const uint64_t *h) {
  uint64_t s = 0;
  for (int i = 0; i < nr; i++) s += h[i] * runs[i].base;
  return s;
}

/* Move every register from row t - 1 to row t; seen[i] collects run i's
 * codes (their or for a power-of-two alphabet, else their maximum), a
 * code out of range being clamped into it so that no state overflows
 * (the caller then reports the input). */
static inline __attribute__((always_inline)) void advance(const Run *runs, int nr, uint64_t *h, uint32_t *seen, long t) {
  for (int i = 0; i < nr; i++) {
    const Run *r = &runs[i];
    uint32_t v = r->codes[t - r->lag];
    if (r->shift >= 0) {
      seen[i] |= v;
      h[i] = ((h[i] << r->shift) & (r->span - 1)) | (v & (uint32_t)(r->radix - 1));
    } else {
      seen[i] = v > seen[i] ? v : seen[i];
      h[i] = (h[i] * r->radix) % r->span + (v < r->radix ? v : r->radix - 1);
    }
  }
}

/* The registers at row lo, from scratch (codes clamped and seen as in advance). */
static void start(const Run *runs, int nr, uint64_t *h, uint32_t *seen, long lo) {
  for (int i = 0; i < nr; i++) {
    const Run *r = &runs[i];
    h[i] = 0;
    for (int j = r->len - 1; j >= 0; j--) {
      uint32_t v = r->codes[lo - r->lag - j];
      seen[i] = r->shift >= 0 ? seen[i] | v : v > seen[i] ? v : seen[i];
      h[i] = h[i] * r->radix + (v < r->radix ? v : r->radix - 1);
    }
  }
}

/* Whether every code seen is below its run's alphabet. */
static bool seen_ok(const Run *runs, int nr, const uint32_t *seen) {
  for (int i = 0; i < nr; i++)
    if (runs[i].shift >= 0 ? seen[i] >> runs[i].shift != 0 : seen[i] >= runs[i].radix) return false;
  return true;
}

/* One column's digit added to a block of m row numbers (uint32: dense
 * tables have at most 2^24 states); returns the largest code read. */
static uint32_t add_digit_c(uint32_t *restrict idx, const uint32_t *restrict v, long m, uint32_t w, bool first) {
  uint32_t mx = 0;
  for (long r = 0; r < m; r++) idx[r] = (first ? 0 : idx[r]) + v[r] * w, mx = v[r] > mx ? v[r] : mx;
  return mx;
}

#if defined(__x86_64__)
/* add_digit_c, 8 rows a step (the build's -O2 leaves the loop scalar). */
__attribute__((target("avx2"))) static uint32_t add_digit_avx2(uint32_t *restrict idx, const uint32_t *restrict v, long m,
                                                               uint32_t w, bool first) {
  __m256i vw = _mm256_set1_epi32((int)w), mx = _mm256_setzero_si256();
  long r = 0;
  for (; r + 8 <= m; r += 8) {
    __m256i x = _mm256_loadu_si256((const __m256i *)(v + r)), d = _mm256_mullo_epi32(x, vw);
    if (!first) d = _mm256_add_epi32(d, _mm256_loadu_si256((const __m256i *)(idx + r)));
    _mm256_storeu_si256((__m256i *)(idx + r), d);
    mx = _mm256_max_epu32(mx, x);
  }
  uint32_t lane[8], best = add_digit_c(idx + r, v + r, m - r, w, first);
  _mm256_storeu_si256((__m256i *)lane, mx);
  for (int i = 0; i < 8; i++) best = lane[i] > best ? lane[i] : best;
  return best;
}
#endif

static uint32_t add_digit(uint32_t *restrict idx, const uint32_t *restrict v, long m, uint32_t w, bool first) {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2")) return add_digit_avx2(idx, v, m, w, first);
#endif
  return add_digit_c(idx, v, m, w, first);
}

/* Count rows lo .. hi - 1 of one trial into cells (copies interleaved:
 * cell s of copy j at s * copies + j), a block of rows at a time: the
 * block's numbers column by column, then the increments. False when a
 * code is not below its alphabet (nothing of that block counted). */
static bool count_dense(const IxpHistColumn *cols, const IxpHistCounts *c, long lo, long hi, uint64_t *cells,
                        unsigned copies, uint32_t *idx) {
  for (long t0 = lo; t0 < hi; t0 += BLOCK) {
    long m = hi - t0 < BLOCK ? hi - t0 : BLOCK;
    bool ok = true;
    for (int k = 0; k < c->ncols; k++)
      ok &= add_digit(idx, cols[k].codes + t0 - cols[k].lag, m, (uint32_t)c->weight[k], k == 0) < c->alphabet[k];
    if (!ok) return false;
    for (long r = 0; r < m; r++) cells[(uint64_t)idx[r] * copies + ((unsigned)r & (copies - 1))]++;
  }
  return true;
}

static bool count_hash(const Run *runs, int nr, long lo, long hi, Table *tb, uint32_t *seen) {
  uint64_t h[IXP_HISTORY_MAX_COLS];
  start(runs, nr, h, seen, lo);
  if (!table_add(tb, state_of(runs, nr, h), 1)) return false;
  for (long t = lo + 1; t < hi; t++) {
    advance(runs, nr, h, seen, t);
    if (!table_add(tb, state_of(runs, nr, h), 1)) return false;
  }
  return true;
}

IxpEstStatus ixp_history_count(const IxpHistColumn *cols, int ncols, size_t nrows, const long *trial_start, int ntrials,
                               IxpHistCounts *out) {
  if (!out) return IXP_EST_EINPUT;
  memset(out, 0, sizeof *out);
  if (!cols || ncols < 1 || ncols > IXP_HISTORY_MAX_COLS || (trial_start && ntrials < 1)) return IXP_EST_EINPUT;
  int lo_lag = cols[0].lag, hi_lag = cols[0].lag;
  for (int c = 0; c < ncols; c++) {
    if (!cols[c].codes || cols[c].alphabet < 1) return IXP_EST_EINPUT;
    lo_lag = cols[c].lag < lo_lag ? cols[c].lag : lo_lag, hi_lag = cols[c].lag > hi_lag ? cols[c].lag : hi_lag;
  }
  Run runs[IXP_HISTORY_MAX_COLS];
  int nr = make_runs(cols, ncols, out, runs);
  if (nr < 0) return IXP_EST_EINPUT;
  out->ncols = ncols;
  long one[2] = {0, (long)nrows};
  const long *ts = trial_start ? trial_start : one;
  int nt = trial_start ? ntrials : 1;
  bool dense = out->nstates <= DENSE_MAX;
  unsigned copies = out->nstates <= DENSE_COPIES_MAX ? COPIES : 1;
  uint64_t *cells = dense ? calloc(out->nstates * copies, sizeof *cells) : NULL;
  Table tb = {0};
  uint32_t seen[IXP_HISTORY_MAX_COLS] = {0}, *idx = dense ? malloc(BLOCK * sizeof *idx) : NULL;
  bool codes_ok = true;
  if (dense && (!cells || !idx)) {
    free(cells), free(idx);
    return IXP_EST_ENOMEM;
  }
  for (int i = 0; i < nt && codes_ok; i++) {
    long lo = ts[i] + hi_lag, hi = ts[i + 1] + lo_lag;
    if (lo >= hi) continue;
    out->rows += (uint64_t)(hi - lo);
    if (dense) codes_ok = count_dense(cols, out, lo, hi, cells, copies, idx);
    else if (!count_hash(runs, nr, lo, hi, &tb, seen)) {
      free(tb.key), free(tb.cnt);
      return IXP_EST_ENOMEM;
    }
  }
  free(idx);
  if (!codes_ok || !seen_ok(runs, nr, seen)) {
    free(cells), free(tb.key), free(tb.cnt);
    memset(out, 0, sizeof *out);
    return IXP_EST_EINPUT;
  }
  if (dense) {
    for (uint64_t s = 0; s < out->nstates; s++) { /* fold the copies into the first out->nstates cells */
      uint64_t sum = 0;
      for (unsigned j = 0; j < copies; j++) sum += cells[s * copies + j];
      cells[s] = sum;
    }
    out->dense = cells;
    return IXP_EST_OK;
  }
  out->state = malloc((tb.n ? tb.n : 1) * sizeof *out->state);
  out->count = malloc((tb.n ? tb.n : 1) * sizeof *out->count);
  if (!out->state || !out->count) {
    free(tb.key), free(tb.cnt);
    return IXP_EST_ENOMEM;
  }
  for (size_t p = 0; p < tb.cap; p++)
    if (tb.cnt[p]) out->state[out->k] = tb.key[p], out->count[out->k++] = tb.cnt[p];
  free(tb.key), free(tb.cnt);
  return IXP_EST_OK;
}

/* ------------------------------------------------------------- marginals */

/* The marginal number of state s: its digits in mask, re-weighted. */
static uint64_t project(const IxpHistCounts *c, uint64_t mask, uint64_t s) {
  uint64_t m = 0, w = 1;
  for (int i = 0; i < c->ncols; i++) {
    if (!(mask >> i & 1)) continue;
    m += (s / c->weight[i] % c->alphabet[i]) * w;
    w *= c->alphabet[i];
  }
  return m;
}

static uint64_t marginal_states(const IxpHistCounts *c, uint64_t mask) {
  uint64_t w = 1;
  for (int i = 0; i < c->ncols; i++)
    if (mask >> i & 1) w *= c->alphabet[i];
  return w;
}

typedef struct {
  uint64_t s, n;
} StateCount;

static int by_state(const void *a, const void *b) {
  const StateCount *p = a, *q = b;
  return (p->s > q->s) - (p->s < q->s);
}

IxpEstStatus ixp_history_marginal(const IxpHistCounts *c, uint64_t mask, uint64_t **counts, size_t *k) {
  if (!c || !counts || !k || (c->ncols < 64 && mask >> c->ncols)) return IXP_EST_EINPUT;
  *counts = NULL, *k = 0;
  uint64_t ms = marginal_states(c, mask);
  if (c->dense && ms <= DENSE_MAX) {
    uint64_t *m = calloc(ms, sizeof *m);
    if (!m) return IXP_EST_ENOMEM;
    if (mask == ((c->ncols < 64 ? UINT64_C(1) << c->ncols : 0) - 1)) memcpy(m, c->dense, ms * sizeof *m);
    else
      for (uint64_t s = 0; s < c->nstates; s++)
        if (c->dense[s]) m[project(c, mask, s)] += c->dense[s];
    size_t nz = 0;
    for (uint64_t s = 0; s < ms; s++)
      if (m[s]) m[nz++] = m[s];
    *counts = m, *k = nz;
    return IXP_EST_OK;
  }
  /* hash mode: the distinct marginal states, summed, then in order */
  Table tb = {0};
  bool ok = true;
  if (c->dense)
    for (uint64_t s = 0; ok && s < c->nstates; s++) ok = !c->dense[s] || table_add(&tb, project(c, mask, s), c->dense[s]);
  else
    for (size_t i = 0; ok && i < c->k; i++) ok = table_add(&tb, project(c, mask, c->state[i]), c->count[i]);
  StateCount *sc = ok ? malloc((tb.n ? tb.n : 1) * sizeof *sc) : NULL;
  uint64_t *out = sc ? malloc((tb.n ? tb.n : 1) * sizeof *out) : NULL;
  if (!out) {
    free(tb.key), free(tb.cnt), free(sc);
    return IXP_EST_ENOMEM;
  }
  size_t n = 0;
  for (size_t p = 0; p < tb.cap; p++)
    if (tb.cnt[p]) sc[n++] = (StateCount){tb.key[p], tb.cnt[p]};
  qsort(sc, n, sizeof *sc, by_state);
  for (size_t i = 0; i < n; i++) out[i] = sc[i].n;
  free(tb.key), free(tb.cnt), free(sc);
  *counts = out, *k = n;
  return IXP_EST_OK;
}

IxpEstStatus ixp_history_entropy(const IxpHistCounts *c, uint64_t mask, IxpDiscreteEstimator e, size_t alphabet,
                                 double *out) {
  if (!out) return IXP_EST_EINPUT;
  if (!mask) {
    *out = 0;
    return c ? IXP_EST_OK : IXP_EST_EINPUT;
  }
  uint64_t *counts;
  size_t k;
  IxpEstStatus st = ixp_history_marginal(c, mask, &counts, &k);
  if (st == IXP_EST_OK) st = ixp_entropy_from_counts(e, counts, k, alphabet > k ? alphabet : k, out);
  free(counts);
  return st;
}

void ixp_history_free(IxpHistCounts *c) {
  if (!c) return;
  free(c->dense), free(c->state), free(c->count);
  memset(c, 0, sizeof *c);
}
