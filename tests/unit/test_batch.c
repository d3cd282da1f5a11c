/* test_batch.c — the row-batched evaluator (interp/batch.c): the same
 * numbers as the interpreter row by row (bit for bit where the operations
 * are the same, a GEMM within its error bound), the same at every thread
 * count and whatever the number of rows, errors at the row the
 * interpreter would stop at. */
#include <float.h>
#include <setjmp.h>

#include "helpers.h"

#include "arrays.h"
#include "batch.h"
#include "builtins.h"
#include "library.h"
#include "data.h"
#include "dense.h"
#include "interp.h"
#include "rng.h"

/* The dataset called `name` of a run. */
static IxpDataset *dataset(TRun *r, const char *name) {
  const IxpSymbol *sym = ixp_lookup(r->s, name);
  cr_assert(sym && sym->model && sym->model->data && sym->model->data->set, "no dataset %s", name);
  return sym->model->data->set;
}

static const double *column(TRun *r, const char *set, const char *name) {
  IxpDataset *d = dataset(r, set);
  int c = ixp_dataset_col(d, name);
  cr_assert(c >= 0, "no column %s", name);
  return d->cols[c].value;
}

/* A sample's definitions are the interpreter's formulas, bit for bit, in
 * every row (3000 rows: several chunks and a partial one). */
Test(batch, sample_definitions_bit_identical) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "let k = 2\n"
                         "model m {\n"
                         "  x ~ normal(0, 1)\n"
                         "  e ~ normal(0, 1/10)\n"
                         "  b ~ bernoulli(3/10)\n"
                         "  y = k * x + e\n"
                         "  z = exp(x / 4) - sqrt(abs(x)) + (if b == 1 then x else -x)\n"
                         "  w = x mod (1/2) + x ^ 2 - 1/3 * e\n"
                         "  v = min(x, e) + ln(1 + x * x)\n"
                         "}\n"
                         "data d = sample(m, 3000)\n"),
               IXP_OK, "%s", t_err(&r));
  const double *x = column(&r, "d", "x"), *e = column(&r, "d", "e"), *b = column(&r, "d", "b"),
               *y = column(&r, "d", "y"), *z = column(&r, "d", "z"), *w = column(&r, "d", "w"),
               *v = column(&r, "d", "v");
  volatile double two = 2;  /* pow(x, 2) as the interpreter calls it, not folded to x * x */
  for (int k = 0; k < 3000; k++) {
    double m = fmod(x[k], 0.5);
    if (m != 0 && (m < 0) != (0.5 < 0)) m += 0.5;
    double want_z = exp(x[k] / 4) - sqrt(x[k] < 0 ? -x[k] : x[k]) + (b[k] == 1 ? x[k] : -x[k]);
    double want_w = m + pow(x[k], two) - (1.0 / 3) * e[k];
    double want_v = (x[k] < e[k] ? x[k] : e[k]) + log(1 + x[k] * x[k]);
    cr_assert_eq(y[k], 2 * x[k] + e[k], "row %d: y", k);
    cr_assert_eq(z[k], want_z, "row %d: z = %.17g, want %.17g", k, z[k], want_z);
    cr_assert_eq(w[k], want_w, "row %d: w = %.17g, want %.17g", k, w[k], want_w);
    cr_assert_eq(v[k], want_v, "row %d: v = %.17g, want %.17g", k, v[k], want_v);
  }
  t_close(&r);
}

/* A failing row is reported as the interpreter reports it, at the first
 * row where it fails, with the row's values. */
Test(batch, sample_error_names_first_failing_row) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "model m {\n  x ~ normal(0, 1)\n  y = sqrt(x + 4)\n}\ndata d = sample(m, 2000)\n"), IXP_OK,
               "%s", t_err(&r));
  const double *x = column(&r, "d", "x");
  int first = -1;
  for (int k = 0; k < 2000 && first < 0; k++)
    if (x[k] + 2 < 0) first = k;
  cr_assert(first > 0, "the sample has a row with x < -2 (%d)", first);
  char want[128], value[32];
  ixp_format_num(value, sizeof value, x[first], -1);
  snprintf(want, sizeof want, "outside the function's domain when x = %s", value);
  /* The same statement and stream: the same x, now into log(x + 2). */
  TRun r2;
  t_open(&r2, false);
  cr_assert_neq(t_run(&r2, "model m {\n  x ~ normal(0, 1)\n  y = sqrt(x + 2)\n}\ndata d = sample(m, 2000)\n"), IXP_OK);
  cr_assert(strstr(t_err(&r2), want), "wanted '%s' in:\n%s", want, t_err(&r2));
  t_close(&r2);
  t_close(&r);
}

/* ------------------------------------------------ the evaluator directly */

typedef struct {
  TRun r;
  IxpArena *arena;
  IxpModelDef *m;
  double **values;     /* columns of the evaluator's "variables" */
  double vals[512];    /* one row's, for the interpreter */
  int nvars;
  size_t n, row;
  jmp_buf on_error;
} Direct;

static void load_row(void *ctx, size_t row) {
  Direct *d = ctx;
  for (int v = 0; v < d->nvars; v++) d->vals[v] = d->values[v][row];
  d->row = row;
}

static const char *describe_row(void *ctx, char *buf, size_t size) {
  snprintf(buf, size, "in row %zu", ((Direct *)ctx)->row);
  return buf;
}

static IxpAst *node(Direct *d, IxpAstKind kind) { return ixp_ast_new(d->arena, kind, (IxpSpan){0, 1}); }

static IxpAst *var(Direct *d, int slot) {
  IxpAst *e = node(d, AST_NAME);
  e->str = "v", e->sem.ref = REF_VAR, e->sem.slot = slot;
  return e;
}

static IxpAst *global(Direct *d, const char *name) {
  IxpAst *e = node(d, AST_NAME);
  const IxpSymbol *sym = ixp_lookup(d->r.s, name);
  cr_assert_not_null(sym);
  e->str = name, e->sem.ref = REF_GLOBAL, e->sem.slot = sym->slot;
  return e;
}

static IxpAst *binop(Direct *d, IxpOp op, IxpAst *a, IxpAst *b) {
  IxpAst *e = node(d, AST_BINARY);
  e->op = op, e->a = a, e->b = b;
  return e;
}

static IxpAst *fn(Direct *d, const IxpBuiltin *f, IxpAst *a) {
  IxpAst *e = node(d, AST_CALL), *arg = node(d, AST_ARG);
  arg->a = a;
  e->str = f->name, e->sem.builtin = f;
  ixp_ast_push(d->arena, e, arg);
  return e;
}

/* [v0, v1, ..., v(w-1)] */
static IxpAst *vars_vector(Direct *d, int w) {
  IxpAst *e = node(d, AST_VEC);
  for (int j = 0; j < w; j++) ixp_ast_push(d->arena, e, var(d, j));
  return e;
}

/* A session with a one-variable model (for its source), `lets` run, and
 * nvars columns of n normal values. */
static void direct_open(Direct *d, const char *lets, int nvars, size_t n) {
  memset(d, 0, sizeof *d);
  t_open(&d->r, false);
  cr_assert_eq(t_run(&d->r, lets), IXP_OK, "%s", t_err(&d->r));
  cr_assert_eq(t_run(&d->r, "model m1 {\n  x ~ normal(0, 1)\n}\n"), IXP_OK, "%s", t_err(&d->r));
  d->m = ixp_lookup(d->r.s, "m1")->model;
  d->arena = ixp_arena_new();
  d->r.s->tmp = ixp_arena_new();  /* a statement's temporaries, as when one runs */
  d->nvars = nvars, d->n = n;
  d->values = calloc((size_t)nvars, sizeof *d->values);
  for (int v = 0; v < nvars; v++) {
    d->values[v] = malloc(n * sizeof(double));
    ixp_rng_normals(ixp_rng_key(7, (uint64_t)v, 0), 0, d->values[v], (long)n);
  }
}

static void direct_close(Direct *d) {
  for (int v = 0; v < d->nvars; v++) free(d->values[v]);
  free(d->values);
  ixp_arena_free(d->r.s->tmp);
  d->r.s->tmp = NULL;
  ixp_arena_free(d->arena);
  t_close(&d->r);
}

/* Evaluate e over the first n rows into w fresh columns (freed by the
 * caller); *stats as the evaluator left them. Fails the test on a runtime
 * error. */
static double **direct_eval(Direct *d, IxpAst *e, int w, size_t n, IxpBatchStats *stats) {
  double **out = calloc((size_t)w, sizeof *out);
  for (int j = 0; j < w; j++) out[j] = malloc(n * sizeof(double));
  IxpBatch b = {.s = d->r.s, .m = d->m, .values = d->values, .n = n, .vals = d->vals, .load = load_row,
                .describe = describe_row, .ctx = d};
  jmp_buf *outer = d->r.s->on_error;
  d->r.s->on_error = &d->on_error;
  if (setjmp(d->on_error)) cr_assert_fail("runtime error: %s", t_err(&d->r));
  ixp_batch_eval(&b, e, out, w);
  d->r.s->on_error = outer;
  if (stats) *stats = b.stats;
  return out;
}

static void free_cols(double **c, int w) {
  for (int j = 0; j < w; j++) free(c[j]);
  free(c);
}

/* "let W = [[...], ...]" of an out x in matrix and "let c = [...]" of out
 * numbers, small pseudo-random entries. */
static char *matrix_lets(int out, int in, double *w, double *c) {
  size_t size = (size_t)out * (size_t)in * 28 + (size_t)out * 40 + 64, len = 0;
  char *text = malloc(size);
  len += (size_t)snprintf(text + len, size - len, "let W = [");
  for (int i = 0; i < out; i++) {
    len += (size_t)snprintf(text + len, size - len, "%s[", i ? ", " : "");
    for (int j = 0; j < in; j++) {
      double x = round(ixp_rng_normal(ixp_rng_key(3, (uint64_t)i, 0), (uint64_t)j) * 1e6) / 1e6 / sqrt(in);
      w[(size_t)i * (size_t)in + (size_t)j] = x;
      len += (size_t)snprintf(text + len, size - len, "%s%.17g", j ? ", " : "", x);
    }
    len += (size_t)snprintf(text + len, size - len, "]");
  }
  len += (size_t)snprintf(text + len, size - len, "]\nlet c = [");
  for (int i = 0; i < out; i++) {
    c[i] = 0.01 * (i % 7);
    len += (size_t)snprintf(text + len, size - len, "%s%.17g", i ? ", " : "", c[i]);
  }
  snprintf(text + len, size - len, "]\n");
  return text;
}

/* tanh(W * [v0 .. v(in-1)] + c): one GEMM per chunk, within the bound of
 * a dot product's rounding of the interpreter's per-row product, and the
 * same bits for a row whatever the number of rows and threads. */
static void check_layer(int out, int in) {
  double *w = malloc((size_t)out * (size_t)in * sizeof *w), *c = malloc((size_t)out * sizeof *c);
  char *lets = matrix_lets(out, in, w, c);
  Direct d;
  size_t n = 1300;
  direct_open(&d, lets, in, n);
  IxpAst *e = fn(&d, ixp_library_builtin(&d.r.s->lib, "tanh"), binop(&d, OP_ADD, binop(&d, OP_MUL, global(&d, "W"), vars_vector(&d, in)), global(&d, "c")));
  ixp_dense_set_thread_rule(0, false);
  ixp_dense_set_threads(1);
  IxpBatchStats st1, st2, st3;
  double **one = direct_eval(&d, e, out, n, &st1);
  ixp_dense_set_threads(2);
  double **two = direct_eval(&d, e, out, n, &st2);
  double **few = direct_eval(&d, e, out, 100, &st3);
  ixp_dense_set_thread_rule(IXP_DENSE_THREAD_FLOPS, true);
  cr_assert_eq(st1.fallbacks, 0);
  cr_assert_eq(st1.gemms, 3, "one GEMM per chunk of 512 rows: %d", st1.gemms);
  cr_assert_eq(st1.threads, 1);
  cr_assert_eq(st2.threads, 2, "chunks on two threads");
  for (int i = 0; i < out; i++) {
    cr_assert(!memcmp(one[i], two[i], n * sizeof(double)), "column %d differs between 1 and 2 threads", i);
    cr_assert(!memcmp(one[i], few[i], 100 * sizeof(double)), "column %d differs between 1300 and 100 rows", i);
    for (size_t k = 0; k < n; k++) {
      double dot = 0, abs_sum = 0;
      for (int j = 0; j < in; j++) {
        dot += w[(size_t)i * (size_t)in + (size_t)j] * d.values[j][k];
        abs_sum += fabs(w[(size_t)i * (size_t)in + (size_t)j] * d.values[j][k]);
      }
      /* tanh is 1-Lipschitz and within an ulp or so of its own rounding. */
      double want = tanh(dot + c[i]), tol = ixp_batch_gemm_tolerance(in, abs_sum) + 4 * DBL_EPSILON;
      cr_assert(fabs(one[i][k] - want) <= tol, "row %zu column %d: %.17g vs %.17g (tolerance %g)", k, i, one[i][k],
                want, tol);
    }
  }
  free_cols(one, out), free_cols(two, out), free_cols(few, out);
  direct_close(&d);
  free(lets), free(w), free(c);
}

Test(batch, layer_small_matrix_path) { check_layer(24, 40); }

Test(batch, layer_blocked_path) { check_layer(300, 260); }

/* An error in a later node at an earlier row wins: the interpreter, row
 * by row, stops at the first row where anything fails. */
Test(batch, first_failing_row_over_all_nodes) {
  Direct d;
  size_t n = 2000;
  direct_open(&d, "let z = 0\n", 2, n);
  for (size_t k = 0; k < n; k++) d.values[0][k] = 1 + (double)k, d.values[1][k] = 1;
  d.values[0][1700] = -1;  /* log fails at row 1700 */
  d.values[1][900] = 0;    /* 1 / v1 fails at row 900 */
  const IxpBuiltin *ln = ixp_library_builtin(&d.r.s->lib, "ln");
  IxpAst *one = node(&d, AST_NUM);
  one->num = 1, one->exact = true, one->num_n = 1, one->num_d = 1;
  IxpAst *e = binop(&d, OP_ADD, fn(&d, ln, var(&d, 0)), binop(&d, OP_DIV, one, var(&d, 1)));
  double *out[1] = {malloc(n * sizeof(double))};
  IxpBatch b = {.s = d.r.s, .m = d.m, .values = d.values, .n = n, .vals = d.vals, .load = load_row,
                .describe = describe_row, .ctx = &d};
  bool failed = false;
  jmp_buf *outer = d.r.s->on_error;
  d.r.s->on_error = &d.on_error;
  if (setjmp(d.on_error)) failed = true;
  else ixp_batch_eval(&b, e, out, 1);
  d.r.s->on_error = outer;
  cr_assert(failed);
  cr_assert(strstr(t_err(&d.r), "division by zero when in row 900"), "%s", t_err(&d.r));
  free(out[0]);
  direct_close(&d);
}

/* A vector model: h = tanh(W * x + b) within the GEMM's bound of the
 * interpreter's left-to-right product, and the entrywise definitions over
 * the sampled columns bit for bit (softmax as ixp_array_softmax_rows). */
Test(batch, vector_model_sample) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "let W = [[1, 0.5, 0], [0.2, -1, 0.3], [0.1, 0.1, 0.1]]\n"
                         "let b = [0.1, -0.2, 0]\n"
                         "model net {\n"
                         "  x[3] ~ normal(0, 1)\n"
                         "  h = tanh(W * x + b)\n"
                         "  s = softmax(h)\n"
                         "  z = relu(x) .* x - x / 2 + abs(-x) ^ 2\n"
                         "  y = h[0] + 2 * x[1]\n"
                         "}\n"
                         "data d = sample(net, 1500)\n"),
               IXP_OK, "%s", t_err(&r));
  const double W[3][3] = {{1, 0.5, 0}, {0.2, -1, 0.3}, {0.1, 0.1, 0.1}}, bias[3] = {0.1, -0.2, 0};
  const double *x[3], *h[3], *s[3], *z[3], *y = column(&r, "d", "y");
  char name[24];
  for (int j = 0; j < 3; j++) {
    snprintf(name, sizeof name, "x[%d]", j), x[j] = column(&r, "d", name);
    snprintf(name, sizeof name, "h[%d]", j), h[j] = column(&r, "d", name);
    snprintf(name, sizeof name, "s[%d]", j), s[j] = column(&r, "d", name);
    snprintf(name, sizeof name, "z[%d]", j), z[j] = column(&r, "d", name);
  }
  volatile double two = 2;
  for (int k = 0; k < 1500; k++) {
    double row[3];
    for (int i = 0; i < 3; i++) {
      double dot = 0, abs_sum = 0;
      for (int j = 0; j < 3; j++) dot += W[i][j] * x[j][k], abs_sum += fabs(W[i][j] * x[j][k]);
      double tol = ixp_batch_gemm_tolerance(3, abs_sum) + 4 * DBL_EPSILON;
      cr_assert(fabs(h[i][k] - tanh(dot + bias[i])) <= tol, "row %d: h[%d]", k, i);
      double xi = x[i][k], want_z = (xi > 0 ? xi : 0) * xi - xi / 2 + pow(fabs(-xi), two);
      cr_assert_eq(z[i][k], want_z, "row %d: z[%d] = %.17g, want %.17g", k, i, z[i][k], want_z);
      row[i] = h[i][k];
    }
    ixp_array_softmax_rows(row, 1, 3);
    for (int i = 0; i < 3; i++) cr_assert_eq(s[i][k], row[i], "row %d: s[%d]", k, i);
    cr_assert_eq(y[k], h[0][k] + 2 * x[1][k], "row %d: y", k);
  }
  t_close(&r);
}

/* map definitions go through the same evaluator: entrywise steps bit for
 * bit, a product within its bound, an error at the first failing row. */
Test(batch, map_definitions) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "let W = [[0.3, -1.1, 0.7, 0.2], [1.3, 0.1, -0.4, 0.9], [0.5, 0.5, 0.5, 0.5], [-2, 0, 1, 0.25]]\n"
                         "model m {\n  x[4] ~ normal(0, 1)\n  e ~ normal(0, 1)\n}\n"
                         "data d = sample(m, 1200)\n"
                         "data net = map(d, h = tanh(W * x), q = h[1] * e - min(e, 0), t = x .* x - e)\n"),
               IXP_OK, "%s", t_err(&r));
  const double W[4][4] = {{0.3, -1.1, 0.7, 0.2}, {1.3, 0.1, -0.4, 0.9}, {0.5, 0.5, 0.5, 0.5}, {-2, 0, 1, 0.25}};
  const double *x[4], *h[4], *t[4], *e = column(&r, "net", "e"), *q = column(&r, "net", "q");
  char name[24];
  for (int j = 0; j < 4; j++) {
    snprintf(name, sizeof name, "x[%d]", j), x[j] = column(&r, "net", name);
    snprintf(name, sizeof name, "h[%d]", j), h[j] = column(&r, "net", name);
    snprintf(name, sizeof name, "t[%d]", j), t[j] = column(&r, "net", name);
  }
  for (int k = 0; k < 1200; k++) {
    for (int i = 0; i < 4; i++) {
      double dot = 0, abs_sum = 0;
      for (int j = 0; j < 4; j++) dot += W[i][j] * x[j][k], abs_sum += fabs(W[i][j] * x[j][k]);
      cr_assert(fabs(h[i][k] - tanh(dot)) <= ixp_batch_gemm_tolerance(4, abs_sum) + 4 * DBL_EPSILON, "row %d: h[%d]", k, i);
      cr_assert_eq(t[i][k], x[i][k] * x[i][k] - e[k], "row %d: t[%d]", k, i);
    }
    cr_assert_eq(q[k], h[1][k] * e[k] - (e[k] < 0 ? e[k] : 0), "row %d: q", k);
  }
  cr_assert_neq(t_run(&r, "data bad = map(d, z = e / (e - e))\n"), IXP_OK);
  cr_assert(strstr(t_err(&r), "division by zero when reading row 1"), "%s", t_err(&r));
  t_close(&r);
}

/* A non-square layer W * x (2 x 3) and a row vector times a matrix,
 * x * M (3 x 2, the transposed GEMM), each within the bound of the
 * interpreter's left-to-right sums. */
Test(batch, non_square_and_vector_times_matrix) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "let W = [[1, 0.5, -0.3], [0.2, -1, 0.7]]\n"
                         "let M = [[0.9, -0.1], [0.3, 0.4], [-1.2, 0.6]]\n"
                         "model net {\n  x[3] ~ normal(0, 1)\n  h = W * x\n  g = x * M\n}\n"
                         "data d = sample(net, 700)\n"),
               IXP_OK, "%s", t_err(&r));
  const double W[2][3] = {{1, 0.5, -0.3}, {0.2, -1, 0.7}}, M[3][2] = {{0.9, -0.1}, {0.3, 0.4}, {-1.2, 0.6}};
  const double *x[3], *h[2], *g[2];
  char name[24];
  for (int j = 0; j < 3; j++) snprintf(name, sizeof name, "x[%d]", j), x[j] = column(&r, "d", name);
  for (int i = 0; i < 2; i++) {
    snprintf(name, sizeof name, "h[%d]", i), h[i] = column(&r, "d", name);
    snprintf(name, sizeof name, "g[%d]", i), g[i] = column(&r, "d", name);
  }
  for (int k = 0; k < 700; k++)
    for (int i = 0; i < 2; i++) {
      double wx = 0, wabs = 0, xm = 0, mabs = 0;
      for (int j = 0; j < 3; j++) {
        wx += W[i][j] * x[j][k], wabs += fabs(W[i][j] * x[j][k]);
        xm += x[j][k] * M[j][i], mabs += fabs(x[j][k] * M[j][i]);
      }
      cr_assert(fabs(h[i][k] - wx) <= ixp_batch_gemm_tolerance(3, wabs), "row %d: h[%d] %.17g vs %.17g", k, i, h[i][k], wx);
      cr_assert(fabs(g[i][k] - xm) <= ixp_batch_gemm_tolerance(3, mabs), "row %d: g[%d] %.17g vs %.17g", k, i, g[i][k], xm);
    }
  t_close(&r);
}
