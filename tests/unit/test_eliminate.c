/* test_eliminate.c — models of more than 64 variables, and marginals by
 * variable elimination checked against closed forms and against the full
 * enumeration. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* A growing program text. */
typedef struct {
  char *text;
  size_t len;
  FILE *f;
} Prog;

static void prog_open(Prog *p) {
  memset(p, 0, sizeof *p);
  p->f = open_memstream(&p->text, &p->len);
  cr_assert_not_null(p->f);
}

static char *prog_close(Prog *p) {
  fclose(p->f);
  return p->text;
}

/* model NAME { x0 ~ bernoulli(1/2), x_i = x_{i-1} for i < n }: every
 * variable is a copy of x0, so the full joint has 2 states. */
static char *copies(int n, const char *measure) {
  Prog p;
  prog_open(&p);
  fprintf(p.f, "model wide {\n  x0 ~ bernoulli(1/2)\n");
  for (int i = 1; i < n; i++) fprintf(p.f, "  x%d = x%d\n", i, i - 1);
  fprintf(p.f, "}\nprint %s in wide\n", measure);
  return prog_close(&p);
}

Test(wide_models, variables_past_the_64th_are_measured) {
  char *prog = copies(300, "mi(x0; x299)");
  cr_assert_float_eq(t_number(prog), 1, 1e-15);
  free(prog);
  prog = copies(300, "entropy(x70, x150 | x299)");
  cr_assert_float_eq(t_number(prog), 0, 1e-15);
  free(prog);
  prog = copies(1024, "entropy(x1023)");
  cr_assert_float_eq(t_number(prog), 1, 1e-15);
  free(prog);
}

Test(wide_models, explain_names_the_measured_variables) {
  char *prog = copies(100, "mi(x3; x99)");
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_explain(&r, prog), IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert_not_null(strstr(out, "exact enumeration, 100 variables, 2 states (of 1267650600228229401496703205376)"), "%s", out);
  cr_assert_not_null(strstr(out, "its marginal on {x3, x99}: 2 states"), "%s", out);
  cr_assert_not_null(strstr(out, "entropy of r0 on {x99}"), "%s", out);
  cr_assert_not_null(strstr(out, "entropy of r0 on {x3, x99}"), "%s", out);
  t_close(&r);
  free(prog);
}

Test(wide_models, more_than_32768_variables_is_a_check_error) {
  char *prog = copies(32769, "entropy(x0)");
  char *err = t_fail(prog, IXP_ECOMPILE, NULL);
  cr_assert_not_null(strstr(err, "t.ixp:32770:3: error: model 'wide' has more than 32768 variables"), "%s", err);
  free(err);
  free(prog);
}

/* Datasets have no column limit: a sample of 300 copies of one bit is
 * measured on its plug-in joint (through the measured columns) and by
 * the discrete estimators; more than 64 columns on one exact joint is a
 * check error naming the limit. */
Test(wide_models, a_sample_of_more_than_64_variables_is_measured) {
  char *prog = copies(300, "entropy(x0)");
  size_t n = strlen(prog);
  prog = realloc(prog, n + 256);
  strcpy(prog + n, "data s = sample(wide, 200)\nprint mi(x3; x299) in s - entropy(x0) in s\n"
                   "print entropy(x10, x290 | x150) in s using miller_madow\n");
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, prog), IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert_not_null(strstr(out, "mi(x3; x299) in s - entropy(x0) in s = 0\n"), "%s", out);
  cr_assert_not_null(strstr(out, "entropy(x10, x290 | x150) in s using miller_madow = 0\n"), "%s", out);
  t_close(&r);
  strcpy(prog + n, "data s = sample(wide, 10)\nprint entropy(x0 .. x64) in s\n");
  char *err = t_fail(prog, IXP_ECOMPILE, NULL);
  cr_assert_not_null(strstr(err, "entropy measures 65 variables of dataset 's' on one exact joint, which holds at most 64"),
                     "%s", err);
  free(err);
  free(prog);
}

/* ------------------------------------------------------------- factors */

#include "factor.h"

/* sum_b f(a, b) g(b, c) by hand against the kernel, and a product with
 * no variable summed out. */
Test(factors, product_with_a_variable_summed_out) {
  IxpFactor f, g, out;
  int fv[] = {0, 1}, gv[] = {1, 2};
  uint32_t fc[] = {2, 3}, gc[] = {3, 2};
  cr_assert(ixp_factor_init(&f, 2, fv, fc));
  cr_assert(ixp_factor_init(&g, 2, gv, gc));
  for (size_t i = 0; i < f.size; i++) f.t[i] = (double)(i + 1);       /* f(a, b) = 3a + b + 1 */
  for (size_t i = 0; i < g.size; i++) g.t[i] = 1.0 / (double)(i + 2); /* g(b, c) = 1 / (2b + c + 2) */
  const IxpFactor *both[] = {&f, &g};
  cr_assert(ixp_factor_product_sum(both, 2, 1, &out));
  cr_assert_eq(out.n, 2);
  cr_assert_eq(out.var[0], 0);
  cr_assert_eq(out.var[1], 2);
  cr_assert_eq(out.size, 4);
  for (int a = 0; a < 2; a++)
    for (int c = 0; c < 2; c++) {
      double want = 0;
      for (int b = 0; b < 3; b++) want += (3.0 * a + b + 1) / (2.0 * b + c + 2);
      cr_assert_float_eq(out.t[a * 2 + c], want, 1e-15);
    }
  ixp_factor_free(&out);
  cr_assert(ixp_factor_product_sum(both, 2, -1, &out));
  cr_assert_eq(out.n, 3);
  cr_assert_eq(out.size, 12);
  cr_assert_float_eq(out.t[1 * 6 + 2 * 2 + 1], (3.0 + 2 + 1) / (4.0 + 1 + 2), 1e-15);
  ixp_factor_free(&out);
  ixp_factor_free(&f);
  ixp_factor_free(&g);
}

Test(factors, entries_past_the_cap_are_refused) {
  uint32_t card[] = {1000, 1000, 1000};
  cr_assert_eq(ixp_factor_entries(card, 3, (size_t)1 << 22), 0);
  cr_assert_eq(ixp_factor_entries(card, 2, (size_t)1 << 22), 1000000);
  cr_assert_eq(ixp_factor_entries(card, 0, 1), 1);
}

/* ------------------------------------------------------------ elimination */

/* x0 ~ bernoulli(1/2), x_i the previous one through a binary symmetric
 * channel of crossover p (a draw that reads x_{i-1}), i < n. */
static char *bsc_chain(int n, double p, const char *measure) {
  Prog q;
  prog_open(&q);
  fprintf(q.f, "model chain(p = %.17g) {\n  x0 ~ bernoulli(1/2)\n", p);
  for (int i = 1; i < n; i++) fprintf(q.f, "  x%d ~ bernoulli(if x%d == 1 then 1 - p else p)\n", i, i - 1);
  fprintf(q.f, "}\nprint %s in chain\n", measure);
  return prog_close(&q);
}

/* The same chain with the noise as its own draws: x_i = x_{i-1} xor e_i. */
static char *xor_chain(int n, double p, const char *measure) {
  Prog q;
  prog_open(&q);
  fprintf(q.f, "model chain(p = %.17g) {\n  x0 ~ bernoulli(1/2)\n", p);
  for (int i = 1; i < n; i++) fprintf(q.f, "  e%d ~ bernoulli(p)\n  x%d = x%d xor e%d\n", i, i, i - 1, i);
  fprintf(q.f, "}\nprint %s in chain\n", measure);
  return prog_close(&q);
}

/* I(X0; X_links) over `links` channels: the end-to-end channel is a BSC of
 * crossover (1 - (1 - 2p)^links) / 2, and X0 is uniform. */
static double chain_mi(double p, int links) { return 1 - t_h2((1 - pow(1 - 2 * p, links)) / 2); }

Test(elimination, a_chain_of_200_binary_variables_is_exact) {
  double ps[] = {0.001, 0.003, 0.01};
  for (int i = 0; i < 3; i++) {
    char *prog = bsc_chain(200, ps[i], "mi(x0; x199)");
    cr_assert_float_eq(t_number(prog), chain_mi(ps[i], 199), 1e-12, "p = %g", ps[i]);
    free(prog);
    prog = xor_chain(200, ps[i], "mi(x0; x199)");
    cr_assert_float_eq(t_number(prog), chain_mi(ps[i], 199), 1e-12, "p = %g", ps[i]);
    free(prog);
  }
}

Test(elimination, the_middle_of_a_chain_and_conditioning) {
  /* I(x50; x150) = 1 - h2 over 100 links; given x100 the ends are
   * independent (Markov); H(x199 | x0) = h2 of the 199-link crossover. */
  double p = 0.002;
  char *prog = bsc_chain(200, p, "mi(x50; x150)");
  cr_assert_float_eq(t_number(prog), chain_mi(p, 100), 1e-12);
  free(prog);
  prog = bsc_chain(200, p, "mi(x50; x150 | x100)");
  cr_assert_float_eq(t_number(prog), 0, 1e-12);
  free(prog);
  prog = bsc_chain(200, p, "entropy(x199 | x0)");
  cr_assert_float_eq(t_number(prog), t_h2((1 - pow(1 - 2 * p, 199)) / 2), 1e-12);
  free(prog);
}

/* A star: a root r ~ bernoulli(1/2) and 100 leaves, each r through its own
 * BSC of crossover p_i. I(leaf_i; leaf_j) = 1 - h2(p_i (1 - p_j) + p_j (1 - p_i)),
 * and the leaves are independent given r. */
Test(elimination, a_star_of_100_leaves) {
  Prog q;
  prog_open(&q);
  fprintf(q.f, "model star {\n  r ~ bernoulli(1/2)\n");
  for (int i = 0; i < 100; i++) fprintf(q.f, "  l%d ~ bernoulli(if r == 1 then 1 - %d/1000 else %d/1000)\n", i, i + 1, i + 1);
  fprintf(q.f, "}\nprint mi(l3; l97) in star\nprint mi(l3; l97 | r) in star\nprint entropy(l0, l1, l2) in star\n");
  char *prog = prog_close(&q);
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, prog), IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  double a = 0.004, b = 0.098;
  cr_assert_float_eq(t_value_at(out, 0), 1 - t_h2(a * (1 - b) + b * (1 - a)), 1e-12, "%s", out);
  cr_assert_float_eq(t_value_at(out, 1), 0, 1e-12, "%s", out);
  /* H(l0, l1, l2) = -sum over the 8 leaf values of p log2 p, p = (P(.|r=0) + P(.|r=1)) / 2 */
  double h = 0, eps[] = {0.001, 0.002, 0.003};
  for (int v = 0; v < 8; v++) {
    double p0 = 1, p1 = 1;
    for (int i = 0; i < 3; i++) {
      int bit = v >> i & 1;
      p0 *= bit ? eps[i] : 1 - eps[i];
      p1 *= bit ? 1 - eps[i] : eps[i];
    }
    double pv = (p0 + p1) / 2;
    h -= pv * log2(pv);
  }
  cr_assert_float_eq(t_value_at(out, 2), h, 1e-12, "%s", out);
  t_close(&r);
  free(prog);
}

/* A binary tree of 127 variables (depth 7), each child its parent through a
 * BSC of crossover p: two leaves whose paths meet at the root are 12 links
 * apart. */
Test(elimination, a_binary_tree_of_127_variables) {
  Prog q;
  double p = 0.01;
  prog_open(&q);
  fprintf(q.f, "model tree(p = %g) {\n  t1 ~ bernoulli(1/2)\n", p);
  for (int i = 2; i <= 127; i++) fprintf(q.f, "  t%d ~ bernoulli(if t%d == 1 then 1 - p else p)\n", i, i / 2);
  fprintf(q.f, "}\nprint mi(t64; t127) in tree\nprint mi(t64; t65) in tree\n");
  char *prog = prog_close(&q);
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, prog), IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert_float_eq(t_value_at(out, 0), chain_mi(p, 12), 1e-12, "%s", out);
  cr_assert_float_eq(t_value_at(out, 1), chain_mi(p, 2), 1e-12, "%s", out);
  t_close(&r);
  free(prog);
}

/* A small model measured by elimination (forced through a parameter that
 * makes its full joint large: 20 extra coins) and by full enumeration
 * (without them): the measures agree to 1e-14. */
static char *small_model(bool coins, const char *measure) {
  Prog q;
  prog_open(&q);
  fprintf(q.f, "model m {\n  a ~ categorical([1/2, 1/3, 1/6])\n  b ~ bernoulli(if a == 0 then 1/5 else 3/5)\n"
               "  c = (a + b) mod 3\n  d ~ uniform(0 .. c)\n  e ~ bernoulli(if b == d then 9/10 else 1/4)\n");
  if (coins)
    for (int i = 0; i < 20; i++) fprintf(q.f, "  z%d ~ bernoulli(1/%d)\n", i, i + 2);
  fprintf(q.f, "}\nprint %s in m\n", measure);
  return prog_close(&q);
}

Test(elimination, agrees_with_the_full_enumeration) {
  const char *measures[] = {"entropy(a)",       "entropy(e)",          "entropy(a, d, e)", "entropy(e | a)",
                            "mi(a; e)",         "mi(a; e | d)",        "mi(b, c; e | a)",  "mi(a; d)",
                            "tc(a, b, d, e)",   "entropy(c, d | b)"};
  for (size_t i = 0; i < sizeof measures / sizeof *measures; i++) {
    char *full = small_model(false, measures[i]), *elim = small_model(true, measures[i]);
    double x = t_number(full), y = t_number(elim);
    cr_assert_float_eq(x, y, 1e-14, "%s: %.17g by enumeration, %.17g by elimination", measures[i], x, y);
    free(full), free(elim);
  }
  /* the two ways are the ones compared */
  char *progs[2] = {small_model(false, "mi(a; e | d)"), small_model(true, "mi(a; e | d)")};
  for (int i = 0; i < 2; i++) {
    TRun r;
    t_open(&r, false);
    cr_assert_eq(t_explain(&r, progs[i]), IXP_OK, "%s", t_err(&r));
    const char *how = i ? "r0 = marginal of m on {a, d, e}: variable elimination" : "r0 = joint m: exact enumeration";
    cr_assert_not_null(strstr(t_out(&r), how), "%s", t_out(&r));
    t_close(&r);
    free(progs[i]);
  }
}

/* A small model is enumerated in full, so an error in a variable the
 * measure does not read is still reported. */
Test(elimination, a_small_models_errors_are_reported) {
  char *err = t_fail("model m {\n  a ~ bernoulli(1/2)\n  z ~ bernoulli(2)\n}\nprint entropy(a) in m\n", IXP_ERUNTIME, NULL);
  cr_assert_not_null(strstr(err, "t.ixp:3:7: error: p = 2 is not a probability in [0, 1]"), "%s", err);
  cr_assert_not_null(strstr(err, "note: while evaluating model 'm', needed here"), "%s", err);
  free(err);
}

Test(elimination, explain_shows_the_order_and_the_largest_factor) {
  char *prog = xor_chain(200, 0.01, "mi(x0; x199)");
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_explain(&r, prog), IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert_not_null(strstr(out, "r0 = marginal of chain on {x0, x199}: variable elimination, 4 states"), "%s", out);
  cr_assert_not_null(strstr(out, "order (397 summed out): e1 e2 x1 e3 x2 … x198"), "%s", out);
  cr_assert_not_null(strstr(out, "0 barren variables dropped, largest factor 8 entries"), "%s", out);
  t_close(&r);
  free(prog);
}

Test(elimination, barren_variables_are_dropped) {
  char *prog = bsc_chain(200, 0.01, "mi(x0; x10)");
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_explain(&r, prog), IXP_OK, "%s", t_err(&r));
  cr_assert_not_null(strstr(t_out(&r), "189 barren variables dropped"), "%s", t_out(&r));
  t_close(&r);
  cr_assert_float_eq(t_number(prog), chain_mi(0.01, 10), 1e-12);
  free(prog);
}

/* An error in a draw is reported as the enumeration reports it, and a
 * marginal whose table is too large falls back to the enumeration, which
 * refuses it before allocating. */
Test(elimination, errors_and_limits_are_the_enumerations) {
  char *prog = bsc_chain(200, 1.5, "mi(x0; x199)");
  char *err = t_fail(prog, IXP_ERUNTIME, NULL);
  cr_assert_not_null(strstr(err, "t.ixp:3:8: error: p = 1.5 is not a probability in [0, 1] when x0 = 0"), "%s", err);
  free(err);
  free(prog);
  prog = bsc_chain(200, 0.01, "entropy(x0 .. x40)");
  err = t_fail(prog, IXP_ERUNTIME, NULL);
  cr_assert_not_null(strstr(err, "joint states once"), "%s", err);
  cr_assert_not_null(strstr(err, "more than the 134217728 that exact enumeration keeps in memory"), "%s", err);
  free(err);
  free(prog);
}

/* Ctrl-C while a measure first tries the full enumeration quietly (to see
 * whether it is small) stops the run: the interrupt that attempt caught
 * is re-armed for the enumeration that follows. The sweep's points each
 * enumerate a model of 2^15 states, so most of the run is spent there. */
#include <pthread.h>
#include <time.h>

static IxpSession *ctrl_c_target;

static void *ctrl_c_later(void *arg) {
  (void)arg;
  nanosleep(&(struct timespec){0, 300000000}, NULL);
  ixp_session_interrupt(ctrl_c_target);
  return NULL;
}

Test(eliminate, an_interrupt_during_the_quiet_attempt_stops_the_run) {
  alarm(60);
  Prog p;
  prog_open(&p);
  fprintf(p.f, "model coins(q = 0.5) {\n");
  for (int i = 0; i < 15; i++) fprintf(p.f, "  c%d ~ bernoulli(q)\n", i);
  fprintf(p.f, "}\nsweep q in 0.01 .. 0.99 step 1e-5 {\n  emit entropy(c0, c1) in coins(q = q)\n}\n");
  char *text = prog_close(&p);
  TRun r;
  t_open(&r, false);
  ctrl_c_target = r.s;
  pthread_t t;
  pthread_create(&t, NULL, ctrl_c_later, NULL);
  IxpStatus st = t_run(&r, text);
  pthread_join(t, NULL);
  cr_assert_eq(st, IXP_ERUNTIME, "status %d: the run did not stop\n%s", st, t_err(&r));
  cr_assert(strstr(t_err(&r), "error: interrupted"), "%s", t_err(&r));
  t_close(&r);
  free(text);
}
