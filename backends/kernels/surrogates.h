/* surrogates.h — surrogate data for significance tests of (conditional)
 * mutual information on time series: the source's rows are resampled so
 * that its dependence on the target is destroyed while its own structure
 * (within a trial) is kept, and the estimate on each surrogate gives the
 * null distribution. The methods are IDTxl's (Wollstadt et al. 2019):
 *
 *   permute   every row to a uniformly random row (trials ignored)
 *   shift     each trial rotated by a random offset drawn uniformly from
 *             [max(1, floor(L/10)), L - max(1, floor(L/10))] (L the trial's
 *             rows): never a small shift, which would keep most of the
 *             dependence on autocorrelated data
 *   circular  the same with any offset from 1 to L - 1
 *   block     each trial cut into blocks of `block` rows (the last one
 *             shorter), the blocks put in a random order
 *   trials    each trial's rows taken from another trial of the same
 *             length (a random derangement of the trials)
 *
 * A surrogate is a map of rows: rows[i] is the source row that row i
 * reads. Except for permute, no row ever reads a row of another trial's
 * time axis: shift, circular and block stay inside row i's trial, and
 * trials maps row j of trial a to row j of trial b. Surrogate r of stream
 * `key` is a pure function of (key, r) (rng.h), so a test gives the same
 * bits at every thread count. */
#ifndef IXP_SURROGATES_H
#define IXP_SURROGATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "knn.h"

typedef enum {
  IXP_SURR_PERMUTE,
  IXP_SURR_SHIFT,
  IXP_SURR_CIRCULAR,
  IXP_SURR_BLOCK,
  IXP_SURR_TRIALS,
} IxpSurrogateMethod;

/* The method called `name` ("shift", ...); false when there is none. */
bool ixp_surrogate_method_by_name(const char *name, IxpSurrogateMethod *out);
const char *ixp_surrogate_method_name(IxpSurrogateMethod m);

/* How to draw surrogates of n rows in trials (trial_start: ntrials + 1
 * offsets, NULL for one trial of n rows). block: rows per block (block
 * method; 0: ceil(L / 10) for a trial of L rows). */
typedef struct {
  IxpSurrogateMethod method;
  long n;
  const long *trial_start;
  int ntrials;
  long block;
  int count;              /* surrogates to draw: ixp_surrogate_check refuses more than can be distinct (0: no check) */
} IxpSurrogatePlan;

/* Whether the plan can draw surrogates: false with the reason in msg
 * (one trial for `trials`, trials of unequal length, a trial too short
 * to shift or to cut into two blocks, more surrogates than distinct ones). */
bool ixp_surrogate_check(const IxpSurrogatePlan *plan, char *msg, size_t size);

/* How many distinct surrogates the plan can draw (as a double, inf when
 * beyond range): the offsets of each trial multiplied (shift, circular),
 * the orders of each trial's blocks, the derangements of the trials, n!.
 * A test of more surrogates than that repeats some and reports p-values
 * below what the data can support (4 trials have 9 derangements: the
 * smallest honest p is 1/10), so callers refuse it. */
double ixp_surrogate_distinct(const IxpSurrogatePlan *plan);

/* Surrogate r of stream key: rows[0 .. n) (a permutation of 0 .. n-1).
 * The plan must have passed ixp_surrogate_check. false: out of memory. */
bool ixp_surrogate_rows(const IxpSurrogatePlan *plan, uint64_t key, long r, long *rows);

/* The summary of a test: the observed value, the p-value
 * (1 + #{null >= value}) / (1 + n) and the nulls' mean and standard
 * deviation (n - 1 divisor; 0 for one surrogate). */
typedef struct {
  double value, p, null_mean, null_std;
  int surrogates;
} IxpSurrogateTest;

void ixp_surrogate_summary(double value, const double *null, int n, IxpSurrogateTest *out);

/* log det of the d x d symmetric positive definite matrix a (row-major,
 * leading dimension lda) by an unblocked Cholesky on a copy, for the small
 * matrices of Gaussian conditional MI; false when it is not positive
 * definite. */
bool ixp_small_logdet(const double *a, int d, int lda, double *out);

typedef enum { IXP_SURR_OK = 0, IXP_SURR_ENOMEM, IXP_SURR_ESINGULAR, IXP_SURR_EINPUT } IxpSurrogateStatus;

/* Gaussian test of I(X; Y | Z) (dz may be 0): X, Y and Z row-major n x d
 * blocks, Y's rows resampled by the plan. The covariances of X, Z and Y
 * and every log-determinant without Y are computed once; a surrogate
 * costs Y's cross-covariances with X and Z (n dy (dx + dz) products) and
 * two small log-determinants. Surrogates run in parallel, each filling
 * its own slot. */
IxpSurrogateStatus ixp_surrogate_gaussian_test(const double *x, int dx, const double *y, int dy, const double *z, int dz,
                                               long n, const IxpSurrogatePlan *plan, int nsurr, uint64_t key,
                                               IxpSurrogateTest *out);

/* KSG test of I(X; Y | Z) (dz may be 0). mi(X; Y) reuses X's neighbour
 * structures across surrogates (ixp_ksg_mi_mapped); a conditional MI is
 * estimated afresh on each surrogate (ixp_ksg_cmi with Y's rows gathered). */
IxpKnnStatus ixp_surrogate_ksg_test(const double *x, int dx, const double *y, int dy, const double *z, int dz, long n,
                                    const IxpKnnOptions *opt, const IxpSurrogatePlan *plan, int nsurr, uint64_t key,
                                    IxpSurrogateTest *out);

#endif
