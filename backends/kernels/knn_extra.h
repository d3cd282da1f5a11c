/* knn_extra.h — more nearest-neighbour estimators, beside knn.h's KSG:
 *
 *  - the local non-uniformity correction of KSG (Gao, Ver Steeg &
 *    Galstyan 2015, "Efficient estimation of mutual information for
 *    strongly dependent variables", AISTATS);
 *  - KSG for discrete-continuous mixtures (Gao, Kannan, Oh & Viswanath
 *    2017, "Estimating mutual information for discrete-continuous
 *    mixtures", NeurIPS), and its conditional form (Mesner & Shalizi 2020);
 *  - total correlation by the KSG estimator of m variables (Kraskov,
 *    Stögbauer & Grassberger 2004, eq. 9 for m variables);
 *  - Rényi and Tsallis entropies (Leonenko, Pronzato & Savani 2008, "A
 *    class of Rényi information estimators for multidimensional
 *    densities", Ann. Statist. 36);
 *  - the Kullback-Leibler divergence between two samples (Wang, Kulkarni
 *    & Verdú 2009, "Divergence estimation for multidimensional densities
 *    via k-nearest-neighbor distances", IEEE Trans. Inf. Theory 55) and
 *    the Jensen-Shannon divergence through the pooled sample.
 *
 * The neighbour search is exact and brute force (O(n^2) distances per
 * estimate, each point's search in parallel, each point's term stored and
 * summed in row order, so the result does not depend on the thread
 * count). Results in nats. Columns are preprocessed as knn.h says
 * (rescaled to unit variance unless no_rescale, ranks with copula, seeded
 * noise) where the estimator allows it; the options' k, threads and
 * those flags are read, the index and Theiler window are not. */
#ifndef IXP_KNN_EXTRA_H
#define IXP_KNN_EXTRA_H

#include <stdbool.h>

#include "knn.h"

/* LNC's threshold alpha for k neighbours in a d-dimensional joint space:
 * the authors' table (NPEET_LNC, alpha.xlsx: for d = 2, 3, 5, 10 and k
 * from d + 1 to 20, the threshold below which a PCA box is taken as
 * evidence of non-uniformity), else their code's default 0.25. */
double ixp_lnc_alpha(int k, int d);

/* The LNC correction of KSG's I(X; Y) (to be added to the KSG-2
 * estimate): the mean over rows of log V(i) - log V'(i) where V(i) is the
 * volume of the axis-aligned box centred at row i that holds its k
 * nearest neighbours (max-norm, joint space) and V'(i) that of the box
 * aligned with the principal axes of those neighbours, counted only for
 * rows where V'(i) < alpha V(i). local: NULL, or n values (each row's
 * term, their mean the correction). */
IxpKnnStatus ixp_knn_lnc_correction(const double *x, int dx, const double *y, int dy, long n, const IxpKnnOptions *opt,
                                    double alpha, double *out, double *local);

/* Mixed KSG: I(X; Y | Z) (z NULL, dz 0: I(X; Y)) for any mix of discrete
 * and continuous columns. Row i's term is psi(k~) - psi(n_xz) - psi(n_yz)
 * + psi(n_z) (n_z = n without Z), rho the max-norm distance of its k-th
 * neighbour in the joint space: when rho > 0, k~ = k and the counts are
 * of rows strictly within rho in each subspace; when rho = 0 (row i sits
 * on an atom of k or more equal rows), k~ and the counts are of rows at
 * distance 0; every count includes row i. This is the reference code of
 * Gao et al. (their paper writes log(n + 1) for psi(n + 1), equivalent
 * as k grows); on continuous data it is KSG's algorithm 1 (Frenzel-Pompe
 * with Z), on discrete data the plug-in estimate up to O(1/count) per
 * cell. local as above. */
IxpKnnStatus ixp_mixed_cmi(const double *x, int dx, const double *y, int dy, const double *z, int dz, long n,
                           const IxpKnnOptions *opt, double *out, double *local);

/* Total correlation sum_i H(X_i) - H(X_1 .. X_m) of m >= 2 groups (group
 * a: n x gdim[a], row-major) by KSG's algorithm 1 for m variables:
 * psi(k) + (m - 1) psi(n) - <sum_a psi(n_a + 1)>. */
IxpKnnStatus ixp_ksg_tc(const double *const *g, const int *gdim, int m, long n, const IxpKnnOptions *opt, double *out);

/* Rényi (tsallis false) or Tsallis entropy of order q (q > 0, q != 1,
 * q < k + 1) of the n x d sample, from Euclidean k-th neighbour
 * distances in the raw units (the estimate of the integral of f^q is
 * unbiased; Leonenko et al. 2008, eq. 3.2-3.3). */
IxpKnnStatus ixp_knn_renyi(const double *x, long n, int d, const IxpKnnOptions *opt, double q, bool tsallis, double *out);

/* D(P || Q) from samples p (np x d) and q (nq x d): (d / np) sum_i
 * log(nu_k(i) / rho_k(i)) + log(nq / (np - 1)), rho the Euclidean k-th
 * neighbour distance of p_i among the other rows of p, nu among q's rows.
 * Both samples are scaled by p's column standard deviations (the
 * divergence does not change under a common affine map). */
IxpKnnStatus ixp_knn_kl(const double *p, long np, const double *q, long nq, int d, const IxpKnnOptions *opt, double *out);

/* Jensen-Shannon divergence pi D(P || M) + (1 - pi) D(Q || M) with M =
 * pi P + (1 - pi) Q and pi = np / (np + nq) (with equal sizes the usual
 * JS of weights 1/2): each D by the estimator above against the pooled
 * sample, the row itself left out. */
IxpKnnStatus ixp_knn_js(const double *p, long np, const double *q, long nq, int d, const IxpKnnOptions *opt, double *out);

#endif
