/* mixture.h — Gaussian mixtures with full covariances, fitted by EM on
 * BLIS, and the mutual information of a fitted mixture by Monte Carlo.
 *
 * EM (Dempster, Laird & Rubin 1977; Bishop, "Pattern Recognition and
 * Machine Learning", sec. 9.2): the E step whitens the rows by every
 * component at once (one GEMM of the rows by the components' inverse
 * Cholesky factors side by side), so each row's log density under each
 * component is a sum of squares, and takes the responsibilities by
 * log-sum-exp; the M step takes the weights from the responsibilities'
 * column sums, the means from one GEMM R^T X and every component's second
 * moments from one GEMM X^T [r_1 . X | ... | r_K . X] of the (globally
 * centred) rows. Every covariance gets a floor on its diagonal, `floor`
 * times the data's mean variance, so that no component collapses onto a
 * point or a subspace (the regularisation of scikit-learn's reg_covar,
 * made relative to the data's scale).
 *
 * Starts are k-means++ (Arthur & Vassilvitskii 2007) drawn from the
 * caller's random stream, refined by a few Lloyd steps; the best of
 * `restarts` fits (highest log-likelihood) is kept. The number of
 * components is fixed, or chosen from 1..kmax by BIC (Schwarz 1978) or by
 * the log-likelihood of a held-out fifth of the rows.
 *
 * Every reduction runs in a fixed order (BLIS level-3 calls are the same
 * at every thread count, see dense.h; sums over rows are serial), so a fit
 * is the same bit for bit at any thread count and for a given key.
 * Matrices are row-major: row i of x is x[i * d .. i * d + d). */
#ifndef IXP_MIXTURE_H
#define IXP_MIXTURE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum { IXP_MIX_OK = 0, IXP_MIX_ENOMEM, IXP_MIX_EINPUT, IXP_MIX_ENOTPD } IxpMixStatus;

const char *ixp_mix_status_text(IxpMixStatus s);

typedef struct {
  int k, d;
  double *w;       /* k weights, summing to 1 */
  double *mu;      /* k x d means */
  double *cov;     /* k blocks of d x d covariances (symmetric) */
  double *chol;    /* k blocks of d x d lower Cholesky factors of cov */
  double *lognorm; /* k: log w - d/2 log(2 pi) - 1/2 log det cov */
  double *whiten;  /* d x (k d): column block k is L_k^{-T}, so that row
                      x whitened by component k is x L_k^{-T} - shift_k */
  double *shift;   /* k d: block k is mu_k^T L_k^{-T} */
  double loglik;   /* total log-likelihood of the rows it was fitted to */
  int iterations;  /* EM iterations of the kept fit */
} IxpMixture;

typedef struct {
  int kmax;       /* components tried when choosing (1..kmax) */
  int restarts;   /* starts per number of components; the best is kept */
  int max_iter;   /* EM iterations at most per start */
  double tol;     /* stop when the mean log-likelihood gains less than this */
  double floor;   /* covariance floor, relative to the data's mean variance */
  bool heldout;   /* choose K by held-out log-likelihood instead of BIC */
  uint64_t key;   /* the random stream of the starts (rng.h) */
} IxpMixOptions;

/* kmax 8, restarts 3, max_iter 200, tol 1e-4 (nats a row), floor 1e-6,
 * BIC, key 0. */
void ixp_mix_defaults(IxpMixOptions *o);

/* Fit k components to n rows of d columns (n > k). */
IxpMixStatus ixp_mix_fit(const double *x, long n, int d, int k, const IxpMixOptions *o, IxpMixture *m);

/* Fit 1..kmax components and keep the best by BIC (or held-out
 * likelihood, refitted on all rows). The search stops early once two
 * successive K score worse than the best so far. The candidates are
 * converged to 10 tol only (their criteria differ by tens of nats a
 * component); the chosen one is then refined to tol. score (NULL, or kmax
 * entries) receives each K's criterion (lower is better: BIC, or -2 x the
 * held-out log-likelihood scaled to n rows), NAN for K not tried. */
IxpMixStatus ixp_mix_select(const double *x, long n, int d, const IxpMixOptions *o, IxpMixture *m, double *score);

/* The free parameters of a k-component, d-dimensional full mixture. */
long ixp_mix_parameters(int k, int d);
/* BIC = -2 log-likelihood + parameters log n. */
double ixp_mix_bic(const IxpMixture *m, long n);

/* out[i] = log density of row i of x (n rows of m->d columns). */
IxpMixStatus ixp_mix_logpdf(const IxpMixture *m, const double *x, long n, double *out);

/* The marginal mixture of columns cols[0..nc) (same weights, the
 * components' marginals). */
IxpMixStatus ixp_mix_marginal(const IxpMixture *m, const int *cols, int nc, IxpMixture *out);

/* n rows drawn from m: row i from draws i of stream `key` alone. */
IxpMixStatus ixp_mix_sample(const IxpMixture *m, uint64_t key, long n, double *out);

/* A mixture from its weights (k, summing to 1), means (k x d) and
 * covariances (k blocks of d x d), copied and factored. */
IxpMixStatus ixp_mix_make(int k, int d, const double *w, const double *mu, const double *cov, IxpMixture *m);

/* Pointwise I(X; Y | Z) = log p(xyz) p(z) / (p(xz) p(yz)) (for dz = 0,
 * log p(xy) / (p(x) p(y))) at each row of x, whose columns are X (dx),
 * then Y (dy), then Z (dz), as in m (d = dx + dy + dz), every density a
 * marginal of m. */
IxpMixStatus ixp_mix_pointwise_mi(const IxpMixture *m, int dx, int dy, int dz, const double *x, long n,
                                  double *out);

/* I(X; Y | Z) of m by Monte Carlo: the mean of the pointwise MI over
 * `samples` rows drawn from m with stream `key`, and its Monte Carlo
 * standard error (the sample standard deviation over sqrt(samples)). */
IxpMixStatus ixp_mix_mi(const IxpMixture *m, int dx, int dy, int dz, long samples, uint64_t key, double *mi,
                        double *mc_se);

void ixp_mix_free(IxpMixture *m);

#endif
