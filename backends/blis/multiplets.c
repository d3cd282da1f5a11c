/* multiplets.c — Gaussian tc, dtc and O-information of every multiplet
 * of a covariance matrix (see multiplets.h).
 *
 * With ld(A) the (bias-corrected) log-determinant of the sub-block on A
 * and S a multiplet of m variables (the 1/2 log(2 pi e) terms cancel):
 *   tc    = 1/2 [sum_i ld({i}) - ld(S)]
 *   dtc   = 1/2 [sum_i ld(S \ i) - (m - 1) ld(S)]
 *   oinfo = tc - dtc                                  (Rosas et al. 2019) */
#include "multiplets.h"

#include "threads.h"
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* C(n, k) as a double (exact far past the counts allowed). */
static double choose(int n, int k) {
  if (k < 0 || k > n) return 0;
  double c = 1;
  for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
  return c;
}

long ixp_multiplet_count(int d, int lo, int hi, long cap) {
  double total = 0;
  for (int m = lo; m <= hi; m++) total += choose(d, m);
  return total > (double)cap ? -1 : (long)total;
}

/* Multiplets whose first variable is v0: sum_m C(d - 1 - v0, m - 1). */
static long count_from(int d, int lo, int hi, int v0) {
  double c = 0;
  for (int m = lo; m <= hi; m++) c += choose(d - 1 - v0, m - 1);
  return (long)c;
}

/* The state of one depth-first walk: rows 0 .. m-1 of L and L^{-1} of the
 * current prefix's sub-block, and its log-determinant so far. */
typedef struct {
  const double *cov;
  int d, lo, hi;
  IxpMultiMeasure what;
  const double *bias;   /* bias[k]: the log-det bias of k variables (0 when uncorrected) */
  int v[IXP_MULTI_MAX_ORDER];
  double L[IXP_MULTI_MAX_ORDER][IXP_MULTI_MAX_ORDER], Li[IXP_MULTI_MAX_ORDER][IXP_MULTI_MAX_ORDER];
  double ld[IXP_MULTI_MAX_ORDER + 1];  /* ld[m]: uncorrected log det of the first m */
  IxpMultiplets *out;
  long at, bad;
} Walk;

/* Row j of L and L^{-1} for variable v[j] after rows 0 .. j-1; false
 * when the sub-block is not positive definite. */
static bool extend(Walk *w, int j) {
  const double *c = w->cov;
  int d = w->d, vj = w->v[j];
  double s = c[(long)vj * d + vj];
  for (int k = 0; k < j; k++) {
    double t = c[(long)vj * d + w->v[k]];
    for (int l = 0; l < k; l++) t -= w->L[j][l] * w->L[k][l];
    w->L[j][k] = t / w->L[k][k];
    s -= w->L[j][k] * w->L[j][k];
  }
  if (!(s > 0) || !isfinite(s)) return false;
  double ljj = sqrt(s);
  w->L[j][j] = ljj;
  w->Li[j][j] = 1 / ljj;
  for (int k = 0; k < j; k++) {
    double t = 0;
    for (int l = k; l < j; l++) t += w->L[j][l] * w->Li[l][k];
    w->Li[j][k] = -t / ljj;
  }
  w->ld[j + 1] = w->ld[j] + 2 * log(ljj);
  return true;
}

/* The measure of the current prefix of m variables. */
static double evaluate(const Walk *w, int m) {
  const double *c = w->cov, *b = w->bias;
  double ldS = w->ld[m] - b[m], single = 0, rest = 0;
  for (int i = 0; i < m; i++) {
    single += log(c[(long)w->v[i] * w->d + w->v[i]]) - b[1];
    double sii = 0;  /* (S^{-1})_ii = sum_k (L^{-1})_ki^2 */
    for (int k = i; k < m; k++) sii += w->Li[k][i] * w->Li[k][i];
    rest += w->ld[m] + log(sii) - b[m - 1];
  }
  double tc = 0.5 * (single - ldS), dtc = 0.5 * (rest - (m - 1) * ldS);
  return w->what == IXP_MULTI_TC ? tc : w->what == IXP_MULTI_DTC ? dtc : tc - dtc;
}

/* Visit the prefix v[0 .. j] (row j just added) and its extensions. */
static bool walk(Walk *w, int j) {
  int m = j + 1;
  if (m >= w->lo) {
    IxpMultiplets *o = w->out;
    long k = w->at++;
    o->order[k] = m;
    for (int i = 0; i < o->hi; i++) o->vars[k * o->hi + i] = i < m ? w->v[i] : -1;
    o->value[k] = evaluate(w, m);
  }
  if (m == w->hi) return true;
  for (int v = w->v[j] + 1; v < w->d; v++) {
    w->v[m] = v;
    if (!extend(w, m)) {
      w->bad = w->at;
      return false;
    }
    if (!walk(w, m)) return false;
  }
  return true;
}

/* A team pays from about this many multiplets' rows of work. */
#define MULTI_PAR_WORK 2e6

IxpGaussStatus ixp_multiplets(const double *cov, int d, long n, int lo, int hi, IxpMultiMeasure what, IxpMultiplets *out,
                              long *bad) {
  memset(out, 0, sizeof *out);
  if (!cov || d < 2 || lo < 2 || hi < lo || hi > d || hi > IXP_MULTI_MAX_ORDER || (n > 0 && n <= hi) || n < 0)
    return IXP_GAUSS_EINPUT;
  long count = ixp_multiplet_count(d, lo, hi, 1L << 40);
  double bias[IXP_MULTI_MAX_ORDER + 1];
  for (int k = 0; k <= hi; k++) bias[k] = n > 0 ? ixp_gauss_logdet_bias(k, n) : 0;
  out->count = count, out->hi = hi;
  out->vars = malloc(sizeof(int) * (size_t)(count ? count : 1) * (size_t)hi);
  out->order = malloc(sizeof(int) * (size_t)(count ? count : 1));
  out->value = malloc(sizeof(double) * (size_t)(count ? count : 1));
  long *start = malloc(sizeof(long) * (size_t)(d + 1));
  if (!out->vars || !out->order || !out->value || !start) {
    free(start);
    ixp_multiplets_free(out);
    return IXP_GAUSS_ENOMEM;
  }
  start[0] = 0;
  for (int v0 = 0; v0 < d; v0++) start[v0 + 1] = start[v0] + count_from(d, lo, hi, v0);
  long first_bad = -1;
  int nt = ixp_threads_for((double)count * hi * hi, MULTI_PAR_WORK);
#pragma omp parallel for num_threads(nt) if (nt > 1) schedule(dynamic, 1)
  for (int v0 = 0; v0 < d; v0++) {
    Walk *w = malloc(sizeof *w);
    bool ok = w != NULL;
    if (ok) {
      *w = (Walk){.cov = cov, .d = d, .lo = lo, .hi = hi, .what = what, .bias = bias, .out = out, .at = start[v0]};
      w->v[0] = v0;
      ok = extend(w, 0) ? walk(w, 0) : (w->bad = w->at, false);
    }
    if (!ok) {
#pragma omp critical(ixp_multiplets_bad)
      {
        long b = w ? w->bad : start[v0];
        if (first_bad < 0 || b < first_bad) first_bad = b;
      }
    }
    free(w);
  }
  free(start);
  if (first_bad >= 0) {
    if (bad) *bad = first_bad;
    ixp_multiplets_free(out);
    return IXP_GAUSS_ENOTPD;
  }
  return IXP_GAUSS_OK;
}

typedef struct {
  double value;
  long index;
} Ranked;

static int by_value_desc(const void *a, const void *b) {
  const Ranked *p = a, *q = b;
  if (p->value != q->value) return p->value < q->value ? 1 : -1;
  return (p->index > q->index) - (p->index < q->index);
}

bool ixp_multiplets_sort(IxpMultiplets *m) {
  long n = m->count;
  Ranked *r = malloc(sizeof *r * (size_t)(n ? n : 1));
  int *vars = malloc(sizeof(int) * (size_t)(n ? n : 1) * (size_t)m->hi), *order = malloc(sizeof(int) * (size_t)(n ? n : 1));
  double *value = malloc(sizeof(double) * (size_t)(n ? n : 1));
  if (!r || !vars || !order || !value) {
    free(r), free(vars), free(order), free(value);
    return false;
  }
  for (long k = 0; k < n; k++) r[k] = (Ranked){m->value[k], k};
  qsort(r, (size_t)n, sizeof *r, by_value_desc);
  for (long k = 0; k < n; k++) {
    long from = r[k].index;
    value[k] = m->value[from], order[k] = m->order[from];
    memcpy(vars + k * m->hi, m->vars + from * m->hi, sizeof(int) * (size_t)m->hi);
  }
  free(r), free(m->vars), free(m->order), free(m->value);
  m->vars = vars, m->order = order, m->value = value;
  return true;
}

void ixp_multiplets_free(IxpMultiplets *m) {
  free(m->vars), free(m->order), free(m->value);
  m->vars = NULL, m->order = NULL, m->value = NULL, m->count = 0;
}

/* log det of the sub-block on idx[0 .. k) (its own factorisation), minus its bias. */
static IxpGaussStatus sub_logdet(const double *cov, int d, long n, const int *idx, int k, double *out) {
  double a[IXP_MULTI_MAX_ORDER * IXP_MULTI_MAX_ORDER];
  for (int i = 0; i < k; i++)
    for (int j = 0; j < k; j++) a[i * k + j] = cov[(long)idx[i] * d + idx[j]];
  IxpGaussStatus st = ixp_logdet(a, k, k, out);
  if (n > 0) *out -= ixp_gauss_logdet_bias(k, n);
  return st;
}

IxpGaussStatus ixp_multiplet_naive(const double *cov, int d, long n, const int *vars, int m, IxpMultiMeasure what,
                                   double *out) {
  if (!cov || !vars || m < 2 || m > IXP_MULTI_MAX_ORDER || (n > 0 && n <= m)) return IXP_GAUSS_EINPUT;
  double ldS, single = 0, rest = 0, ld;
  IxpGaussStatus st = sub_logdet(cov, d, n, vars, m, &ldS);
  int sub[IXP_MULTI_MAX_ORDER];
  for (int i = 0; i < m && st == IXP_GAUSS_OK; i++) {
    st = sub_logdet(cov, d, n, vars + i, 1, &ld);
    single += ld;
    for (int j = 0, k = 0; j < m; j++)
      if (j != i) sub[k++] = vars[j];
    if (st == IXP_GAUSS_OK) st = sub_logdet(cov, d, n, sub, m - 1, &ld);
    rest += ld;
  }
  if (st != IXP_GAUSS_OK) return st;
  double tc = 0.5 * (single - ldS), dtc = 0.5 * (rest - (m - 1) * ldS);
  *out = what == IXP_MULTI_TC ? tc : what == IXP_MULTI_DTC ? dtc : tc - dtc;
  return IXP_GAUSS_OK;
}
