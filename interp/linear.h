/* linear.h — linear-Gaussian models: every draw normal(mu, sigma) or
 * normal(mean, cov) with constant arguments, every definition affine in
 * the variables (vector definitions A * x + B * y + c with constant
 * matrices included). Their joint is Gaussian, so measures have closed
 * forms, computed from affine forms over independent standard normals. */
#ifndef IXP_LINEAR_H
#define IXP_LINEAR_H

#include "gaussian.h"
#include "interp.h"

/* Whether `m` is linear-Gaussian (a static property of its text). */
bool ixp_model_is_gaussian(const IxpModelDef *m);

/* The forms of a linear-Gaussian model under `params`, in the statement's
 * arena. A vector definition's block of forms is one product by its
 * matrix (GEMM over the basis columns its operand uses; a column scaling
 * when each operand row has one coefficient), never per scalar. */
const IxpGaussForms *ixp_gaussian_forms(IxpSession *s, IxpModelDef *m, const IxpValue *params);

/* The covariance (k x k, row-major, both triangles) of variables
 * vars[0 .. k), one SYRK over the basis columns their forms use, in the
 * statement's arena. */
double *ixp_gaussian_cov(IxpSession *s, const IxpGaussForms *g, const int *vars, int k);

/* I(X; Y) in nats, X = vars x[0 .. nx), Y = y[0 .. ny). When one side is
 * an invertible function of basis normals that nothing else of it reads
 * (draws, or their invertible triangular mixes), conditioning on it
 * removes those columns: I = 1/2 [log det S_Y - log det S_Y|X] with
 * S_Y|X the product of Y's other columns (diagonal when each row has one
 * there), so a channel z = A x + n costs one SYRK and one Cholesky of
 * Y's size. Otherwise 1/2 [log det S_X + log det S_Y - log det S_XY].
 * ENOTPD when a covariance needed is singular. */
IxpGaussStatus ixp_gaussian_mi(IxpSession *s, const IxpGaussForms *g, const int *x, int nx, const int *y, int ny,
                               double *out);

/* The mean (nvars) and covariance (nvars x nvars, row-major) of a
 * linear-Gaussian model under `params`, in the statement's arena. */
void ixp_gaussian_moments(IxpSession *s, IxpModelDef *m, const IxpValue *params, double **mean, double **cov);

#endif
