/* estimators.h — entropy estimators for discrete samples, and binning of
 * continuous columns.
 *
 * Estimators take the counts of the distinct symbols seen (n_i > 0, N =
 * sum n_i) and return an entropy in nats. Mutual informations on data are
 * combinations of these entropies (H(X) + H(Y) - H(X,Y), ...), computed by
 * the caller. */
#ifndef IXP_ESTIMATORS_H
#define IXP_ESTIMATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
  IXP_EST_PLUGIN,        /* maximum likelihood: -sum p log p */
  IXP_EST_MILLER_MADOW,  /* plugin + (K - 1) / (2N) */
  IXP_EST_GRASSBERGER,   /* Grassberger 2003 (digamma / G(n) form) */
  IXP_EST_SHRINK,        /* James–Stein shrinkage to uniform (Hausser & Strimmer 2009) */
  IXP_EST_CHAO_SHEN,     /* coverage-adjusted Horvitz–Thompson (Chao & Shen 2003) */
  IXP_EST_NSB,           /* Nemenman–Shafee–Bialek 2002 (Bayesian, mixture of Dirichlet priors) */
} IxpDiscreteEstimator;

typedef enum { IXP_EST_OK = 0, IXP_EST_EINPUT, IXP_EST_ENOMEM, IXP_EST_ENOCONVERGE } IxpEstStatus;

const char *ixp_est_status_text(IxpEstStatus s);
/* Estimator by name ("plugin", "miller_madow", ...); false if unknown. */
bool ixp_est_by_name(const char *name, IxpDiscreteEstimator *out);
const char *ixp_est_name(IxpDiscreteEstimator e);

/* Entropy in nats from k counts. `alphabet` is the alphabet size when
 * known (for shrink's uniform target and NSB's prior; 0: use k, the
 * number of observed symbols). */
IxpEstStatus ixp_entropy_from_counts(IxpDiscreteEstimator e, const uint64_t *counts, size_t k, size_t alphabet,
                                     double *out);

/* Counts of the distinct rows of n samples of d integer-coded columns
 * (codes[c][i]); writes the counts (in any order) to *counts (malloc'd)
 * and their number to *k. Uses a hash of the row tuple. */
IxpEstStatus ixp_count_rows(const uint32_t *const *codes, int d, size_t n, uint64_t **counts, size_t *k);

typedef enum { IXP_BIN_EQUAL_WIDTH, IXP_BIN_QUANTILE } IxpBinning;

/* Bin n finite values into `bins` bins; codes[i] in 0..bins-1. Equal
 * width over [min, max] (the max falls in the last bin); quantile: bins of
 * (nearly) equal counts, ties kept in one bin. */
IxpEstStatus ixp_bin(const double *x, size_t n, int bins, IxpBinning how, uint32_t *codes);

#endif
