/* copula.c — normal scores (ranks through the inverse normal CDF).
 *
 * The rows are transposed once (in cache-sized tiles) so that each column
 * is one contiguous run, ranked by sorting its values' bit patterns
 * mapped to unsigned order (an LSD radix sort of their high halves, then
 * each run of equal high halves by the whole key; linear in n for
 * continuous data). Untied rows take
 * Phi^{-1}(r / (n + 1)) from one table shared by every column; a run of
 * ties takes its average rank. */
#include "copula.h"

#include "threads.h"
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Wichura (1988), "Algorithm AS 241: the percentage points of the normal
 * distribution", Applied Statistics 37(3), PPND16: rational
 * approximations on |p - 1/2| <= 0.425 and on r = sqrt(-log(min(p, 1-p)))
 * in (0, 5] and (5, 27]. */
static double poly(const double *c, int n, double r) {
  double v = c[n - 1];
  for (int i = n - 2; i >= 0; i--) v = v * r + c[i];
  return v;
}

double ixp_probit(double p) {
  static const double a[8] = {3.3871328727963666080e0, 1.3314166789178437745e+2, 1.9715909503065514427e+3,
                              1.3731693765509461125e+4, 4.5921953931549871457e+4, 6.7265770927008700853e+4,
                              3.3430575583588128105e+4, 2.5090809287301226727e+3};
  static const double b[8] = {1.0, 4.2313330701600911252e+1, 6.8718700749205790830e+2, 5.3941960214247511077e+3,
                              2.1213794301586595867e+4, 3.9307895800092710610e+4, 2.8729085735721942674e+4,
                              5.2264952788528545610e+3};
  static const double c[8] = {1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0,
                              3.64784832476320460504e0, 1.27045825245236838258e0, 2.41780725177450611770e-1,
                              2.27238449892691845833e-2, 7.74545014278341407640e-4};
  static const double d[8] = {1.0, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1,
                              1.48103976427480074590e-1, 1.51986665636164571966e-2, 5.47593808499534494600e-4,
                              1.05075007164441684324e-9};
  static const double e[8] = {6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0,
                              2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
                              2.71155556874348757815e-5, 2.01033439929228813265e-7};
  static const double f[8] = {1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2,
                              7.86869131145613259100e-4, 1.84631831751005468180e-5, 1.42151175831644588870e-7,
                              2.04426310338993978564e-15};
  if (!(p >= 0 && p <= 1)) return NAN;
  if (p == 0) return -INFINITY;
  if (p == 1) return INFINITY;
  double q = p - 0.5;
  if (fabs(q) <= 0.425) {
    double r = 0.180625 - q * q;
    return q * poly(a, 8, r) / poly(b, 8, r);
  }
  double r = sqrt(-log(q < 0 ? p : 1 - p));
  double v = r <= 5 ? poly(c, 8, r - 1.6) / poly(d, 8, r - 1.6) : poly(e, 8, r - 5) / poly(f, 8, r - 5);
  return q < 0 ? -v : v;
}

/* A double's bits mapped so that unsigned order is numeric order (-0 and
 * +0 differ by one step; they are made equal before). */
static inline uint64_t order_key(double v) {
  uint64_t u;
  if (v == 0) v = 0;
  memcpy(&u, &v, sizeof u);
  return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

/* One row's sort key and its index, moved together. */
typedef struct {
  uint64_t key;
  uint64_t idx;
} Item;

/* Scratch of one column's sort. */
typedef struct {
  Item *a, *b;
} Scratch;

static int by_key(const void *x, const void *y) {
  uint64_t a = ((const Item *)x)->key, b = ((const Item *)y)->key;
  return (a > b) - (a < b);
}

/* Sort a run of items whose keys share their high 32 bits by the whole
 * key: insertion for the short runs continuous data gives, qsort else. */
static void sort_run(Item *r, long n) {
  if (n > 32) {
    qsort(r, (size_t)n, sizeof *r, by_key);
    return;
  }
  for (long i = 1; i < n; i++) {
    Item v = r[i];
    long j = i;
    for (; j > 0 && r[j - 1].key > v.key; j--) r[j] = r[j - 1];
    r[j] = v;
  }
}

/* a <- sorted by key: a stable LSD radix sort of the high 32 bits (8-bit
 * digits, every histogram from one pass, a digit every key shares
 * skipped), then each run of equal high halves sorted by the whole key.
 * The high half (sign, exponent, 20 bits of mantissa) already separates
 * nearly all values of continuous data, so half the passes do. */
static void radix_sort(Scratch *w, long n) {
  long count[4][257];
  memset(count, 0, sizeof count);
  for (long i = 0; i < n; i++) {
    uint64_t k = w->a[i].key >> 32;
    for (int p = 0; p < 4; p++) count[p][((k >> (8 * p)) & 0xff) + 1]++;
  }
  for (int p = 0; p < 4; p++) {
    long *c = count[p];
    bool shared = false;
    for (int b = 1; b <= 256; b++) shared |= c[b] == n;
    if (shared) continue;  /* every key has this digit: the order stands */
    for (int b = 1; b <= 256; b++) c[b] += c[b - 1];
    int sh = 32 + 8 * p;
    for (long i = 0; i < n; i++) w->b[c[(w->a[i].key >> sh) & 0xff]++] = w->a[i];
    Item *t = w->a;
    w->a = w->b, w->b = t;
  }
  for (long i = 0; i < n;) {
    long j = i + 1;
    while (j < n && w->a[j].key >> 32 == w->a[i].key >> 32) j++;
    if (j - i > 1) sort_run(w->a + i, j - i);
    i = j;
  }
}

/* Normal scores of one contiguous column v[0 .. n), in place;
 * table[r] = Phi^{-1}((r + 1) / (n + 1)). */
static bool score_column(double *v, long n, const double *table, Scratch *w) {
  for (long i = 0; i < n; i++) {
    if (!isfinite(v[i])) return false;
    w->a[i] = (Item){order_key(v[i]), (uint64_t)i};
  }
  radix_sort(w, n);
  const Item *it = w->a;
  for (long a = 0; a < n;) {
    long b = a + 1;
    while (b < n && it[b].key == it[a].key) b++;
    double s = b == a + 1 ? table[a] : ixp_probit((0.5 * (double)(a + b - 1) + 1) / (double)(n + 1));
    for (long k = a; k < b; k++) v[it[k].idx] = s;
    a = b;
  }
  return true;
}

/* Rows per tile of a transposition: a tile of both layouts stays in cache. */
#define TILE 512

/* dst (d x n, column j contiguous) <- src (n x d row-major), or back. */
static void transpose(const double *src, long n, long d, double *dst, bool to_columns) {
  for (long i0 = 0; i0 < n; i0 += TILE) {
    long i1 = i0 + TILE < n ? i0 + TILE : n;
    for (long j = 0; j < d; j++)
      for (long i = i0; i < i1; i++) {
        if (to_columns) dst[j * n + i] = src[i * d + j];
        else dst[i * d + j] = src[j * n + i];
      }
  }
}

/* Ranking a column costs a few passes over n keys; a team pays from
 * about a million of them. */
#define SCORES_PAR_WORK 1e6

bool ixp_normal_scores(const double *x, long n, long d, double *out) {
  if (n < 1 || d < 1 || !x || !out || n > (long)UINT32_MAX) return false;
  double *table = malloc(sizeof(double) * (size_t)n), *cols = malloc(sizeof(double) * (size_t)n * (size_t)d);
  if (!table || !cols) {
    free(table), free(cols);
    return false;
  }
  for (long r = 0; r < n; r++) table[r] = ixp_probit((double)(r + 1) / (double)(n + 1));
  transpose(x, n, d, cols, true);  /* columns contiguous: each is read and written as one run */
  int nt = ixp_threads_for((double)n * (double)d, SCORES_PAR_WORK);
  if (nt > d) nt = (int)d;
  bool ok = true;
#pragma omp parallel num_threads(nt) if (nt > 1) reduction(&& : ok)
  {
    Scratch w = {malloc(sizeof(Item) * (size_t)n), malloc(sizeof(Item) * (size_t)n)};
    bool mine = w.a && w.b;
#pragma omp for schedule(dynamic, 1)
    for (long j = 0; j < d; j++)
      if (mine) mine = score_column(cols + j * n, n, table, &w);
    free(w.a), free(w.b);
    ok = ok && mine;
  }
  if (ok) transpose(cols, n, d, out, false);
  free(table);
  free(cols);
  return ok;
}
