/* copula.h — normal scores: each column replaced by Phi^{-1} of its ranks,
 * the empirical Gaussian copula (Ince et al. 2017, "A statistical framework
 * for neuroimaging data analysis based on mutual information estimated via
 * a Gaussian copula"). Mutual information is invariant under a monotone
 * map of each column, so estimators may work on normal scores. */
#ifndef IXP_COPULA_H
#define IXP_COPULA_H

#include <stdbool.h>

/* Phi^{-1}(p) for 0 < p < 1 (Wichura 1988, algorithm AS 241, PPND16:
 * relative error about 1e-16); -inf / +inf at 0 / 1, NaN outside. */
double ixp_normal_quantile(double p);

/* out (n x d, row-major like x) = Phi^{-1}(rank / (n + 1)) of each column,
 * ranks 1..n, tied values sharing their mean rank. false when out of
 * memory. */
bool ixp_normal_scores(const double *x, long n, int d, double *out);

#endif
