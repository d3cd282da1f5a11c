/* est_mixture.h — the `mixture` estimator of mi and cmi: a Gaussian
 * mixture fitted to the joint (mixture.h), the MI the Monte Carlo mean of
 * its pointwise MI. Its pieces serve `auto` too, which fits the mixture
 * once and reuses it. */
#ifndef IXP_EST_MIXTURE_H
#define IXP_EST_MIXTURE_H

#include <stdbool.h>

#include "blis/mixture.h"
#include "estimator.h"

typedef struct {
  int components;  /* 0: chosen from 1..kmax */
  int kmax;
  int samples;     /* Monte Carlo draws M */
  int restarts;
  bool copula;     /* fit on normal scores */
  bool heldout;    /* choose K by held-out likelihood, not BIC */
} IxpMixtureOptions;

/* components auto, kmax 8, samples 100000, restarts 3, copula 0, BIC. */
void ixp_mixture_defaults(void *opts);

/* The measure's groups side by side (X, then Y, then Z: n x D, malloc'd),
 * on normal scores when copula. */
double *ixp_mixture_joint(const IxpEstimateCall *c, const IxpSamples *x, bool copula, int *D);

/* The mixture fitted to the joint by the options (K fixed or chosen),
 * from the measure's stream; errors through the plan. */
void ixp_mixture_fit(const IxpEstimateCall *c, const double *joint, long n, int D, const IxpMixtureOptions *o,
                     IxpMixture *m);

/* I(X; Y | Z) of fitted m by `samples` Monte Carlo draws. se (NULL, or
 * where to put it): the standard error sqrt(Var_data(i) / n + mc^2), the
 * delta-method error of the fit (the variance of the pointwise MI at the
 * n rows, the influence function of MI) with the Monte Carlo error. */
double ixp_mixture_mi(const IxpEstimateCall *c, const IxpMixture *m, const double *joint, const IxpSamples *x,
                      int samples, double *se);

#endif
