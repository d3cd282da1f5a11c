/* multiplets.h — Gaussian total correlation, dual total correlation and
 * O-information of every multiplet (subset of lo .. hi variables, 2 <= lo) of a
 * covariance matrix, batched as the hoi toolkit does: one covariance of
 * all the columns, then each multiplet's log-determinants from its
 * sub-block.
 *
 * Multiplets are enumerated depth first in lexicographic order (v0 < v1 <
 * ...), and the Cholesky factor of a multiplet's sub-block extends its
 * prefix's by one row, so each multiplet costs one new row of L and of
 * L^{-1} (O(m^2)) instead of a factorisation; the log-determinants with
 * one variable left out come from diag(S^{-1}) (det S_{-i} = det S (S^{-1})_ii).
 * Values in nats. */
#ifndef IXP_MULTIPLETS_H
#define IXP_MULTIPLETS_H

#include <stdbool.h>

#include "gaussian.h"

#define IXP_MULTI_MAX_ORDER 16

typedef enum { IXP_MULTI_TC, IXP_MULTI_DTC, IXP_MULTI_OINFO } IxpMultiMeasure;

typedef struct {
  long count;
  int hi;          /* row width of vars */
  int *vars;       /* count x hi: multiplet k's variables (0-based, increasing), -1 after its last */
  int *order;      /* count: its size */
  double *value;   /* count */
} IxpMultiplets;

/* Number of multiplets of lo .. hi of d variables, or -1 above `cap`. */
long ixp_multiplet_count(int d, int lo, int hi, long cap);

/* The measure of every multiplet of lo .. hi of the d variables whose
 * covariance (d x d, row-major) is cov, in enumeration order. n > 0: the
 * covariance is a sample covariance of n rows and every log-determinant
 * is corrected by its bias (ixp_gauss_logdet_bias; needs n > hi); n = 0:
 * none. ENOTPD when a multiplet's sub-block is not positive definite
 * (its index in *bad when not NULL). The work is split by first variable
 * over threads when large; each value is computed the same way whatever
 * their count. `out` is freed by ixp_multiplets_free. */
IxpGaussStatus ixp_multiplets(const double *cov, int d, long n, int lo, int hi, IxpMultiMeasure m, IxpMultiplets *out,
                              long *bad);
/* Sort by value, largest first (ties keep enumeration order). */
bool ixp_multiplets_sort(IxpMultiplets *m);
void ixp_multiplets_free(IxpMultiplets *m);

/* One multiplet's measure the straightforward way: log-determinants of
 * its sub-blocks, each by its own Cholesky factorisation (the reference
 * the tests and the bench compare against). */
IxpGaussStatus ixp_multiplet_naive(const double *cov, int d, long n, const int *vars, int m, IxpMultiMeasure what,
                                   double *out);

#endif
