/* critic.h — mutual information from a neural critic: variational lower
 * bounds (InfoNCE, NWJ, SMILE) maximised over a small MLP critic trained
 * with Adam on BLIS GEMMs.
 *
 * The critic is separable, f(x, y) = g(x) . h(y): two towers (MLPs with
 * ReLU hidden layers and a linear output of `embed` units), so the scores
 * of every pair of a batch of b rows are one b x b GEMM of the towers'
 * outputs (Poole et al. 2019, "On variational bounds of mutual
 * information", sec. 4: separable critics cost O(b) network evaluations
 * per batch instead of O(b^2) for a critic of the concatenated pair).
 * The price is expressiveness: g(x) . h(y) must approximate the log
 * density ratio log p(x, y) / (p(x) p(y)) up to terms the bound ignores;
 * with biases on the output layers it holds the cross term and each
 * side's own term, enough for Gaussians (a bilinear form plus quadratics)
 * and, through the MLPs, for smooth ratios.
 *
 * Bounds, for a batch with scores S_ij = f(x_i, y_j) (pairs i = j drawn
 * from p(x, y), i != j from p(x) p(y)):
 *   InfoNCE  (1/b) sum_i [S_ii - log (1/b) sum_j e^{S_ij}]; at most log b
 *            (van den Oord et al. 2018; Poole et al. 2019, eq. 12).
 *   NWJ      1 + (1/b) sum_i S_ii - 1/(b(b-1)) sum_{i != j} e^{S_ij}
 *            (Nguyen, Wainwright & Jordan 2010; Poole et al. eq. 9 with
 *            the critic f = S + 1, so that S = 0 is the optimum when X
 *            and Y are independent, where training starts).
 *   SMILE    trained on the Jensen-Shannon f-GAN objective, reported as
 *            (1/b) sum_i S_ii - log 1/(b(b-1)) sum_{i != j} clip(e^{S_ij},
 *            e^-tau, e^tau) (Song & Ermon 2020, "Understanding the
 *            limitations of variational mutual information estimators").
 *
 * Everything is a function of (data, config, key): the split, the
 * weights' initial values and the minibatches come from the counter-based
 * stream `key` (rng.h); every sum is taken in a fixed order and the GEMMs
 * go through dense.h, whose results do not depend on the thread count. */
#ifndef IXP_CRITIC_H
#define IXP_CRITIC_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum { IXP_CRITIC_INFONCE, IXP_CRITIC_NWJ, IXP_CRITIC_SMILE } IxpCriticBound;

typedef struct {
  IxpCriticBound bound;
  int hidden;      /* units of each hidden layer */
  int layers;      /* hidden layers of each tower (0: the towers are linear) */
  int embed;       /* output units of each tower: the dimension of g(x) . h(y) */
  long steps;      /* Adam steps at most */
  int batch;       /* rows of a minibatch */
  double lr;       /* Adam's step size */
  double split;    /* fraction of the rows held out for the estimate */
  double clip;     /* SMILE's tau (0: no clipping) */
  int eval_every;  /* steps between checks of the validation bound */
  int patience;    /* checks without a better validation bound before stopping (0: never stop early) */
} IxpCriticConfig;

/* The defaults: InfoNCE, 1 hidden layer of 64, embed 32, 2000 steps,
 * batch 128, lr 1e-3, split 0.2, clip 5, checks every 100 steps,
 * patience 5. */
void ixp_critic_defaults(IxpCriticConfig *cfg);

typedef struct {
  double value;    /* the bound on the held-out rows, nats */
  double se;       /* std of the held-out rows' terms / sqrt(heldout) */
  long heldout;    /* rows the estimate is computed on */
  long train;      /* rows trained on */
  long validation; /* rows watched for early stopping */
  long steps;      /* Adam steps taken */
  long best_step;  /* the step whose weights were kept */
  double flops;    /* floating-point operations of the GEMMs run */
} IxpCriticResult;

typedef enum {
  IXP_CRITIC_OK = 0,
  IXP_CRITIC_ENOMEM,     /* out of memory */
  IXP_CRITIC_EROWS,      /* too few rows for the split and the batch */
  IXP_CRITIC_ESTOPPED,   /* *stop became true */
  IXP_CRITIC_ENOTFINITE, /* the held-out bound is not finite (the critic diverged) */
} IxpCriticStatus;

/* The rows needed: at least 2 held out, 2 for validation, and a batch. */
long ixp_critic_min_rows(const IxpCriticConfig *cfg);

/* Train a critic on x (n x dx) and y (n x dy), row-major, row r of x
 * paired with row r of y, and evaluate its bound on held-out rows.
 *
 * Rows are permuted by the stream; the last round(split n) are held out,
 * and, when patience > 0, the tenth of the rest before them (at least 2)
 * is a validation set: every eval_every steps the bound on it is
 * computed, the best weights are kept, and training stops after
 * `patience` checks without improvement. The held-out bound is then
 * computed with those weights over blocks of at most 1024 rows (each
 * row's negatives are the other rows of its block, so InfoNCE is capped
 * at log of the block's size). The standard error is the std of the
 * held-out rows' terms over sqrt(count) (for SMILE, the delta method's
 * terms): the sampling error of the evaluation given the trained critic,
 * not the variation from training or the gap between bound and MI.
 * `stop` (may be NULL) is polled between steps. */
IxpCriticStatus ixp_critic_estimate(const double *x, int dx, const double *y, int dy, long n,
                                    const IxpCriticConfig *cfg, uint64_t key,
                                    const volatile sig_atomic_t *stop, IxpCriticResult *out);

/* --- the critic itself, for tests --------------------------------------- */

typedef struct IxpCritic IxpCritic;

/* A critic for dx + dy columns with room for batches of up to max_rows;
 * NULL when out of memory. Its weights are all zero until initialised. */
IxpCritic *ixp_critic_new(int dx, int dy, const IxpCriticConfig *cfg, long max_rows);
void ixp_critic_free(IxpCritic *c);
/* He-normal weights from stream `key` (N(0, 2 / fan-in); N(0, 1 / fan-in)
 * for the linear output layer), zero biases. */
void ixp_critic_init(IxpCritic *c, uint64_t key);
long ixp_critic_nparams(const IxpCritic *c);
double *ixp_critic_params(IxpCritic *c);
const double *ixp_critic_grad(const IxpCritic *c);
/* The training objective on b rows (x b x dx, y b x dy): the bound
 * (the JS objective for SMILE); with `grad`, its gradient with respect
 * to the parameters into ixp_critic_grad. */
double ixp_critic_objective(IxpCritic *c, const double *x, const double *y, long b, bool grad);
/* The scores S (b x b, S_ij = f(x_i, y_j)) of b rows. */
void ixp_critic_scores(IxpCritic *c, const double *x, const double *y, long b, double *s);
/* GEMM operations run so far. */
double ixp_critic_flops(const IxpCritic *c);

#endif
