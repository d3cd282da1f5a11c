/* network.h — directed network inference by greedy multivariate transfer
 * entropy with hierarchical surrogate tests (Lizier & Rubinov 2012;
 * Novelli, Wollstadt, Mediano, Wibral & Lizier 2019, "Large-scale
 * directed network inference with multivariate transfer entropy and
 * hierarchical statistical testing", Network Neuroscience 3(3)), the
 * algorithm of IDTxl's MultivariateTE.
 *
 * For each target x_j, on the rows t of every trial where all lags fall
 * inside the trial, with candidates x_i[t - l] for l = min_lag .. max_lag:
 *  1. the target's own past, then the other variables' pasts, are added
 *     greedily: the candidate of largest I(x_j[t]; c | selected) joins
 *     while that value beats the maximum over the candidates of each
 *     surrogate (max statistic; the candidate's rows resampled);
 *  2. selected source variables are pruned while the smallest
 *     I(x_j[t]; c | selected without c) does not beat the minimum over
 *     the selected of each surrogate (min statistic);
 *  3. omnibus test: I(x_j[t]; every selected source | selected target
 *     past) against surrogates of the sources' rows resampled together;
 *  4. sequential max statistic: each selected source's
 *     I(x_j[t]; c | selected without c), in decreasing order, against the
 *     same rank of the surrogates' sorted values; the first that fails
 *     drops it and every smaller one.
 * Across targets the omnibus p-values are corrected (Benjamini–Hochberg
 * FDR over all targets, or Bonferroni); a target that fails keeps no
 * links. Every p-value is (1 + #{surrogate >= value}) / (1 + n).
 *
 * Surrogates are surrogates.h row maps over the view's rows, drawn from
 * streams of the options' key, so the result is a function of the data
 * and the key alone (Gaussian surrogates run in parallel). */
#ifndef IXP_NETWORK_H
#define IXP_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "knn.h"
#include "surrogates.h"

typedef enum { IXP_NET_GAUSSIAN, IXP_NET_KSG } IxpNetEstimator;

typedef struct {
  IxpNetEstimator estimator;
  IxpKnnOptions knn;          /* ksg */
  int min_lag, max_lag;       /* 1 <= min_lag <= max_lag */
  double alpha;               /* every test's level; the correction across targets uses it too */
  bool bonferroni;            /* across targets: Bonferroni instead of FDR */
  int surrogates;
  IxpSurrogateMethod method;
  long block;
  uint64_t key;
} IxpNetOptions;

/* A link: source's value at t - lag informs target's at t. */
typedef struct {
  int source, target, lag;
  double te;                  /* I(target; source[t - lag] | the other selected variables), nats */
  double p;                   /* its sequential max-statistic p-value */
} IxpNetLink;

typedef struct {
  IxpNetLink *links;          /* by target, then source, then lag */
  int nlinks;
  double *omnibus_p;          /* per target; NaN: no source was selected */
  bool *significant;          /* per target: passed the omnibus test after the correction */
} IxpNetResult;

typedef enum { IXP_NET_OK = 0, IXP_NET_ENOMEM, IXP_NET_EINPUT, IXP_NET_ESINGULAR, IXP_NET_EKNN } IxpNetStatus;

/* Infer the links among nvars columns of n rows (cols[v][i]) in trials
 * (trial_start: ntrials + 1 offsets; NULL one trial). EINPUT: the reason
 * is in msg (too few rows after the lags, a surrogate plan that cannot
 * draw); EKNN: *knn holds the kNN status. */
IxpNetStatus ixp_network_infer(const double *const *cols, int nvars, long n, const long *trial_start, int ntrials,
                               const IxpNetOptions *opt, IxpNetResult *out, IxpKnnStatus *knn, char *msg, size_t size);
void ixp_network_result_free(IxpNetResult *r);

/* Benjamini–Hochberg at level alpha over m p-values (NaN: not tested,
 * never significant; m counts every entry): pass[i] set for the
 * discoveries. */
void ixp_fdr_bh(const double *p, int m, double alpha, bool *pass);

#endif
