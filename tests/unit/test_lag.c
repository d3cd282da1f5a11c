/* test_lag.c — lagged measure arguments, lag views of datasets, trials,
 * and the time measures (te, ais, entropy_rate, predictive_info, di) on
 * data, against hand-made columns and closed forms. */
#include <stdint.h>

#include "dataset.h"
#include "helpers.h"
#include "lagview.h"

static char dir[256];

static void setup(void) { t_tmpdir_make(dir, sizeof dir, "ixp_lag"); }
static void teardown(void) { t_tmpdir_remove(dir); }

TestSuite(lag, .init = setup, .fini = teardown);

/* ------------------------------------------------------------ series */

/* A seeded stream of standard normals (splitmix64, Box-Muller): the test
 * makes its own series, independent of ixp's generators. */
typedef struct {
  uint64_t s;
} Gen;

static double uniform(Gen *g) {
  uint64_t z = (g->s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(Gen *g) { return sqrt(-2 * log(uniform(g))) * cos(2 * M_PI * uniform(g)); }

/* trials x steps of y[t] = a y[t-1] + e, x[t] = b x[t-1] + c y[t-1] + e'
 * (unit noises, 200 steps of burn-in), as trial,x,y rows. */
static const char *write_coupled(const char *name, int trials, int steps, double a, double b, double c) {
  const char *path = t_path_in(dir, name);
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  Gen g = {12345};
  fputs("trial,x,y\n", f);
  for (int k = 0; k < trials; k++) {
    double x = 0, y = 0;
    for (int t = -200; t < steps; t++) {
      double nx = b * x + c * y + normal(&g), ny = a * y + normal(&g);
      x = nx, y = ny;
      if (t >= 0) fprintf(f, "%d,%.17g,%.17g\n", k, x, y);
    }
  }
  fclose(f);
  return path;
}

/* te(y -> x) with k = l = 1 of that pair, in nats, from its stationary
 * covariance. */
static double coupled_te(double a, double b, double c) {
  double syy = 1 / (1 - a * a), sxy = a * c * syy / (1 - a * b);
  double sxx = (2 * b * c * sxy + c * c * syy + 1) / (1 - b * b), lag1 = b * sxx + c * sxy;
  return 0.5 * log(sxx - lag1 * lag1 / sxx);
}

static char program[4096];

/* ------------------------------------------------------------ lag views */

/* A 2-column dataset of rows 0 .. n-1: x = 10 i, y = 10 i + 1. */
static IxpDataset *counting(long n, const long *trials, int ntrials) {
  static const char *const names[] = {"x", "y"};
  static const bool real[] = {true, true};
  IxpDataset *d = ixp_dataset_new_numeric(n, 2, names, real);
  cr_assert_not_null(d);
  for (long i = 0; i < n; i++) d->cols[0].value[i] = 10.0 * (double)i, d->cols[1].value[i] = 10.0 * (double)i + 1;
  if (trials) {
    d->trial_start = malloc((size_t)(ntrials + 1) * sizeof *d->trial_start);
    memcpy(d->trial_start, trials, (size_t)(ntrials + 1) * sizeof *trials);
    d->ntrials = ntrials;
  }
  return d;
}

Test(lag, view_of_one_series_borrows_the_columns_at_their_lags) {
  IxpDataset *d = counting(10, NULL, 0);
  IxpLag cols[] = {{0, 0}, {1, 2}, {0, -1}};  /* x[t], y[t-2], x[t+1] */
  const char *names[] = {"x[t]", "y[t-2]", "x[t+1]"};
  char err[256];
  IxpDataset *v = ixp_lagview_build(d, "d", cols, 3, names, err, sizeof err);
  cr_assert_not_null(v, "%s", err);
  cr_assert_eq(v->nrows, 7);  /* t = 2 .. 8 */
  cr_assert_null(v->trial_start);
  for (long r = 0; r < v->nrows; r++) {
    long t = r + 2;
    cr_assert_eq(v->cols[0].value[r], 10.0 * (double)t);
    cr_assert_eq(v->cols[1].value[r], 10.0 * (double)(t - 2) + 1);
    cr_assert_eq(v->cols[2].value[r], 10.0 * (double)(t + 1));
  }
  cr_assert(v->cols[0].borrowed);
  cr_assert_eq(v->cols[1].value, d->cols[1].value);  /* no copy: a window into the source */
  cr_assert_str_eq(v->cols[1].name, "y[t-2]");
  ixp_dataset_free(v);  /* frees only the view's own arrays; the source stays whole */
  cr_assert_eq(d->cols[1].value[9], 91.0);
  ixp_dataset_free(d);
}

Test(lag, view_of_trials_gathers_rows_within_each_trial) {
  long trials[] = {0, 4, 10, 13};
  IxpDataset *d = counting(13, trials, 3);
  IxpLag cols[] = {{0, 0}, {0, 1}};
  const char *names[] = {"x[t]", "x[t-1]"};
  char err[256];
  IxpDataset *v = ixp_lagview_build(d, "d", cols, 2, names, err, sizeof err);
  cr_assert_not_null(v, "%s", err);
  cr_assert_eq(v->nrows, 3 + 5 + 2);
  cr_assert_eq(v->ntrials, 3);
  long want_start[] = {0, 3, 8, 10};
  for (int k = 0; k <= 3; k++) cr_assert_eq(v->trial_start[k], want_start[k]);
  /* Hand-made: the t of every row, trial by trial, never a trial's first row. */
  long t_of[] = {1, 2, 3, 5, 6, 7, 8, 9, 11, 12};
  for (long r = 0; r < v->nrows; r++) {
    cr_assert_eq(v->cols[0].value[r], 10.0 * (double)t_of[r]);
    cr_assert_eq(v->cols[1].value[r], 10.0 * (double)(t_of[r] - 1), "row %ld pairs across a trial", r);
  }
  cr_assert_not(v->cols[0].borrowed);
  ixp_dataset_free(v);
  ixp_dataset_free(d);
}

Test(lag, a_trial_shorter_than_the_lags_is_an_error_naming_it) {
  long trials[] = {0, 5, 7, 12};
  IxpDataset *d = counting(12, trials, 3);
  IxpLag cols[] = {{0, 0}, {0, 3}};
  const char *names[] = {"x[t]", "x[t-3]"};
  char err[256];
  cr_assert_null(ixp_lagview_build(d, "d", cols, 2, names, err, sizeof err));
  cr_assert_str_eq(err, "dataset 'd': trial 2 has 2 rows, shorter than the 4 time steps these lags span (3 back, 0 ahead)");
  ixp_dataset_free(d);
  IxpDataset *one = counting(3, NULL, 0);
  cr_assert_null(ixp_lagview_build(one, "d", cols, 2, names, err, sizeof err));
  cr_assert_str_eq(err, "dataset 'd' has 3 rows, but these lags span 4 time steps (3 back, 0 ahead)");
  ixp_dataset_free(one);
}

/* -------------------------------------------------------- measures on data */

Test(lag, te_is_the_conditional_mi_it_names_bit_for_bit) {
  const char *path = write_coupled("pair.csv", 3, 700, 0.7, 0.5, 0.6);
  const char *how[] = {"gaussian", "ksg", "ksg(k = 3)", "plugin(bins = 4)", "miller_madow(bins = 3, binning = quantile)"};
  for (size_t i = 0; i < sizeof how / sizeof *how; i++) {
    snprintf(program, sizeof program,
             "data d = csv(\"%s\", trials = \"trial\")\n"
             "print mi(x[t]; y[t-1] | x[t-1]) in d using %s\n"
             "print te(y -> x) in d using %s\n"
             "print mi(x[t]; y[t-2], y[t-4] | x[t-1 .. t-3 step 2]) in d using %s\n"
             "print te(y -> x, k = 2, l = 2, tau = 2, delay = 2) in d using %s\n",
             path, how[i], how[i], how[i], how[i]);
    double x[4];
    cr_assert_eq(t_numbers(program, x, 4), 4);
    cr_assert_eq(x[0], x[1], "%s: %.17g != %.17g", how[i], x[0], x[1]);
    cr_assert_eq(x[2], x[3], "%s: %.17g != %.17g", how[i], x[2], x[3]);
    cr_assert_gt(x[0], 0.05, "%s", how[i]);
  }
}

Test(lag, te_of_a_linear_gaussian_pair_meets_its_closed_form) {
  const char *path = write_coupled("long.csv", 10, 2000, 0.7, 0.5, 0.6);
  double exact = coupled_te(0.7, 0.5, 0.6), x[4];
  snprintf(program, sizeof program,
           "units nats\ndata d = csv(\"%s\", trials = \"trial\")\n"
           "print te(y -> x) in d using gaussian\nprint te(y -> x) in d using ksg\n"
           "print te(x -> y) in d using gaussian\nprint te(y -> x, k = 3) in d using gaussian\n",
           path);
  cr_assert_eq(t_numbers(program, x, 4), 4);
  /* 19990 pairs: the Gaussian estimate's standard error is about 0.005
   * nats, so 0.02 is four of them; kNN adds a small bias. */
  cr_assert(fabs(x[0] - exact) < 0.02, "gaussian %g, exact %g", x[0], exact);
  cr_assert(fabs(x[1] - exact) < 0.03, "ksg %g, exact %g", x[1], exact);
  cr_assert(fabs(x[2]) < 0.005, "no transfer from x to y: %g", x[2]);
  /* x is not Markov on its own, but with y[t-1] given, x[t-1] screens off
   * x[t-2] and x[t-3]: the longer history changes te only by estimation. */
  cr_assert(fabs(x[3] - exact) < 0.02, "k = 3: %g", x[3]);
}

/* A binary Markov chain P(1|1) = p11, P(1|0) = p01, trials x steps. */
static const char *write_chain(const char *name, int trials, int steps, double p11, double p01) {
  const char *path = t_path_in(dir, name);
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  Gen g = {777};
  double pi1 = p01 / (p01 + 1 - p11);
  fputs("trial,s\n", f);
  for (int k = 0; k < trials; k++) {
    int s = uniform(&g) < pi1;
    for (int t = 0; t < steps; t++) {
      fprintf(f, "%d,%d\n", k, s);
      s = uniform(&g) < (s ? p11 : p01);
    }
  }
  fclose(f);
  return path;
}

Test(lag, entropy_rate_and_ais_of_a_markov_chain_meet_the_closed_form) {
  const char *path = write_chain("chain.csv", 4, 5000, 0.9, 0.2);
  double pi1 = 2.0 / 3, rate = (1 - pi1) * t_h2(0.2) + pi1 * t_h2(0.9), x[5];  /* bits: -sum pi P log P */
  snprintf(program, sizeof program,
           "data c = csv(\"%s\", trials = \"trial\")\n"
           "print entropy_rate(s, k = 1) in c\nprint entropy_rate(s, k = 3) in c\nprint ais(s) in c\n"
           "print predictive_info(s, k = 1) in c\nprint entropy(s[t] | s[t-1]) in c using miller_madow\n",
           path);
  cr_assert_eq(t_numbers(program, x, 5), 5);
  /* 19996 transitions: the plug-in's standard error is about 0.005 bits. */
  cr_assert(fabs(x[0] - rate) < 0.02, "rate %g, exact %g", x[0], rate);
  cr_assert(fabs(x[1] - rate) < 0.02, "k = 3 (the chain is Markov): %g", x[1]);
  cr_assert(fabs(x[2] - (t_h2(pi1) - rate)) < 0.02, "ais %g, exact %g", x[2], t_h2(pi1) - rate);
  cr_assert(fabs(x[3] - x[2]) < 0.002, "k = 1: predictive information is ais on shifted rows");
  cr_assert(fabs(x[4] - rate) < 0.02);
}

Test(lag, trials_never_pair_across_their_boundaries) {
  /* Each trial is 0 then 1: within trials x[t-1] = 0 always, so nothing is
   * shared; read as one series the pairs (1, 0) would make it 1 bit. */
  const char *path = t_path_in(dir, "alt.csv");
  FILE *f = fopen(path, "w");
  fputs("trial,x\n", f);
  for (int k = 0; k < 50; k++) fprintf(f, "%d,0\n%d,1\n", k, k);
  fclose(f);
  snprintf(program, sizeof program,
           "data d = csv(\"%s\", trials = \"trial\")\ndata one = csv(\"%s\")\n"
           "print mi(x[t]; x[t-1]) in d\nprint entropy(x[t-1]) in d\nprint mi(x[t]; x[t-1]) in one\n", path, path);
  double x[3];
  cr_assert_eq(t_numbers(program, x, 3), 3);
  cr_assert_eq(x[0], 0);
  cr_assert_eq(x[1], 0);
  cr_assert(fabs(x[2] - 1) < 0.02, "as one series: %g", x[2]);
}

Test(lag, a_view_follows_its_source_rows_through_a_sweep) {
  for (int k = 0; k < 2; k++) {
    char name[32];
    snprintf(name, sizeof name, "s%d.csv", k);
    FILE *f = fopen(t_path_in(dir, name), "w");
    fputs("x\n", f);
    for (int i = 0; i < 40 * (k + 1); i++) fprintf(f, "%d\n", k == 0 ? i % 2 : (i / 2) % 2);
    fclose(f);
  }
  /* s0 alternates (x[t-1] tells x[t]: 1 bit); s1 is 0 0 1 1 ...: half a bit
   * less each pair ... measured on the rows of each pass. */
  snprintf(program, sizeof program,
           "sweep k in [0, 1] {\n  data d = csv(\"%s/s{k}.csv\")\n  print mi(x[t]; x[t-1]) in d\n"
           "  print entropy(x[t], x[t-1], x[t-2]) in d\n}\n", dir);
  double x[4];
  cr_assert_eq(t_numbers(program, x, 4), 4);
  cr_assert(fabs(x[0] - t_h2(20.0 / 39)) < 1e-12, "alternating: x[t-1] tells x[t], all of H(x[t-1]) on 39 rows: %g", x[0]);
  cr_assert(fabs(x[1] - 1) < 1e-12, "two patterns of three");
  cr_assert(x[2] < 0.2, "0 0 1 1: x[t-1] alone says little: %g", x[2]);
  cr_assert(fabs(x[3] - 2) < 0.05, "four patterns of three: %g", x[3]);
}

Test(lag, vector_groups_embed_every_component) {
  /* h[0], h[1] of a sample, measured as a group at a lag equals naming
   * its components. */
  const char *prog =
      "seed 3\nmodel m {\n  h[2] ~ normal(0, 1)\n  y ~ normal(0, 1)\n}\ndata d = sample(m, 500)\n"
      "print mi(y[t]; h[t-1]) in d using gaussian\nprint te(h -> y) in d using gaussian\n";
  double x[2];
  cr_assert_eq(t_numbers(prog, x, 2), 2);
  cr_assert(x[0] >= 0 && x[0] < 0.05, "independent draws: %g", x[0]);
  cr_assert(x[1] >= 0 && x[1] < 0.05);
}

Test(lag, di_of_one_step_is_the_mi_of_the_same_time) {
  const char *path = write_coupled("di.csv", 2, 500, 0.7, 0.5, 0.6);
  snprintf(program, sizeof program,
           "data d = csv(\"%s\", trials = \"trial\")\nprint di(y -> x, n = 1) in d using gaussian\n"
           "print mi(y[t]; x[t]) in d using gaussian\n"
           "print di(y -> x, n = 2) in d using gaussian\n"
           "print mi(y[t-1]; x[t-1]) in d using gaussian\n"
           "print mi(y[t-1], y[t]; x[t] | x[t-1]) in d using gaussian\n",
           path);
  double x[5];
  cr_assert_eq(t_numbers(program, x, 5), 5);
  cr_assert_eq(x[0], x[1]);
  /* n = 2: I(y1; x1) + I(y1, y2; x2 | x1) on the same rows (all of them: the window is 2 steps). */
  cr_assert(fabs(x[2] - (x[3] + x[4])) < 1e-12, "%.17g vs %.17g", x[2], x[3] + x[4]);
}

Test(lag, npy_3d_arrays_are_trials) {
  /* 2 trials x 3 steps x 1 variable: 0 1 2 | 10 11 12 */
  const char *path = t_path_in(dir, "tri.npy");
  FILE *f = fopen(path, "wb");
  char header[128];
  int len = snprintf(header, sizeof header, "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3, 1), }");
  int pad = 64 - (10 + len + 1) % 64;
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  uint16_t hl = (uint16_t)(len + pad + 1);
  fwrite(&hl, 2, 1, f);
  fwrite(header, 1, (size_t)len, f);
  for (int i = 0; i < pad; i++) fputc(' ', f);
  fputc('\n', f);
  int64_t v[] = {0, 1, 2, 10, 11, 12};  /* integers: discrete columns */
  fwrite(v, sizeof *v, 6, f);
  fclose(f);
  IxpDataset *d = NULL;
  IxpDataError err;
  cr_assert(ixp_npy_load(path, "a", &d, &err), "%s", err.message);
  cr_assert_eq(d->nrows, 6);
  cr_assert_eq(d->ntrials, 2);
  cr_assert_eq(d->trial_start[1], 3);
  cr_assert_str_eq(d->cols[0].name, "a[0]");
  ixp_dataset_free(d);
  /* The pairs (x[t-1], x[t]) are (0,1), (1,2), (10,11), (11,12): never (2, 10). */
  snprintf(program, sizeof program, "data a = npy(\"%s\")\nprint mean(a[0]) in a\nprint entropy(a[t-1]) in a\n"
           "print mi(a[t]; a[t-1]) in a\n", path);
  double x[3];
  cr_assert_eq(t_numbers(program, x, 3), 3);
  cr_assert_eq(x[1], 2);
  cr_assert_eq(x[2], 2);
}

Test(lag, csv_trials_must_be_consecutive) {
  const char *path = t_path_in(dir, "bad.csv");
  t_write_text(path, "trial,x\n1,0\n1,1\n2,0\n1,1\n");
  IxpCsvOptions opt = {.trials = "trial"};
  IxpDataset *d = NULL;
  IxpDataError err;
  cr_assert_not(ixp_csv_load(path, &opt, &d, &err));
  cr_assert(strstr(err.message, "row 5: trial 1 comes back after another trial"), "%s", err.message);
  cr_assert_eq(err.row, 5);
  cr_assert_eq(err.col, 1);
  t_write_text(path, "x,trial\n0,a\n1,a\n0,b\n");
  cr_assert(ixp_csv_load(path, &opt, &d, &err), "%s", err.message);
  cr_assert_eq(d->ncols, 1);  /* the trial column is not a variable */
  cr_assert_eq(d->ntrials, 2);
  cr_assert_eq(d->trial_start[1], 2);
  ixp_dataset_free(d);
}

Test(lag, a_delay_search_finds_the_coupling_delay) {
  const char *path = write_coupled("delay.csv", 2, 800, 0.7, 0.5, 0.6);
  snprintf(program, sizeof program,
           "data d = csv(\"%s\", trials = \"trial\")\nlet r = te(y -> x, delay = 1 .. 3) in d using gaussian\n"
           "print r.value\nprint r.delay\n",
           path);
  double x[2];
  cr_assert_eq(t_numbers(program, x, 2), 2);
  cr_assert_eq(x[1], 1, "y drives x at delay 1");
  cr_assert_gt(x[0], 0.1);
}

/* ------------------------------------------------------------ processes */

Test(lag, te_of_a_var_process_is_its_closed_form_exactly) {
  double x[6];
  snprintf(program, sizeof program,
           "units nats\nprocess v {\n  x[t] ~ normal(0.5 * x[t-1] + 0.6 * y[t-1], 1)\n  y[t] ~ normal(0.7 * y[t-1], 1)\n}\n"
           "print te(y -> x) in v\nprint te(x -> y) in v\nprint mi(x[t]; y[t-1] | x[t-1]) in v\n"
           "print ais(y, k = 2) in v\nprint entropy_rate(y) in v\nprint te(y -> x, delay = 2) in v\n");
  cr_assert_eq(t_numbers(program, x, 6), 6);
  double exact = coupled_te(0.7, 0.5, 0.6);
  cr_assert(fabs(x[0] - exact) < 1e-12, "%.17g vs %.17g", x[0], exact);
  cr_assert_eq(x[1], 0);
  cr_assert_eq(x[0], x[2], "te is the mi it names, on the process's window too");
  cr_assert(fabs(x[3] + 0.5 * log(1 - 0.49)) < 1e-12, "AR(1) storage: %.17g", x[3]);
  cr_assert(fabs(x[4] - 0.5 * log(2 * M_PI * M_E)) < 1e-9, "y's rate is its noise's: %.17g", x[4]);
  /* delay 2: y[t-2] says about x[t] given x[t-1] only through y[t-1]. */
  cr_assert(x[5] > 0 && x[5] < x[0], "%g", x[5]);
}

Test(lag, entropy_rate_and_ais_of_a_markov_chain_process_are_exact) {
  double x[5];
  const char *prog = "process chain {\n  s[t] ~ bernoulli(if s[t-1] == 1 then 0.9 else 0.2)\n}\n"
                     "print entropy_rate(s) in chain\nprint entropy_rate(s, k = 1) in chain\n"
                     "print entropy_rate(s, k = 3) in chain\nprint ais(s) in chain\nprint predictive_info(s, k = 2) in chain\n";
  cr_assert_eq(t_numbers(prog, x, 5), 5);
  double pi1 = 2.0 / 3, rate = (1 - pi1) * t_h2(0.2) + pi1 * t_h2(0.9);
  for (int i = 0; i < 3; i++) cr_assert(fabs(x[i] - rate) < 1e-12, "rate %d: %.17g vs %.17g", i, x[i], rate);
  cr_assert(fabs(x[3] - (t_h2(pi1) - rate)) < 1e-12, "ais %.17g", x[3]);
  cr_assert(fabs(x[4] - x[3]) < 1e-12, "a first-order chain: its past's information about its future is ais");
}

Test(lag, conditional_and_vector_te_are_the_mi_they_name) {
  const char *prog =
      "seed 5\nmodel m {\n  h[2] ~ normal(0, 1)\n  y ~ normal(h[0] + h[1], 1)\n  z ~ normal(y, 1)\n}\n"
      "data d = sample(m, 800)\n"
      "print te(y -> z | h) in d using gaussian\nprint mi(z[t]; y[t-1] | z[t-1], h[t-1]) in d using gaussian\n"
      "print te(h -> y) in d using ksg\nprint mi(y[t]; h[t-1] | y[t-1]) in d using ksg\n"
      "print te(y, h -> z, k = 0) in d using gaussian\nprint mi(z[t]; y[t-1], h[t-1]) in d using gaussian\n";
  double x[6];
  cr_assert_eq(t_numbers(prog, x, 6), 6);
  for (int i = 0; i < 6; i += 2) cr_assert_eq(x[i], x[i + 1], "pair %d: %.17g vs %.17g", i / 2, x[i], x[i + 1]);
}
