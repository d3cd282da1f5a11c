/* ffi_testlib.c — the shared library tests/unit/test_ffi.c calls through
 * backends/ffi/foreign.c (built as build/ffi_testlib.so; not linked into the unit
 * binary). One function per C type as parameter and return, arrays of
 * each element type (const inputs, written outputs, 2-D shapes), and
 * functions that misbehave: NaN, a crash, exit — the last two are only
 * ever called in an isolated library. */
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

/* ----------------------------------------------------------------- scalars */

double t_f64(double x) { return 2 * x + 0.5; }
float t_f32(float x) { return x * 0.5f; }
int64_t t_i64(int64_t x) { return x - 1; }
int32_t t_i32(int32_t x) { return -x; }
uint64_t t_u64_hi(uint64_t x) { return x >> 40; }
uint64_t t_u64_max(void) { return UINT64_MAX; }
uint64_t t_u64_echo(uint64_t x) { return x; }
uint8_t t_u8(uint8_t x) { return (uint8_t)(x + 1); }
bool t_not(bool b) { return !b; }
bool t_pos(double x) { return x > 0; }
double t_nan(void) { return NAN; }

/* A call with nine arguments of seven types: each lands in its own
 * decimal place, so a swapped or mistyped argument shows. */
double t_mix(double a, float b, int64_t c, int32_t d, uint64_t e, uint8_t f, bool g, int32_t h, double i) {
  return a + 10.0 * b + 100.0 * (double)c + 1e3 * d + 1e4 * (double)e + 1e5 * f + 1e6 * g + 1e7 * h + 1e8 * i;
}

static double last;
static int64_t calls;
void t_store(double x) { last = x, calls++; }
double t_last(void) { return last; }
int64_t t_calls(void) { return calls; }

/* ------------------------------------------------------------------ arrays */

/* The address it was given (user-space addresses are below 2^53, exact as
 * a double), so a test can tell whether its array was copied. */
uint64_t t_addr(int64_t n, const double *x) {
  (void)n;
  return (uint64_t)(uintptr_t)x;
}

double t_sum(int64_t n, const double *x) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += x[i];
  calls++;
  return s;
}

/* y = 2 x + 1 for every element type; returns the sum of x as read. */
#define CONV(T, NAME, F)                                  \
  double NAME(int64_t n, const T *x, T *y) {              \
    double s = 0;                                         \
    for (int64_t i = 0; i < n; i++) s += x[i], y[i] = F;  \
    calls++;                                              \
    return s;                                             \
  }
CONV(double, t_conv_f64, 2 * x[i] + 1)
CONV(float, t_conv_f32, 2 * x[i] + 1)
CONV(int64_t, t_conv_i64, 2 * x[i] + 1)
CONV(int32_t, t_conv_i32, 2 * x[i] + 1)
CONV(uint64_t, t_conv_u64, 2 * x[i] + 1)
CONV(uint8_t, t_conv_u8, (uint8_t)(2 * x[i] + 1))
CONV(bool, t_conv_bool, !x[i])

/* Writes raw bytes into what ixp declares a bool array: any nonzero byte
 * must read back as true. */
void t_bool_bytes(int64_t n, uint8_t *b) {
  for (int64_t i = 0; i < n; i++) b[i] = (uint8_t)(i % 3 * 100);
}

/* y[n] = A[n, m] x[m] with m an i32. */
void t_matvec(int64_t n, int32_t m, const double *a, const double *x, double *y) {
  for (int64_t i = 0; i < n; i++) {
    double s = 0;
    for (int32_t j = 0; j < m; j++) s += a[i * m + j] * x[j];
    y[i] = s;
  }
}

/* h[n, 8] = tanh(x[n, 4] W) with W[j][k] = (j + 1) / (k + 1) / 8. */
void t_layer(int64_t n, const double *x, double *h) {
  for (int64_t r = 0; r < n; r++)
    for (int k = 0; k < 8; k++) {
      double s = 0;
      for (int j = 0; j < 4; j++) s += x[r * 4 + j] * (j + 1.0) / (k + 1.0) / 8.0;
      h[r * 8 + k] = tanh(s);
    }
}

/* Fills g[2, 3, n] (a literal-led 3-D shape) with its row-major index. */
void t_fill3(uint8_t n, double *g) {
  for (int i = 0; i < 2 * 3 * n; i++) g[i] = i;
}

/* -------------------------------------------------------------- misbehaving */

/* A write through a null pointer the compiler cannot see is null. */
double t_crash(double x) {
  volatile int *volatile p = 0;
  *p = (int)x;
  return x;
}

void t_exit(int32_t status) { _exit(status); }

/* Never returns: spins at full speed until killed (isolated only). */
double t_spin(double x) {
  volatile double y = x;
  for (;;) y = y * 0.5 + 1;
  return y;
}

/* Ends its process as a Ctrl-C at the terminal would (isolated only). */
void t_sigint(void) { raise(SIGINT); }
