/* ksum.h — Neumaier's compensated sum (Neumaier 1974, the improved
 * Kahan–Babuška sum): s + c carries about twice double precision, so long
 * sums of terms (entropies, kNN terms, log-determinants) keep their digits
 * and, summed in a fixed order, the same bits at any thread count. */
#ifndef IXP_KSUM_H
#define IXP_KSUM_H

#include <math.h>

typedef struct {
  double s, c;
} IxpKSum;

static inline void ixp_ksum_add(IxpKSum *k, double v) {
  double t = k->s + v;
  k->c += fabs(k->s) >= fabs(v) ? (k->s - t) + v : (v - t) + k->s;
  k->s = t;
}

static inline double ixp_ksum_value(IxpKSum k) { return k.s + k.c; }

/* v[0] + ... + v[n - 1], in that order. */
static inline double ixp_ksum_array(const double *v, long n) {
  IxpKSum k = {0, 0};
  for (long i = 0; i < n; i++) ixp_ksum_add(&k, v[i]);
  return ixp_ksum_value(k);
}

#endif
