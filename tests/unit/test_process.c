/* test_process.c — processes: stationary laws, windows and samples,
 * against closed forms and independent computations in this file. */
#include <setjmp.h>

#include "helpers.h"

#include "checker.h"
#include "data.h"
#include "interp.h"
#include "linear.h"
#include "process.h"

typedef struct {
  TRun r;
  IxpArena *arena;
  Checker c;
  jmp_buf on_error;
} Proc;

static void proc_open(Proc *p, const char *program) {
  memset(p, 0, sizeof *p);
  t_open(&p->r, false);
  cr_assert_eq(t_run(&p->r, program), IXP_OK, "%s", t_err(&p->r));
  p->arena = ixp_arena_new();
  p->r.s->tmp = ixp_arena_new();
  p->c = (Checker){.s = p->r.s, .arena = p->arena};
}

static void proc_close(Proc *p) {
  ixp_arena_free(p->r.s->tmp);
  p->r.s->tmp = NULL;
  t_close(&p->r);
  ixp_arena_free(p->arena);
}

static IxpModelDef *model_of(Proc *p, const char *name) {
  const IxpSymbol *sym = ixp_lookup(p->r.s, name);
  cr_assert(sym && sym->kind == SYM_MODEL, "no model %s", name);
  return sym->model;
}

static IxpValue *defaults(Proc *p, IxpModelDef *m) { return ixp_source_params(p->r.s, m, NULL); }

#define GUARD(p)                                                           \
  do {                                                                     \
    (p)->r.s->on_error = &(p)->on_error;                                   \
    if (setjmp((p)->on_error)) cr_assert_fail("runtime error: %s", t_err(&(p)->r)); \
  } while (0)

/* The window joint's probability of the values x[0 .. n), or 0. */
static double joint_at(const IxpJoint *j, const double *x) {
  for (size_t s = 0; s < j->n; s++) {
    bool same = true;
    for (int v = 0; v < j->nvars && same; v++) same = j->alpha[v].values[ixp_joint_code(j, v, s)] == x[v];
    if (same) return j->p[s];
  }
  return 0;
}

/* ------------------------------------------------------------ the chain */

static const char *two_state = "process chain(a = 0.1, b = 0.3) {\n"
                               "  s[t] ~ bernoulli(if s[t-1] == 1 then 1 - b else a)\n"
                               "}\n";

Test(process, two_state_stationary_law_is_the_closed_form) {
  Proc p;
  proc_open(&p, two_state);
  GUARD(&p);
  IxpModelDef *m = model_of(&p, "chain");
  const IxpProcessLaw *L = ixp_process_law(p.r.s, m, defaults(&p, m), (IxpSpan){0, 0});
  cr_assert_eq(L->nstates, 2);
  double pi1 = 0;
  for (int i = 0; i < L->nstates; i++)
    if (L->state[i] == 1) pi1 = L->pi[i];
  cr_assert_float_eq(pi1, 0.1 / (0.1 + 0.3), 1e-14, "pi_1 = p01 / (p01 + p10): got %.17g", pi1);
  proc_close(&p);
}

/* The window over s[t], s[t-1], s[t-3]: pi_a P_ab P^2_bc (P^2 by hand). */
Test(process, chain_window_is_pi_times_transitions) {
  Proc p;
  proc_open(&p, two_state);
  GUARD(&p);
  IxpModelDef *m = model_of(&p, "chain");
  IxpLag cols[] = {{0, 0}, {0, 1}, {0, 3}};
  IxpModelDef *w = ixp_process_window(&p.c, m, cols, 3, (IxpSpan){0, 0});
  cr_assert_not_null(w);
  cr_assert_str_eq(w->vars[2].name, "s[t-3]");
  IxpJoint *j = ixp_model_joint(p.r.s, w, defaults(&p, w), (IxpSpan){0, 0});
  double a = 0.1, b = 0.3, P[2][2] = {{1 - a, a}, {b, 1 - b}}, pi[2] = {b / (a + b), a / (a + b)}, P2[2][2];
  for (int i = 0; i < 2; i++)
    for (int k = 0; k < 2; k++) P2[i][k] = P[i][0] * P[0][k] + P[i][1] * P[1][k];
  for (int x3 = 0; x3 < 2; x3++)
    for (int x1 = 0; x1 < 2; x1++)
      for (int x0 = 0; x0 < 2; x0++) {
        double want = pi[x3] * P2[x3][x1] * P[x1][x0], at[3] = {x0, x1, x3};
        cr_assert_float_eq(joint_at(j, at), want, 1e-14, "p(%d, %d, %d)", x0, x1, x3);
      }
  proc_close(&p);
}

/* An order-2 chain of two variables, one a definition: the window against
 * power iteration over pairs of steps and explicit paths, in this file. */
Test(process, order_two_window_against_brute_force) {
  Proc p;
  proc_open(&p, "process c2 {\n"
                "  s[t] ~ bernoulli(if s[t-1] == s[t-2] then 0.8 else 0.3)\n"
                "  u[t] = s[t] xor s[t-1]\n"
                "}\n");
  GUARD(&p);
  IxpModelDef *m = model_of(&p, "c2");
  cr_assert_eq(m->process->order, 2);
  IxpLag cols[] = {{0, 0}, {1, 1}, {0, 4}};
  IxpModelDef *w = ixp_process_window(&p.c, m, cols, 3, (IxpSpan){0, 0});
  IxpJoint *j = ixp_model_joint(p.r.s, w, defaults(&p, w), (IxpSpan){0, 0});
  /* q[a][b]: P(s_{t-1} = a, s_t = b), by power iteration */
  double q[2][2] = {{0.25, 0.25}, {0.25, 0.25}};
  for (int it = 0; it < 5000; it++) {
    double r[2][2] = {{0}};
    for (int a = 0; a < 2; a++)
      for (int b = 0; b < 2; b++) {
        double p1 = a == b ? 0.8 : 0.3;
        r[b][1] += q[a][b] * p1, r[b][0] += q[a][b] * (1 - p1);
      }
    memcpy(q, r, sizeof q);
  }
  /* paths s_{t-5} .. s_t: u[t-1] = s_{t-1} xor s_{t-2} */
  double want[2][2][2] = {{{0}}};
  for (int path = 0; path < 64; path++) {
    int s[6];
    for (int i = 0; i < 6; i++) s[i] = path >> i & 1;  /* s[0] = s_{t-5}, ..., s[5] = s_t */
    double pr = q[s[0]][s[1]];
    for (int i = 2; i < 6; i++) {
      double p1 = s[i - 1] == s[i - 2] ? 0.8 : 0.3;
      pr *= s[i] ? p1 : 1 - p1;
    }
    want[s[5]][s[4] ^ s[3]][s[1]] += pr;
  }
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++)
      for (int c = 0; c < 2; c++) {
        double at[3] = {a, b, c};
        cr_assert_float_eq(joint_at(j, at), want[a][b][c], 1e-12, "p(%d, %d, %d) = %.17g, brute force %.17g", a, b, c,
                           joint_at(j, at), want[a][b][c]);
      }
  proc_close(&p);
}

Test(process, reducible_chain_is_an_error) {
  TRun r;
  t_open(&r, false);
  /* from s = 0 the chain settles in s = 1 or in s = 2, for ever */
  IxpStatus st = t_run(&r, "process stuck {\n  u[t] ~ bernoulli(1/2)\n  s[t] = if s[t-1] == 0 then 1 + u[t] else s[t-1]\n}\n"
                           "data d = sample(stuck, 10)\n");
  cr_assert_neq(st, IXP_OK);
  cr_assert(strstr(t_err(&r), "several stationary distributions"), "%s", t_err(&r));
  t_close(&r);
}

/* ----------------------------------------------------- linear-Gaussian */

Test(process, ar1_stationary_variance_and_autocovariance) {
  Proc p;
  proc_open(&p, "process ar(a = 0.6, sigma = 1.5) { x[t] ~ normal(a * x[t-1] + 2, sigma) }\n");
  GUARD(&p);
  IxpModelDef *m = model_of(&p, "ar");
  IxpLag cols[] = {{0, 0}, {0, 2}};
  IxpModelDef *w = ixp_process_window(&p.c, m, cols, 2, (IxpSpan){0, 0});
  cr_assert(w->gaussian);
  double *mean, *cov;
  ixp_gaussian_moments(p.r.s, w, defaults(&p, w), &mean, &cov);
  double var = 1.5 * 1.5 / (1 - 0.36);
  cr_assert_float_eq(cov[0], var, 1e-12 * var, "sigma^2 / (1 - a^2): got %.17g", cov[0]);
  cr_assert_float_eq(cov[1], 0.36 * var, 1e-12 * var, "a^2 sigma^2 / (1 - a^2): got %.17g", cov[1]);
  cr_assert_float_eq(mean[0], 2 / (1 - 0.6), 1e-12, "c / (1 - a)");
  proc_close(&p);
}

/* vec(S) = (I - F (x) F)^{-1} vec(Q) by Gauss-Jordan, here. */
static void lyapunov_by_kronecker(const double F[2][2], const double Q[2][2], double S[2][2]) {
  double A[4][5];
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++)
      for (int k = 0; k < 2; k++)
        for (int l = 0; l < 2; l++) A[2 * i + j][2 * k + l] = (i == k && j == l) - F[i][k] * F[j][l];
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) A[2 * i + j][4] = Q[i][j];
  for (int c = 0; c < 4; c++) {
    int piv = c;
    for (int r = c; r < 4; r++)
      if (fabs(A[r][c]) > fabs(A[piv][c])) piv = r;
    for (int k = 0; k < 5; k++) {
      double x = A[c][k];
      A[c][k] = A[piv][k], A[piv][k] = x;
    }
    for (int r = 0; r < 4; r++) {
      if (r == c) continue;
      double f = A[r][c] / A[c][c];
      for (int k = 0; k < 5; k++) A[r][k] -= f * A[c][k];
    }
  }
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) S[i][j] = A[2 * i + j][4] / A[2 * i + j][2 * i + j];
}

static const char *var1 = "process var1 {\n"
                          "  x[t] ~ normal(0.5 * x[t-1] + 0.3 * y[t-1], 1)\n"
                          "  y[t] ~ normal(0.7 * y[t-1], 1)\n"
                          "}\n";

Test(process, var1_stationary_covariance_against_kronecker) {
  Proc p;
  proc_open(&p, var1);
  GUARD(&p);
  IxpModelDef *m = model_of(&p, "var1");
  IxpLag cols[] = {{0, 0}, {1, 0}};
  IxpModelDef *w = ixp_process_window(&p.c, m, cols, 2, (IxpSpan){0, 0});
  double *mean, *cov, S[2][2];
  ixp_gaussian_moments(p.r.s, w, defaults(&p, w), &mean, &cov);
  const double F[2][2] = {{0.5, 0.3}, {0, 0.7}}, Q[2][2] = {{1, 0}, {0, 1}};
  lyapunov_by_kronecker(F, Q, S);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++) cr_assert_float_eq(cov[2 * i + j], S[i][j], 1e-12, "S[%d][%d]", i, j);
  proc_close(&p);
}

/* TE(y -> x) = I(x[t]; y[t-1] | x[t-1]) from the window's forms equals
 * 1/2 log(var(x_t | x_{t-1}) / var(x_t | x_{t-1}, y_{t-1})), the
 * variances from the Kronecker S: var(x_t | x_{t-1}, y_{t-1}) = 1, and
 * var(x_t | x_{t-1}) = S_xx - (F S)_xx^2 / S_xx. */
Test(process, var1_transfer_entropy_from_the_window) {
  Proc p;
  proc_open(&p, var1);
  GUARD(&p);
  IxpModelDef *m = model_of(&p, "var1");
  IxpLag cols[] = {{0, 0}, {1, 1}, {0, 1}};
  IxpModelDef *w = ixp_process_window(&p.c, m, cols, 3, (IxpSpan){0, 0});
  const IxpGaussForms *g = ixp_gaussian_forms(p.r.s, w, defaults(&p, w));
  int x0[] = {0}, past[] = {1, 2}, own[] = {2};
  double all, mine;
  cr_assert_eq(ixp_gaussian_mi(p.r.s, g, x0, 1, past, 2, &all), IXP_GAUSS_OK);
  cr_assert_eq(ixp_gaussian_mi(p.r.s, g, x0, 1, own, 1, &mine), IXP_GAUSS_OK);
  double S[2][2];
  const double F[2][2] = {{0.5, 0.3}, {0, 0.7}}, Q[2][2] = {{1, 0}, {0, 1}};
  lyapunov_by_kronecker(F, Q, S);
  double lag1 = F[0][0] * S[0][0] + F[0][1] * S[1][0];  /* Cov(x_t, x_{t-1}) = (F S)_xx */
  double te = 0.5 * log((S[0][0] - lag1 * lag1 / S[0][0]) / 1.0);
  cr_assert_float_eq(all - mine, te, 1e-12, "te %.17g, closed form %.17g", all - mine, te);
  proc_close(&p);
}

Test(process, var_with_instantaneous_effect) {
  /* y[t] = 0.5 x[t] + e: the innovation covariance of (x, y) is [[1, .5], [.5, 1.25]] */
  Proc p;
  proc_open(&p, "process inst {\n"
                "  x[t] ~ normal(0.4 * x[t-1], 1)\n"
                "  y[t] ~ normal(0.5 * x[t], 1)\n"
                "}\n");
  GUARD(&p);
  IxpModelDef *m = model_of(&p, "inst");
  IxpLag cols[] = {{0, 0}, {1, 0}};
  IxpModelDef *w = ixp_process_window(&p.c, m, cols, 2, (IxpSpan){0, 0});
  double *mean, *cov;
  ixp_gaussian_moments(p.r.s, w, defaults(&p, w), &mean, &cov);
  double vx = 1 / (1 - 0.16);
  cr_assert_float_eq(cov[0], vx, 1e-12);
  cr_assert_float_eq(cov[1], 0.5 * vx, 1e-12);
  cr_assert_float_eq(cov[3], 0.25 * vx + 1, 1e-12);
  proc_close(&p);
}

Test(process, lyapunov_refuses_a_unit_root) {
  double F[] = {1.0}, Q[] = {1.0}, S[1];
  cr_assert_not(ixp_process_lyapunov(F, Q, 1, S));
  double G[] = {1.01}, T[1];
  cr_assert_not(ixp_process_lyapunov(G, Q, 1, T));
  double H[] = {0.9}, U[1];
  cr_assert(ixp_process_lyapunov(H, Q, 1, U));
  cr_assert_float_eq(U[0], 1 / (1 - 0.81), 1e-12);
}

Test(process, non_stationary_var_is_an_error) {
  TRun r;
  t_open(&r, false);
  IxpStatus st = t_run(&r, "process walk { x[t] ~ normal(x[t-1], 1) }\ndata d = sample(walk, 100)\n");
  cr_assert_neq(st, IXP_OK);
  cr_assert(strstr(t_err(&r), "process 'walk' is not stationary"), "%s", t_err(&r));
  t_close(&r);
}

/* -------------------------------------------------------------- samples */

/* Sample moments of an AR(1) (a = 0.5, sigma = 1) over 4 trials of 50000
 * steps: mean 0 and variance 4/3 within 0.03 (about 5 standard errors:
 * the variance's is sqrt(2 (1 + a^2) / (N (1 - a^2))) * 4/3 = 0.0055 at
 * N = 2e5), the lag-1 autocorrelation a within 0.02. */
Test(process, sampled_ar1_moments) {
  Proc p;
  proc_open(&p, "seed 11\nprocess ar { x[t] ~ normal(0.5 * x[t-1], 1) }\n"
                "data d = sample(ar, 50000, burnin = 200, trials = 4)\n");
  IxpDataset *set = model_of(&p, "d")->data->set;
  cr_assert_eq(set->nrows, 200000);
  cr_assert_eq(set->ntrials, 4);
  cr_assert_eq(set->trial_start[1], 50000);
  cr_assert_eq(set->trial_start[4], 200000);
  const double *x = set->cols[0].value;
  double sum = 0, sq = 0, lag = 0;
  long pairs = 0;
  for (long i = 0; i < set->nrows; i++) sum += x[i], sq += x[i] * x[i];
  double mean = sum / (double)set->nrows, var = sq / (double)set->nrows - mean * mean;
  for (int r = 0; r < 4; r++)
    for (long i = set->trial_start[r] + 1; i < set->trial_start[r + 1]; i++) lag += (x[i] - mean) * (x[i - 1] - mean), pairs++;
  cr_assert(fabs(mean) < 0.015, "mean %g", mean);
  cr_assert(fabs(var - 4.0 / 3.0) < 0.03, "variance %g, closed form 4/3", var);
  cr_assert(fabs(lag / (double)pairs / var - 0.5) < 0.02, "lag-1 autocorrelation %g", lag / (double)pairs / var);
  proc_close(&p);
}

Test(process, sampled_chain_frequency) {
  Proc p;
  proc_open(&p, "seed 3\nprocess chain(a = 0.1, b = 0.3) { s[t] ~ bernoulli(if s[t-1] == 1 then 1 - b else a) }\n"
                "data d = sample(chain, 100000)\n");
  IxpDataset *set = model_of(&p, "d")->data->set;
  double ones = 0;
  for (long i = 0; i < set->nrows; i++) ones += set->cols[0].value[i];
  /* pi_1 = 1/4; the chain's autocorrelation 0.6 widens the standard
   * error to sqrt(pi (1 - pi) (1 + 0.6) / (1 - 0.6) / N) = 0.0027 */
  cr_assert(fabs(ones / 1e5 - 0.25) < 0.014, "frequency %g", ones / 1e5);
  proc_close(&p);
}

/* ------------------------------------------------------ the language */

/* Measures with lags on processes, against the closed forms (nats). */
Test(process, language_chain_entropy_rate_and_lagged_mi) {
  double x[3];
  cr_assert_eq(t_numbers("units nats\n"
                         "process chain(a = 0.1, b = 0.3) { s[t] ~ bernoulli(if s[t-1] == 1 then 1 - b else a) }\n"
                         "print entropy_rate(s) in chain\n"
                         "print mi(s[t]; s[t-1]) in chain\n"
                         "print entropy_rate(s) in chain(a = 0.5, b = 0.5)\n",
                         x, 3),
               3);
  double a = 0.1, b = 0.3, pi1 = a / (a + b), pi0 = 1 - pi1;
  double h_a = -a * log(a) - (1 - a) * log(1 - a), h_b = -b * log(b) - (1 - b) * log(1 - b);
  double rate = pi0 * h_a + pi1 * h_b, h = -pi0 * log(pi0) - pi1 * log(pi1);
  cr_assert_float_eq(x[0], rate, 1e-5, "rate %g, -sum pi P log P = %g", x[0], rate);  /* printed to 6 digits */
  cr_assert_float_eq(x[1], h - rate, 1e-5, "I(s_t; s_t-1) = H - rate");
  cr_assert_float_eq(x[2], log(2), 1e-5, "a fair coin's rate");
}

Test(process, language_var1_transfer_entropy) {
  double x[3];
  cr_assert_eq(t_numbers("units nats\n"
                         "process var1 {\n"
                         "  x[t] ~ normal(0.5 * x[t-1] + 0.3 * y[t-1], 1)\n"
                         "  y[t] ~ normal(0.7 * y[t-1], 1)\n"
                         "}\n"
                         "print te(y -> x) in var1\n"
                         "print mi(x[t]; y[t-1] | x[t-1]) in var1\n"
                         "print te(x -> y) in var1\n",
                         x, 3),
               3);
  /* S from S = F S F^T + I by hand: S_yy = 1/(1 - .49), S_xy = .3 * .7 S_yy / (1 - .35),
   * S_xx = (1 + .09 S_yy + 2 * .5 * .3 S_xy) / (1 - .25) */
  double syy = 1 / (1 - 0.49), sxy = 0.21 * syy / (1 - 0.35), sxx = (1 + 0.09 * syy + 0.3 * sxy) / 0.75;
  double c1 = 0.5 * sxx + 0.3 * sxy;  /* Cov(x_t, x_t-1) */
  double te = 0.5 * log((sxx - c1 * c1 / sxx) / 1.0);
  cr_assert_float_eq(x[0], te, 1e-5, "te %g, closed form %g", x[0], te);
  cr_assert_float_eq(x[1], te, 1e-5);
  cr_assert_float_eq(x[2], 0, 1e-9, "y does not read x");
}

/* A sweep over a process's parameter moves its law with it. */
Test(process, sweep_recomputes_the_law) {
  double x[3];
  cr_assert_eq(t_numbers("units nats\nlet a = 0.5\n"
                         "process ar { x[t] ~ normal(a * x[t-1], 1) }\n"
                         "sweep a in [0.2, 0.5, 0.8] { print mi(x[t]; x[t-1]) in ar }\n",
                         x, 3),
               3);
  double as[] = {0.2, 0.5, 0.8};
  for (int i = 0; i < 3; i++) cr_assert_float_eq(x[i], -0.5 * log(1 - as[i] * as[i]), 1e-5, "a = %g", as[i]);
}

/* Sampling is sequential per trial on counter-based streams: a seed gives
 * the same rows every run (make test's reproduce step compares thread counts). */
Test(process, sample_is_deterministic_for_a_seed) {
  TRun r;
  const char *program = "seed 5\nprocess ar { x[t] ~ normal(0.5 * x[t-1], 1) }\n"
                        "data d = sample(ar, 1000, trials = 3)\nprint mean(x) in d\n";
  char *one = strdup(t_run_clean(&r, program));
  t_close(&r);
  const char *two = t_run_clean(&r, program);
  cr_assert_str_eq(one, two);
  t_close(&r);
  free(one);
}

/* The Kalman limit of a component's rate against H(x_t | 40 past steps)
 * from the window (covariances and conditional entropy by another path):
 * the gap shrinks geometrically with k. */
Test(process, var_component_rate_is_the_limit_of_the_windows) {
  double x[3];
  cr_assert_eq(t_numbers("units nats\n"
                         "process var1 {\n"
                         "  x[t] ~ normal(0.5 * x[t-1] + 0.3 * y[t-1], 1)\n"
                         "  y[t] ~ normal(0.7 * y[t-1], 1)\n"
                         "}\n"
                         "print entropy_rate(x) in var1\n"
                         "print entropy_rate(x, k = 40) in var1\n"
                         "print entropy_rate(x, y) in var1\n",
                         x, 3),
               3);
  cr_assert_float_eq(x[0], x[1], 1e-5, "limit %g, k = 40: %g", x[0], x[1]);
  cr_assert_float_eq(x[2], log(2 * M_PI * M_E), 1e-5, "two unit innovations: log(2 pi e)");
  cr_assert(x[0] > 0.5 * log(2 * M_PI * M_E) + 1e-3, "x alone is less predictable than from both pasts");
}

/* A process with no exact law is sampled step by step through its
 * one-step model: an AR(1) written so that it is not affine has the
 * AR(1)'s moments, and `start` sets the history (a deterministic halving
 * from 8 gives 4, 2, 1, ... with no burn-in). */
Test(process, stepwise_sample_of_a_nonlinear_process) {
  Proc p;
  proc_open(&p, "seed 5\nprocess ar { x[t] ~ normal(0.5 * x[t-1] + 0 * x[t-1]^2, 1) }\n"
                "data d = sample(ar, 40000, burnin = 100, trials = 2)\n"
                "process half { h[t] = 0.5 * h[t-1] + 0 * h[t-1]^2 }\n"
                "data e = sample(half, 4, burnin = 0, start = 8)\n");
  IxpDataset *set = model_of(&p, "d")->data->set;
  cr_assert_eq(set->nrows, 80000);
  cr_assert_eq(set->ntrials, 2);
  const double *x = set->cols[0].value;
  double sum = 0, sq = 0;
  for (long i = 0; i < set->nrows; i++) sum += x[i], sq += x[i] * x[i];
  double mean = sum / (double)set->nrows, var = sq / (double)set->nrows - mean * mean;
  /* standard errors: mean about 0.008, variance about 0.01 */
  cr_assert(fabs(mean) < 0.03, "mean %g", mean);
  cr_assert(fabs(var - 4.0 / 3.0) < 0.05, "variance %g, closed form 4/3", var);
  const double *h = model_of(&p, "e")->data->set->cols[0].value;
  cr_assert(h[0] == 4 && h[1] == 2 && h[2] == 1 && h[3] == 0.5, "halving from 8: %g %g %g %g", h[0], h[1], h[2], h[3]);
  proc_close(&p);
}
