/* test_externs.c — extern functions through the language: calls in
 * expressions, inferred sizes, outputs and records, draws, maps over all
 * rows and per row, and isolation. The library is build/ffi_testlib.so
 * (tests/ffi_testlib.c); sessions run from the project root. */
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

static const char decls[] =
    "extern \"build/ffi_testlib.so\" {\n"
    "  fn t_f64(x: f64) -> f64\n"
    "  fn t_f32(x: f32) -> f32\n"
    "  fn t_i64(x: i64) -> i64\n"
    "  fn t_i32(x: i32) -> i32\n"
    "  fn t_u64_echo(x: u64) -> u64\n"
    "  fn t_u8(x: u8) -> u8\n"
    "  fn t_not(b: bool) -> bool\n"
    "  fn t_sum(n: i64, x: const f64[n]) -> f64\n"
    "  fn t_conv_i32(n: i64, x: const i32[n], y: i32[n]) -> f64\n"
    "  fn t_matvec(n: i64, m: i32, a: const f64[n, m], x: const f64[m], y: f64[n])\n"
    "  fn t_layer(n: i64, x: const f64[n, 4], h: f64[n, 8])\n"
    "  fn t_crash(x: f64) -> f64\n"
    "  fn t_spin(x: f64) -> f64\n"
    "}\n";

static void open_limited(TRun *r, bool isolate, double timeout) {
  t_open(r, false);
  if (isolate) {  /* a session of its own with the option set */
    ixp_session_free(r->s);
    IxpOptions opt = {.out = r->out, .err = r->err, .digits = -1, .isolate = true, .isolate_timeout = timeout};
    r->s = ixp_session_new(&opt);
  }
  cr_assert_eq(t_run(r, decls), IXP_OK, "%s", t_err(r));
}

static void open_with(TRun *r, bool isolate) { open_limited(r, isolate, 0); }

/* Each scalar type round-trips through a function that changes it. */
static void scalar_types(bool isolate) {
  TRun r;
  open_with(&r, isolate);
  cr_assert_eq(t_run(&r, "print t_f64(1.25), t_f32(3), t_i64(10), t_i32(7), t_u64_echo(12345), t_u8(254), t_not(0)\n"),
               IXP_OK, "%s", t_err(&r));
  const double want[] = {3, 1.5, 9, -7, 12345, 255, 1};
  for (int i = 0; i < 7; i++) cr_assert_eq(t_value_at(t_out(&r), i), want[i], "value %d:\n%s", i, t_out(&r));
  t_close(&r);
}

Test(externs, scalar_types) { scalar_types(false); }
Test(externs, scalar_types_isolated) { scalar_types(true); }

Test(externs, out_of_range_arguments_are_errors) {
  TRun r;
  open_with(&r, false);
  cr_assert_eq(t_run(&r, "print t_u8(256)\n"), IXP_ERUNTIME);
  cr_assert(strstr(t_err(&r), "'x' of 't_u8' must be a whole number in [0, 255]"), "%s", t_err(&r));
  cr_assert_eq(t_run(&r, "print t_not(2)\n"), IXP_ERUNTIME);
  cr_assert_eq(t_run(&r, "print t_i32(2^31)\n"), IXP_ERUNTIME);
  cr_assert_eq(t_run(&r, "print t_f32(1e300)\n"), IXP_ERUNTIME);
  t_close(&r);
}

/* Sizes left out are inferred from the arrays; given, they are checked. */
Test(externs, sizes_inferred_or_given) {
  TRun r;
  open_with(&r, false);
  cr_assert_eq(t_run(&r, "print t_sum([1, 2, 3.5])\nprint t_sum(3, [1, 2, 3.5])\n"), IXP_OK, "%s", t_err(&r));
  cr_assert_eq(t_value_at(t_out(&r), 0), 6.5);
  cr_assert_eq(t_value_at(t_out(&r), 1), 6.5);
  cr_assert_eq(t_run(&r, "print t_sum(2, [1, 2, 3.5])\n"), IXP_ERUNTIME);
  cr_assert(strstr(t_err(&r), "has 3 elements"), "%s", t_err(&r));
  t_close(&r);
}

/* The one output of a void function is the value: y = A x. */
Test(externs, output_array_is_the_value) {
  TRun r;
  open_with(&r, false);
  cr_assert_eq(t_run(&r, "let y = t_matvec([[1, 2, 3], [4, 5, 6]], [1, 0, -1])\nprint y[0], y[1], len(y)\n"),
               IXP_OK, "%s", t_err(&r));
  cr_assert_eq(t_value_at(t_out(&r), 0), -2);
  cr_assert_eq(t_value_at(t_out(&r), 1), -2);
  cr_assert_eq(t_value_at(t_out(&r), 2), 2);
  t_close(&r);
}

/* An output and a return value make a record; i32 arrays convert back. */
Test(externs, outputs_and_return_make_a_record) {
  TRun r;
  open_with(&r, false);
  cr_assert_eq(t_run(&r, "let c = t_conv_i32([1, -2, 5])\nprint c.value, c.y[0], c.y[1], c.y[2]\n"), IXP_OK, "%s",
               t_err(&r));
  const double want[] = {4, 3, -3, 11};
  for (int i = 0; i < 4; i++) cr_assert_eq(t_value_at(t_out(&r), i), want[i], "%d:\n%s", i, t_out(&r));
  t_close(&r);
}

/* A call over all rows and one call per row write the same columns. */
Test(externs, map_over_all_rows_equals_map_per_row) {
  TRun r;
  open_with(&r, false);
  cr_assert_eq(t_run(&r,
                     "seed 3\n"
                     "model m {\n x0 ~ normal(0, 1)\n x1 ~ normal(0, 1)\n x2 ~ uniform(0, 1)\n x3 ~ normal(1, 2)\n}\n"
                     "data d = sample(m, 300)\n"
                     "data all = map(d, h = t_layer(x0 .. x3))\n"
                     "data rows = map(d, h = t_layer(1, x0 .. x3))\n"
                     "print mi(x0 .. x3; h[2]) in all using gaussian\n"
                     "print mi(x0 .. x3; h[2]) in rows using gaussian\n"
                     "print entropy(h[5]) in all using kl\n"
                     "print entropy(h[5]) in rows using kl\n"),
               IXP_OK, "%s", t_err(&r));
  cr_assert_eq(t_value_at(t_out(&r), 0), t_value_at(t_out(&r), 1), "%s", t_out(&r));
  cr_assert_eq(t_value_at(t_out(&r), 2), t_value_at(t_out(&r), 3), "%s", t_out(&r));
  t_close(&r);
}

/* Draws get seeds from the sample's stream: the same seed, the same rows;
 * another seed, other rows. */
Test(externs, draws_are_seeded_by_the_experiment) {
  const char *prog =
      "extern \"examples/ext/channel.so\" { fn awgn(x: f64, sigma: f64, seed: u64) -> f64 }\n"
      "model g { x ~ normal(0, 1)\n y ~ awgn(x, 0.5) }\n"
      "data s = sample(g, 500)\n"
      "print entropy(y) in s using kl\n";
  double v[3];
  for (int i = 0; i < 3; i++) {
    TRun r;
    t_open(&r, false);
    char text[512];
    snprintf(text, sizeof text, "seed %d\n%s", i < 2 ? 5 : 6, prog);
    cr_assert_eq(t_run(&r, text), IXP_OK, "%s", t_err(&r));
    v[i] = t_value_at(t_out(&r), 0);
    t_close(&r);
  }
  cr_assert_eq(v[0], v[1]);
  cr_assert_neq(v[0], v[2]);
  /* y = x + N(0, 0.25): h = ln(2 pi e 1.25) / 2 nats = 2.208 bits; kNN at n = 500 is within 0.15. */
  cr_assert_float_eq(v[0], 0.5 * log2(2 * M_PI * M_E * 1.25), 0.15);
}

/* Isolated, a crash is an error at the call, and the session goes on. */
Test(externs, isolated_crash_is_an_error) {
  TRun r;
  open_with(&r, true);
  cr_assert_eq(t_run(&r, "print t_crash(1)\n"), IXP_ERUNTIME);
  cr_assert(strstr(t_err(&r), "crashed"), "%s", t_err(&r));
  cr_assert(strstr(t_err(&r), "t.ixp:1:7"), "the error points at the call:\n%s", t_err(&r));
  cr_assert_eq(t_run(&r, "print 1 + 1\n"), IXP_OK, "%s", t_err(&r));
  /* the library is reopened on its next use */
  cr_assert_eq(t_run(&r, "print t_f64(1)\n"), IXP_OK, "%s", t_err(&r));
  cr_assert(strstr(t_out(&r), "t_f64(1) = 2.5"), "%s", t_out(&r));
  t_close(&r);
}

/* A call past --isolate-timeout is a runtime error at the call naming the
 * function; the session goes on. */
Test(externs, isolated_call_past_the_timeout_is_an_error) {
  alarm(20);
  TRun r;
  open_limited(&r, true, 0.2);
  cr_assert_eq(t_run(&r, "print t_spin(1)\n"), IXP_ERUNTIME);
  cr_assert(strstr(t_err(&r), "t.ixp:1:7: error: extern function 't_spin' ran past its time limit of 0.2 s"), "%s",
            t_err(&r));
  cr_assert_eq(t_run(&r, "print t_f64(2)\n"), IXP_OK, "%s", t_err(&r));
  t_close(&r);
}

static IxpSession *interrupt_target;
static void ignore_sigint(int sig) { (void)sig; }

/* What ixp's SIGINT handler does, a little after the call starts. */
static void *ctrl_c_soon(void *arg) {
  (void)arg;
  nanosleep(&(struct timespec){0, 200000000}, NULL);
  ixp_session_interrupt(interrupt_target);
  kill(getpid(), SIGINT);
  return NULL;
}

/* Ctrl-C during an isolated call is reported as an interruption, not a
 * crash. */
Test(externs, isolated_call_interrupted_is_reported_as_interrupted) {
  alarm(20);
  signal(SIGINT, ignore_sigint);
  TRun r;
  open_with(&r, true);
  interrupt_target = r.s;
  pthread_t t;
  pthread_create(&t, NULL, ctrl_c_soon, NULL);
  cr_assert_eq(t_run(&r, "print t_spin(1)\n"), IXP_ERUNTIME);
  pthread_join(t, NULL);
  cr_assert(strstr(t_err(&r), "t.ixp:1:7: error: interrupted\n"), "%s", t_err(&r));
  cr_assert_null(strstr(t_err(&r), "crashed"), "%s", t_err(&r));
  t_close(&r);
}

/* A user estimator gets the column as rows and returns nats, which the
 * session shows in its units. */
Test(externs, estimator_receives_the_rows) {
  char dir[] = "/tmp/ixp-estXXXXXX";
  cr_assert_not_null(mkdtemp(dir));
  char csv[64], text[512];
  snprintf(csv, sizeof csv, "%s/d.csv", dir);
  FILE *f = fopen(csv, "w");
  fputs("x,y\n1.5,0\n2,1\n3.25,0\n4,1\n", f);
  fclose(f);
  TRun r;
  open_with(&r, false);
  snprintf(text, sizeof text, "data d = csv(\"%s\")\nprint entropy(x) in d using t_sum\nunits nats\n"
           "print entropy(x) in d using t_sum, entropy(y) in d using t_sum\n", csv);
  cr_assert_eq(t_run(&r, text), IXP_OK, "%s", t_err(&r));
  cr_assert_float_eq(t_value_at(t_out(&r), 0), 10.75 / log(2), 1e-12);
  cr_assert_eq(t_value_at(t_out(&r), 1), 10.75);
  cr_assert_eq(t_value_at(t_out(&r), 2), 2);
  t_close(&r);
  remove(csv);
  rmdir(dir);
}
