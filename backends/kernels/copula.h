/* copula.h — normal scores: each column's ranks mapped through the
 * inverse normal CDF, the Gaussian copula transform of Ince et al. 2017.
 *
 * Mutual information is unchanged by a strictly increasing map of each
 * variable, so estimating it on normal scores removes the marginals and
 * leaves the copula; a Gaussian estimate on the scores is then exact for
 * any data whose copula is Gaussian (any monotone transform of a
 * multivariate normal). */
#ifndef IXP_COPULA_H
#define IXP_COPULA_H

#include <stdbool.h>

/* Phi^{-1}(p) for 0 < p < 1 (Wichura 1988, algorithm AS 241 PPND16,
 * relative error about 1e-16); -inf / +inf at 0 / 1, NaN outside. */
double ixp_probit(double p);

/* Normal scores of the n rows of d columns of x (row-major, x[i * d + j])
 * into out (same shape; may be x): per column, r_i the 1-based rank of
 * row i, out = Phi^{-1}(r_i / (n + 1)). Tied values get their average rank
 * (so they stay tied). false on n < 1, d < 1, a value that is not finite
 * (NaN or inf), or out of memory. Columns are independent; with threads
 * each is still computed alone, so the result does not depend on their
 * count. */
bool ixp_normal_scores(const double *x, long n, long d, double *out);

#endif
