/* bench_ffi.c — the cost of extern calls through backends/ffi/foreign.c, against
 * calling the same functions of build/ffi_benchlib.so directly (through
 * a dlsym'd function pointer):
 *
 *  - scalar: axpy(x, y) = 0.999999 x + y, each call's result fed to the
 *    next, through ixp_ffi_call in-process against the direct call
 *    (ns/call; the ratio is the overhead of conversion + ffi_call);
 *  - batched: layer(n, const x[n, 16], h[n, 16]), h = tanh(x W) with n =
 *    1e5 rows, one ixp_ffi_call against one direct call (ratio ~1: f64
 *    arrays are passed without a copy), and one ixp_ffi_call per row
 *    (the per-row overhead);
 *  - isolated: the same scalar call as a round trip to the library's
 *    child process, against the in-process ixp_ffi_call; and the batched
 *    layer isolated (both arrays cross the socket) against the direct call.
 *
 * Times are the best of a few repetitions. Run from the project root. */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "foreign.h"
#include "timing.h"

#define LIB "build/ffi_benchlib.so"
#define ROWS 100000L

static void die(const char *what, const char *msg) {
  fprintf(stderr, "bench_ffi: %s: %s\n", what, msg);
  exit(1);
}

static void line(const char *name, double v, const char *unit, const char *ref_name, double ref, const char *extra) {
  printf("  %-38s %10.2f %-7s  %-26s %10.2f %-7s  ratio %7.2f   %s\n", name, v, unit, ref_name, ref, unit, v / ref,
         extra);
}

typedef double (*AxpyFn)(double, double);
typedef void (*LayerFn)(int64_t, const double *, double *);

static IxpFfiFn axpy_decl(void) {
  return (IxpFfiFn){.name = "axpy", .ret = IXP_CT_F64, .nparams = 2,
                    .params = {{.name = "x", .type = IXP_CT_F64}, {.name = "y", .type = IXP_CT_F64}}};
}

static IxpFfiFn layer_decl(void) {
  IxpFfiDim n = {.param = 0}, w = {.size = 16, .param = -1};
  return (IxpFfiFn){.name = "layer", .ret = IXP_CT_VOID, .nparams = 3,
                    .params = {{.name = "n", .type = IXP_CT_I64},
                               {.name = "x", .type = IXP_CT_F64, .is_array = true, .is_const = true, .ndims = 2,
                                .dims = {n, w}},
                               {.name = "h", .type = IXP_CT_F64, .is_array = true, .ndims = 2, .dims = {n, w}}}};
}

static void bind(IxpFfiLib *lib, IxpFfiFn *fn) {
  char err[512];
  if (!ixp_ffi_bind(lib, fn, err, sizeof err)) die("bind", err);
}

/* Seconds per call of `calls` chained axpy calls through fn (best of 3). */
static double ffi_scalar(IxpFfiFn *fn, long calls, double *sink) {
  double best = INFINITY, acc = 0;
  char err[512];
  for (int rep = 0; rep < 3; rep++) {
    IxpFfiArg a[2] = {{.scalar = 1}, {.scalar = 1e-9}};
    double t0 = now();
    for (long i = 0; i < calls; i++) {
      if (!ixp_ffi_call(fn, a, &acc, err, sizeof err)) die("call", err);
      a[0].scalar = acc;
    }
    best = fmin(best, (now() - t0) / (double)calls);
  }
  *sink += acc;
  return best;
}

static double direct_scalar(AxpyFn f, long calls, double *sink) {
  double best = INFINITY, acc = 1;
  for (int rep = 0; rep < 3; rep++) {
    double t0 = now();
    for (long i = 0; i < calls; i++) acc = f(acc, 1e-9);
    best = fmin(best, (now() - t0) / (double)calls);
  }
  *sink += acc;
  return best;
}

/* Best of `reps` seconds for the whole layer: direct, one ffi call, or one
 * ffi call per row (per_row). */
static double time_layer(LayerFn direct, IxpFfiFn *fn, bool per_row, const double *x, double *h, int reps) {
  double best = INFINITY;
  char err[512];
  for (int rep = 0; rep < reps; rep++) {
    double t0 = now();
    if (!fn) direct(ROWS, x, h);
    for (long r = 0; fn && r < (per_row ? ROWS : 1); r++) {
      long n = per_row ? 1 : ROWS;
      IxpFfiArg a[3] = {{.scalar = (double)n},
                        {.array = (double *)x + 16 * r, .count = (size_t)(16 * n)},
                        {.array = h + 16 * r, .count = (size_t)(16 * n)}};
      double ret;
      if (!ixp_ffi_call(fn, a, &ret, err, sizeof err)) die("call", err);
    }
    best = fmin(best, now() - t0);
  }
  return best;
}

static double max_diff(const double *a, const double *b, long n) {
  double d = 0;
  for (long i = 0; i < n; i++) d = fmax(d, fabs(a[i] - b[i]));
  return d;
}

int main(void) {
  char err[512];
  void *h = dlopen(LIB, RTLD_NOW | RTLD_LOCAL);
  if (!h) die("dlopen (run `make build/ffi_benchlib.so` from the project root)", dlerror());
  AxpyFn axpy = (AxpyFn)dlsym(h, "axpy");
  LayerFn layer = (LayerFn)dlsym(h, "layer");
  IxpFfiLib *in = ixp_ffi_open(LIB, false, err, sizeof err), *iso = ixp_ffi_open(LIB, true, err, sizeof err);
  if (!axpy || !layer || !in || !iso) die("open", err);
  IxpFfiFn fa = axpy_decl(), fl = layer_decl(), ia = axpy_decl(), il = layer_decl(), rl = layer_decl();
  bind(in, &fa), bind(in, &fl), bind(in, &rl), bind(iso, &ia), bind(iso, &il);
  double sink = 0, extra_t;
  char extra[160];

  printf("extern (FFI) calls, %s:\n", LIB);
  double t_direct = direct_scalar(axpy, 50000000, &sink), t_ffi = ffi_scalar(&fa, 5000000, &sink);
  line("scalar axpy(x, y), ixp_ffi_call", t_ffi * 1e9, "ns/call", "direct call", t_direct * 1e9, "(in-process)");

  double *x = malloc(sizeof(double) * 16 * ROWS), *h1 = malloc(sizeof(double) * 16 * ROWS),
         *h2 = malloc(sizeof(double) * 16 * ROWS);
  if (!x || !h1 || !h2) die("malloc", "out of memory");
  for (long i = 0; i < 16 * ROWS; i++) x[i] = sin(0.001 * (double)i);
  double t_ld = time_layer(layer, NULL, false, x, h1, 5);
  double t_lf = time_layer(NULL, &fl, false, x, h2, 5);
  snprintf(extra, sizeof extra, "n = %ld rows of 16; max |h - h_direct| = %.1e", ROWS, max_diff(h1, h2, 16 * ROWS));
  line("layer, one batched ixp_ffi_call", t_lf * 1e3, "ms", "direct call", t_ld * 1e3, extra);
  double t_lr = time_layer(NULL, &rl, true, x, h2, 3);
  snprintf(extra, sizeof extra, "%.1f ns overhead per row; max |h - h_direct| = %.1e", (t_lr - t_ld) / ROWS * 1e9,
           max_diff(h1, h2, 16 * ROWS));
  line("layer, one ixp_ffi_call per row", t_lr * 1e3, "ms", "direct batched call", t_ld * 1e3, extra);

  double t_iso = ffi_scalar(&ia, 50000, &sink);
  line("scalar axpy(x, y), isolated", t_iso * 1e9, "ns/call", "in-process ixp_ffi_call", t_ffi * 1e9,
       "(a round trip to the child process)");
  extra_t = time_layer(NULL, &il, false, x, h2, 3);
  snprintf(extra, sizeof extra, "x and h (%.1f MB each) cross a socket; max |h - h_direct| = %.1e",
           16.0 * ROWS * 8 / 1e6, max_diff(h1, h2, 16 * ROWS));
  line("layer, batched, isolated", extra_t * 1e3, "ms", "direct call", t_ld * 1e3, extra);

  ixp_ffi_unbind(&fa), ixp_ffi_unbind(&fl), ixp_ffi_unbind(&rl), ixp_ffi_unbind(&ia), ixp_ffi_unbind(&il);
  ixp_ffi_close(in), ixp_ffi_close(iso);
  dlclose(h);
  free(x), free(h1), free(h2);
  if (sink == 12345.678) printf("(sink)\n");  /* keeps the chained results alive */
  return 0;
}
