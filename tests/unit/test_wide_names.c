/* test_wide_names.c — regressions of two reports about wide datasets:
 *
 * 1. A dataset whose name ends in a digit made column ranges ambiguous
 *    (`data d1` with columns d10 .. d149: was d110 column 10 of d1 or the
 *    column d110?). Columns of an .npy array are now NAME[i], so d1[10]
 *    and a CSV column d110 can never meet; ranges of either pick exactly
 *    the columns they name.
 * 2. More than 64 columns: the error suggested `columns = [...]`, which
 *    npy does not take. Continuous columns now take any number; only an
 *    exact joint of discrete columns stops at 64, with a message that
 *    names the limit and no option npy lacks.
 *
 * The data make the Gaussian estimate exact: X_j = cos(2 pi (j+1) i / n)
 * and Y_j = rho X_j + sqrt(1 - rho^2) sin(2 pi (j+1) i / n), over n rows,
 * are orthogonal columns of equal norm, so the sample covariance is
 * exactly block-structured and mi(X_J; Y_K) = -|J and K| / 2 log(1 - rho^2)
 * for index sets J, K (pairs j = k count; every other pair is 0). */
#include "helpers.h"

#define ROWS 400
#define RHO 0.5

static char tdir[64];
static void setup(void) { t_tmpdir_make(tdir, sizeof tdir, "ixp_wide"); }
static void teardown(void) { t_tmpdir_remove(tdir); }
TestSuite(wide_names, .init = setup, .fini = teardown);

/* Column c of `pairs` X columns followed by `pairs` Y columns, at row i. */
static double value(int pairs, int c, int i) {
  int j = c % pairs;
  double a = 2 * M_PI * (j + 1) * i / ROWS;
  return c < pairs ? cos(a) : RHO * cos(a) + sqrt(1 - RHO * RHO) * sin(a);
}

/* An .npy file (format 1.0) of ROWS x cols; descr "<f8" or "<i8" (then
 * each value's sign, 0 or 1). */
static const char *write_npy(const char *name, const char *descr, int pairs, int cols) {
  char dict[128];
  snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%d, %d), }", descr, ROWS, cols);
  size_t hlen = strlen(dict) + 1;
  hlen += (64 - (10 + hlen) % 64) % 64;
  const char *p = t_path_in(tdir, name);
  FILE *f = fopen(p, "wb");
  cr_assert_not_null(f);
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)hlen, (unsigned char)(hlen >> 8)};
  fwrite(pre, 1, 10, f);
  fprintf(f, "%-*s\n", (int)hlen - 1, dict);
  bool ints = descr[1] == 'i';
  for (int i = 0; i < ROWS; i++)
    for (int c = 0; c < cols; c++) {
      double v = value(pairs, c, i);
      int64_t k = v > 0;
      fwrite(ints ? (const void *)&k : (const void *)&v, 8, 1, f);  /* little-endian host */
    }
  cr_assert_eq(fclose(f), 0);
  return p;
}

/* A CSV file whose 2 * pairs columns are named d10, d11, ... */
static const char *write_csv(const char *name, int pairs) {
  const char *p = t_path_in(tdir, name);
  FILE *f = fopen(p, "w");
  cr_assert_not_null(f);
  for (int c = 0; c < 2 * pairs; c++) fprintf(f, "%sd%d", c ? "," : "", 10 + c);
  fputc('\n', f);
  for (int i = 0; i < ROWS; i++)
    for (int c = 0; c < 2 * pairs; c++) fprintf(f, "%.17g%c", value(pairs, c, i), c + 1 < 2 * pairs ? ',' : '\n');
  cr_assert_eq(fclose(f), 0);
  return p;
}

static double pair_mi(int pairs) { return -0.5 * pairs * log(1 - RHO * RHO); }

/* `data d1 = npy(...)` of 150 columns: d1[0 .. 74] against d1[75 .. 149]
 * (75 pairs: more than 64 variables), d1[10 .. 11] against their partners,
 * d1[10] against d1[86] (not its partner). */
Test(wide_names, npy_columns_of_a_name_ending_in_a_digit_are_indexed) {
  const char *p = write_npy("d1.npy", "<f8", 75, 150);
  char text[1024];
  snprintf(text, sizeof text,
           "units nats\ndata d1 = npy(\"%s\")\n"
           "print mi(d1[0 .. 74]; d1[75 .. 149]) in d1 using gaussian\n"
           "print mi(d1[10 .. 11]; d1[85 .. 86]) in d1 using gaussian\n"
           "print mi(d1[10]; d1[86]) in d1 using gaussian\n",
           p);
  double v[3];
  cr_assert_eq(t_numbers(text, v, 3), 3);
  cr_assert_float_eq(v[0], pair_mi(75), 1e-8, "75 pairs: %.12g, want %.12g", v[0], pair_mi(75));
  cr_assert_float_eq(v[1], pair_mi(2), 1e-9, "2 pairs: %.12g, want %.12g", v[1], pair_mi(2));
  cr_assert_float_eq(v[2], 0, 1e-9, "no pair: %.12g", v[2]);
}

/* A CSV dataset named d1 whose columns are d10 .. d149: the ranges are
 * the columns of those names, and d1[10] is not one of them. */
Test(wide_names, csv_column_ranges_beside_a_dataset_named_with_a_digit) {
  const char *p = write_csv("d1.csv", 70);
  char text[1024];
  snprintf(text, sizeof text,
           "units nats\ndata d1 = csv(\"%s\")\n"
           "print mi(d10 .. d79; d80 .. d149) in d1 using gaussian\n"
           "print mi(d10; d80) in d1 using gaussian\n"
           "print mi(d10; d81) in d1 using gaussian\n",
           p);
  double v[3];
  cr_assert_eq(t_numbers(text, v, 3), 3);
  cr_assert_float_eq(v[0], pair_mi(70), 1e-8, "70 pairs: %.12g, want %.12g", v[0], pair_mi(70));
  cr_assert_float_eq(v[1], pair_mi(1), 1e-9, "1 pair: %.12g, want %.12g", v[1], pair_mi(1));
  cr_assert_float_eq(v[2], 0, 1e-9, "no pair: %.12g", v[2]);

  snprintf(text, sizeof text, "data d1 = csv(\"%s\")\nprint entropy(d1[10]) in d1 using gaussian\n", p);
  char *err = t_fail(text, IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "unknown variable 'd1'"), "%s", err);
  free(err);
}

/* 70 discrete .npy columns on one exact joint: an error naming the limit,
 * pointing at the measure, suggesting nothing npy does not take. */
Test(wide_names, more_than_64_discrete_columns_is_a_clear_error) {
  const char *p = write_npy("b1.npy", "<i8", 35, 70);
  char text[512];
  snprintf(text, sizeof text, "data b1 = npy(\"%s\")\nprint entropy(b1[0 .. 69]) in b1\n", p);
  char *err = t_fail(text, IXP_ECOMPILE, NULL);
  cr_assert(strstr(err, "t.ixp:2:7: error: entropy measures 70 variables of dataset 'b1' on one exact joint, "
                        "which holds at most 64"),
            "%s", err);
  cr_assert_null(strstr(err, "columns ="), "the message suggests an option npy does not take:\n%s", err);
  free(err);
  /* Fewer than 65 of them is fine: 35 sign columns of orthogonal waves. */
  snprintf(text, sizeof text, "data b1 = npy(\"%s\")\nprint entropy(b1[0 .. 34]) in b1\n", p);
  double h = t_number(text);
  cr_assert(h > 0 && h <= log2(ROWS) + 1e-12, "plug-in entropy %g of %d rows", h, ROWS);
}
