/* test_network.c — network inference (network.h) on simulated vector
 * autoregressions with known links: recall and precision with the
 * gaussian and ksg estimators, trials, thread invariance, the FDR step-up
 * rule, and inputs it refuses. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "network.h"
#include "rng.h"
#include "threads.h"

typedef struct {
  int target, source, lag;
  double c;
} Term;

/* The 5-node VAR of examples/data/var5.py (nodes 0-based here): five
 * links between nodes, each node also driven by its own past. */
static const Term var5[] = {
    {0, 0, 1, 0.4}, {1, 1, 1, 0.3}, {1, 0, 2, 0.5}, {2, 2, 1, 0.3}, {2, 0, 1, 0.4},
    {3, 3, 1, 0.3}, {3, 1, 1, 0.5}, {3, 2, 3, 0.4}, {4, 4, 1, 0.3}, {4, 3, 1, 0.5},
};

/* Simulate ntrials trials of len rows of nv nodes (columns cols[v]),
 * each after a burn-in of 100 steps, noise from stream key. */
static void simulate(const Term *terms, int nterms, int nv, int ntrials, long len, uint64_t key, double **cols,
                     long *ts) {
  long burn = 100, T = burn + len;
  double *x = calloc((size_t)(T + 3) * (size_t)nv, sizeof *x);
  for (int tr = 0; tr < ntrials; tr++) {
    memset(x, 0, (size_t)(T + 3) * (size_t)nv * sizeof *x);
    for (long t = 3; t < T + 3; t++)
      for (int v = 0; v < nv; v++) {
        double s = ixp_rng_normal(key, ((uint64_t)tr * (uint64_t)(T + 3) + (uint64_t)t) * (uint64_t)nv + (uint64_t)v);
        for (int k = 0; k < nterms; k++)
          if (terms[k].target == v) s += terms[k].c * x[(t - terms[k].lag) * nv + terms[k].source];
        x[t * nv + v] = s;
      }
    for (long i = 0; i < len; i++)
      for (int v = 0; v < nv; v++) cols[v][(long)tr * len + i] = x[(3 + burn + i) * nv + v];
    ts[tr] = (long)tr * len;
  }
  ts[ntrials] = (long)ntrials * len;
  free(x);
}

/* Links found that are true, and true links between nodes. */
static void score(const IxpNetResult *r, const Term *terms, int nterms, int *hits, int *truth) {
  *hits = *truth = 0;
  for (int k = 0; k < nterms; k++) *truth += terms[k].source != terms[k].target;
  for (int i = 0; i < r->nlinks; i++)
    for (int k = 0; k < nterms; k++)
      if (terms[k].source != terms[k].target && terms[k].source == r->links[i].source &&
          terms[k].target == r->links[i].target && terms[k].lag == r->links[i].lag)
        (*hits)++;
}

static IxpNetResult infer(int nv, double **cols, long n, const long *ts, int nt, IxpNetOptions *o) {
  IxpNetResult r;
  char msg[256] = "";
  IxpKnnStatus knn;
  IxpNetStatus st = ixp_network_infer((const double *const *)cols, nv, n, ts, nt, o, &r, &knn, msg, sizeof msg);
  cr_assert_eq(st, IXP_NET_OK, "status %d: %s", st, msg);
  return r;
}

static double **columns(int nv, long n) {
  double **c = malloc((size_t)nv * sizeof *c);
  for (int v = 0; v < nv; v++) c[v] = malloc((size_t)n * sizeof **c);
  return c;
}

static void columns_free(double **c, int nv) {
  for (int v = 0; v < nv; v++) free(c[v]);
  free(c);
}

/* 10 trials of 300 steps, max_lag 3, 200 surrogates, FDR: every one
 * of the 5 links is found at its lag (recall 1) and nothing else
 * (precision 1; with alpha = 0.05 per test a false link would be a rare
 * event, so precision >= 0.8 is what the test requires). */
Test(network, gaussian_recovers_the_var5_links) {
  enum { NV = 5, TR = 10, LEN = 300 };
  double **cols = columns(NV, TR * LEN);
  long ts[TR + 1];
  simulate(var5, 10, NV, TR, LEN, 2019, cols, ts);
  IxpSurrogateMethod methods[] = {IXP_SURR_SHIFT, IXP_SURR_TRIALS};
  for (int m = 0; m < 2; m++) {
    IxpNetOptions o = {.estimator = IXP_NET_GAUSSIAN, .min_lag = 1, .max_lag = 3, .alpha = 0.05, .surrogates = 200,
                       .method = methods[m], .key = 17};
    IxpNetResult r = infer(NV, cols, TR * LEN, ts, TR, &o);
    int hits, truth;
    score(&r, var5, 10, &hits, &truth);
    cr_assert_eq(truth, 5);
    cr_assert_eq(hits, 5, "method %d: recall %d / 5", m, hits);
    cr_assert(hits >= 0.8 * r.nlinks, "method %d: precision %d / %d", m, hits, r.nlinks);
    for (int i = 0; i < r.nlinks; i++) {  /* the true links carry te >= 0.05 nats; a false one is weak */
      bool real = false;
      for (int k = 0; k < 10; k++)
        real |= var5[k].source != var5[k].target && var5[k].source == r.links[i].source &&
                var5[k].target == r.links[i].target && var5[k].lag == r.links[i].lag;
      cr_assert(r.links[i].p <= 0.05 && (!real || r.links[i].te > 0.05) && (real || r.links[i].te < 0.02),
                "method %d: link %d -> %d: te %g, p %g", m, r.links[i].source, r.links[i].target, r.links[i].te,
                r.links[i].p);
    }
    ixp_network_result_free(&r);
  }
  columns_free(cols, NV);
}

/* A 3-node chain, one trial of 400 steps, ksg: x0 -> x1 at lag 1 and
 * x1 -> x2 at lag 2 are found (recall 1), precision >= 0.5. */
Test(network, ksg_recovers_a_chain) {
  static const Term chain[] = {{0, 0, 1, 0.5}, {1, 0, 1, 0.8}, {2, 1, 2, 0.8}};
  enum { NV = 3, LEN = 400 };
  double **cols = columns(NV, LEN);
  long ts[2];
  simulate(chain, 3, NV, 1, LEN, 5, cols, ts);
  IxpNetOptions o = {.estimator = IXP_NET_KSG, .knn = {.k = 4}, .min_lag = 1, .max_lag = 2, .alpha = 0.05,
                     .surrogates = 79, .method = IXP_SURR_CIRCULAR, .key = 3};
  IxpNetResult r = infer(NV, cols, LEN, NULL, 1, &o);
  int hits, truth;
  score(&r, chain, 3, &hits, &truth);
  cr_assert_eq(hits, 2, "recall %d / 2 (%d links)", hits, r.nlinks);
  cr_assert(hits >= 0.5 * r.nlinks, "precision %d / %d", hits, r.nlinks);
  ixp_network_result_free(&r);
  columns_free(cols, NV);
}

/* Field by field (a link's padding is not compared). */
static void assert_same_links(const IxpNetResult *a, const IxpNetResult *b) {
  for (int i = 0; i < a->nlinks; i++) {
    const IxpNetLink *x = &a->links[i], *y = &b->links[i];
    cr_assert(x->source == y->source && x->target == y->target && x->lag == y->lag && x->te == y->te && x->p == y->p,
              "link %d: %d -> %d lag %d te %.17g p %g against %d -> %d lag %d te %.17g p %g", i, x->source, x->target,
              x->lag, x->te, x->p, y->source, y->target, y->lag, y->te, y->p);
  }
}

Test(network, thread_count_changes_nothing) {
  enum { NV = 5, TR = 2, LEN = 500 };
  double **cols = columns(NV, TR * LEN);
  long ts[TR + 1];
  simulate(var5, 10, NV, TR, LEN, 8, cols, ts);
  IxpNetOptions o = {.estimator = IXP_NET_GAUSSIAN, .min_lag = 1, .max_lag = 3, .alpha = 0.05, .surrogates = 100,
                     .method = IXP_SURR_BLOCK, .key = 5};
  ixp_threads_watch_load(false);
  ixp_threads_set_budget(1);
  IxpNetResult a = infer(NV, cols, TR * LEN, ts, TR, &o);
  ixp_threads_set_budget(2);
  IxpNetResult b = infer(NV, cols, TR * LEN, ts, TR, &o);
  ixp_threads_watch_load(true);
  cr_assert_eq(a.nlinks, b.nlinks);
  assert_same_links(&a, &b);
  for (int j = 0; j < NV; j++)
    cr_assert(a.omnibus_p[j] == b.omnibus_p[j] || (isnan(a.omnibus_p[j]) && isnan(b.omnibus_p[j])));
  ixp_network_result_free(&a);
  ixp_network_result_free(&b);
  /* ksg: surrogates side by side, one thread each, or one after another */
  o.estimator = IXP_NET_KSG, o.knn.k = 4, o.surrogates = 40, o.max_lag = 2, o.method = IXP_SURR_CIRCULAR;
  ixp_threads_watch_load(false);
  ixp_threads_set_budget(1);
  a = infer(3, cols, 400, NULL, 1, &o);
  ixp_threads_set_budget(2);
  b = infer(3, cols, 400, NULL, 1, &o);
  ixp_threads_watch_load(true);
  cr_assert_eq(a.nlinks, b.nlinks);
  assert_same_links(&a, &b);
  ixp_network_result_free(&a);
  ixp_network_result_free(&b);
  columns_free(cols, NV);
}

/* Benjamini-Hochberg is a step-up rule: the largest rank r with
 * p_(r) <= r alpha / m passes with every smaller p. */
Test(network, fdr_step_up) {
  double p1[] = {0.01, 0.04, 0.03, 0.005, NAN};
  bool pass[5];
  ixp_fdr_bh(p1, 5, 0.05, pass);
  cr_assert(pass[0] && pass[1] && pass[2] && pass[3] && !pass[4]);
  double p2[] = {0.02, 0.03, 0.5};  /* 0.02 > 0.05/3 alone, but 0.03 <= 2 (0.05)/3 lifts both */
  ixp_fdr_bh(p2, 3, 0.05, pass);
  cr_assert(pass[0] && pass[1] && !pass[2]);
  double p3[] = {0.02, 0.04, 0.5};
  ixp_fdr_bh(p3, 3, 0.05, pass);
  cr_assert(!pass[0] && !pass[1] && !pass[2]);
}

Test(network, refuses_too_few_rows_and_bad_plans) {
  double a[20], b[20], *cols[2] = {a, b};
  for (int i = 0; i < 20; i++) a[i] = sin(i), b[i] = cos(3 * i);
  IxpNetOptions o = {.estimator = IXP_NET_GAUSSIAN, .min_lag = 1, .max_lag = 5, .alpha = 0.05, .surrogates = 10};
  IxpNetResult r;
  char msg[256];
  cr_assert_eq(ixp_network_infer((const double *const *)cols, 2, 20, NULL, 1, &o, &r, NULL, msg, sizeof msg), IXP_NET_EINPUT);
  cr_assert(strstr(msg, "15 rows remain after the first 5"), "%s", msg);
  o.max_lag = 1, o.method = IXP_SURR_TRIALS;
  cr_assert_eq(ixp_network_infer((const double *const *)cols, 2, 20, NULL, 1, &o, &r, NULL, msg, sizeof msg), IXP_NET_EINPUT);
  cr_assert(strstr(msg, "at least two trials"), "%s", msg);
}
