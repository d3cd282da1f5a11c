/* test_gcmi.c — the Gaussian estimators as a program uses them:
 * gaussian(bias = 1), gcmi, the multivariate measures, tables of
 * multiplets and pid on continuous data, against the closed forms of the
 * linear-Gaussian models the samples come from (ixp's exact engine). */
#include "helpers.h"
#include "pid.h"

/* The numbers a program printed, in order: on each line that ends in
 * " = NUMBER", that number (a record's title ends in ':'). */
static int numbers(const char *out, double *v, int max) {
  int n = 0;
  for (const char *line = out; *line && n < max;) {
    const char *end = strchr(line, '\n'), *eq = NULL;
    if (!end) end = line + strlen(line);
    for (const char *f = strstr(line, " = "); f && f < end; f = strstr(f + 1, " = ")) eq = f;
    char *after = NULL;
    double x = eq ? strtod(eq + 3, &after) : 0;
    if (eq && after != eq + 3 && after == end) v[n++] = x;
    line = *end ? end + 1 : end;
  }
  return n;
}

/* Run a program that must succeed; its printed numbers into v. */
static int run_numbers(const char *text, double *v, int max) {
  TRun r;
  t_open(&r, false);
  IxpStatus st = t_run(&r, text);
  cr_assert_eq(st, IXP_OK, "%s\n%s", text, t_err(&r));
  int n = numbers(t_out(&r), v, max);
  t_close(&r);
  return n;
}

/* A program that must fail with `msg` among its reports. */
static void fails_with(const char *text, const char *msg) {
  TRun r;
  t_open(&r, false);
  cr_assert_neq(t_run(&r, text), IXP_OK, "%s", text);
  cr_assert(strstr(t_err(&r), msg), "expected '%s' in:\n%s", msg, t_err(&r));
  t_close(&r);
}

/* Three unit-variance variables with correlations 0.6, 0.6, 0.36 (x1 the
 * common cause) and a monotone transform of each. */
#define CHAIN                                                   \
  "units nats\n"                                                \
  "model g {\n"                                                 \
  "  x1 ~ normal(0, 1)\n  n2 ~ normal(0, 0.8)\n  n3 ~ normal(0, 0.8)\n" \
  "  x2 = 0.6 * x1 + n2\n  x3 = 0.6 * x1 + n3\n}\n"             \
  "model m {\n"                                                 \
  "  x1 ~ normal(0, 1)\n  n2 ~ normal(0, 0.8)\n  n3 ~ normal(0, 0.8)\n" \
  "  x2 = 0.6 * x1 + n2\n  x3 = 0.6 * x1 + n3\n"                \
  "  e1 = exp(x1)\n  c2 = x2 * x2 * x2\n  t3 = tanh(x3)\n}\n"

/* gcmi on Gaussian samples gives the closed forms of mi, cmi, tc, dtc,
 * oinfo and coinfo, within 0.03 nats at N = 20000 (the estimates' sd is
 * about 0.006 here: 5 sd); the registered gaussian entry likewise for the
 * multivariate measures. */
Test(gcmi, closed_forms_on_gaussian_samples) {
  static const char *const measures[] = {"mi(x1; x2)", "mi(x1; x2 | x3)", "mi(x2; x3 | x1)", "tc(x1, x2, x3)",
                                         "dtc(x1, x2, x3)", "oinfo(x1, x2, x3)", "coinfo(x1, x2, x3)", "tc(x1; x2, x3)"};
  char prog[4096];
  int at = snprintf(prog, sizeof prog, "%s" "data d = sample(m, 20000)\n", CHAIN);
  for (size_t i = 0; i < sizeof measures / sizeof *measures; i++)
    at += snprintf(prog + at, sizeof prog - (size_t)at, "print %s in g\nprint %s in d using gcmi\nprint %s in d using "
                   "gaussian(bias = 1)\n", measures[i], measures[i], measures[i]);
  double v[64];
  cr_assert_eq(run_numbers(prog, v, 64), 24);
  for (int i = 0; i < 8; i++) {
    cr_assert(fabs(v[3 * i + 1] - v[3 * i]) < 0.03, "%s: gcmi %g, exact %g", measures[i], v[3 * i + 1], v[3 * i]);
    cr_assert(fabs(v[3 * i + 2] - v[3 * i]) < 0.03, "%s: gaussian %g, exact %g", measures[i], v[3 * i + 2], v[3 * i]);
  }
  cr_assert(v[5 * 3] > 0.05);                         /* a common cause: redundancy */
  cr_assert(fabs(v[2 * 3]) < 1e-12);                  /* x2 and x3 are independent given x1 */
  cr_assert(fabs(v[5 * 3] - v[6 * 3]) < 1e-12);       /* three variables: oinfo = coinfo */
}

/* gcmi does not see strictly increasing maps of a column: exp, cube and
 * tanh of the columns give the same numbers bit for bit (printed to 17
 * digits), while the Gaussian estimate on the transformed columns is far
 * off. */
Test(gcmi, invariant_under_monotone_maps) {
  char prog[4096];
  snprintf(prog, sizeof prog, "%s" "data d = sample(m, 3000)\n"
           "print mi(x1; x2) in d using gcmi\nprint mi(e1; c2) in d using gcmi\n"
           "print mi(x1; x2 | x3) in d using gcmi\nprint mi(e1; c2 | t3) in d using gcmi\n"
           "print oinfo(x1, x2, x3) in d using gcmi\nprint oinfo(e1, c2, t3) in d using gcmi\n"
           "print mi(e1; c2) in d using gaussian\nprint mi(x1; x2) in g\n", CHAIN);
  double v[8];
  cr_assert_eq(run_numbers(prog, v, 8), 8);
  for (int i = 0; i < 3; i++) cr_assert_eq(v[2 * i], v[2 * i + 1], "pair %d: %.17g vs %.17g", i, v[2 * i], v[2 * i + 1]);
  cr_assert(fabs(v[6] - v[7]) > 0.1, "gaussian on transformed columns %g, exact %g", v[6], v[7]);
}

/* gaussian(bias = 1) on 25 x 25 at N = 5000: X and Y in 25 pairs of
 * correlation 0.3, I = -25/2 log(0.91) = 1.17894 nats. Over 4 samples the
 * corrected mean is within 0.03 (sd of the mean about 0.011); the
 * uncorrected mean is off by about d_x d_y / (2N) = 0.0625. With local
 * values and stderr the correction carries over: the local values' mean
 * is the estimate. */
Test(gcmi, gaussian_bias_25x25) {
  const char *prog = "units nats\nmodel v {\n  x[25] ~ normal(0, 1)\n  e[25] ~ normal(0, 1)\n"
                     "  y[25] = 0.3 * x + 0.9539392014169456 * e\n}\n"
                     "data d1 = sample(v, 5000)\ndata d2 = sample(v, 5000)\ndata d3 = sample(v, 5000)\n"
                     "data d4 = sample(v, 5000)\n"
                     "print mi(x; y) in d1 using gaussian(bias = 1)\nprint mi(x; y) in d2 using gaussian(bias = 1)\n"
                     "print mi(x; y) in d3 using gaussian(bias = 1)\nprint mi(x; y) in d4 using gaussian(bias = 1)\n"
                     "print mi(x; y) in d1 using gaussian\nprint mi(x; y) in d2 using gaussian\n"
                     "print mi(x; y) in d3 using gaussian\nprint mi(x; y) in d4 using gaussian\n"
                     "print mean(local mi(x; y) in d1 using gaussian(bias = 1))\n"
                     "print mi(x; y) in v\n";
  double v[10];
  cr_assert_eq(run_numbers(prog, v, 10), 10);
  double truth = -12.5 * log(0.91), fixed = (v[0] + v[1] + v[2] + v[3]) / 4, raw = (v[4] + v[5] + v[6] + v[7]) / 4;
  cr_assert_float_eq(v[9], truth, 1e-10);
  cr_assert(fabs(fixed - truth) < 0.03, "corrected mean %g, truth %g", fixed, truth);
  cr_assert(fabs(raw - fixed - 0.0625) < 0.002, "uncorrected %g, corrected %g", raw, fixed);
  cr_assert_float_eq(v[8], v[0], 1e-9);
}

/* A table of multiplets: each value equals the measure of that multiplet
 * computed alone by the registered estimator (its own covariance and
 * factorisations); rows sorted largest first. Five variables: x0, x1, x2
 * share a cause, x3 and x4 a pair. */
Test(gcmi, multiplet_table_matches_single_measures) {
  const char *prog = "units nats\nmodel m {\n  z ~ normal(0, 1)\n  n0 ~ normal(0, 1)\n  n1 ~ normal(0, 1)\n"
                     "  n2 ~ normal(0, 1)\n  n3 ~ normal(0, 1)\n  n4 ~ normal(0, 1)\n"
                     "  x0 = z + n0\n  x1 = z + n1\n  x2 = z + n2\n  x3 = n3\n  x4 = n3 + n4\n}\n"
                     "data d = sample(m, 4000)\n"
                     "let t = oinfo(x0 .. x4, order = 3 .. 4) in d using gcmi\n"
                     "print t\n";
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, prog), IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert(strstr(out, "oinfo of 15 multiplets, largest first (1 = x0, 2 = x1, 3 = x2, 4 = x3, 5 = x4)"), "%s", out);
  /* rows: order v1 v2 v3 v4 oinfo */
  const char *line = strstr(out, "oinfo\n");
  cr_assert_not_null(line);
  line += 6;
  char check[8192];
  int at = snprintf(check, sizeof check, "%s", strstr(prog, "units"));
  char *cut = strstr(check, "let t");
  at = (int)(cut - check);
  double prev = INFINITY, table[15];
  for (int k = 0; k < 15; k++) {
    int order, v[4];
    double val;
    cr_assert_eq(sscanf(line, "%d %d %d %d %d %lf", &order, &v[0], &v[1], &v[2], &v[3], &val), 6, "%s", line);
    cr_assert(val <= prev);
    prev = val, table[k] = val;
    at += snprintf(check + at, sizeof check - (size_t)at, "print oinfo(x%d, x%d, x%d%s", v[0] - 1, v[1] - 1, v[2] - 1,
                   order == 4 ? "" : ") in d using gcmi\n");
    if (order == 4) at += snprintf(check + at, sizeof check - (size_t)at, ", x%d) in d using gcmi\n", v[3] - 1);
    line = strchr(line, '\n') + 1;
  }
  t_close(&r);
  double single[15];
  cr_assert_eq(run_numbers(check, single, 15), 15);
  for (int k = 0; k < 15; k++) cr_assert(fabs(single[k] - table[k]) < 1e-9, "row %d: %.12g vs %.12g", k, table[k], single[k]);
  cr_assert(table[0] > 0.05);  /* {x0, x1, x2}: a common cause */
}

/* pid on continuous data: the Gaussian MMI atoms of a sample are within
 * 0.02 nats of the exact Gaussian model's closed form (N = 20000), BROJA
 * equals MMI for a scalar target, gcmi agrees, and three sources' atoms
 * add up to I(X1, X2, X3; Y). */
Test(gcmi, pid_gaussian_mmi) {
  const char *prog = "units nats\nmodel g {\n  x1 ~ normal(0, 1)\n  u ~ normal(0, 1)\n  x2 = 0.5 * x1 + u\n"
                     "  e ~ normal(0, 1)\n  y = x1 + 0.7 * x2 + e\n  f ~ normal(0, 1)\n  x3 = x1 + f\n}\n"
                     "data d = sample(g, 20000)\n"
                     "print pid(x1, x2 -> y) in g using immi\n"
                     "print pid(x1, x2 -> y) in d using gaussian\n"
                     "print pid(x1, x2 -> y, measure = broja) in d using gaussian\n"
                     "print pid(x1, x2 -> y) in d using gcmi\n"
                     "print pid(x1, x2, x3 -> y) in d using gaussian(bias = 1)\n"
                     "print mi(x1, x2, x3; y) in d using gaussian(bias = 1)\n";
  double v[64];
  cr_assert_eq(run_numbers(prog, v, 64), 4 * 4 + 18 + 1);
  for (int a = 0; a < 4; a++) {
    cr_assert(fabs(v[4 + a] - v[a]) < 0.02, "atom %d: %g vs exact %g", a, v[4 + a], v[a]);
    cr_assert_eq(v[8 + a], v[4 + a]);
    cr_assert(fabs(v[12 + a] - v[a]) < 0.02, "gcmi atom %d: %g vs exact %g", a, v[12 + a], v[a]);
  }
  double sum = 0;
  for (int a = 0; a < 18; a++) sum += v[16 + a];
  cr_assert(fabs(sum - v[34]) < 1e-10, "atoms %.15g, mi %.15g", sum, v[34]);
}

/* Misuse gets a message that says what to write. */
Test(gcmi, errors) {
  const char *data = "model m {\n  x ~ normal(0, 1)\n  y ~ normal(0, 1)\n  z ~ normal(0, 1)\n}\ndata d = sample(m, 100)\n";
  char prog[1024];
  struct {
    const char *line, *msg;
  } cases[] = {
      {"print entropy(x) in d using gcmi", "gcmi does not estimate entropy"},
      {"print mi(x; y) in d using gcmi(k = 3)", "this estimator takes bias = 0 | 1"},
      {"print mi(x; y) in d using gaussian(bias = 2)", "bias is a whole number from 0 to 1"},
      {"print oinfo(x, y, z, order = 2) in d using gcmi", "the O-information of a pair is 0"},
      {"print tc(x, y, z, order = 3) in d using ksg", "using gaussian or gcmi"},
      {"print tc(x, y, z, order = 3) in m", "order = lo .. hi measures every multiplet"},
      {"print tc(x, y, z) in m using gcmi", "is measured exactly"},
      {"print pid(x, y -> z) in d using immi", "pid on continuous columns is estimated with gaussian or gcmi"},
      {"print pid(x, y -> z, measure = isx) in d using gaussian", "the measure is immi or broja"},
      {"print pid(x, y, z -> x) in d using gaussian", "a variable is in two of pid's groups"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    snprintf(prog, sizeof prog, "%s%s\n", data, cases[i].line);
    fails_with(prog, cases[i].msg);
  }
}

/* ixp_pid_mmi from the informations alone: two sources with I(S1; T) =
 * 0.3, I(S2; T) = 0.5, I(S1, S2; T) = 0.9 give redundancy 0.3, unique
 * 0 and 0.2, synergy 0.4; an inconsistent input (NaN) is refused. */
Test(gcmi, pid_mmi_kernel) {
  IxpPidLattice *l;
  cr_assert_eq(ixp_pid_lattice(2, &l), IXP_PID_OK);
  double mi[4] = {0, 0.3, 0.5, 0.9}, atoms[4], want[4] = {0.3, 0, 0.2, 0.4};  /* {1}{2}, {1}, {2}, {12} */
  cr_assert_eq(ixp_pid_mmi(l, mi, atoms), IXP_PID_OK);
  for (int a = 0; a < 4; a++) cr_assert_float_eq(atoms[a], want[a], 1e-15, "atom %d", a);
  mi[3] = NAN;
  cr_assert_eq(ixp_pid_mmi(l, mi, atoms), IXP_PID_EINPUT);
  ixp_pid_lattice_free(l);
}
