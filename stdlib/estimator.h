/* estimator.h — continuous estimators of measures on datasets, named by
 * `using NAME(options)`.
 *
 * An estimator says which measures it estimates, parses its options when
 * the measure is lowered, and computes one number from the measure's
 * groups of columns. The generic driver (estimator.c) does the rest for
 * every estimator alike: it splits the arguments into groups, reads the
 * columns, and answers `with stderr` (the estimator's own standard error,
 * else a delete-a-block jackknife), `with permutations(n)` /
 * `with surrogates(n, ...)` (the estimate recomputed with Y resampled) and
 * `with bootstrap(n)` (for estimators that repeated rows do not bias).
 *
 * A new estimator is one file that defines an IxpEstimator and one line in
 * the table of estimator.c. */
#ifndef IXP_ESTIMATOR_H
#define IXP_ESTIMATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "measures.h"
#include "plan.h"

/* The measures an estimator may take; the groups each hands it. */
typedef enum {
  IXP_CM_ENTROPY,  /* entropy(X): 1 group */
  IXP_CM_MI,       /* mi(X; Y): 2 groups */
  IXP_CM_CMI,      /* mi(X; Y | Z): 3 groups (X, Y, Z) */
  IXP_CM_TC,       /* tc(X1, ..., Xm): m groups, one per argument */
  IXP_CM_DTC,      /* dtc(X1, ..., Xm) */
  IXP_CM_OINFO,    /* oinfo(X1, ..., Xm) */
  IXP_CM_COINFO,   /* coinfo(X1, ..., Xm) */
  IXP_CM_COUNT
} IxpContinuousMeasure;

#define IXP_CM_BIT(m) (1u << (m))
#define IXP_EST_MAX_GROUPS 20

/* The columns a measure reads: group i is n rows of d[i] finite values,
 * row-major (g[i][r * d[i] + c]). */
typedef struct {
  IxpContinuousMeasure measure;
  int ngroups;
  const double *g[IXP_EST_MAX_GROUPS];
  int d[IXP_EST_MAX_GROUPS];
  long n;
} IxpSamples;

/* What an estimate is computed for: errors are reported through
 * ixp_plan_error(s, op->plan, ...), which does not return; long loops
 * call ixp_plan_poll_interrupt(s, op->plan) now and then. `key` names the
 * measure's own random stream (ixp_rng.h): an estimator that draws
 * (random starts, Monte Carlo, training) draws from it and nothing else,
 * so the same seed gives the same number at any thread count. */
typedef struct {
  struct IxpSession *s;
  const IxpPlanOp *op;
  const void *opts;
  uint64_t key;
} IxpEstimateCall;

typedef struct IxpEstimator {
  const char *name;
  unsigned measures;          /* IXP_CM_BIT of each measure it estimates */
  size_t opts_size;           /* its options' struct, zeroed, then `defaults` */
  void (*defaults)(void *opts);                                  /* NULL: all zero */
  /* One `name = value` item of `using NAME(...)`; false after reporting
   * it with ixp_lower_error. NULL: the estimator takes no options. */
  bool (*option)(IxpLowering *lw, IxpAst *item, void *opts);
  /* Checks that need all the options and the measure (k < n, ...): false
   * after reporting. NULL: none. */
  bool (*check)(IxpLowering *lw, const void *opts, IxpContinuousMeasure m);
  bool resamples_ok;          /* bootstrap(n) is allowed: repeated rows do not bias it */
  /* The estimate in nats. se: NULL, or where to put the estimator's own
   * standard error of the estimate (NAN when it has none: the driver then
   * jackknifes). */
  double (*estimate)(const IxpEstimateCall *c, const IxpSamples *x, double *se);
  /* One line for `explain`: how the estimate is computed on x's shape. */
  void (*explain)(const void *opts, const IxpSamples *x, FILE *out);
} IxpEstimator;

/* The registered estimator called `name`, or NULL. */
const IxpEstimator *ixp_estimator_by_name(const char *name);

/* The names `before` (comma-separated) followed by every registered
 * estimator's not among them, into buf. */
void ixp_estimator_names(char *buf, size_t size, const char *before);

/* Whether e estimates the measure of the call (as ixp_lower_on_data asks
 * before it chooses between a registered estimator and the older paths of
 * gaussian, ksg and kl). */
bool ixp_estimator_claims(const IxpLowering *lw, const IxpEstimator *e);

/* Lower a measure on a dataset through registered estimator e (called by
 * ixp_lower_on_data when `using` names one that claims the measure). */
bool ixp_lower_estimator(IxpLowering *lw, const IxpEstimator *e);

/* An estimator's estimate on samples, as the driver computes it (the
 * measure's key and options of call c); for estimators that build on
 * others (auto, gcmi over gaussian, ...). */
double ixp_estimator_run(const IxpEstimator *e, const IxpEstimateCall *c, const IxpSamples *x, double *se);

/* Delete-a-block jackknife standard error of an estimate on samples:
 * `blocks` contiguous blocks of rows (contiguous, so a time series keeps
 * its order within each), the estimate recomputed without each:
 * sqrt((B - 1) / B * sum_b (t_b - mean t)^2). */
#define IXP_JACKKNIFE_BLOCKS 20
double ixp_jackknife_se(const IxpEstimator *e, const IxpEstimateCall *c, const IxpSamples *x, int blocks);
/* The same for any estimate fn(ctx, samples) (the older paths'). */
typedef double (*IxpJackknifeFn)(void *ctx, const IxpSamples *x);
double ixp_jackknife_fn(IxpJackknifeFn fn, void *ctx, struct IxpSession *s, const IxpPlanOp *op, const IxpSamples *x,
                        int blocks);

/* A whole-number option value from lo to hi; false after reporting. */
bool ixp_estimator_int_option(IxpLowering *lw, IxpAst *item, int lo, int hi, int *out);
/* A number option value (a constant) from lo to hi; false after reporting. */
bool ixp_estimator_real_option(IxpLowering *lw, IxpAst *item, double lo, double hi, double *out);

/* Shared with the older paths of measures_data.c. */
#include "surrogates.h"
/* Parse permutations(n) or surrogates(n, method = M, block = L). */
bool ixp_data_surrogate_test(IxpLowering *lw, IxpAst *test, int *count, IxpSurrogateMethod *method, long *block);
/* The checked surrogate plan of a dataset's rows (its trials). */
IxpSurrogatePlan ixp_data_surrogate_plan(struct IxpSession *s, const IxpPlanOp *op, struct IxpModelDef *data,
                                         IxpSurrogateMethod method, long block, long n, int count);
/* The stream of a test's surrogates (permutations keep a purpose of their own). */
uint64_t ixp_data_surrogate_key(struct IxpSession *s, uint64_t position, IxpSurrogateMethod method, uint64_t purpose);
/* {value, p, null_mean, null_std} in the session's units. */
IxpValue ixp_data_test_record(struct IxpSession *s, const IxpSurrogateTest *t);
/* {value, low, high, std} of a percentile bootstrap (est sorted here). */
IxpValue ixp_data_interval(struct IxpSession *s, double value, double *est, int nb);

#endif
