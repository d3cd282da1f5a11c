/* knn.h — k-nearest-neighbour estimators of entropy and (conditional)
 * mutual information for continuous samples: Kozachenko–Leonenko, KSG
 * (Kraskov, Stögbauer & Grassberger 2004, algorithms 1 and 2) and
 * Frenzel–Pompe for conditional MI. Max-norm throughout, as in the KSG
 * paper. Results in nats.
 *
 * Data: n samples, each group a row-major n x d block. Neighbour search
 * (IxpIndexKind, chosen by estimated cost unless forced): a k-d tree,
 * a grid (cell list) for 2-D joint spaces, sorted arrays with binary
 * search for 1-D marginal counts, a brute-force
 * path of cache-blocked max-norm tiles (the max-norm is no inner product,
 * so GEMMs do not apply), or per-group neighbour lists for permutation
 * tests; all give the same bits. The per-point loop is threaded; results do not depend on
 * the thread count (each point's contribution is stored, then summed in
 * a fixed order). */
#ifndef IXP_KNN_H
#define IXP_KNN_H

#include <stdbool.h>
#include <stdint.h>

typedef enum { IXP_KNN_OK = 0, IXP_KNN_ENOMEM, IXP_KNN_EINPUT, IXP_KNN_ETIES, IXP_KNN_ETHEILER } IxpKnnStatus;

const char *ixp_knn_status_text(IxpKnnStatus s);

/* Neighbour search. AUTO picks by estimated cost (knn.c); LISTS (KSG
 * mi(X; Y) only) keeps each point's nearest neighbours per group, sorted,
 * and finds the joint ones and the counts from them: built once, reused by
 * every permutation surrogate; GRID (2-D joint spaces only: mi of 1 + 1
 * columns, entropy of 2; elsewhere the k-d tree is used and reported) is
 * a cell list over quantile cells. */
typedef enum { IXP_INDEX_AUTO, IXP_INDEX_KDTREE, IXP_INDEX_BRUTE, IXP_INDEX_LISTS, IXP_INDEX_GRID } IxpIndexKind;

/* The index AUTO would use for an estimator on n rows of these group
 * dimensions (ng = 1: entropy, 2: MI, 3: CMI) with nperm permutation
 * surrogates (0: none). */
IxpIndexKind ixp_knn_auto_index(int ng, const int *gdim, long n, int k, int nperm);

typedef struct {
  int k;                /* neighbours (default 4 when 0) */
  int variant;          /* KSG algorithm 1 or 2 (default 1) */
  bool no_rescale;      /* default: rescale each column to unit variance (as JIDT) */
  bool copula;          /* rank-transform each column first */
  double noise;         /* add noise of this std (relative to each column's std) to break ties; 0: none */
  uint64_t noise_key;   /* rng.h stream for the noise */
  int threads;          /* 0: the session's thread rule (threads.h) */
  IxpIndexKind index;
  long theiler;         /* Theiler window w: a row's neighbours (the k-th in the joint space and every
                           marginal count) exclude rows whose index differs by at most w; 0: only
                           itself. w > 0 takes the k-d tree (AUTO; a forced other index and the
                           permutation test give IXP_KNN_ETHEILER) and needs n > 2 w + k. */
  double *local;        /* when set (n values, not with the permutation test): each row's local
                           value, the estimator's formula with the mean of the per-point terms
                           replaced by the row's own term (KSG 2004 eq. 8 before averaging), so
                           that their mean is the estimate */
} IxpKnnOptions;

/* What the estimator did, for `explain` and for warnings; pass NULL when
 * it is not wanted (the duplicate rows are then not counted). */
typedef struct {
  IxpIndexKind index;   /* the index actually used (never AUTO) */
  long duplicates;      /* points with an exact duplicate in the joint space */
} IxpKnnInfo;

/* Kozachenko–Leonenko entropy of x (n x d). */
IxpKnnStatus ixp_knn_entropy(const double *x, long n, int d, const IxpKnnOptions *opt, double *out, IxpKnnInfo *info);
/* KSG mutual information I(X; Y). */
IxpKnnStatus ixp_ksg_mi(const double *x, int dx, const double *y, int dy, long n, const IxpKnnOptions *opt,
                        double *out, IxpKnnInfo *info);
/* Frenzel–Pompe conditional mutual information I(X; Y | Z). */
IxpKnnStatus ixp_ksg_cmi(const double *x, int dx, const double *y, int dy, const double *z, int dz, long n,
                         const IxpKnnOptions *opt, double *out, IxpKnnInfo *info);

/* The columns of ng <= 3 groups side by side (n rows of sum gdim
 * columns, row-major, in *rows: malloc'd, the caller frees it),
 * preprocessed as the estimators do (copula ranks, rescaling, seeded
 * noise); logscale (may be NULL): the sum of the log standard deviations
 * the rescaling divided by. */
IxpKnnStatus ixp_knn_prepare(const double *const *g, const int *gdim, int ng, long n, const IxpKnnOptions *opt,
                             double **rows, double *logscale);

/* Permutation test of I(X; Y): `nperm` surrogates with Y's rows permuted
 * by streams of `key` (surrogate s uses ixp_rng_key(key, s, 0)); the
 * neighbour structure of X is built once and reused. Fills the observed
 * value, the surrogates' mean and standard deviation, and the p-value
 * (1 + #{surrogate >= observed}) / (1 + nperm). */
typedef struct {
  double value, null_mean, null_std, p;
  int surrogates;
} IxpKnnTest;

IxpKnnStatus ixp_ksg_mi_permutation(const double *x, int dx, const double *y, int dy, long n, const IxpKnnOptions *opt,
                                    int nperm, uint64_t key, IxpKnnTest *out);

/* The same test with any map of Y's rows: surrogate s reads Y's row
 * perm[i] at row i, perm[0 .. n) filled by map(ctx, s, perm, n) (a
 * permutation of 0 .. n-1; false: out of memory). map is called from
 * several threads at once and must depend on s alone. */
typedef bool (*IxpKnnRowMap)(void *ctx, int s, long *perm, long n);
IxpKnnStatus ixp_ksg_mi_mapped(const double *x, int dx, const double *y, int dy, long n, const IxpKnnOptions *opt,
                               int nperm, IxpKnnRowMap map, void *ctx, IxpKnnTest *out);

#endif
