/* test_values.c — exact rational numbers (IxpNum), number formatting,
 * ranges and printing of values and tables (stdlib/value.c).
 * Exact results are compared exactly; round-trips are bit-exact. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"
#include "helpers.h"

static void check_ratio(IxpNum x, int64_t n, int64_t d) {
  cr_assert(x.exact, "not exact (x = %.17g)", x.x);
  cr_assert_eq(x.n, n, "numerator %lld, wanted %lld", (long long)x.n, (long long)n);
  cr_assert_eq(x.d, d, "denominator %lld, wanted %lld", (long long)x.d, (long long)d);
  cr_assert_eq(x.x, (double)n / (double)d, "double %.17g", x.x);
}

/* ---------------------------------------------------------------- IxpNum */

Test(values, thirds_add_up_to_exactly_one) {
  IxpNum third = ixp_num_ratio(1, 3);
  IxpNum sum = ixp_num_add(ixp_num_add(third, third), third);
  check_ratio(sum, 1, 1);
  cr_assert_eq(sum.x, 1.0);
  cr_assert_eq(ixp_num_cmp(sum, ixp_num_int(1)), 0);
  /* The same with doubles is not exact: that is why exact numbers exist. */
  IxpNum tenth = ixp_num_ratio(1, 10), s = ixp_num_int(0);
  for (int i = 0; i < 10; i++) s = ixp_num_add(s, tenth);
  check_ratio(s, 1, 1);
  double d = 0;
  for (int i = 0; i < 10; i++) d += 0.1;
  cr_assert_neq(d, 1.0);
}

Test(values, exact_tenths_give_the_nearest_double) {
  IxpNum s = ixp_num_add(ixp_num_ratio(1, 10), ixp_num_ratio(2, 10));
  check_ratio(s, 3, 10);
  cr_assert_eq(s.x, 0.3, "1/10 + 2/10 must be the double nearest 0.3, got %.17g", s.x);
}

Test(values, ratios_are_normalised) {
  check_ratio(ixp_num_ratio(2, -4), -1, 2);
  check_ratio(ixp_num_ratio(-6, -9), 2, 3);
  check_ratio(ixp_num_ratio(0, 5), 0, 1);
  check_ratio(ixp_num_ratio(0, -5), 0, 1);
  check_ratio(ixp_num_ratio(10, 5), 2, 1);
  check_ratio(ixp_num_int(-7), -7, 1);
}

Test(values, exact_operations) {
  IxpNum half = ixp_num_ratio(1, 2), third = ixp_num_ratio(1, 3);
  check_ratio(ixp_num_sub(half, third), 1, 6);
  check_ratio(ixp_num_sub(third, half), -1, 6);
  check_ratio(ixp_num_mul(ixp_num_ratio(2, 3), ixp_num_ratio(9, 4)), 3, 2);
  check_ratio(ixp_num_div(ixp_num_ratio(2, 3), ixp_num_ratio(-4, 9)), -3, 2);
  check_ratio(ixp_num_neg(third), -1, 3);
  check_ratio(ixp_num_neg(ixp_num_int(0)), 0, 1);
  /* Mixing with an inexact number gives an inexact one. */
  IxpNum m = ixp_num_add(half, ixp_num_real(0.25));
  cr_assert_not(m.exact);
  cr_assert_eq(m.x, 0.75);
  cr_assert_not(ixp_num_mul(ixp_num_real(2), half).exact);
}

Test(values, overflow_falls_back_to_doubles) {
  IxpNum big = ixp_num_int(INT64_C(1) << 40);
  IxpNum p = ixp_num_mul(big, big);
  cr_assert_not(p.exact);
  cr_assert_eq(p.x, 0x1p80);

  IxpNum s = ixp_num_add(ixp_num_int(INT64_MAX), ixp_num_int(1));
  cr_assert_not(s.exact);
  cr_assert_eq(s.x, 0x1p63);

  /* Denominators whose product overflows. */
  IxpNum a = ixp_num_ratio(1, 4000000000), b = ixp_num_ratio(1, 4000000001);
  IxpNum q = ixp_num_add(a, b);
  cr_assert_not(q.exact);
  double want = 1.0 / 4000000000 + 1.0 / 4000000001;
  cr_assert_float_eq(q.x, want, 1e-15 * want);

  IxpNum d = ixp_num_div(ixp_num_int(INT64_MAX), ixp_num_ratio(1, 3));
  cr_assert_not(d.exact);
  cr_assert_float_eq(d.x, 3.0 * 0x1p63, 1e-15 * 3.0 * 0x1p63);

  /* Still exact right up to the limit. */
  check_ratio(ixp_num_add(ixp_num_int(INT64_MAX - 1), ixp_num_int(1)), INT64_MAX, 1);
}

/* An exact sum that lands on -2^63 stays exact and well-defined (the
 * greatest common divisor must not negate INT64_MIN). */
Test(values, sum_reaching_int64_min) {
  IxpNum a = ixp_num_int(-(INT64_C(1) << 62));
  check_ratio(ixp_num_add(a, a), INT64_MIN, 1);
  check_ratio(ixp_num_ratio(INT64_MIN, 4), -(INT64_C(1) << 61), 1);
}

Test(values, exact_comparison_sees_what_doubles_cannot) {
  IxpNum third = ixp_num_ratio(1, 3);
  IxpNum close = ixp_num_ratio(333333333333333333, 1000000000000000000);
  cr_assert_eq(third.x, close.x, "the two doubles should be equal for this test to mean anything");
  cr_assert_eq(ixp_num_cmp(third, close), 1);
  cr_assert_eq(ixp_num_cmp(close, third), -1);
  cr_assert_eq(ixp_num_cmp(third, ixp_num_ratio(2, 6)), 0);
  /* Cross products that overflow 64 bits still compare exactly. */
  IxpNum a = ixp_num_ratio(INT64_MAX - 1, INT64_MAX), b = ixp_num_ratio(INT64_MAX - 2, INT64_MAX - 1);
  cr_assert_eq(a.x, b.x);
  cr_assert_eq(ixp_num_cmp(a, b), 1);
  cr_assert_eq(ixp_num_cmp(b, a), -1);
  cr_assert_eq(ixp_num_cmp(ixp_num_ratio(-1, 2), ixp_num_ratio(1, 3)), -1);
  /* Inexact comparisons use the doubles. */
  cr_assert_eq(ixp_num_cmp(third, ixp_num_real(1.0 / 3)), 0);
  cr_assert_eq(ixp_num_cmp(ixp_num_real(0.5), ixp_num_ratio(1, 3)), 1);
}

/* ------------------------------------------------------------- formatting */

static const char *fmt(double x, int digits) {
  static char buf[64];
  ixp_format_num(buf, sizeof buf, x, digits);
  return buf;
}

Test(values, shortest_round_trip_text) {
  cr_assert_str_eq(fmt(0.1, -1), "0.1");
  cr_assert_str_eq(fmt(1.0 / 3, -1), "0.3333333333333333");
  cr_assert_str_eq(fmt(1e-300, -1), "1e-300");
  cr_assert_str_eq(fmt(-0.0, -1), "0");
  cr_assert_str_eq(fmt(0.0, -1), "0");
  cr_assert_str_eq(fmt(0.1 + 0.2, -1), "0.30000000000000004");
  cr_assert_str_eq(fmt(-2.5, -1), "-2.5");
  cr_assert_str_eq(fmt(5e-324, -1), "5e-324");
  cr_assert_str_eq(fmt(DBL_MAX, -1), "1.7976931348623157e+308");
  cr_assert_str_eq(fmt(NAN, -1), "nan");
  cr_assert_str_eq(fmt(INFINITY, -1), "inf");
  cr_assert_str_eq(fmt(-INFINITY, -1), "-inf");
  /* digits 0 is also the shortest round-trip text */
  cr_assert_str_eq(fmt(0.1, 0), "0.1");
}

Test(values, round_trip_of_many_doubles) {
  uint64_t s = 0x9e3779b97f4a7c15u;
  int checked = 0;
  for (int i = 0; i < 20000; i++) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    double x;
    if (i % 2) {
      memcpy(&x, &s, sizeof x);  /* any bit pattern */
    } else {
      x = (double)(s >> 11) / 9007199254740992.0 * pow(10, (int)(s % 41) - 20);
    }
    if (!isfinite(x)) continue;
    char buf[64];
    ixp_format_num(buf, sizeof buf, x, -1);
    char *end;
    double y = strtod(buf, &end);
    cr_assert_eq(*end, '\0', "'%s' is not all a number", buf);
    cr_assert(y == x, "%a printed as '%s' reads back as %a", x, buf, y);
    checked++;
  }
  cr_assert_gt(checked, 19000);
}

/* Round-trip text of whole numbers has no exponent: 100, not 1e+02. */
Test(values, round_trip_text_of_whole_numbers) {
  cr_assert_str_eq(fmt(100, -1), "100");
  cr_assert_str_eq(fmt(10, -1), "10");
  cr_assert_str_eq(fmt(120, -1), "120");
  cr_assert_str_eq(fmt(-200, -1), "-200");
}

Test(values, fixed_significant_digits) {
  cr_assert_str_eq(fmt(1.0 / 3, 6), "0.333333");
  cr_assert_str_eq(fmt(1.0 / 3, 3), "0.333");
  cr_assert_str_eq(fmt(123456789, 3), "1.23e+08");
  cr_assert_str_eq(fmt(-0.0, 6), "0");
  cr_assert_str_eq(fmt(2, 6), "2");
}

/* ------------------------------------------------------------------ ranges */

static IxpValue range(IxpNum lo, IxpNum hi, IxpNum step) {
  return (IxpValue){.type = TY_RANGE, .lo = lo, .hi = hi, .step = step};
}

Test(values, tenth_steps_end_exactly_at_one) {
  IxpValue r = range(ixp_num_int(0), ixp_num_int(1), ixp_num_ratio(1, 10));
  cr_assert_eq(ixp_range_count(&r), 11);
  for (int i = 0; i <= 10; i++) {
    IxpNum x = ixp_range_at(&r, i);
    IxpNum want = ixp_num_ratio(i, 10);
    check_ratio(x, want.n, want.d);
    cr_assert_eq(x.x, i / 10.0, "point %d is %.17g", i, x.x);
  }
  IxpNum last = ixp_range_at(&r, 10);
  check_ratio(last, 1, 1);
}

Test(values, range_counts) {
  IxpValue r = range(ixp_num_int(0), ixp_num_ratio(3, 10), ixp_num_ratio(1, 10));
  cr_assert_eq(ixp_range_count(&r), 4);
  /* inexact steps get a little slack so the end point is not lost */
  r = range(ixp_num_real(0), ixp_num_real(0.3), ixp_num_real(0.1));
  cr_assert_eq(ixp_range_count(&r), 4);
  r = range(ixp_num_int(0), ixp_num_int(1), ixp_num_ratio(3, 10));
  cr_assert_eq(ixp_range_count(&r), 4);
  check_ratio(ixp_range_at(&r, 3), 9, 10);
  r = range(ixp_num_int(1), ixp_num_int(6), ixp_num_int(1));
  cr_assert_eq(ixp_range_count(&r), 6);
  r = range(ixp_num_int(1), ixp_num_int(1), ixp_num_int(1));
  cr_assert_eq(ixp_range_count(&r), 1);
  r = range(ixp_num_int(2), ixp_num_int(1), ixp_num_int(1));
  cr_assert_eq(ixp_range_count(&r), 0);
  r = range(ixp_num_int(0), ixp_num_real(1e16), ixp_num_int(1));
  cr_assert_eq(ixp_range_count(&r), 10000000000000001, "counted past 1e15 too");
  r = range(ixp_num_int(0), ixp_num_int(1000000000000000000), ixp_num_int(1));
  cr_assert_eq(ixp_range_count(&r), 1000000000000000001, "exact ends are counted exactly");
  r = range(ixp_num_int(0), ixp_num_real(1e300), ixp_num_int(1));
  cr_assert_eq(ixp_range_count(&r), -1, "a range of 2^63 points or more is -1");
  double v[3] = {4, 5, 7};
  IxpValue vec = {.type = TY_VEC, .v = v, .rows = 1, .cols = 3};
  cr_assert_eq(ixp_range_count(&vec), 3);
  cr_assert_eq(ixp_range_at(&vec, 2).x, 7);
}

Test(values, sweep_points_print_exactly) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, "sweep x in 0 .. 1 step 0.1 {\n  emit x, x * 3\n}\n"), IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert_eq(t_count(out, "\n"), 12, "%s", out); /* header + 11 rows */
  cr_assert(!strncmp(out, "  x  x * 3\n  0      0\n", 22), "%s", out);
  /* exact: 3/10 * 3 is 9/10 and 7/10 * 3 is 21/10 (doubles give 0.8999...) */
  cr_assert_not_null(strstr(out, "\n0.3    0.9\n"), "%s", out);
  cr_assert_not_null(strstr(out, "\n0.7    2.1\n"), "%s", out);
  cr_assert_not_null(strstr(out, "\n  1      3\n"), "%s", out);
  cr_assert_null(strstr(out, "0.30000000000000004"), "%s", out);
  cr_assert_null(strstr(out, "0.8999"), "%s", out);
  t_close(&r);
}

/* ------------------------------------------------------------------- printing */

static char *print_value(const IxpValue *v, int digits) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ixp_value_print(f, v, digits);
  fclose(f);
  return buf;
}

Test(values, values_print) {
  double v[4] = {1, 2.5, 3, 4};
  IxpValue vec = {.type = TY_VEC, .v = v, .rows = 1, .cols = 2};
  char *s = print_value(&vec, -1);
  cr_assert_str_eq(s, "[1, 2.5]");
  free(s);
  IxpValue mat = {.type = TY_MAT, .v = v, .rows = 2, .cols = 2};
  s = print_value(&mat, -1);
  cr_assert_str_eq(s, "[[1, 2.5], [3, 4]]");
  free(s);
  IxpValue r = range(ixp_num_int(0), ixp_num_int(1), ixp_num_ratio(1, 10));
  s = print_value(&r, -1);
  cr_assert_str_eq(s, "0 .. 1 step 0.1");
  free(s);
  IxpValue n = ixp_value_num(ixp_num_ratio(2, 3));
  s = print_value(&n, 3);
  cr_assert_str_eq(s, "0.667");
  free(s);
  IxpValue str = {.type = TY_STR, .str = "hi"};
  s = print_value(&str, -1);
  cr_assert_str_eq(s, "hi");
  free(s);
}

Test(values, dup_is_deep_and_release_clears) {
  double v[2] = {1, 2};
  IxpValue vec = {.type = TY_VEC, .v = v, .rows = 1, .cols = 2};
  IxpValue d = ixp_value_dup(&vec);
  cr_assert_neq(d.v, v);
  v[0] = 9;
  cr_assert_eq(d.v[0], 1);
  cr_assert_eq(d.cols, 2);
  ixp_value_release(&d);
  cr_assert_eq(d.type, TY_NONE);
  char text[] = "abc";
  IxpValue s = {.type = TY_STR, .str = text};
  IxpValue ds = ixp_value_dup(&s);
  text[0] = 'X';
  cr_assert_str_eq(ds.str, "abc");
  ixp_value_release(&ds);
}

Test(values, tables_print_aligned) {
  static const char *const cols[] = {"x", "prob"};
  IxpTable *t = ixp_table_new("T", 2, cols);
  ixp_table_add_row(t, (const double[]){1, 0.5});
  ixp_table_add_row(t, (const double[]){10, 0.25});
  ixp_table_add_row(t, (const double[]){-3, 1.0 / 3});
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ixp_table_print(f, t, 6);
  fclose(f);
  cr_assert_str_eq(buf,
                   "T\n"
                   " x      prob\n"
                   " 1       0.5\n"
                   "10      0.25\n"
                   "-3  0.333333\n");
  free(buf);
  /* Many rows (beyond the first allocation), no title. */
  IxpTable *u = ixp_table_new(NULL, 2, cols);
  for (int i = 0; i < 100; i++) ixp_table_add_row(u, (const double[]){i, i * 0.5});
  buf = NULL;
  f = open_memstream(&buf, &len);
  ixp_table_print(f, u, 6);
  fclose(f);
  cr_assert_eq(t_count(buf, "\n"), 101);
  cr_assert(!strncmp(buf, " x  prob\n 0     0\n", 18), "%s", buf);
  cr_assert_not_null(strstr(buf, "\n99  49.5\n"), "%s", buf);
  /* every line has the same width */
  size_t w = strcspn(buf, "\n");
  for (const char *p = buf; *p; p = strchr(p, '\n') + 1) cr_assert_eq(strcspn(p, "\n"), w);
  free(buf);
  ixp_table_free(t);
  ixp_table_free(u);
}

Test(values, text_tables_print_aligned) {
  static const char *const headers[] = {"name", "v"};
  static const char *const cells[] = {"a", "1", "longer", "22.5", "", "-3"};
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ixp_text_table_print(f, 2, headers, 3, cells);
  fclose(f);
  cr_assert_str_eq(buf,
                   "  name     v\n"
                   "     a     1\n"
                   "longer  22.5\n"
                   "          -3\n");
  free(buf);
}

Test(values, type_names) {
  cr_assert_str_eq(ixp_type_name(TY_NUM), "number");
  cr_assert_str_eq(ixp_type_name(TY_RANGE), "range");
  cr_assert_str_eq(ixp_type_name(TY_MODEL), "model");
}

static void count_call(void *p) { ++*(int *)p; }

/* Releasing to a mark runs what was deferred since and frees the chunks
 * allocated since; what came before stays. */
Test(values, arena_release_to_mark) {
  IxpArena *a = ixp_arena_new();
  int calls = 0;
  char *kept = ixp_arena_alloc(a, 100);
  strcpy(kept, "before the mark");
  ixp_arena_defer(a, count_call, &calls);
  IxpArenaMark m = ixp_arena_mark(a);
  for (int row = 0; row < 3; row++) {
    double *big = ixp_arena_alloc(a, 1 << 20);  /* a chunk of its own each time */
    big[0] = row;
    ixp_arena_defer(a, count_call, &calls);
    ixp_arena_release(a, m);
    cr_assert_eq(calls, row + 1, "the row's deferred function ran");
  }
  cr_assert_str_eq(kept, "before the mark");
  ixp_arena_free(a);
  cr_assert_eq(calls, 4, "the first deferred function runs with the arena");
}
