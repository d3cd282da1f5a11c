/* linear.h — linear-Gaussian models: every draw normal(mu, sigma) with
 * constant arguments, every definition affine in the variables. Their
 * joint is Gaussian, so measures have closed forms from the covariance. */
#ifndef IXP_LINEAR_H
#define IXP_LINEAR_H

#include "interp.h"

/* Whether `m` is linear-Gaussian (a static property of its text). */
bool ixp_model_is_gaussian(const IxpModelDef *m);

/* The mean (nvars) and covariance (nvars x nvars, row-major) of a
 * linear-Gaussian model under `params`, in the statement's arena. */
void ixp_gaussian_moments(IxpSession *s, IxpModelDef *m, const IxpValue *params, double **mean, double **cov);

#endif
