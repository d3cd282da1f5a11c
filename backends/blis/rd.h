/* rd.h — rate-distortion, channel capacity and the information bottleneck
 * on finite alphabets: Blahut–Arimoto and the IB self-consistent
 * equations as dense kernels on BLIS.
 *
 * Every routine works in nats, on row-major dense arrays, and reports
 * whether it converged together with the bound that certifies it; a
 * non-converged result is flagged, never returned as if it were exact. */
#ifndef IXP_RD_H
#define IXP_RD_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum {
  IXP_RD_OK = 0,
  IXP_RD_ENOMEM,
  IXP_RD_EINPUT,        /* a probability vector or channel row that is negative / does not sum to 1, a negative distortion, bad sizes */
  IXP_RD_ENOCONVERGE,   /* the iteration limit was reached before the tolerance (result filled, converged = false) */
  IXP_RD_ERANGE,        /* a target distortion below the minimum or above the maximum achievable */
  IXP_RD_EINTERRUPTED,  /* *stop was set: the iterations stopped early (no result) */
} IxpRDStatus;

const char *ixp_rd_status_text(IxpRDStatus s);

typedef struct {
  int max_iter;     /* default 100000 when 0 */
  double tol;       /* convergence tolerance in nats (gap between upper and lower bound); default 1e-13 when 0 */
  /* When non-NULL, read before every iteration: once it is non-zero the
   * routine stops and returns IXP_RD_EINTERRUPTED (a Ctrl-C handler sets
   * it; the kernels know nothing of who does). */
  const volatile sig_atomic_t *stop;
} IxpIterOptions;

/* One point of a rate-distortion curve. */
typedef struct {
  double beta;         /* Lagrange multiplier (slope of R(D) is -beta) */
  double rate;         /* I(X; Xhat) in nats */
  double distortion;   /* E d(X, Xhat) */
  double rate_lower;   /* certified lower bound on R(distortion) (Blahut's bound) */
  double rate_upper;   /* upper bound (= rate, achieved by the returned solution) */
  int iterations;
  bool converged;
} IxpRDPoint;

/* R(D) at slope -beta for a source p (n symbols, sums to 1) and distortion
 * matrix d (n x m, d[i*m + j] = d(x_i, xhat_j) >= 0). q (m entries) is the
 * reproduction distribution: if q_warm is non-NULL it is the start
 * (warm start) and receives the solution. */
IxpRDStatus ixp_rd_beta(const double *p, int n, const double *d, int m, double beta,
                        const IxpIterOptions *opt, double *q_warm, IxpRDPoint *out);

/* R(D) at a target distortion D (between the minimum E min_j d and the
 * distortion of the best single reproduction symbol): finds the slope with
 * that distortion, within opt->tol. */
IxpRDStatus ixp_rd_at(const double *p, int n, const double *d, int m, double D,
                      const IxpIterOptions *opt, IxpRDPoint *out);

/* The curve at nb betas (any order; solved from high to low beta with
 * warm starts, returned in the caller's order). */
IxpRDStatus ixp_rd_curve(const double *p, int n, const double *d, int m, const double *betas, int nb,
                         const IxpIterOptions *opt, IxpRDPoint *out);

/* Capacity of the channel w (n inputs x m outputs, rows sum to 1), in
 * nats, with the optimal input distribution (n entries) and the certified
 * gap between the upper and lower bound. */
typedef struct {
  double capacity;
  double gap;          /* upper bound - lower bound at the end */
  int iterations;
  bool converged;
} IxpCapacity;

IxpRDStatus ixp_capacity(const double *w, int n, int m, const IxpIterOptions *opt, double *input,
                         IxpCapacity *out);

/* The information bottleneck of a joint p(x, y) (n x m, sums to 1). */
typedef enum { IXP_IB_STANDARD, IXP_IB_DETERMINISTIC } IxpIBVariant;

typedef struct {
  double beta;
  double ixt;          /* I(X; T) nats */
  double ity;          /* I(T; Y) nats */
  double ht;           /* H(T) nats */
  int clusters;        /* number of T values actually used (p(t) > 1e-12) */
  int iterations;
  bool converged;
} IxpIBPoint;

/* The most clusters and random restarts an IB run takes: more restarts
 * than this only repeat work, and clusters beyond it exceed any useful
 * |T| (a solution uses at most |X| distinct clusters). */
#define IXP_IB_MAX_CLUSTERS 65536
#define IXP_IB_MAX_RESTARTS 1000

typedef struct {
  IxpIBVariant variant;
  int clusters;        /* |T|; default n when 0 */
  int restarts;        /* random restarts per beta (best Lagrangian kept); default 5 when 0 */
  uint64_t seed;       /* for the random initial encoders (deterministic) */
  IxpIterOptions iter;
} IxpIBOptions;

IxpRDStatus ixp_ib(const double *pxy, int n, int m, double beta, const IxpIBOptions *opt, IxpIBPoint *out);
/* The IB curve at nb betas (solved from high to low beta, warm-started,
 * plus restarts), returned in the caller's order. */
IxpRDStatus ixp_ib_curve(const double *pxy, int n, int m, const double *betas, int nb,
                         const IxpIBOptions *opt, IxpIBPoint *out);

/* Closed forms. Gaussian source of variance `var` with squared error:
 * R(D) = max(0, 1/2 ln(var / D)). Reverse water-filling over independent
 * Gaussian components of variances var[0..n-1] at total distortion D:
 * R = sum 1/2 ln(var_i / D_i), D_i = min(lambda, var_i), sum D_i = D. */
double ixp_rd_gaussian(double var, double D);
double ixp_rd_waterfill(const double *var, int n, double D);

#endif
