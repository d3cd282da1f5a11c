/* bench_batch.c — vector models through the row-batched evaluator
 * (interp/batch.c), at 1 thread and at the default thread count.
 *
 * 1. h = tanh(W x + b) over N = 1e5 rows, 256 -> 256: the evaluator on
 *    the expression of a checked model (x's 256 columns as a sample holds
 *    them), and the whole statement data net = map(d, h = tanh(W * x +
 *    b)) over a sample d of x, against a hand-written C loop over the same numbers (one BLIS
 *    GEMM of all rows through dense.h, then one tanh pass adding b,
 *    OpenMP over rows at the default), against NumPy (np.tanh(X @ W.T +
 *    b), bench/peers/layer_numpy.py, timed inside Python) when
 *    /usr/bin/python3 has numpy, and against the interpreter row by row
 *    (what sampling did before: ixp_eval per row, measured on N / 10 rows
 *    and scaled). Goal: <= 1.2x the C loop.
 * 2. A 4-layer tanh network x[128] -> h1 -> h2 -> h3 -> h4 sampled at
 *    1e5 rows (`data d = sample(net, 100000)`), then mi(x; hk) in d using
 *    gaussian for every layer: the time of each statement, so the split
 *    between sampling and estimation.
 *
 * Every figure is the median of REPS runs. Links with build/libixp.a. */
#include <math.h>
#include <omp.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "dense.h"
#include "interp.h"
#include "rng.h"
#include "session.h"
#include "threads.h"
#include "timing.h"

#define N 100000L
#define D 256
#define LAYER 128
#define REPS 5
#define PY "/usr/bin/python3"

static void die(const char *what, const char *why) {
  fprintf(stderr, "bench_batch: %s: %s\n", what, why);
  exit(1);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n);
  if (!p) die("malloc", "out of memory");
  return p;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *t, int n) {
  qsort(t, (size_t)n, sizeof *t, compare);
  return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static void line(const char *name, double v, const char *ref_name, double ref, const char *extra) {
  printf("  %-44s %9.1f ms  %-30s %9.1f ms  ratio %6.2f   %s\n", name, v * 1e3, ref_name, ref * 1e3, v / ref, extra);
}

/* A little-endian float64 .npy file of rows x cols (cols 0: 1-D). */
static void write_npy(const char *path, const double *v, long rows, long cols) {
  char dict[128];
  int len = cols ? snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%ld, %ld), }", rows, cols)
                 : snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%ld,), }", rows);
  int total = 10 + len + 1, pad = (64 - total % 64) % 64;
  uint16_t hlen = (uint16_t)(len + pad + 1);
  FILE *f = fopen(path, "wb");
  if (!f) die("write", path);
  fwrite("\x93NUMPY\x01\x00", 1, 8, f);
  fwrite(&hlen, 2, 1, f);
  fprintf(f, "%s%*s\n", dict, pad, "");
  fwrite(v, sizeof *v, (size_t)(rows * (cols ? cols : 1)), f);
  fclose(f);
}

/* W (out x in) of normals / sqrt(in) and b of 0.1 normals, keyed by `layer`. */
static void weights(int layer, int out, int in, double *w, double *b) {
  for (int i = 0; i < out; i++) {
    ixp_rng_normals(ixp_rng_key(11, (uint64_t)layer, (uint64_t)i), 0, w + (size_t)i * (size_t)in, in);
    for (int j = 0; j < in; j++) w[(size_t)i * (size_t)in + (size_t)j] /= sqrt(in);
    b[i] = 0.1 * ixp_rng_normal(ixp_rng_key(12, (uint64_t)layer, 0), (uint64_t)i);
  }
}

static IxpSession *session(FILE *sink) {
  IxpOptions opt = {.out = sink, .err = stderr, .digits = 6};
  IxpSession *s = ixp_session_new(&opt);
  if (!s) die("session", "failed to start");
  return s;
}

static void run(IxpSession *s, const char *text) {
  if (ixp_session_run(s, "bench.ixp", text, strlen(text)) != IXP_OK) die("ixp program failed", text);
}

/* ------------------------------------------------------------ figure 1 */

typedef struct {
  double **cols;
  double *vals;
  int nvars;
} Rows;

static void load_row(void *ctx, size_t row) {
  Rows *r = ctx;
  for (int v = 0; v < r->nvars; v++) r->vals[v] = r->cols[v][row];
}

static const char *describe_row(void *ctx, char *buf, size_t size) {
  (void)ctx;
  snprintf(buf, size, "(a bench row)");
  return buf;
}

/* One evaluation of the layer by the batch evaluator; its stats. */
static IxpBatchStats batch_layer(IxpSession *s, IxpModelDef *m, IxpAst *e, Rows *rows, double **out) {
  jmp_buf here;
  s->tmp = ixp_arena_new();
  s->on_error = &here;
  if (setjmp(here)) die("batch evaluation", "runtime error");
  IxpBatch b = {.s = s, .m = m, .values = rows->cols, .n = N, .vals = rows->vals, .load = load_row,
                .describe = describe_row, .ctx = rows};
  ixp_batch_eval(&b, e, out, D);
  ixp_arena_free(s->tmp);
  s->tmp = NULL, s->on_error = NULL;
  return b.stats;
}

/* The interpreter row by row (the sampler before the batch evaluator) on
 * the first n rows. */
static void per_row_layer(IxpSession *s, IxpModelDef *m, IxpAst *e, Rows *rows, double **out, long n) {
  jmp_buf here;
  s->tmp = ixp_arena_new();
  s->on_error = &here;
  if (setjmp(here)) die("row-by-row evaluation", "runtime error");
  IxpFrame f = {m, rows->vals, NULL};
  IxpArenaMark mark = ixp_arena_mark(s->tmp);
  for (long k = 0; k < n; k++) {
    load_row(rows, (size_t)k);
    IxpValue v = ixp_eval(s, e, &f);
    for (int j = 0; j < D; j++) out[j][k] = v.v[j];
    ixp_arena_release(s->tmp, mark);
  }
  ixp_arena_free(s->tmp);
  s->tmp = NULL, s->on_error = NULL;
}

/* The hand-written loop: H (N x D) = X W^T by one GEMM, then tanh(H + b),
 * on `threads` threads. */
static void c_layer(const double *x, const double *w, const double *b, double *h, int threads) {
  if (ixp_dense_gemm(false, true, N, D, D, 1.0, x, D, w, D, 0.0, h, D) != IXP_DENSE_OK) die("gemm", "failed");
#pragma omp parallel for num_threads(threads) schedule(static)
  for (long i = 0; i < N; i++)
    for (int j = 0; j < D; j++) h[i * D + j] = tanh(h[i * D + j] + b[j]);
}

/* NumPy's median seconds at OMP_NUM_THREADS=threads (0: unset), or -1. */
static double numpy_layer(int threads) {
  if (access(PY, X_OK) != 0 || system(PY " -c 'import numpy' 2>/dev/null") != 0) return -1;
  char cmd[256], line_buf[256];
  snprintf(cmd, sizeof cmd, "%s%s bench/peers/layer_numpy.py %ld %d %d %d", threads ? "OMP_NUM_THREADS=1 " : "", PY, N,
           D, D, REPS);
  FILE *p = popen(cmd, "r");
  double seconds = -1;
  while (p && fgets(line_buf, sizeof line_buf, p))
    if (!strncmp(line_buf, "seconds = ", 10)) seconds = strtod(line_buf + 10, NULL);
  if (p) pclose(p);
  return seconds;
}

/* The whole statement data net = map(d, h = tanh(W * x + b)) over a
 * sample d of x[D] (drawn first, untimed) in a fresh session: its
 * seconds. */
static double map_statement(const char *dir) {
  FILE *sink = fopen("/dev/null", "w");
  IxpSession *s = session(sink);
  char text[1024];
  snprintf(text, sizeof text,
           "let W = npy(\"%s/w.npy\")\nlet b = npy(\"%s/b.npy\")\n"
           "model m {\n  x[%d] ~ normal(0, 1)\n}\ndata d = sample(m, %ld)\n",
           dir, dir, D, N);
  run(s, text);
  double t0 = now();
  run(s, "data net = map(d, h = tanh(W * x + b))\n");
  double t = now() - t0;
  ixp_session_free(s);
  fclose(sink);
  return t;
}

static void figure_layer(const char *dir, int default_threads) {
  double *w = xmalloc(sizeof(double) * D * D), *b = xmalloc(sizeof(double) * D);
  weights(1, D, D, w, b);
  char path[512], text[2048];
  snprintf(path, sizeof path, "%s/w.npy", dir), write_npy(path, w, D, D);
  snprintf(path, sizeof path, "%s/b.npy", dir), write_npy(path, b, D, 0);
  FILE *sink = fopen("/dev/null", "w");
  IxpSession *s = session(sink);
  snprintf(text, sizeof text,
           "let W = npy(\"%s/w.npy\")\nlet b = npy(\"%s/b.npy\")\n"
           "model net {\n  x[%d] ~ normal(0, 1)\n  h = tanh(W * x + b)\n}\n",
           dir, dir, D);
  run(s, text);
  IxpModelDef *m = ixp_lookup(s, "net")->model;
  IxpAst *e = m->vars[ixp_model_var(m, "h[0]")].expr->a;  /* h[k] = (tanh(W * x + b))[k] */

  Rows rows = {.cols = xmalloc(sizeof(double *) * D), .vals = xmalloc(sizeof(double) * (size_t)m->nvars), .nvars = D};
  double **out = xmalloc(sizeof(double *) * D), *x = xmalloc(sizeof(double) * N * D), *h = xmalloc(sizeof(double) * N * D);
  for (int j = 0; j < D; j++) {
    rows.cols[j] = xmalloc(sizeof(double) * N), out[j] = xmalloc(sizeof(double) * N);
    ixp_rng_normals(ixp_rng_key(5, (uint64_t)j, 0), 0, rows.cols[j], N);
    for (long i = 0; i < N; i++) x[i * D + j] = rows.cols[j][i];
  }
  printf("h = tanh(W x + b), N = %ld rows, %d -> %d:\n", N, D, D);
  const int settings[2] = {1, default_threads};
  for (int t = 0; t < 2; t++) {
    ixp_dense_set_threads(settings[t]);
    double tb[REPS], tc[REPS];
    IxpBatchStats st = {0};
    for (int rep = 0; rep < REPS; rep++) {  /* paired runs */
      double t0 = now();
      st = batch_layer(s, m, e, &rows, out);
      tb[rep] = now() - t0;
      t0 = now();
      c_layer(x, w, b, h, settings[t]);
      tc[rep] = now() - t0;
    }
    double diff = 0;
    for (long i = 0; i < N; i++)
      for (int j = 0; j < D; j++) diff = fmax(diff, fabs(out[j][i] - h[i * D + j]));
    char extra[160], name[96];
    snprintf(extra, sizeof extra, "%d thread%s, %d GEMMs, max |ixp - C| = %.1e", st.threads, st.threads == 1 ? "" : "s",
             st.gemms, diff);
    snprintf(name, sizeof name, "batch evaluator, %s", t ? "default threads" : "1 thread");
    line(name, median(tb, REPS), "C loop (1 GEMM + tanh pass)", median(tc, REPS), extra);
    double tm[REPS];
    for (int rep = 0; rep < REPS; rep++) tm[rep] = map_statement(dir);
    snprintf(name, sizeof name, "map statement, %s", t ? "default threads" : "1 thread");
    line(name, median(tm, REPS), "C loop (1 GEMM + tanh pass)", median(tc, REPS),
         "data net = map(d, h = tanh(W * x + b)): d's columns copied, h's checked finite");
    snprintf(name, sizeof name, "batch evaluator, %s", t ? "default threads" : "1 thread");
    double np = numpy_layer(t ? 0 : 1);
    if (np > 0) line(name, median(tb, REPS), "NumPy tanh(X @ W.T + b)", np, PY " (live)");
    else if (t == 0) printf("  NumPy: skipped (%s has no numpy)\n", PY);
  }
  ixp_dense_set_threads(1);
  double before[3], after[3];
  for (int rep = 0; rep < 3; rep++) {
    double t0 = now();
    per_row_layer(s, m, e, &rows, out, N / 10);
    before[rep] = (now() - t0) * 10;
    t0 = now();
    batch_layer(s, m, e, &rows, out);
    after[rep] = now() - t0;
  }
  line("interpreter row by row (before), 1 thread", median(before, 3), "batch evaluator, 1 thread", median(after, 3),
       "measured on N / 10 rows, scaled");
  ixp_dense_set_threads(default_threads);
  for (int j = 0; j < D; j++) free(rows.cols[j]), free(out[j]);
  free(rows.cols), free(rows.vals), free(out), free(x), free(h), free(w), free(b);
  ixp_session_free(s);
  fclose(sink);
}

/* ------------------------------------------------------------ figure 2 */

static void figure_network(const char *dir, int default_threads) {
  double *w = xmalloc(sizeof(double) * LAYER * LAYER), *b = xmalloc(sizeof(double) * LAYER);
  char text[4096], path[512];
  size_t len = 0;
  for (int k = 1; k <= 4; k++) {
    weights(10 + k, LAYER, LAYER, w, b);
    for (int i = 0; i < LAYER * LAYER; i++) w[i] *= 1.5;  /* gain 1.5: saturating tanh layers */
    snprintf(path, sizeof path, "%s/w%d.npy", dir, k), write_npy(path, w, LAYER, LAYER);
    snprintf(path, sizeof path, "%s/b%d.npy", dir, k), write_npy(path, b, LAYER, 0);
    len += (size_t)snprintf(text + len, sizeof text - len, "let W%d = npy(\"%s/w%d.npy\")\nlet b%d = npy(\"%s/b%d.npy\")\n",
                            k, dir, k, k, dir, k);
  }
  snprintf(text + len, sizeof text - len,
           "model net {\n  x[%d] ~ normal(0, 1)\n  h1 = tanh(W1 * x + b1)\n  h2 = tanh(W2 * h1 + b2)\n"
           "  h3 = tanh(W3 * h2 + b3)\n  h4 = tanh(W4 * h3 + b4)\n}\n",
           LAYER);
  printf("4-layer tanh network x[%d] -> h1 .. h4, sampled at %ld rows, mi(x; hk) using gaussian for k = 1 .. 4:\n", LAYER,
         N);
  const int settings[2] = {1, default_threads};
  for (int t = 0; t < 2; t++) {
    double ts[3], te[3];
    for (int rep = 0; rep < 3; rep++) {
      FILE *sink = fopen("/dev/null", "w");
      IxpSession *s = session(sink);
      ixp_dense_set_threads(settings[t]);
      run(s, text);
      double t0 = now();
      run(s, "data d = sample(net, 100000)\n");
      ts[rep] = now() - t0;
      t0 = now();
      run(s, "units nats\nprint mi(x; h1) in d using gaussian, mi(x; h2) in d using gaussian,"
             " mi(x; h3) in d using gaussian, mi(x; h4) in d using gaussian\n");
      te[rep] = now() - t0;
      ixp_session_free(s);
      fclose(sink);
    }
    double a = median(ts, 3), e = median(te, 3);
    printf("  %-16s sampling %8.1f ms (%4.1f %%)   estimation %8.1f ms (%4.1f %%)   total %8.1f ms\n",
           t ? "default threads" : "1 thread", a * 1e3, 100 * a / (a + e), e * 1e3, 100 * e / (a + e), (a + e) * 1e3);
  }
  free(w), free(b);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  char dir[] = "/tmp/ixp_bench_batch_XXXXXX";
  if (!mkdtemp(dir)) die("mkdtemp", "failed");
  int default_threads = ixp_threads_budget();
  figure_layer(dir, default_threads);
  figure_network(dir, default_threads);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "bench_batch: could not remove %s\n", dir);
  return 0;
}
