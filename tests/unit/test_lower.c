/* test_lower.c — the plans measures lower to (stdlib/plan.c and the rules
 * of stdlib/measures.c), read from `ixp explain` output
 * (ixp_session_explain). Coefficients are compared exactly. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

typedef enum { K_JOINT, K_ENTROPY, K_KL, K_LINEAR, K_UNITS } Kind;

#define MAXOPS 64

typedef struct {
  int nops;
  Kind kind[MAXOPS];
  int reg[MAXOPS];           /* output register */
  char what[MAXOPS][128];    /* entropy: the mask "{x, y}"; joint: model name */
  int nterms[MAXOPS];        /* linear: terms */
  double coef[MAXOPS][16];
  int term[MAXOPS][16];
  int result_input;          /* register converted by the final units op */
} Plan;

/* Parse one op line "  rN = ..." into p; fails the test on anything that
 * is not one of the five kernel operations. */
static void parse_op(Plan *p, const char *line) {
  int r, n = 0;
  cr_assert_eq(sscanf(line, "  r%d = %n", &r, &n), 1, "not an op line: '%s'", line);
  cr_assert_gt(n, 0);
  const char *rest = line + n;
  int i = p->nops++;
  cr_assert_lt(i, MAXOPS);
  p->reg[i] = r;
  p->what[i][0] = '\0';
  if (!strncmp(rest, "joint ", 6)) {
    p->kind[i] = K_JOINT;
    sscanf(rest + 6, "%127[^:]", p->what[i]);
  } else if (!strncmp(rest, "entropy of r", 12)) {
    p->kind[i] = K_ENTROPY;
    const char *open = strchr(rest, '{'), *close = strchr(rest, '}');
    cr_assert(open && close && close > open, "'%s'", line);
    snprintf(p->what[i], sizeof p->what[i], "%.*s", (int)(close - open + 1), open);
  } else if (!strncmp(rest, "kl(r", 4)) {
    p->kind[i] = K_KL;
  } else if (rest[0] == 'r' && strstr(rest, " in ")) {
    p->kind[i] = K_UNITS;
    cr_assert_eq(sscanf(rest, "r%d in ", &p->result_input), 1, "'%s'", line);
  } else if (!strncmp(rest, "linear combination:", 19)) {
    /* terms "[+|-] [coef] rK", or just "0" */
    p->kind[i] = K_LINEAR;
    p->nterms[i] = 0;
    const char *s = rest + 19;
    while (*s == ' ') s++;
    if (!strcmp(s, "0")) return;
    while (*s) {
      double sign = 1, c = 1;
      if (*s == '+' || *s == '-') {
        sign = *s == '-' ? -1 : 1;
        s++;
        while (*s == ' ') s++;
      }
      if (*s != 'r') {
        char *end;
        c = strtod(s, &end);
        cr_assert(end > s && *end == ' ', "bad coefficient in '%s'", line);
        s = end + 1;
      }
      int reg, used = 0;
      cr_assert_eq(sscanf(s, "r%d%n", &reg, &used), 1, "bad linear term in '%s'", line);
      int k = p->nterms[i]++;
      cr_assert_lt(k, 16);
      p->coef[i][k] = sign * c;
      p->term[i][k] = reg;
      s += used;
      while (*s == ' ') s++;
    }
  } else {
    cr_assert_fail("not a kernel operation: '%s'", line);
  }
}

/* Explain `program` (which must hold exactly one measure) and parse its
 * plan; also returns the explain text in *text if given (malloc'd). */
static void explain(Plan *p, const char *program, char **text) {
  TRun r;
  t_open(&r, false);
  IxpStatus st = t_explain(&r, program);
  cr_assert_eq(st, IXP_OK, "explain failed:\n%s", t_err(&r));
  cr_assert_str_empty(t_err(&r));
  const char *out = t_out(&r);
  memset(p, 0, sizeof *p);
  p->result_input = -1;
  char *copy = strdup(out), *save = NULL;
  int headers = 0;
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    if (strncmp(line, "  r", 3)) {
      headers++;
      cr_assert(!strncmp(line, "t.ixp:", 6), "unexpected explain line '%s'", line);
      continue;
    }
    parse_op(p, line);
  }
  cr_assert_eq(headers, 1, "expected one measure in:\n%s", out);
  if (text) *text = strdup(out);
  free(copy);
  t_close(&r);
}

static int count_kind(const Plan *p, Kind k) {
  int n = 0;
  for (int i = 0; i < p->nops; i++) n += p->kind[i] == k;
  return n;
}

/* Index of the op writing register r. */
static int op_of(const Plan *p, int r) {
  for (int i = 0; i < p->nops; i++)
    if (p->reg[i] == r) return i;
  cr_assert_fail("no op writes r%d", r);
  return -1;
}

/* The coefficient of the entropy of `mask` in linear op i (0 if absent). */
static double coef_of(const Plan *p, int i, const char *mask) {
  double c = 0;
  int found = 0;
  for (int k = 0; k < p->nterms[i]; k++) {
    int e = op_of(p, p->term[i][k]);
    cr_assert_eq(p->kind[e], K_ENTROPY, "linear term r%d is not an entropy", p->term[i][k]);
    if (!strcmp(p->what[e], mask)) c += p->coef[i][k], found++;
  }
  cr_assert_leq(found, 1, "mask %s appears in %d terms", mask, found);
  return c;
}

/* The linear op feeding the final units op. */
static int final_linear(const Plan *p) {
  cr_assert_eq(count_kind(p, K_UNITS), 1);
  cr_assert_eq(p->kind[p->nops - 1], K_UNITS, "the plan does not end in a units op");
  int i = op_of(p, p->result_input);
  cr_assert_eq(p->kind[i], K_LINEAR);
  return i;
}

Test(lower, mi_is_one_joint_three_entropies_and_a_combination) {
  Plan p;
  explain(&p, "print mi(x; y) in bsc", NULL);
  cr_assert_eq(p.nops, 6);
  cr_assert_eq(count_kind(&p, K_JOINT), 1);
  cr_assert_str_eq(p.what[0], "bsc");
  cr_assert_eq(count_kind(&p, K_ENTROPY), 3);
  cr_assert_eq(count_kind(&p, K_LINEAR), 1);
  cr_assert_eq(count_kind(&p, K_KL), 0);
  int l = final_linear(&p);
  cr_assert_eq(p.nterms[l], 3);
  cr_assert_eq(coef_of(&p, l, "{x}"), 1);
  cr_assert_eq(coef_of(&p, l, "{y}"), 1);
  cr_assert_eq(coef_of(&p, l, "{x, y}"), -1);
}

Test(lower, conditional_mi_uses_four_entropies) {
  Plan p;
  explain(&p, "print mi(x; y | e) in bsc", NULL);
  cr_assert_eq(count_kind(&p, K_JOINT), 1);
  cr_assert_eq(count_kind(&p, K_ENTROPY), 4);
  int l = final_linear(&p);
  cr_assert_eq(p.nterms[l], 4);
  /* masks print in the model's variable order: x, e, y */
  cr_assert_eq(coef_of(&p, l, "{x, e}"), 1);
  cr_assert_eq(coef_of(&p, l, "{e, y}"), 1);
  cr_assert_eq(coef_of(&p, l, "{x, e, y}"), -1);
  cr_assert_eq(coef_of(&p, l, "{e}"), -1);
}

Test(lower, grouped_arguments_form_one_mask) {
  Plan p;
  explain(&p, "print mi(a, b; t) in xor", NULL);
  cr_assert_eq(count_kind(&p, K_ENTROPY), 3);
  int l = final_linear(&p);
  cr_assert_eq(coef_of(&p, l, "{a, b}"), 1);
  cr_assert_eq(coef_of(&p, l, "{t}"), 1);
  cr_assert_eq(coef_of(&p, l, "{a, b, t}"), -1);
}

Test(lower, conditional_entropy_is_a_difference) {
  Plan p;
  explain(&p, "print entropy(y | x) in bsc", NULL);
  cr_assert_eq(count_kind(&p, K_ENTROPY), 2);
  int l = final_linear(&p);
  cr_assert_eq(coef_of(&p, l, "{x, y}"), 1);
  cr_assert_eq(coef_of(&p, l, "{x}"), -1);
}

Test(lower, plain_entropy_needs_no_combination) {
  Plan p;
  explain(&p, "print entropy(x, y) in bsc", NULL);
  cr_assert_eq(p.nops, 3);
  cr_assert_eq(p.kind[0], K_JOINT);
  cr_assert_eq(p.kind[1], K_ENTROPY);
  cr_assert_str_eq(p.what[1], "{x, y}");
  cr_assert_eq(p.kind[2], K_UNITS);
  cr_assert_eq(p.result_input, p.reg[1]);
}

Test(lower, repeated_masks_are_merged) {
  Plan p;
  /* H(x | x) = H(x) - H(x): nothing left for a kernel */
  explain(&p, "print entropy(x | x) in bsc", NULL);
  cr_assert_eq(count_kind(&p, K_ENTROPY), 0);
  int l = final_linear(&p);
  cr_assert_eq(p.nterms[l], 0);
  /* I(x; x) = H(x) + H(x) - H(x) = H(x): one entropy, coefficient 1 */
  explain(&p, "print mi(x; x) in bsc", NULL);
  cr_assert_eq(count_kind(&p, K_ENTROPY), 1);
  l = final_linear(&p);
  cr_assert_eq(p.nterms[l], 1);
  cr_assert_eq(coef_of(&p, l, "{x}"), 1);
  /* I(x, y; y) = H(x,y) + H(y) - H(x,y) = H(y) */
  explain(&p, "print mi(x, y; y) in bsc", NULL);
  cr_assert_eq(count_kind(&p, K_ENTROPY), 1);
  l = final_linear(&p);
  cr_assert_eq(coef_of(&p, l, "{y}"), 1);
  /* I(x; y | x) = H(x) + H(x,y) - H(x,y) - H(x) = 0 */
  explain(&p, "print mi(x; y | x) in bsc", NULL);
  cr_assert_eq(count_kind(&p, K_ENTROPY), 0);
}

Test(lower, repeated_masks_give_zero) {
  cr_assert_eq(t_number("print entropy(x | x) in bsc"), 0.0);
  cr_assert_eq(t_number("print mi(x; y | x) in bsc"), 0.0);
  cr_assert_float_eq(t_number("print mi(x; x) in bsc"), 1.0, 1e-12);
}

Test(lower, kl_plan_has_two_joints_and_a_kl) {
  Plan p;
  explain(&p,
          "model p = table (x) {\n 0 : 0.7\n 1 : 0.3\n}\n"
          "model q = table (x) {\n 0 : 0.4\n 1 : 0.6\n}\n"
          "print kl(p || q)",
          NULL);
  cr_assert_eq(p.nops, 4);
  cr_assert_eq(count_kind(&p, K_JOINT), 2);
  cr_assert_str_eq(p.what[0], "p");
  cr_assert_str_eq(p.what[1], "q");
  cr_assert_eq(count_kind(&p, K_KL), 1);
  cr_assert_eq(count_kind(&p, K_ENTROPY), 0);
  cr_assert_eq(p.kind[p.nops - 1], K_UNITS);
  cr_assert_eq(p.kind[op_of(&p, p.result_input)], K_KL);
}

Test(lower, multivariate_coefficients) {
  Plan p;
  /* DTC(a, b, t) = H(b,t) + H(a,t) + H(a,b) - 2 H(a,b,t) */
  explain(&p, "print dtc(a, b, t) in xor", NULL);
  int l = final_linear(&p);
  cr_assert_eq(coef_of(&p, l, "{b, t}"), 1);
  cr_assert_eq(coef_of(&p, l, "{a, t}"), 1);
  cr_assert_eq(coef_of(&p, l, "{a, b}"), 1);
  cr_assert_eq(coef_of(&p, l, "{a, b, t}"), -2);
  /* O(a, b, t) = H(a,b,t) + sum_i H(X_i) - sum_i H(rest_i) */
  explain(&p, "print oinfo(a, b, t) in xor", NULL);
  l = final_linear(&p);
  cr_assert_eq(p.nterms[l], 7);
  cr_assert_eq(coef_of(&p, l, "{a}"), 1);
  cr_assert_eq(coef_of(&p, l, "{b, t}"), -1);
  cr_assert_eq(coef_of(&p, l, "{a, b, t}"), 1);
  /* coinfo of three: singles +1, pairs -1, the triple +1 */
  explain(&p, "print coinfo(a, b, t) in xor", NULL);
  l = final_linear(&p);
  cr_assert_eq(p.nterms[l], 7);
  cr_assert_eq(coef_of(&p, l, "{t}"), 1);
  cr_assert_eq(coef_of(&p, l, "{a, t}"), -1);
  cr_assert_eq(coef_of(&p, l, "{a, b, t}"), 1);
  /* tc with ';' groups: H(a,b) + H(t) - H(a,b,t) */
  explain(&p, "print tc(a, b; t) in xor", NULL);
  l = final_linear(&p);
  cr_assert_eq(p.nterms[l], 3);
  cr_assert_eq(coef_of(&p, l, "{a, b}"), 1);
  cr_assert_eq(coef_of(&p, l, "{t}"), 1);
  cr_assert_eq(coef_of(&p, l, "{a, b, t}"), -1);
}

Test(lower, plans_never_mention_measure_names) {
  static const char *const programs[] = {
      "print mi(x; y | e) in bsc", "print entropy(y | x) in bsc", "print tc(a, b, t) in xor",
      "print dtc(a, b, t) in xor", "print coinfo(a, b, t) in xor", "print oinfo(a, b, t) in xor",
  };
  static const char *const names[] = {"mi", "tc", "dtc", "coinfo", "oinfo"};
  for (size_t i = 0; i < sizeof programs / sizeof *programs; i++) {
    Plan p;
    char *text;
    explain(&p, programs[i], &text);
    cr_assert_gt(p.nops, 0);
    /* every op parsed as one of the five kernel operations (parse_op
     * asserts that); the op lines name no measure */
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
      if (strncmp(line, "  r", 3)) continue;
      for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        char word[16];
        snprintf(word, sizeof word, "%s(", names[k]);
        cr_assert_null(strstr(line, word), "op line names a measure: '%s'", line);
        snprintf(word, sizeof word, " %s ", names[k]);
        cr_assert_null(strstr(line, word), "op line names a measure: '%s'", line);
      }
    }
    free(text);
  }
}

Test(lower, explain_prints_no_values) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_explain(&r, "print mi(x; y) in bsc, 42\nlet q = entropy(x) in bsc\nprint q"), IXP_OK, "%s",
               t_err(&r));
  const char *out = t_out(&r);
  cr_assert_null(strstr(out, " = 0.53"), "%s", out);
  cr_assert_null(strstr(out, "42"), "%s", out);
  cr_assert_eq(t_count(out, "t.ixp:"), 2, "one header per measure:\n%s", out);
  cr_assert_not_null(strstr(out, "t.ixp:1:7: mi(x; y) in bsc\n"), "%s", out);
  cr_assert_not_null(strstr(out, "t.ixp:2:9: entropy(x) in bsc\n"), "%s", out);
  t_close(&r);
}

Test(lower, a_sweep_explains_its_measure_once) {
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_explain(&r, "sweep e in 0 .. 1 step 0.25 {\n  emit mi(x; y) in bec(eps = e)\n}"), IXP_OK, "%s",
               t_err(&r));
  const char *out = t_out(&r);
  cr_assert_eq(t_count(out, "t.ixp:"), 1, "%s", out);
  cr_assert_eq(t_count(out, "= joint bec"), 1, "%s", out);
  t_close(&r);
}

Test(lower, units_op_follows_the_session_units) {
  char *text;
  Plan p;
  explain(&p, "print entropy(x) in bsc", &text);
  cr_assert_not_null(strstr(text, "in bits"), "%s", text);
  free(text);
  explain(&p, "units nats\nprint entropy(x) in bsc", &text);
  cr_assert_not_null(strstr(text, "in nats"), "%s", text);
  cr_assert_null(strstr(text, "in bits"), "%s", text);
  free(text);
}
