/* test_eliminate.c — models of more than 64 variables, and marginals by
 * variable elimination checked against closed forms and against the full
 * enumeration. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

/* A growing program text. */
typedef struct {
  char *text;
  size_t len;
  FILE *f;
} Prog;

static void prog_open(Prog *p) {
  memset(p, 0, sizeof *p);
  p->f = open_memstream(&p->text, &p->len);
  cr_assert_not_null(p->f);
}

static char *prog_close(Prog *p) {
  fclose(p->f);
  return p->text;
}

/* model NAME { x0 ~ bernoulli(1/2), x_i = x_{i-1} for i < n }: every
 * variable is a copy of x0, so the full joint has 2 states. */
static char *copies(int n, const char *measure) {
  Prog p;
  prog_open(&p);
  fprintf(p.f, "model wide {\n  x0 ~ bernoulli(1/2)\n");
  for (int i = 1; i < n; i++) fprintf(p.f, "  x%d = x%d\n", i, i - 1);
  fprintf(p.f, "}\nprint %s in wide\n", measure);
  return prog_close(&p);
}

Test(wide_models, variables_past_the_64th_are_measured) {
  char *prog = copies(300, "mi(x0; x299)");
  cr_assert_float_eq(t_number(prog), 1, 1e-15);
  free(prog);
  prog = copies(300, "entropy(x70, x150 | x299)");
  cr_assert_float_eq(t_number(prog), 0, 1e-15);
  free(prog);
  prog = copies(1024, "entropy(x1023)");
  cr_assert_float_eq(t_number(prog), 1, 1e-15);
  free(prog);
}

Test(wide_models, explain_names_the_measured_variables) {
  char *prog = copies(100, "mi(x3; x99)");
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_explain(&r, prog), IXP_OK, "%s", t_err(&r));
  const char *out = t_out(&r);
  cr_assert_not_null(strstr(out, "exact enumeration, 100 variables, 2 states (of 1267650600228229401496703205376)"), "%s", out);
  cr_assert_not_null(strstr(out, "its marginal on {x3, x99}: 2 states"), "%s", out);
  cr_assert_not_null(strstr(out, "entropy of r0 on {x99}"), "%s", out);
  cr_assert_not_null(strstr(out, "entropy of r0 on {x3, x99}"), "%s", out);
  t_close(&r);
  free(prog);
}

Test(wide_models, more_than_1024_variables_is_a_check_error) {
  char *prog = copies(1025, "entropy(x0)");
  char *err = t_fail(prog, IXP_ECOMPILE, NULL);
  cr_assert_not_null(strstr(err, "t.ixp:1026:3: error: model 'wide' has more than 1024 variables"), "%s", err);
  free(err);
  free(prog);
}

Test(wide_models, a_sample_of_more_than_64_variables_is_refused) {
  char *prog = copies(65, "entropy(x0)");
  size_t n = strlen(prog);
  prog = realloc(prog, n + 64);
  strcpy(prog + n, "data s = sample(wide, 10)\n");
  char *err = t_fail(prog, IXP_ECOMPILE, NULL);
  cr_assert_not_null(strstr(err, "dataset 's' has 65 columns; a dataset holds at most 64 variables"), "%s", err);
  free(err);
  free(prog);
}
