/* gaussian.h — Gaussian information measures from covariance matrices,
 * through Cholesky log-determinants on BLIS (never a determinant).
 *
 * All matrices are row-major, symmetric; results in nats. */
#ifndef IXP_GAUSSIAN_H
#define IXP_GAUSSIAN_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { IXP_GAUSS_OK = 0, IXP_GAUSS_ENOMEM, IXP_GAUSS_ENOTPD, IXP_GAUSS_EINPUT } IxpGaussStatus;

const char *ixp_gauss_status_text(IxpGaussStatus s);

/* In-place lower Cholesky factor of the n x n matrix a (lda >= n): the
 * strict blocked ixp_dense_chol of dense.h (trailing updates by BLIS
 * TRSM/SYRK). ENOTPD names the failing pivot through *pivot when not NULL. */
IxpGaussStatus ixp_cholesky(double *a, long n, long lda, long *pivot);
/* log det of a positive definite matrix (copied; a is not changed). */
IxpGaussStatus ixp_logdet(const double *a, long n, long lda, double *out);

/* Sample covariance (unbiased, divides by N - 1) of n rows of d columns
 * (x[i * d + j]), via one SYRK/GEMM of the centred data. */
IxpGaussStatus ixp_covariance(const double *x, long n, long d, double *cov);

/* Entropy of N(mu, cov): 1/2 log((2 pi e)^d det cov). */
IxpGaussStatus ixp_gauss_entropy(const double *cov, long d, double *out);
/* I(X; Y | Z) of a Gaussian whose covariance over all variables is cov
 * (n x n); x, y, z list the indices of each group (nz may be 0):
 * 1/2 [log det S_xz + log det S_yz - log det S_xyz - log det S_z]. */
IxpGaussStatus ixp_gauss_mi(const double *cov, long n, const long *x, long nx, const long *y, long ny,
                            const long *z, long nz, double *out);
/* The bias of a sample log-determinant: for S the (N - 1)-divisor sample
 * covariance of n rows of a d-dimensional Gaussian with covariance Sigma,
 *   E[log det S] - log det Sigma = sum_{i=1..d} psi((n - i) / 2) + d log(2 / (n - 1))
 * (Ahmed & Gokhale 1989; Misra, Singh & Demchuk 2005), negative, about
 * -d (d + 1) / (2 n). Subtracting it from each log-determinant makes a
 * Gaussian entropy, MI or CMI estimate unbiased. NaN unless n > d >= 0. */
double ixp_gauss_logdet_bias(long d, long n);
/* The bias of the Gaussian entropy of d columns (half the log-det's). */
double ixp_gauss_entropy_bias(long d, long n);
/* The bias of the Gaussian I(X; Y | Z) of groups of nx, ny, nz columns:
 * 1/2 [b(nx + nz) + b(ny + nz) - b(nx + ny + nz) - b(nz)] with b the
 * log-det bias; about nx ny / (2 n). */
double ixp_gauss_mi_bias(long nx, long ny, long nz, long n);
/* digamma psi(x) for x > 0. */
double ixp_digamma(double x);

/* D(N(m1, S1) || N(m2, S2)). */
IxpGaussStatus ixp_gauss_kl(const double *m1, const double *s1, const double *m2, const double *s2, long d,
                            double *out);
/* p-value of an estimated Gaussian MI under independence: 2 N I (nats) is
 * asymptotically chi-squared with dx * dy degrees of freedom (dz adds no
 * degrees). */
double ixp_gauss_mi_pvalue(double mi, long n, long dx, long dy);

#endif
