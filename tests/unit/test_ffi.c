/* test_ffi.c — extern C calls (backends/ffi/foreign.c) against build/ffi_testlib.so
 * (tests/ffi_testlib.c, built by the Makefile; the tests run from the
 * project root). Most tests run twice, in-process and isolated, and must
 * give the same results; crashes are only ever provoked in isolated mode. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "foreign.h"

#define LIB "build/ffi_testlib.so"

/* ------------------------------------------------------------------ helpers */

static IxpFfiParam S(const char *name, IxpCType t) { return (IxpFfiParam){.name = name, .type = t}; }

/* A dimension: a literal size, or the parameter at index i. */
static IxpFfiDim L(long size) { return (IxpFfiDim){.size = size, .param = -1}; }
static IxpFfiDim P(int i) { return (IxpFfiDim){.param = i}; }

static IxpFfiParam A(const char *name, IxpCType t, bool is_const, int ndims, ...) {
  IxpFfiParam p = {.name = name, .type = t, .is_array = true, .is_const = is_const, .ndims = ndims};
  va_list ap;
  va_start(ap, ndims);
  for (int k = 0; k < ndims && k < IXP_FFI_MAX_DIMS; k++) p.dims[k] = va_arg(ap, IxpFfiDim);
  va_end(ap);
  return p;
}

static IxpFfiFn decl(const char *name, IxpCType ret, int n, const IxpFfiParam *ps) {
  IxpFfiFn fn = {.name = name, .ret = ret, .nparams = n};
  for (int i = 0; i < n; i++) fn.params[i] = ps[i];
  return fn;
}
#define DECL(name, ret, ...) \
  decl(name, ret, sizeof((IxpFfiParam[]){__VA_ARGS__}) / sizeof(IxpFfiParam), (IxpFfiParam[]){__VA_ARGS__})

static IxpFfiLib *open_lib(bool isolated) {
  char err[512] = "";
  IxpFfiLib *lib = ixp_ffi_open(LIB, isolated, err, sizeof err);
  cr_assert_not_null(lib, "cannot open %s (run `make build/ffi_testlib.so`): %s", LIB, err);
  return lib;
}

static void must_bind(IxpFfiLib *lib, IxpFfiFn *fn) {
  char err[512] = "";
  cr_assert(ixp_ffi_bind(lib, fn, err, sizeof err), "bind %s: %s", fn->name, err);
}

/* Call, asserting success; the return value. */
static double must_call(IxpFfiFn *fn, IxpFfiArg *args) {
  char err[512] = "";
  double r = -12345;
  cr_assert(ixp_ffi_call(fn, args, &r, err, sizeof err), "call %s: %s", fn->name, err);
  return r;
}

/* Call, asserting failure with exactly `want` as the message. */
static void call_fails(IxpFfiFn *fn, IxpFfiArg *args, const char *want) {
  char err[512] = "";
  double r = -1;
  cr_assert_not(ixp_ffi_call(fn, args, &r, err, sizeof err), "call %s succeeded", fn->name);
  cr_assert_str_eq(err, want);
}

/* Bind, asserting failure with exactly `want`. */
static void bind_fails(IxpFfiLib *lib, IxpFfiFn *fn, const char *want) {
  char err[512] = "";
  cr_assert_not(ixp_ffi_bind(lib, fn, err, sizeof err), "bind %s succeeded", fn->name);
  cr_assert_str_eq(err, want);
}

/* One scalar call f(x) -> ret, bound, called and unbound. */
static double scalar1(IxpFfiLib *lib, const char *name, IxpCType ret, IxpCType t, double x) {
  IxpFfiFn fn = DECL(name, ret, S("x", t));
  must_bind(lib, &fn);
  IxpFfiArg a[1] = {{.scalar = x}};
  double r = must_call(&fn, a);
  ixp_ffi_unbind(&fn);
  return r;
}

/* A hang fails the test (SIGALRM ends it) instead of stalling the suite.
 * Not Criterion's .timeout: with -j2, a timed test starting while one with
 * a longer timeout runs leaks a timeout record in libcriterion 2.4, which
 * LeakSanitizer reports under `make sanitize`. */
static void deadline(unsigned seconds) { alarm(seconds); }

static const bool MODES[2] = {false, true};
#define FOR_MODES(iso) for (int m_ = 0; m_ < 2; m_++) for (bool iso = MODES[m_], once_ = true; once_; once_ = false)

/* ------------------------------------------------------------- types, open */

Test(ffi, ctype_names_round_trip) {
  const char *names[] = {"void", "f64", "f32", "i64", "i32", "u64", "u8", "bool"};
  for (int t = IXP_CT_VOID; t <= IXP_CT_BOOL; t++) {
    cr_assert_str_eq(ixp_ctype_name((IxpCType)t), names[t]);
    cr_assert_eq(ixp_ctype_parse(names[t]), t);
  }
  cr_assert_eq(ixp_ctype_parse("double"), -1);
  cr_assert_eq(ixp_ctype_parse(""), -1);
  cr_assert_eq(ixp_ctype_parse(NULL), -1);
  cr_assert_str_eq(ixp_ctype_name((IxpCType)42), "?");
}

Test(ffi, open_missing_library_gives_loader_text) {
  FOR_MODES(iso) {
    char err[512] = "";
    cr_assert_null(ixp_ffi_open("build/no_such_lib.so", iso, err, sizeof err));
    cr_assert_str_eq(err, "cannot open extern library 'build/no_such_lib.so': build/no_such_lib.so: cannot open "
                          "shared object file: No such file or directory", "isolated %d", iso);
  }
}

Test(ffi, open_reports_path) {
  FOR_MODES(iso) {
    IxpFfiLib *lib = open_lib(iso);
    cr_assert_str_eq(ixp_ffi_path(lib), LIB);
    ixp_ffi_close(lib);
  }
}

Test(ffi, missing_symbol) {
  FOR_MODES(iso) {
    IxpFfiLib *lib = open_lib(iso);
    IxpFfiFn fn = DECL("no_such_fn", IXP_CT_F64, S("x", IXP_CT_F64));
    bind_fails(lib, &fn, "extern library '" LIB "' has no function 'no_such_fn'");
    /* the library stays usable */
    cr_assert_eq(scalar1(lib, "t_f64", IXP_CT_F64, IXP_CT_F64, 1), 2.5);
    ixp_ffi_close(lib);
  }
}

/* ------------------------------------------------------------- declarations */

Test(ffi, bad_declarations) {
  IxpFfiLib *lib = open_lib(false);
  IxpFfiFn fn = DECL("t_sum", IXP_CT_F64, S("n", IXP_CT_F64), A("x", IXP_CT_F64, true, 1, P(0)));
  bind_fails(lib, &fn, "size 'n' of array parameter 'x' of 't_sum' must be an integer scalar (i64, i32, u64 or u8), "
                       "not f64");
  fn = DECL("t_sum", IXP_CT_F64, S("n", IXP_CT_BOOL), A("x", IXP_CT_F64, true, 1, P(0)));
  bind_fails(lib, &fn, "size 'n' of array parameter 'x' of 't_sum' must be an integer scalar (i64, i32, u64 or u8), "
                       "not bool");
  fn = DECL("t_sum", IXP_CT_F64, A("n", IXP_CT_I64, true, 1, L(1)), A("x", IXP_CT_F64, true, 1, P(0)));
  bind_fails(lib, &fn, "size 'n' of array parameter 'x' of 't_sum' must be an integer scalar (i64, i32, u64 or u8), "
                       "not an array of i64");
  fn = DECL("t_sum", IXP_CT_F64, S("n", IXP_CT_I64), A("x", IXP_CT_F64, true, 1, P(7)));
  bind_fails(lib, &fn, "size 1 of array parameter 'x' of 't_sum' names no parameter");
  fn = DECL("t_sum", IXP_CT_F64, S("n", IXP_CT_I64), A("x", IXP_CT_F64, true, 1, L(-2)));
  bind_fails(lib, &fn, "array parameter 'x' of 't_sum' has a negative size (-2)");
  fn = DECL("t_f64", IXP_CT_F64, S("x", IXP_CT_F64));
  fn.params[0].is_const = true;
  bind_fails(lib, &fn, "parameter 'x' of 't_f64' is a scalar; only arrays can be const");
  fn = DECL("t_f64", IXP_CT_F64, S("x", IXP_CT_VOID));
  bind_fails(lib, &fn, "parameter 'x' of 't_f64' cannot be void (void is a return type only)");
  fn = DECL("t_f64", IXP_CT_F64, S("x", (IxpCType)99));
  bind_fails(lib, &fn, "parameter 'x' of 't_f64' has an unknown type");
  fn = DECL("t_f64", (IxpCType)-1, S("x", IXP_CT_F64));
  bind_fails(lib, &fn, "function 't_f64' has an unknown return type");
  fn = DECL("t_sum", IXP_CT_F64, S("n", IXP_CT_I64), A("x", IXP_CT_F64, true, 0));
  bind_fails(lib, &fn, "array parameter 'x' of 't_sum' needs a shape");
  fn = DECL("t_sum", IXP_CT_F64, S("n", IXP_CT_I64), A("x", IXP_CT_F64, true, 4, L(1), L(1), L(1), L(1)));
  fn.params[1].ndims = IXP_FFI_MAX_DIMS + 1;
  bind_fails(lib, &fn, "array parameter 'x' of 't_sum' has 5 dimensions; at most 4 are supported");
  fn = DECL("t_f64", IXP_CT_F64, S("x", IXP_CT_F64));
  fn.nparams = IXP_FFI_MAX_PARAMS + 1;
  bind_fails(lib, &fn, "function 't_f64' has 17 parameters; at most 16 are supported");
  fn = DECL(NULL, IXP_CT_F64, S("x", IXP_CT_F64));
  bind_fails(lib, &fn, "an extern function needs a name");
  /* a shape may name a later parameter, and u8/i32/u64 sizes are fine */
  fn = DECL("t_fill3", IXP_CT_VOID, A("g", IXP_CT_F64, false, 3, L(2), L(3), P(1)), S("n", IXP_CT_U8));
  must_bind(lib, &fn);
  ixp_ffi_unbind(&fn);
  cr_assert_null(fn.cif);
  cr_assert_null(fn.scratch);
  ixp_ffi_close(lib);
}

Test(ffi, unbound_call_is_an_error) {
  IxpFfiFn fn = DECL("t_f64", IXP_CT_F64, S("x", IXP_CT_F64));
  IxpFfiArg a[1] = {{.scalar = 1}};
  call_fails(&fn, a, "function 't_f64' is not bound");
}

/* ------------------------------------------------------------------ scalars */

Test(ffi, every_scalar_type_in_and_out) {
  FOR_MODES(iso) {
    IxpFfiLib *lib = open_lib(iso);
    cr_assert_eq(scalar1(lib, "t_f64", IXP_CT_F64, IXP_CT_F64, 0.1), 2 * 0.1 + 0.5);
    cr_assert_eq(scalar1(lib, "t_f32", IXP_CT_F32, IXP_CT_F32, 3.0), 1.5);
    cr_assert_eq(scalar1(lib, "t_f32", IXP_CT_F32, IXP_CT_F32, 0.1), (double)(0.1f * 0.5f));
    cr_assert_eq(scalar1(lib, "t_i64", IXP_CT_I64, IXP_CT_I64, 0x1p53), 0x1p53 - 1);
    cr_assert_eq(scalar1(lib, "t_i64", IXP_CT_I64, IXP_CT_I64, -7), -8);
    /* narrow returns come back through an ffi_arg: sign and width must survive */
    cr_assert_eq(scalar1(lib, "t_i32", IXP_CT_I32, IXP_CT_I32, 5), -5);
    cr_assert_eq(scalar1(lib, "t_i32", IXP_CT_I32, IXP_CT_I32, -2147483647), 2147483647);
    cr_assert_eq(scalar1(lib, "t_u8", IXP_CT_U8, IXP_CT_U8, 254), 255);
    cr_assert_eq(scalar1(lib, "t_u8", IXP_CT_U8, IXP_CT_U8, 255), 0);
    cr_assert_eq(scalar1(lib, "t_not", IXP_CT_BOOL, IXP_CT_BOOL, 0), 1);
    cr_assert_eq(scalar1(lib, "t_not", IXP_CT_BOOL, IXP_CT_BOOL, 1), 0);
    cr_assert_eq(scalar1(lib, "t_pos", IXP_CT_BOOL, IXP_CT_F64, 3), 1);
    cr_assert_eq(scalar1(lib, "t_pos", IXP_CT_BOOL, IXP_CT_F64, -3), 0);
    ixp_ffi_close(lib);
  }
}

Test(ffi, u64_passes_all_64_bits) {
  FOR_MODES(iso) {
    IxpFfiLib *lib = open_lib(iso);
    IxpFfiFn hi = DECL("t_u64_hi", IXP_CT_U64, S("x", IXP_CT_U64));
    must_bind(lib, &hi);
    IxpFfiArg a[1] = {{.bits = UINT64_C(0xFFFFFF0000003039), .scalar = 99}};
    cr_assert_eq(must_call(&hi, a), 16777215.0);
    IxpFfiFn echo = DECL("t_u64_echo", IXP_CT_U64, S("x", IXP_CT_U64));
    must_bind(lib, &echo);
    a[0].bits = UINT64_C(12345678901234567);
    cr_assert_eq(must_call(&echo, a), 12345678901234567.0);
    IxpFfiFn max = decl("t_u64_max", IXP_CT_U64, 0, NULL);
    must_bind(lib, &max);
    cr_assert_eq(must_call(&max, NULL), 0x1p64);
    ixp_ffi_unbind(&hi), ixp_ffi_unbind(&echo), ixp_ffi_unbind(&max);
    ixp_ffi_close(lib);
  }
}

Test(ffi, void_return_and_nan) {
  FOR_MODES(iso) {
    IxpFfiLib *lib = open_lib(iso);
    IxpFfiFn store = DECL("t_store", IXP_CT_VOID, S("x", IXP_CT_F64));
    IxpFfiFn last = decl("t_last", IXP_CT_F64, 0, NULL), nan = decl("t_nan", IXP_CT_F64, 0, NULL);
    must_bind(lib, &store), must_bind(lib, &last), must_bind(lib, &nan);
    IxpFfiArg a[1] = {{.scalar = -3.25}};
    cr_assert_eq(must_call(&store, a), 0);
    cr_assert_eq(must_call(&last, NULL), -3.25);
    cr_assert(isnan(must_call(&nan, NULL)));
    ixp_ffi_unbind(&store), ixp_ffi_unbind(&last), ixp_ffi_unbind(&nan);
    ixp_ffi_close(lib);
  }
}

Test(ffi, mixed_arguments_arrive_in_order) {
  FOR_MODES(iso) {
    IxpFfiLib *lib = open_lib(iso);
    IxpFfiFn fn = DECL("t_mix", IXP_CT_F64, S("a", IXP_CT_F64), S("b", IXP_CT_F32), S("c", IXP_CT_I64),
                       S("d", IXP_CT_I32), S("e", IXP_CT_U64), S("f", IXP_CT_U8), S("g", IXP_CT_BOOL),
                       S("h", IXP_CT_I32), S("i", IXP_CT_F64));
    must_bind(lib, &fn);
    IxpFfiArg a[9] = {{.scalar = 1}, {.scalar = 2}, {.scalar = 3}, {.scalar = 4}, {.bits = 5},
                      {.scalar = 6}, {.scalar = 1}, {.scalar = 8}, {.scalar = 9}};
    cr_assert_eq(must_call(&fn, a), 981654321.0);
    ixp_ffi_unbind(&fn);
    ixp_ffi_close(lib);
  }
}

/* ------------------------------------------------------------------- arrays */

Test(ffi, f64_arrays_are_passed_without_a_copy) {
  IxpFfiLib *lib = open_lib(false);
  IxpFfiFn fn = DECL("t_addr", IXP_CT_U64, S("n", IXP_CT_I64), A("x", IXP_CT_F64, true, 1, P(0)));
  must_bind(lib, &fn);
  double x[5] = {1, 2, 3, 4, 5};
  IxpFfiArg a[2] = {{.scalar = 5}, {.array = x, .count = 5}};
  cr_assert_eq(must_call(&fn, a), (double)(uintptr_t)x);
  /* a written f64 array is written in place */
  IxpFfiFn conv = DECL("t_conv_f64", IXP_CT_F64, S("n", IXP_CT_I64), A("x", IXP_CT_F64, true, 1, P(0)),
                       A("y", IXP_CT_F64, false, 1, P(0)));
  must_bind(lib, &conv);
  double y[5] = {0};
  IxpFfiArg b[3] = {{.scalar = 5}, {.array = x, .count = 5}, {.array = y, .count = 5}};
  cr_assert_eq(must_call(&conv, b), 15);
  for (int i = 0; i < 5; i++) cr_assert_eq(y[i], 2 * x[i] + 1);
  cr_assert_null(conv.scratch, "no conversion buffer for f64 arrays");
  ixp_ffi_unbind(&fn), ixp_ffi_unbind(&conv);
  ixp_ffi_close(lib);
}

/* t_conv_T(n, const T x[n], T y[n]): the inputs as read (their sum) and
 * y = 2 x + 1 converted back, for each element type. */
static void conv_case(IxpFfiLib *lib, const char *name, IxpCType t, const double *x, int n, const double *want) {
  IxpFfiFn fn = DECL(name, IXP_CT_F64, S("n", IXP_CT_I64), A("x", t, true, 1, P(0)), A("y", t, false, 1, P(0)));
  must_bind(lib, &fn);
  double xs[8], y[8], sum = 0;
  for (int i = 0; i < n; i++) xs[i] = x[i], y[i] = 1, sum += x[i];  /* y is read too: valid values */
  IxpFfiArg a[3] = {{.scalar = n}, {.array = xs, .count = (size_t)n}, {.array = y, .count = (size_t)n}};
  cr_assert_eq(must_call(&fn, a), sum, "%s", name);
  for (int i = 0; i < n; i++) {
    cr_assert_eq(y[i], want[i], "%s: y[%d] = %.17g, want %.17g", name, i, y[i], want[i]);
    cr_assert_eq(xs[i], x[i], "%s: const input changed", name);
  }
  ixp_ffi_unbind(&fn);
}

Test(ffi, written_arrays_of_every_type_come_back) {
  FOR_MODES(iso) {
    IxpFfiLib *lib = open_lib(iso);
    conv_case(lib, "t_conv_f64", IXP_CT_F64, (double[]){0.1, -2, 1e300}, 3, (double[]){2 * 0.1 + 1, -3, 2e300});
    conv_case(lib, "t_conv_f32", IXP_CT_F32, (double[]){0.5, -2, 0x1p100}, 3, (double[]){2, -3, 0x1p101});
    conv_case(lib, "t_conv_i64", IXP_CT_I64, (double[]){-5, 0, 0x1p51}, 3, (double[]){-9, 1, 0x1p52 + 1});
    conv_case(lib, "t_conv_i32", IXP_CT_I32, (double[]){-5, 7, 1e9}, 3, (double[]){-9, 15, 2e9 + 1});
    conv_case(lib, "t_conv_u64", IXP_CT_U64, (double[]){0, 3, 0x1p62}, 3, (double[]){1, 7, 0x1p63});
    conv_case(lib, "t_conv_u8", IXP_CT_U8, (double[]){0, 100, 200, 255}, 4, (double[]){1, 201, 145, 255});
    conv_case(lib, "t_conv_bool", IXP_CT_BOOL, (double[]){0, 1, 1}, 3, (double[]){1, 0, 0});
    ixp_ffi_close(lib);
  }
}

Test(ffi, written_bool_bytes_read_as_true) {
  FOR_MODES(iso) {
    IxpFfiLib *lib = open_lib(iso);
    IxpFfiFn fn = DECL("t_bool_bytes", IXP_CT_VOID, S("n", IXP_CT_I64), A("b", IXP_CT_BOOL, false, 1, P(0)));
    must_bind(lib, &fn);
    double b[6] = {0, 0, 0, 0, 0, 0};
    IxpFfiArg a[2] = {{.scalar = 6}, {.array = b, .count = 6}};
    must_call(&fn, a);
    for (int i = 0; i < 6; i++) cr_assert_eq(b[i], i % 3 ? 1 : 0, "b[%d] = %g", i, b[i]);
    ixp_ffi_unbind(&fn);
    ixp_ffi_close(lib);
  }
}

Test(ffi, two_d_shapes_from_parameters_and_literals) {
  FOR_MODES(iso) {
    IxpFfiLib *lib = open_lib(iso);
    IxpFfiFn mv = DECL("t_matvec", IXP_CT_VOID, S("n", IXP_CT_I64), S("m", IXP_CT_I32),
                       A("a", IXP_CT_F64, true, 2, P(0), P(1)), A("x", IXP_CT_F64, true, 1, P(1)),
                       A("y", IXP_CT_F64, false, 1, P(0)));
    must_bind(lib, &mv);
    double am[6] = {1, 2, 3, 4, 5, 6}, x[3] = {1, 10, 100}, y[2] = {0};
    IxpFfiArg a[5] = {{.scalar = 2}, {.scalar = 3}, {.array = am, .count = 6}, {.array = x, .count = 3},
                      {.array = y, .count = 2}};
    must_call(&mv, a);
    cr_assert_eq(y[0], 321);
    cr_assert_eq(y[1], 654);

    IxpFfiFn layer = DECL("t_layer", IXP_CT_VOID, S("n", IXP_CT_I64), A("x", IXP_CT_F64, true, 2, P(0), L(4)),
                          A("h", IXP_CT_F64, false, 2, P(0), L(8)));
    must_bind(lib, &layer);
    double xl[12], h[24];
    for (int i = 0; i < 12; i++) xl[i] = 0.1 * i - 0.5;
    IxpFfiArg b[3] = {{.scalar = 3}, {.array = xl, .count = 12}, {.array = h, .count = 24}};
    must_call(&layer, b);
    for (int r = 0; r < 3; r++)
      for (int k = 0; k < 8; k++) {
        double s = 0;
        for (int j = 0; j < 4; j++) s += xl[r * 4 + j] * (j + 1.0) / (k + 1.0) / 8.0;
        cr_assert_float_eq(h[r * 8 + k], tanh(s), 1e-15);
      }

    IxpFfiFn fill = DECL("t_fill3", IXP_CT_VOID, S("n", IXP_CT_U8), A("g", IXP_CT_F64, false, 3, L(2), L(3), P(0)));
    must_bind(lib, &fill);
    double g[30];
    IxpFfiArg c[2] = {{.scalar = 5}, {.array = g, .count = 30}};
    must_call(&fill, c);
    for (int i = 0; i < 30; i++) cr_assert_eq(g[i], i);
    ixp_ffi_unbind(&mv), ixp_ffi_unbind(&layer), ixp_ffi_unbind(&fill);
    ixp_ffi_close(lib);
  }
}

Test(ffi, empty_arrays_and_growing_scratch) {
  FOR_MODES(iso) {
    IxpFfiLib *lib = open_lib(iso);
    IxpFfiFn fn = DECL("t_conv_i32", IXP_CT_F64, S("n", IXP_CT_I64), A("x", IXP_CT_I32, true, 1, P(0)),
                       A("y", IXP_CT_I32, false, 1, P(0)));
    must_bind(lib, &fn);
    IxpFfiArg a[3] = {{.scalar = 0}, {.array = NULL, .count = 0}, {.array = NULL, .count = 0}};
    cr_assert_eq(must_call(&fn, a), 0);
    const int sizes[] = {2, 1000, 3, 5000};
    for (int s = 0; s < 4; s++) {
      int n = sizes[s];
      double *x = malloc(sizeof(double) * (size_t)n), *y = calloc((size_t)n, sizeof(double));
      for (int i = 0; i < n; i++) x[i] = i - n / 2;
      a[0].scalar = n, a[1] = (IxpFfiArg){.array = x, .count = (size_t)n}, a[2] = (IxpFfiArg){.array = y, .count = (size_t)n};
      must_call(&fn, a);
      for (int i = 0; i < n; i++) cr_assert_eq(y[i], 2 * x[i] + 1);
      free(x), free(y);
    }
    ixp_ffi_unbind(&fn);
    ixp_ffi_close(lib);
  }
}

/* ----------------------------------------------------------- shapes, errors */

Test(ffi, shape_counts) {
  IxpFfiLib *lib = open_lib(false);
  IxpFfiFn fn = DECL("t_matvec", IXP_CT_VOID, S("n", IXP_CT_I64), S("m", IXP_CT_U64),
                     A("a", IXP_CT_F64, true, 3, P(0), P(1), L(3)), A("x", IXP_CT_F64, true, 1, L(0)));
  must_bind(lib, &fn);
  IxpFfiArg a[4] = {{.scalar = 4}, {.bits = 5, .scalar = -1}};
  size_t count = 0;
  char err[256] = "";
  cr_assert(ixp_ffi_shape(&fn, 2, a, &count, err, sizeof err), "%s", err);
  cr_assert_eq(count, 60);
  cr_assert(ixp_ffi_shape(&fn, 3, a, &count, err, sizeof err), "%s", err);
  cr_assert_eq(count, 0);
  cr_assert_not(ixp_ffi_shape(&fn, 0, a, &count, err, sizeof err));
  cr_assert_str_eq(err, "parameter 1 of 't_matvec' is not an array");
  a[0].scalar = -3;
  cr_assert_not(ixp_ffi_shape(&fn, 2, a, &count, err, sizeof err));
  cr_assert_str_eq(err, "size 'n' of argument 'a' is negative (-3)");
  a[0].scalar = 0x1p62, a[1].bits = 1 << 20;
  cr_assert_not(ixp_ffi_shape(&fn, 2, a, &count, err, sizeof err));
  cr_assert_str_eq(err, "argument 'a' of 't_matvec' is too large: its shape f64[n, m, 3] (n = 4611686018427387904, "
                        "m = 1048576) overflows");
  a[0].scalar = 2.5;
  cr_assert_not(ixp_ffi_shape(&fn, 2, a, &count, err, sizeof err));
  cr_assert_str_eq(err, "size 'n' of argument 'a' must be a whole number below 2^64, not 2.5");
  ixp_ffi_unbind(&fn);
  ixp_ffi_close(lib);
}

Test(ffi, call_errors_name_the_problem) {
  FOR_MODES(iso) {
    IxpFfiLib *lib = open_lib(iso);
    IxpFfiFn layer = DECL("t_layer", IXP_CT_VOID, S("n", IXP_CT_I64), A("x", IXP_CT_F64, true, 2, P(0), L(4)),
                          A("h", IXP_CT_F64, false, 2, P(0), L(8)));
    must_bind(lib, &layer);
    double x[16] = {0}, h[32];
    for (int i = 0; i < 32; i++) h[i] = 7;
    IxpFfiArg a[3] = {{.scalar = 4}, {.array = x, .count = 12}, {.array = h, .count = 32}};
    call_fails(&layer, a, "argument 'x' of 't_layer' has 12 elements; its shape f64[n, 4] needs 16 (n = 4)");
    a[1].count = 16, a[0].scalar = -3;
    call_fails(&layer, a, "size 'n' of argument 'x' is negative (-3)");
    a[0].scalar = 4, a[1].array = NULL;
    call_fails(&layer, a, "argument 'x' of 't_layer' has no elements");
    a[0].scalar = 2.5, a[1].array = x;
    call_fails(&layer, a,
               "argument 'n' of 't_layer' must be a whole number in [-9223372036854775808, 9223372036854775807], "
               "not 2.5");
    a[0].scalar = NAN;
    call_fails(&layer, a,
               "argument 'n' of 't_layer' must be a whole number in [-9223372036854775808, 9223372036854775807], "
               "not nan");
    a[0].scalar = 0x1p63;
    call_fails(&layer, a,
               "argument 'n' of 't_layer' must be a whole number in [-9223372036854775808, 9223372036854775807], "
               "not 9223372036854775808");
    for (int i = 0; i < 32; i++) cr_assert_eq(h[i], 7, "a failed call wrote its output");

    IxpFfiFn i32 = DECL("t_i32", IXP_CT_I32, S("x", IXP_CT_I32));
    IxpFfiFn u8 = DECL("t_u8", IXP_CT_U8, S("x", IXP_CT_U8));
    IxpFfiFn bl = DECL("t_not", IXP_CT_BOOL, S("b", IXP_CT_BOOL));
    IxpFfiFn f32 = DECL("t_f32", IXP_CT_F32, S("x", IXP_CT_F32));
    must_bind(lib, &i32), must_bind(lib, &u8), must_bind(lib, &bl), must_bind(lib, &f32);
    IxpFfiArg s[1] = {{.scalar = 2.5}};
    call_fails(&i32, s, "argument 'x' of 't_i32' must be a whole number in [-2147483648, 2147483647], not 2.5");
    s[0].scalar = 2147483648.0;
    call_fails(&i32, s, "argument 'x' of 't_i32' must be a whole number in [-2147483648, 2147483647], not 2147483648");
    s[0].scalar = INFINITY;
    call_fails(&i32, s, "argument 'x' of 't_i32' must be a whole number in [-2147483648, 2147483647], not inf");
    s[0].scalar = 256;
    call_fails(&u8, s, "argument 'x' of 't_u8' must be a whole number in [0, 255], not 256");
    s[0].scalar = -1;
    call_fails(&u8, s, "argument 'x' of 't_u8' must be a whole number in [0, 255], not -1");
    s[0].scalar = 2;
    call_fails(&bl, s, "argument 'b' of 't_not' must be 0 or 1 (a bool), not 2");
    s[0].scalar = 0.5;
    call_fails(&bl, s, "argument 'b' of 't_not' must be 0 or 1 (a bool), not 0.5");
    s[0].scalar = 1e300;
    call_fails(&f32, s, "argument 'x' of 't_f32' = 1e+300 does not fit f32");
    s[0].scalar = -1e39;
    call_fails(&f32, s, "argument 'x' of 't_f32' = -1e+39 does not fit f32");
    /* infinities and NaN do fit */
    s[0].scalar = -INFINITY;
    cr_assert_eq(must_call(&f32, s), -INFINITY);
    s[0].scalar = NAN;
    cr_assert(isnan(must_call(&f32, s)));
    ixp_ffi_unbind(&layer), ixp_ffi_unbind(&i32), ixp_ffi_unbind(&u8), ixp_ffi_unbind(&bl), ixp_ffi_unbind(&f32);
    ixp_ffi_close(lib);
  }
}

Test(ffi, array_element_errors_name_the_element) {
  FOR_MODES(iso) {
    IxpFfiLib *lib = open_lib(iso);
    IxpFfiFn calls = decl("t_calls", IXP_CT_I64, 0, NULL);
    must_bind(lib, &calls);
    double before = must_call(&calls, NULL);
    struct {
      const char *fn;
      IxpCType t;
      double bad;
      const char *want;
    } cases[] = {
        {"t_conv_i32", IXP_CT_I32, 1.5,
         "element 2 of argument 'x' of 't_conv_i32' must be a whole number in [-2147483648, 2147483647], not 1.5"},
        {"t_conv_u8", IXP_CT_U8, 300, "element 2 of argument 'x' of 't_conv_u8' must be a whole number in [0, 255], not 300"},
        {"t_conv_u64", IXP_CT_U64, -1,
         "element 2 of argument 'x' of 't_conv_u64' must be a whole number in [0, 18446744073709551615], not -1"},
        {"t_conv_bool", IXP_CT_BOOL, 2, "element 2 of argument 'x' of 't_conv_bool' must be 0 or 1 (a bool), not 2"},
        {"t_conv_f32", IXP_CT_F32, 1e40, "element 2 of argument 'x' of 't_conv_f32' = 1e+40 does not fit f32"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
      IxpFfiFn fn = DECL(cases[c].fn, IXP_CT_F64, S("n", IXP_CT_I64), A("x", cases[c].t, true, 1, P(0)),
                         A("y", cases[c].t, false, 1, P(0)));
      must_bind(lib, &fn);
      double x[4] = {0, 1, cases[c].bad, 1}, y[4] = {9, 9, 9, 9};
      IxpFfiArg a[3] = {{.scalar = 4}, {.array = x, .count = 4}, {.array = y, .count = 4}};
      call_fails(&fn, a, cases[c].want);
      for (int i = 0; i < 4; i++) cr_assert_eq(y[i], 9);
      ixp_ffi_unbind(&fn);
    }
    /* a written array is read too, so its values are checked alike */
    IxpFfiFn fn = DECL("t_conv_i32", IXP_CT_F64, S("n", IXP_CT_I64), A("x", IXP_CT_I32, true, 1, P(0)),
                       A("y", IXP_CT_I32, false, 1, P(0)));
    must_bind(lib, &fn);
    double x[2] = {1, 2}, y[2] = {0, -0.25};
    IxpFfiArg a[3] = {{.scalar = 2}, {.array = x, .count = 2}, {.array = y, .count = 2}};
    call_fails(&fn, a,
               "element 1 of argument 'y' of 't_conv_i32' must be a whole number in [-2147483648, 2147483647], not "
               "-0.25");
    ixp_ffi_unbind(&fn);
    cr_assert_eq(must_call(&calls, NULL), before, "a refused call ran the function");
    ixp_ffi_unbind(&calls);
    ixp_ffi_close(lib);
  }
}

/* ---------------------------------------------------------------- isolated */

Test(ffi, isolated_crash_is_reported) {
  deadline(20);
  IxpFfiLib *lib = open_lib(true);
  IxpFfiFn crash = DECL("t_crash", IXP_CT_F64, S("x", IXP_CT_F64));
  IxpFfiFn f64 = DECL("t_f64", IXP_CT_F64, S("x", IXP_CT_F64));
  must_bind(lib, &crash), must_bind(lib, &f64);
  IxpFfiArg a[1] = {{.scalar = 1}};
  cr_assert_eq(must_call(&f64, a), 2.5);
  call_fails(&crash, a,
             "extern library '" LIB "' crashed in 't_crash': Segmentation fault (it ran isolated; ixp continues)");
  /* afterwards the library is reopened on its next use, its functions
   * bound again under the same numbers */
  cr_assert_eq(must_call(&f64, a), 2.5);
  IxpFfiFn more = DECL("t_i64", IXP_CT_I64, S("x", IXP_CT_I64));
  must_bind(lib, &more);
  cr_assert_eq(must_call(&more, a), 0);
  call_fails(&crash, a,
             "extern library '" LIB "' crashed in 't_crash': Segmentation fault (it ran isolated; ixp continues)");
  IxpFfiArg b[1] = {{.scalar = 7}};
  cr_assert_eq(must_call(&more, b), 6);
  cr_assert_eq(must_call(&f64, b), 14.5);
  ixp_ffi_unbind(&crash), ixp_ffi_unbind(&f64), ixp_ffi_unbind(&more);
  ixp_ffi_close(lib);
  /* and a fresh isolated copy works */
  lib = open_lib(true);
  cr_assert_eq(scalar1(lib, "t_f64", IXP_CT_F64, IXP_CT_F64, 2), 4.5);
  ixp_ffi_close(lib);
}

Test(ffi, isolated_exit_is_reported) {
  deadline(20);
  IxpFfiLib *lib = open_lib(true);
  IxpFfiFn fn = DECL("t_exit", IXP_CT_VOID, S("status", IXP_CT_I32));
  must_bind(lib, &fn);
  IxpFfiArg a[1] = {{.scalar = 3}};
  call_fails(&fn, a,
             "extern library '" LIB "' crashed in 't_exit': it exited with status 3 (it ran isolated; ixp continues)");
  ixp_ffi_unbind(&fn);
  ixp_ffi_close(lib);
}

Test(ffi, isolated_large_arrays_cross_intact) {
  deadline(60);
  IxpFfiLib *lib = open_lib(true);
  IxpFfiFn fn = DECL("t_conv_f64", IXP_CT_F64, S("n", IXP_CT_I64), A("x", IXP_CT_F64, true, 1, P(0)),
                     A("y", IXP_CT_F64, false, 1, P(0)));
  IxpFfiFn u8 = DECL("t_conv_u8", IXP_CT_F64, S("n", IXP_CT_I64), A("x", IXP_CT_U8, true, 1, P(0)),
                     A("y", IXP_CT_U8, false, 1, P(0)));
  must_bind(lib, &fn), must_bind(lib, &u8);
  const size_t n = 1500003;  /* 12 MB each way, far beyond a socket buffer; odd, so u8 needs padding */
  double *x = malloc(sizeof(double) * n), *y = malloc(sizeof(double) * n);
  cr_assert(x && y);
  double sum = 0;
  for (size_t i = 0; i < n; i++) x[i] = (double)(i % 1000), sum += x[i];
  IxpFfiArg a[3] = {{.scalar = (double)n}, {.array = x, .count = n}, {.array = y, .count = n}};
  cr_assert_eq(must_call(&fn, a), sum);
  for (size_t i = 0; i < n; i++) cr_assert_eq(y[i], 2 * x[i] + 1);
  for (size_t i = 0; i < n; i++) x[i] = (double)(i % 100), y[i] = 0;
  must_call(&u8, a);
  for (size_t i = 0; i < n; i++) cr_assert_eq(y[i], 2 * x[i] + 1);
  free(x), free(y);
  ixp_ffi_unbind(&fn), ixp_ffi_unbind(&u8);
  ixp_ffi_close(lib);
}

Test(ffi, isolated_libraries_are_independent) {
  deadline(20);
  IxpFfiLib *a = open_lib(true), *b = open_lib(true), *c = open_lib(false);
  IxpFfiFn sa = DECL("t_store", IXP_CT_VOID, S("x", IXP_CT_F64)), la = decl("t_last", IXP_CT_F64, 0, NULL);
  IxpFfiFn sb = sa, lb = la, sc = sa, lc = la;
  must_bind(a, &sa), must_bind(a, &la), must_bind(b, &sb), must_bind(b, &lb), must_bind(c, &sc), must_bind(c, &lc);
  IxpFfiArg x[1] = {{.scalar = 1}};
  must_call(&sa, x);
  x[0].scalar = 2;
  must_call(&sb, x);
  x[0].scalar = 3;
  must_call(&sc, x);
  cr_assert_eq(must_call(&la, NULL), 1);
  cr_assert_eq(must_call(&lb, NULL), 2);
  cr_assert_eq(must_call(&lc, NULL), 3);
  ixp_ffi_unbind(&sa), ixp_ffi_unbind(&la);
  ixp_ffi_close(a);  /* must not wait on b's child, nor disturb it */
  cr_assert_eq(must_call(&lb, NULL), 2);
  ixp_ffi_unbind(&sb), ixp_ffi_unbind(&lb), ixp_ffi_unbind(&sc), ixp_ffi_unbind(&lc);
  ixp_ffi_close(b);
  ixp_ffi_close(c);
}

/* The child must leave through _exit: if it ran our atexit handlers or
 * flushed our stdio buffers, the pipe or the file would show it. */
static int atexit_fd = -1;
static void on_exit_write(void) {
  if (atexit_fd >= 0) {
    ssize_t w = write(atexit_fd, "x", 1);
    (void)w;
  }
}

Test(ffi, isolated_child_leaves_parent_state_alone) {
  deadline(20);
  int p[2];
  cr_assert_eq(pipe(p), 0);
  cr_assert_eq(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
  atexit_fd = p[1];
  cr_assert_eq(atexit(on_exit_write), 0);
  FILE *f = tmpfile();
  cr_assert_not_null(f);
  fputs("once", f);  /* buffered, not yet written */
  IxpFfiLib *lib = open_lib(true);
  cr_assert_eq(scalar1(lib, "t_f64", IXP_CT_F64, IXP_CT_F64, 0), 0.5);
  ixp_ffi_close(lib);
  char c;
  cr_assert_eq(read(p[0], &c, 1), -1, "the child ran the parent's atexit handler");
  cr_assert_eq(errno, EAGAIN);
  rewind(f);
  char text[32] = "";
  size_t got = fread(text, 1, sizeof text - 1, f);
  cr_assert_eq(got, 4);
  cr_assert_str_eq(text, "once");
  fclose(f);
  atexit_fd = -1;  /* the handler stays registered; now it does nothing */
  close(p[0]), close(p[1]);
}

/* A call past the time limit is stopped (the child killed) and fails
 * naming the function; the library is reopened on its next use. */
Test(ffi, isolated_call_past_the_time_limit_is_stopped) {
  deadline(20);
  IxpFfiLib *lib = open_lib(true);
  ixp_ffi_set_limits(lib, 0.2, NULL);
  IxpFfiFn spin = DECL("t_spin", IXP_CT_F64, S("x", IXP_CT_F64));
  IxpFfiFn f64 = DECL("t_f64", IXP_CT_F64, S("x", IXP_CT_F64));
  must_bind(lib, &spin), must_bind(lib, &f64);
  IxpFfiArg a[1] = {{.scalar = 1}};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  call_fails(&spin, a,
             "extern function 't_spin' ran past its time limit of 0.2 s; its library '" LIB
             "' was stopped (it ran isolated; ixp continues)");
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double took = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
  cr_assert(took >= 0.2 && took < 5, "stopped after %g s", took);
  cr_assert_eq(must_call(&f64, a), 2.5);
  ixp_ffi_unbind(&spin), ixp_ffi_unbind(&f64);
  ixp_ffi_close(lib);
}

static volatile sig_atomic_t stop_flag;
static void on_sigint(int sig) { (void)sig; }

/* Sets the flag a little after the call starts, then signals the process
 * as ixp's Ctrl-C handler would find it. */
static void *interrupt_soon(void *arg) {
  (void)arg;
  nanosleep(&(struct timespec){0, 200000000}, NULL);
  stop_flag = 1;
  kill(getpid(), SIGINT);
  return NULL;
}

/* A Ctrl-C sent to ixp alone (the child never sees it) stops the call. */
Test(ffi, isolated_call_stops_when_interrupted) {
  deadline(20);
  signal(SIGINT, on_sigint);
  IxpFfiLib *lib = open_lib(true);
  ixp_ffi_set_limits(lib, 0, &stop_flag);
  IxpFfiFn spin = DECL("t_spin", IXP_CT_F64, S("x", IXP_CT_F64));
  must_bind(lib, &spin);
  IxpFfiArg a[1] = {{.scalar = 1}};
  pthread_t t;
  pthread_create(&t, NULL, interrupt_soon, NULL);
  call_fails(&spin, a,
             "extern function 't_spin' was interrupted; its library '" LIB "' was stopped (it ran isolated; ixp continues)");
  pthread_join(t, NULL);
  ixp_ffi_unbind(&spin);
  ixp_ffi_close(lib);
}

/* A child ended by SIGINT (a Ctrl-C at the terminal reaches the whole
 * process group) was interrupted, not crashed. */
Test(ffi, isolated_child_ended_by_sigint_was_interrupted) {
  deadline(20);
  IxpFfiLib *lib = open_lib(true);
  IxpFfiFn fn = decl("t_sigint", IXP_CT_VOID, 0, NULL);
  must_bind(lib, &fn);
  call_fails(&fn, NULL, "extern library '" LIB "' was interrupted in 't_sigint' (it ran isolated; ixp continues)");
  ixp_ffi_unbind(&fn);
  ixp_ffi_close(lib);
}
