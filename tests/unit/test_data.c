/* test_data.c — datasets through the language (interp/data.c): rows kept
 * as columns whatever their origin (file, sample, map), the joint built
 * from them only when a plug-in measure asks, and .npy files whose header
 * alone is read by the checker, their values before anything runs.
 *
 * Files are written into a fresh temporary directory (removed afterwards)
 * and named by absolute paths; sessions run from the project root (the
 * extern test library is build/ffi_testlib.so). */
#include <dirent.h>
#include <unistd.h>

#include "data.h"
#include "helpers.h"
#include "parse.h"

static char tdir[64];

static void setup(void) { t_tmpdir_make(tdir, sizeof tdir, "ixp_data"); }

static void teardown(void) { t_tmpdir_remove(tdir); }

TestSuite(data, .init = setup, .fini = teardown);

static char *tpath(const char *name) { return t_path_in(tdir, name); }

/* A .npy file (format 1.0) of little-endian 8-byte elements; its path. */
static const char *npy_file(const char *name, const char *descr, int rows, int cols, const uint64_t *bits) {
  char dict[128];
  snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }", descr, rows, cols);
  size_t hlen = strlen(dict) + 1;
  hlen += (64 - (10 + hlen) % 64) % 64;
  const char *p = tpath(name);
  FILE *f = fopen(p, "wb");
  cr_assert_not_null(f);
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)hlen, (unsigned char)(hlen >> 8)};
  fwrite(pre, 1, 10, f);
  fprintf(f, "%-*s\n", (int)hlen - 1, dict);
  for (int k = 0; k < rows * cols; k++)
    for (int b = 0; b < 8; b++) fputc((int)(bits[k] >> (8 * b) & 0xff), f);
  cr_assert_eq(fclose(f), 0);
  return p;
}

/* The dataset called `name` in the session. */
static IxpModelDef *dataset(TRun *r, const char *name) {
  const IxpSymbol *sym = ixp_lookup(r->s, name);
  cr_assert(sym && sym->kind == SYM_MODEL && sym->model->data, "no dataset '%s'", name);
  return sym->model;
}

/* Every column of m equals, bit for bit, the joint's decoding of it: the
 * numbers an estimator reads are those a plug-in measure counts. */
static void columns_match_joint(TRun *r, IxpModelDef *m) {
  IxpSpan use = {0, 0};
  IxpJoint *j = ixp_data_joint(r->s, m, 0, 0, use);
  cr_assert_eq(j->n, ixp_data_rows_count(r->s, m, use));
  for (int v = 0; v < m->nvars; v++) {
    const double *x = ixp_data_column(r->s, m, v, use);
    for (size_t i = 0; i < j->n; i++) {
      double want = j->alpha[v].values[j->code[v][i]];
      cr_assert(!memcmp(&x[i], &want, sizeof want), "'%s' row %zu: %.17g, the joint says %.17g", m->vars[v].name, i,
                x[i], want);
    }
  }
}

Test(data, a_sample_is_columns_until_a_joint_is_asked_for) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "seed 5\nmodel m {\n  x ~ normal(0, 1)\n  s ~ bernoulli(0.5)\n  z = x * 0\n  y = s * x\n}\n"
                         "data d = sample(m, 400)\n"),
               IXP_OK, "%s", t_err(&r));
  IxpModelDef *m = dataset(&r, "d");
  cr_assert_not_null(m->data->set);
  cr_assert_eq(m->data->set->nrows, 400);
  cr_assert_null(m->data->joint, "sampling builds no joint");
  cr_assert_eq(m->data->joints_built, 0);
  const double *z = m->data->set->cols[2].value;
  for (int i = 0; i < 400; i++) cr_assert(z[i] == 0 && !signbit(z[i]), "-0.0 is kept as 0.0, as an alphabet keeps it");
  columns_match_joint(&r, m);
  cr_assert_eq(m->data->joints_built, 1);
  t_close(&r);
}

Test(data, file_and_map_rows_are_columns) {
  const char *csv = tpath("d.csv");
  FILE *f = fopen(csv, "w");
  cr_assert_not_null(f);
  fprintf(f, "a,b,c,d,s\n");
  for (int i = 0; i < 50; i++)
    fprintf(f, "%g,%d,%s,%g,%s\n", i * 0.25 - 3, i % 3, i % 2 ? "-0.0" : "0.5", i * 1.5, i % 4 ? "u" : "v");
  fclose(f);
  TRun r;
  t_open(&r, false);
  char text[1024];
  snprintf(text, sizeof text,
           "extern \"build/ffi_testlib.so\" {\n  fn t_layer(n: i64, x: const f64[n, 4], h: f64[n, 8])\n}\n"
           "data d = csv(\"%s\")\ndata e = map(d, h = t_layer([a, b, c, d]))\n", csv);
  cr_assert_eq(t_run(&r, text), IXP_OK, "%s", t_err(&r));
  IxpModelDef *d = dataset(&r, "d"), *e = dataset(&r, "e");
  cr_assert_eq(d->data->joints_built + e->data->joints_built, 0, "neither the file nor the map built a joint");
  cr_assert_eq(e->data->set->nrows, 50);
  cr_assert_eq(e->nvars, 13);
  columns_match_joint(&r, d);
  columns_match_joint(&r, e);
  t_close(&r);
}

/* Estimators read the columns: only plug-in measures build a joint, one
 * per binning, kept until the rows change. */
Test(data, continuous_estimates_build_no_joint) {
  TRun r;
  t_open(&r, true);
  cr_assert_eq(t_run(&r, "seed 2\nmodel m {\n  x ~ normal(0, 1)\n  y ~ normal(x, 1)\n  b ~ bernoulli(0.5)\n}\n"
                         "data d = sample(m, 300)\n"
                         "print mi(x; y) in d using ksg, entropy(x) in d using kl, mi(x; y | b) in d using gaussian\n"
                         "print mi(x; y) in d using ksg with permutations(5)\n"
                         "print mi(x; y) in d using gaussian with bootstrap(5)\n"),
               IXP_OK, "%s", t_err(&r));
  IxpDataDef *d = dataset(&r, "d")->data;
  cr_assert_eq(d->joints_built, 0, "%u joints built for estimators", d->joints_built);
  cr_assert_eq(t_explain(&r, "mi(x; y) in d using ksg\n"), IXP_OK, "%s", t_err(&r));
  cr_assert(strstr(t_out(&r), "r0 = rows of dataset d: 3 variables, 300 rows"), "%s", t_out(&r));
  cr_assert_eq(d->joints_built, 0, "explain built a joint");
  cr_assert_eq(t_run(&r, "print entropy(b) in d, mi(b; x) in d using plugin(bins = 4)\n"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(d->joints_built, 2, "the plain joint and one binned joint");
  cr_assert_eq(t_run(&r, "print mi(b; y) in d using plugin(bins = 4), entropy(b) in d using miller_madow\n"), IXP_OK);
  cr_assert_eq(d->joints_built, 2, "both are kept");
  cr_assert_eq(t_run(&r, "data d = sample(m, 200)\nprint entropy(b) in d\n"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(dataset(&r, "d")->data->joints_built, 1, "new rows, a new joint");
  t_close(&r);
}

/* The checker reads the header; ixp_data_load reads the values. */
Test(data, the_checker_reads_only_an_npy_header) {
  uint64_t bits[6] = {1, 2, 3, 4, 5, 6};
  const char *p = npy_file("h.npy", "<i8", 3, 2, bits);
  TRun r;
  t_open(&r, false);
  char text[600];
  snprintf(text, sizeof text, "data h = npy(\"%s\")\nprint entropy(h[0]) in h\n", p);
  IxpSource *src = ixp_source_new("t.ixp", text, strlen(text));
  IxpArena *arena = ixp_arena_new();
  IxpAst *program = ixp_parse(src, arena, NULL, false, NULL);
  cr_assert_not_null(program);
  cr_assert_eq(ixp_check_program(r.s, program, src, arena), 0, "%s", t_err(&r));
  IxpModelDef *m = dataset(&r, "h");
  cr_assert(m->data->header_only);
  cr_assert_eq(m->nvars, 2);
  cr_assert_not(m->continuous[0], "an integer array is discrete");
  cr_assert_null(m->data->set->cols[0].value, "no value was read");
  cr_assert_eq(ixp_data_load(r.s, program), 0, "%s", t_err(&r));
  cr_assert_not(m->data->header_only);
  cr_assert_eq(m->data->set->cols[1].value[2], 6);
  t_close(&r);
  ixp_arena_free(arena);
  ixp_source_free(src);
}

Test(data, npy_values_are_checked_before_anything_runs) {
  uint64_t bits[4] = {1, 2, (1ULL << 53) + 1, 3};
  const char *p = npy_file("big.npy", "<i8", 4, 1, bits);
  TRun r;
  t_open(&r, true);
  char text[600];
  snprintf(text, sizeof text, "print 1\ndata d = npy(\"%s\")\nprint entropy(d[0]) in d\n", p);
  cr_assert_eq(t_run(&r, text), IXP_ECOMPILE);
  cr_assert_str_eq(t_out(&r), "", "nothing ran");
  char want[700];
  snprintf(want, sizeof want,
           "t.ixp:2:10: error: %s: row 3, column 'd[0]': integer 9007199254740993 is beyond 2^53, where doubles no "
           "longer hold every integer\n",
           p);
  cr_assert(!strncmp(t_err(&r), want, strlen(want)), "%s", t_err(&r));
  cr_assert_eq(t_count(t_err(&r), "error:"), 1, "%s", t_err(&r));
  cr_assert_null(ixp_lookup(r.s, "d"), "the failed chunk defined nothing");
  t_close(&r);
}

/* The same numbers from a CSV file and from a .npy file give the same
 * estimates, bit for bit. */
Test(data, csv_and_npy_rows_estimate_alike) {
  enum { N = 300 };
  uint64_t bits[2 * N];
  const char *csv = tpath("xy.csv");
  FILE *f = fopen(csv, "w");
  cr_assert_not_null(f);
  fprintf(f, "x,y\n");
  for (int i = 0; i < N; i++) {
    double x = sin(i * 0.7) * 3, y = x * 0.5 + cos(i * 1.3);
    memcpy(&bits[2 * i], &x, 8);
    memcpy(&bits[2 * i + 1], &y, 8);
    fprintf(f, "%.17g,%.17g\n", x, y);
  }
  fclose(f);
  const char *npy = npy_file("xy.npy", "<f8", N, 2, bits);
  TRun r;
  t_open(&r, false);
  char text[1200];
  snprintf(text, sizeof text,
           "data c = csv(\"%s\")\ndata n = npy(\"%s\")\n"
           "print mi(x; y) in c using ksg\nprint mi(n[0]; n[1]) in n using ksg\n"
           "print mi(x; y) in c using gaussian\nprint mi(n[0]; n[1]) in n using gaussian\n"
           "print entropy(x) in c using kl\nprint entropy(n[0]) in n using kl\n"
           "print mi(x; y) in c using plugin(bins = 5)\nprint mi(n[0]; n[1]) in n using plugin(bins = 5)\n",
           csv, npy);
  cr_assert_eq(t_run(&r, text), IXP_OK, "%s", t_err(&r));
  for (int k = 0; k < 8; k += 2) {
    double a = t_value_at(t_out(&r), k), b = t_value_at(t_out(&r), k + 1);
    cr_assert(!memcmp(&a, &b, sizeof a), "line %d: %.17g and %.17g\n%s", k, a, b, t_out(&r));
  }
  t_close(&r);
}

Test(data, a_table_cannot_be_sampled) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "model t = table (x) {\n  0: 0.5\n  1: 0.5\n}\ndata s = sample(t, 10)\n"), IXP_ECOMPILE);
  cr_assert(strstr(t_err(&r), "sample draws from a model with draws; 't' is a table, measured exactly"), "%s",
            t_err(&r));
  t_close(&r);
}
