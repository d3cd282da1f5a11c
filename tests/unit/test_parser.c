/* test_parser.c — tree shapes (through the canonical, fully parenthesised
 * printer ixp_ast_print), exact literals, and syntax errors of
 * grammar/parser.y and grammar/parse.c. Everything is exact except the
 * inexact big literal, compared with a relative 1e-15. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "parse.h"
#include "helpers.h"

typedef struct {
  IxpSource *src;
  IxpArena *arena;
  IxpAst *prog;
  bool incomplete;
  IxpDiag diag;
  FILE *out;
  char *msgs;
  size_t len;
} Parsed;

/* Parse `text`, reporting (not quietly) into a memory stream. */
static void parse_text(Parsed *p, const char *text) {
  memset(p, 0, sizeof *p);
  p->src = ixp_source_new("t.ixp", text, strlen(text));
  p->arena = ixp_arena_new();
  p->out = open_memstream(&p->msgs, &p->len);
  cr_assert(p->src && p->arena && p->out);
  p->diag.out = p->out;
  p->incomplete = true; /* must be overwritten */
  p->prog = ixp_parse(p->src, p->arena, &p->diag, false, &p->incomplete);
  fflush(p->out);
}

static const char *messages(Parsed *p) {
  fflush(p->out);
  return p->msgs ? p->msgs : "";
}

static void parsed_free(Parsed *p) {
  fclose(p->out);
  free(p->msgs);
  ixp_arena_free(p->arena);
  ixp_source_free(p->src);
}

/* Parse `text` asserting success; its program block. */
static IxpAst *parse_ok(Parsed *p, const char *text) {
  parse_text(p, text);
  cr_assert_not_null(p->prog, "parse of \"%s\" failed:\n%s", text, messages(p));
  cr_assert_not(p->incomplete);
  cr_assert_eq(p->diag.errors, 0);
  cr_assert_str_empty(messages(p));
  cr_assert_eq(p->prog->kind, AST_BLOCK);
  return p->prog;
}

/* Canonical text of a node, malloc'd. */
static char *show(const IxpAst *e) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ixp_ast_print(f, e);
  fclose(f);
  return buf;
}

/* The canonical text of expression `expr` (parsed as `print EXPR`). */
static void check_expr(const char *expr, const char *want) {
  char text[512];
  snprintf(text, sizeof text, "print %s", expr);
  Parsed p;
  IxpAst *prog = parse_ok(&p, text);
  cr_assert_eq(prog->nitems, 1);
  IxpAst *st = prog->items[0];
  cr_assert_eq(st->kind, AST_PRINT);
  cr_assert_eq(st->nitems, 1, "\"%s\" parsed as %d expressions", expr, st->nitems);
  char *got = show(st->items[0]);
  cr_assert_str_eq(got, want, "\"%s\" parsed as %s, wanted %s", expr, got, want);
  free(got);
  parsed_free(&p);
}

/* ------------------------------------------------------------- precedence */

Test(parser, arithmetic_precedence_and_associativity) {
  check_expr("1 + 2 * 3", "(1 + (2 * 3))");
  check_expr("1 * 2 + 3", "((1 * 2) + 3)");
  check_expr("1 - 2 - 3", "((1 - 2) - 3)");
  check_expr("8 / 4 / 2", "((8 / 4) / 2)");
  check_expr("a mod b * c", "((a mod b) * c)");
  check_expr("(1 + 2) * 3", "((1 + 2) * 3)");
  check_expr("1 + 2 < 3 * 4", "((1 + 2) < (3 * 4))");
}

Test(parser, power_binds_tighter_than_unary_minus) {
  check_expr("-2 ^ 2", "(-(2 ^ 2))");
  check_expr("2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))");
  check_expr("2 ^ -1", "(2 ^ (-1))");
  check_expr("-a * b", "((-a) * b)");
  check_expr("- - a", "(-(-a))");
  check_expr("2 * 3 ^ 2", "(2 * (3 ^ 2))");
}

Test(parser, logic_precedence) {
  check_expr("not a == b", "(not (a == b))");
  check_expr("not a and b", "((not a) and b)");
  check_expr("a and b or c", "((a and b) or c)");
  check_expr("a or b and c", "(a or (b and c))");
  check_expr("x xor y and z", "(x xor (y and z))");
  check_expr("x or y xor z", "(x or (y xor z))");
  check_expr("a and b and c", "((a and b) and c)");
  check_expr("a != b or c <= d", "((a != b) or (c <= d))");
}

Test(parser, if_else_branch_extends_right) {
  check_expr("if c then 1 else 2 + 3", "(if c then 1 else (2 + 3))");
  check_expr("if a == 1 then x else if b then y else z", "(if (a == 1) then x else (if b then y else z))");
  check_expr("1 + (if c then 2 else 3)", "(1 + (if c then 2 else 3))");
}

Test(parser, ranges_with_and_without_step) {
  check_expr("0 .. 1 step 0.1", "(0 .. 1 step 1/10)");
  check_expr("1 .. n + 1", "(1 .. (n + 1))");
  check_expr("0..5", "(0 .. 5)");
  check_expr("a - 1 .. b step 2 * k", "((a - 1) .. b step (2 * k))");
}

Test(parser, vectors_calls_index_and_field) {
  check_expr("[1, 2 + 3, [4]]", "[1, (2 + 3), [4]]");
  check_expr("[]", "[]");
  check_expr("v[i + 1][0]", "v[(i + 1)][0]");
  check_expr("-v[0]", "(-v[0])");
  check_expr("f(a, g(b), n = 2)", "f(a, g(b), n = 2)");
  check_expr("m.x", "m.x");
  check_expr("h2(0.25)", "h2(1/4)");
}

/* ---------------------------------------------------------------- measures */

/* The first expression of the only (print) statement of `p`. */
static IxpAst *first_expr(Parsed *p, const char *text) {
  IxpAst *prog = parse_ok(p, text);
  cr_assert_eq(prog->nitems, 1);
  cr_assert_eq(prog->items[0]->kind, AST_PRINT);
  return prog->items[0]->items[0];
}

Test(parser, measure_call_records_separators_on_args) {
  Parsed p;
  IxpAst *e = first_expr(&p, "print mi(a, b; t | z) in m");
  cr_assert_eq(e->kind, AST_MEASURE);
  IxpAst *call = e->a, *src = e->b;
  cr_assert_eq(call->kind, AST_CALL);
  cr_assert_str_eq(call->str, "mi");
  cr_assert_eq(call->nitems, 4);
  static const IxpOp seps[] = {OP_NONE, SEP_COMMA, SEP_SEMI, SEP_BAR};
  static const char *const names[] = {"a", "b", "t", "z"};
  for (int i = 0; i < 4; i++) {
    cr_assert_eq(call->items[i]->kind, AST_ARG);
    cr_assert_eq(call->items[i]->op, seps[i], "arg %d has separator %d", i, call->items[i]->op);
    cr_assert_null(call->items[i]->str);
    cr_assert_eq(call->items[i]->a->kind, AST_NAME);
    cr_assert_str_eq(call->items[i]->a->str, names[i]);
  }
  cr_assert_eq(src->kind, AST_SOURCE);
  cr_assert_str_eq(src->str, "m");
  cr_assert_eq(src->nitems, 0);
  cr_assert_null(e->c);
  cr_assert_null(e->d);
  /* The measure's span runs from the measure's name to the model's. */
  cr_assert_eq(e->span.start, 6);
  cr_assert_eq(e->span.end, 26);
  parsed_free(&p);
}

Test(parser, kl_and_arrow_separators) {
  Parsed p;
  IxpAst *e = first_expr(&p, "print kl(p || q)");
  cr_assert_eq(e->kind, AST_CALL);
  cr_assert_str_eq(e->str, "kl");
  cr_assert_eq(e->nitems, 2);
  cr_assert_eq(e->items[0]->op, OP_NONE);
  cr_assert_eq(e->items[1]->op, SEP_BARBAR);
  parsed_free(&p);
  e = first_expr(&p, "print f(a -> b)");
  cr_assert_eq(e->items[1]->op, SEP_ARROW);
  parsed_free(&p);
}

/* The separators '|', '||' and '->' are spaced on both sides in the
 * canonical text: "mi(a, b; t | z) in m" and "kl(p || q)". */
Test(parser, measure_canonical_text) {
  check_expr("mi(a, b; t | z) in m", "mi(a, b; t | z) in m");
  check_expr("kl(p || q)", "kl(p || q)");
  check_expr("f(a -> b)", "f(a -> b)");
}

Test(parser, measure_source_overrides_using_with) {
  check_expr("entropy(x) in bsc(p = 0.2)", "entropy(x) in bsc(p = 1/5)");
  check_expr("mi(x; y) in xor", "mi(x; y) in xor");
  Parsed p;
  IxpAst *e = first_expr(&p, "print mi(x; y) in m(p = 1, q = 2) using ksg(k = 3) with perm(n = 100)");
  cr_assert_eq(e->kind, AST_MEASURE);
  cr_assert_eq(e->b->nitems, 2);
  cr_assert_str_eq(e->b->items[0]->str, "p");
  cr_assert_str_eq(e->b->items[1]->str, "q");
  cr_assert_eq(e->b->items[1]->op, SEP_COMMA);
  cr_assert_not_null(e->c);
  cr_assert_str_eq(e->c->str, "ksg");
  cr_assert_not_null(e->d);
  cr_assert_str_eq(e->d->str, "perm");
  parsed_free(&p);
}

/* ------------------------------------------------------------------ models */

Test(parser, model_with_params_draws_and_definitions) {
  Parsed p;
  IxpAst *prog = parse_ok(&p,
                          "model m(p = 0.1, q) {\n"
                          "  x ~ bernoulli(p)\n"
                          "\n"
                          "  y = x xor 1   # noisy\n"
                          "}\n");
  cr_assert_eq(prog->nitems, 1);
  IxpAst *m = prog->items[0];
  cr_assert_eq(m->kind, AST_MODEL);
  cr_assert_str_eq(m->str, "m");
  cr_assert_eq(m->nitems, 2);
  cr_assert_eq(m->items[0]->kind, AST_PARAM);
  cr_assert_str_eq(m->items[0]->str, "p");
  char *d = show(m->items[0]->a);
  cr_assert_str_eq(d, "1/10");
  free(d);
  cr_assert_str_eq(m->items[1]->str, "q");
  cr_assert_null(m->items[1]->a);
  IxpAst *body = m->b;
  cr_assert_eq(body->kind, AST_BLOCK);
  cr_assert_eq(body->nitems, 2);
  IxpAst *draw = body->items[0], *def = body->items[1];
  cr_assert_eq(draw->kind, AST_DRAW);
  cr_assert_eq(draw->nitems, 1);
  cr_assert_str_eq(draw->items[0]->str, "x");
  char *c = show(draw->a);
  cr_assert_str_eq(c, "bernoulli(p)");
  free(c);
  cr_assert_eq(def->kind, AST_DEFINE);
  cr_assert_str_eq(def->str, "y");
  char *v = show(def->a);
  cr_assert_str_eq(v, "(x xor 1)");
  free(v);
  parsed_free(&p);
}

Test(parser, model_on_one_line_and_operator_names) {
  Parsed p;
  IxpAst *prog = parse_ok(&p, "model m { x ~ bernoulli(1/2) }\nmodel xor { a ~ bernoulli(1/2) }\n");
  cr_assert_eq(prog->nitems, 2);
  cr_assert_eq(prog->items[0]->b->nitems, 1);
  cr_assert_eq(prog->items[0]->nitems, 0);
  cr_assert_str_eq(prog->items[1]->str, "xor");
  parsed_free(&p);
}

Test(parser, table_model_rows_and_rational_probabilities) {
  Parsed p;
  IxpAst *prog = parse_ok(&p,
                          "model t(a = 1/2) = table (x, y) {\n"
                          "  0 0 : 1/4\n"
                          "\n"
                          "  1, -1 : 0.25\n"
                          "  (1 + 1) 2.5 : a\n"
                          "}\n");
  IxpAst *m = prog->items[0];
  cr_assert_eq(m->kind, AST_MODEL);
  cr_assert_str_eq(m->str, "t");
  cr_assert_eq(m->nitems, 1);
  cr_assert_str_eq(m->items[0]->str, "a");
  IxpAst *t = m->b;
  cr_assert_eq(t->kind, AST_TABLE);
  cr_assert_eq(t->a->nitems, 2);
  cr_assert_str_eq(t->a->items[0]->str, "x");
  cr_assert_str_eq(t->a->items[1]->str, "y");
  IxpAst *rows = t->b;
  cr_assert_eq(rows->nitems, 3);
  static const char *const want[3][3] = {
      {"0", "0", "(1 / 4)"},
      {"1", "-1", "1/4"},
      {"(1 + 1)", "5/2", "a"},
  };
  for (int r = 0; r < 3; r++) {
    IxpAst *row = rows->items[r];
    cr_assert_eq(row->kind, AST_ROW);
    cr_assert_eq(row->nitems, 2);
    for (int i = 0; i < 3; i++) {
      char *s = show(i < 2 ? row->items[i] : row->a);
      cr_assert_str_eq(s, want[r][i], "row %d item %d is %s", r, i, s);
      free(s);
    }
  }
  /* The negative value is one exact literal, not a negation. */
  IxpAst *neg = rows->items[1]->items[1];
  cr_assert_eq(neg->kind, AST_NUM);
  cr_assert(neg->exact);
  cr_assert_eq(neg->num_n, -1);
  cr_assert_eq(neg->num, -1.0);
  parsed_free(&p);
}

Test(parser, table_model_without_params) {
  Parsed p;
  IxpAst *prog = parse_ok(&p, "model t = table (x) {\n0 : 1/2\n1 : 1/2 }");
  cr_assert_eq(prog->items[0]->nitems, 0);
  cr_assert_eq(prog->items[0]->b->b->nitems, 2);
  parsed_free(&p);
}

/* ---------------------------------------------------------------- statements */

Test(parser, sweep_with_to_and_emit_with_as) {
  Parsed p;
  IxpAst *prog = parse_ok(&p,
                          "sweep p in 0 .. 1 step 0.5 {\n"
                          "  emit p, h2(p) as H, p as \"the p\"\n"
                          "} to \"out.csv\"\n");
  cr_assert_eq(prog->nitems, 1);
  IxpAst *sw = prog->items[0];
  cr_assert_eq(sw->kind, AST_SWEEP);
  cr_assert_str_eq(sw->str, "p");
  char *r = show(sw->a);
  cr_assert_str_eq(r, "(0 .. 1 step 1/2)");
  free(r);
  cr_assert_eq(sw->b->nitems, 1);
  IxpAst *em = sw->b->items[0];
  cr_assert_eq(em->kind, AST_EMIT);
  cr_assert_eq(em->nitems, 3);
  cr_assert_eq(em->items[0]->kind, AST_NAME);
  cr_assert_eq(em->items[1]->kind, AST_AS);
  cr_assert_str_eq(em->items[1]->str, "H");
  char *h = show(em->items[1]->a);
  cr_assert_str_eq(h, "h2(p)");
  free(h);
  cr_assert_eq(em->items[2]->kind, AST_AS);
  cr_assert_str_eq(em->items[2]->str, "the p");
  cr_assert_not_null(sw->c);
  cr_assert_eq(sw->c->kind, AST_STR);
  cr_assert_str_eq(sw->c->str, "out.csv");
  parsed_free(&p);

  prog = parse_ok(&p, "sweep q in [1, 2] { print q }");
  cr_assert_null(prog->items[0]->c);
  cr_assert_eq(prog->items[0]->a->kind, AST_VEC);
  parsed_free(&p);
}

Test(parser, other_statements) {
  Parsed p;
  IxpAst *prog = parse_ok(&p,
                          "experiment \"e\"\n"
                          "seed 42\n"
                          "units nats\n"
                          "let a = 1\n"
                          "expect a == 1 within 0.01\n"
                          "expect a <= 2\n"
                          "print a, 2\n"
                          "a + 1\n");
  static const IxpAstKind kinds[] = {AST_EXPERIMENT, AST_SEED, AST_UNITS, AST_LET,
                                     AST_EXPECT,     AST_EXPECT, AST_PRINT, AST_EXPR_STMT};
  cr_assert_eq(prog->nitems, 8);
  for (int i = 0; i < 8; i++) cr_assert_eq(prog->items[i]->kind, kinds[i], "statement %d", i);
  cr_assert_str_eq(prog->items[2]->str, "nats");
  cr_assert_str_eq(prog->items[3]->str, "a");
  cr_assert_not_null(prog->items[4]->b);
  cr_assert_null(prog->items[5]->b);
  cr_assert_eq(prog->items[6]->nitems, 2);
  parsed_free(&p);
}

/* An extern declaration: C types say array and const in their own fields. */
Test(parser, extern_c_types_mark_arrays_and_const) {
  Parsed p;
  IxpAst *prog = parse_ok(&p,
                          "extern \"lib.so\" {\n"
                          "  fn f(x: const f64[n, 4], y: f64[n], n: i64, c: const i32) -> f64\n"
                          "  fn g(seed: u64)\n"
                          "}\n");
  cr_assert_eq(prog->nitems, 1);
  IxpAst *ext = prog->items[0];
  cr_assert_eq(ext->kind, AST_EXTERN);
  cr_assert_eq(ext->nitems, 2);
  IxpAst *f = ext->items[0];
  cr_assert_eq(f->kind, AST_FN);
  cr_assert_str_eq(f->str, "f");
  cr_assert_eq(f->nitems, 4);
  static const struct {
    const char *name, *type;
    bool is_array, is_const;
    int ndims;
  } want[] = {{"x", "f64", true, true, 2}, {"y", "f64", true, false, 1}, {"n", "i64", false, false, 0},
              {"c", "i32", false, true, 0}};
  for (int i = 0; i < 4; i++) {
    IxpAst *param = f->items[i], *t = param->a;
    cr_assert_eq(param->kind, AST_CPARAM);
    cr_assert_str_eq(param->str, want[i].name);
    cr_assert_eq(t->kind, AST_CTYPE);
    cr_assert_str_eq(t->str, want[i].type);
    cr_assert_eq(t->ctype.is_array, want[i].is_array, "%s", want[i].name);
    cr_assert_eq(t->ctype.is_const, want[i].is_const, "%s", want[i].name);
    cr_assert_eq(t->nitems, want[i].ndims, "%s", want[i].name);
    /* op and num keep their meanings elsewhere: a C type leaves them alone. */
    cr_assert_eq(t->op, OP_NONE, "%s", want[i].name);
    cr_assert_eq(t->num, 0, "%s", want[i].name);
  }
  IxpAst *x = f->items[0]->a;
  cr_assert_eq(x->items[0]->kind, AST_NAME);
  cr_assert_str_eq(x->items[0]->str, "n");
  cr_assert_eq(x->items[1]->kind, AST_NUM);
  cr_assert_eq(x->items[1]->num, 4);
  cr_assert_eq(x->span.start, 28); /* "const f64[n, 4]" */
  cr_assert_eq(x->span.end, 43);
  cr_assert_eq(f->b->kind, AST_CTYPE);
  cr_assert_str_eq(f->b->str, "f64");
  cr_assert_not(f->b->ctype.is_array || f->b->ctype.is_const);
  IxpAst *g = ext->items[1];
  cr_assert_str_eq(g->items[0]->str, "seed");
  cr_assert_not(g->items[0]->a->ctype.is_array || g->items[0]->a->ctype.is_const);
  cr_assert_null(g->b);
  parsed_free(&p);
}

Test(parser, string_escapes_are_resolved) {
  Parsed p;
  IxpAst *e = first_expr(&p, "print \"a\\\"b\\\\c\\n\\t.\"");
  cr_assert_eq(e->kind, AST_STR);
  cr_assert_str_eq(e->str, "a\"b\\c\n\t.");
  parsed_free(&p);
}

/* -------------------------------------------------------------- exactness */

static IxpAst *number(Parsed *p, const char *lit) {
  char text[256];
  snprintf(text, sizeof text, "print %s", lit);
  IxpAst *e = first_expr(p, text);
  cr_assert_eq(e->kind, AST_NUM, "%s is not one number node", lit);
  return e;
}

static void check_exact(const char *lit, long long n, long long d) {
  Parsed p;
  IxpAst *e = number(&p, lit);
  cr_assert(e->exact, "%s is not exact", lit);
  cr_assert_eq(e->num_n, n, "%s: numerator %lld, wanted %lld", lit, (long long)e->num_n, n);
  cr_assert_eq(e->num_d, d, "%s: denominator %lld, wanted %lld", lit, (long long)e->num_d, d);
  cr_assert_eq(e->num, strtod(lit, NULL), "%s: double %.17g", lit, e->num);
  parsed_free(&p);
}

Test(parser, decimal_literals_are_exact_rationals) {
  check_exact("0.1", 1, 10);
  check_exact("1e-3", 1, 1000);
  check_exact("2.50", 5, 2);
  check_exact("0.125", 1, 8);
  check_exact("1.5e2", 150, 1);
  check_exact("12.5E-1", 5, 4);
  check_exact(".5", 1, 2);
  check_exact("0", 0, 1);
  check_exact("7", 7, 1);
  check_exact("1e18", 1000000000000000000LL, 1);
  check_exact("1e-18", 1, 1000000000000000000LL);
  check_exact("9223372036854775807", 9223372036854775807LL, 1);
}

static void check_inexact(const char *lit) {
  Parsed p;
  IxpAst *e = number(&p, lit);
  cr_assert_not(e->exact, "%s should not be exact", lit);
  double want = strtod(lit, NULL);
  cr_assert(e->num == want || fabs(e->num - want) <= 1e-15 * fabs(want), "%s: %.17g", lit, e->num);
  parsed_free(&p);
}

Test(parser, big_literals_fall_back_to_doubles) {
  check_inexact("123456789012345678901234567890");
  check_inexact("9223372036854775808");
  check_inexact("0.1234567890123456789012");
  check_inexact("1e19");
  check_inexact("1e-19");
  check_inexact("1e-400");
  check_inexact("2.5e300");
  Parsed p;
  IxpAst *e = number(&p, "123456789012345678901234567890");
  char *s = show(e);
  cr_assert_str_eq(s, "1.2345678901234568e+29");
  free(s);
  parsed_free(&p);
}

Test(parser, number_too_large_is_an_error) {
  Parsed p;
  parse_text(&p, "print 1e400");
  cr_assert_null(p.prog);
  cr_assert_not_null(strstr(messages(&p), "too large"), "%s", messages(&p));
  parsed_free(&p);
}

/* ------------------------------------------------------------------ errors */

Test(parser, only_the_first_error_is_reported) {
  Parsed p;
  parse_text(&p, "print )\nprint (\nlet = 3\nmodel {\n");
  cr_assert_null(p.prog);
  cr_assert_not(p.incomplete);
  cr_assert_eq(p.diag.errors, 1);
  const char *m = messages(&p);
  cr_assert_eq(t_count(m, "error:"), 1, "%s", m);
  cr_assert_not_null(strstr(m, "t.ixp:1:7: error: unexpected ')'"), "%s", m);
  /* The report shows the line and a caret under the token. */
  cr_assert_not_null(strstr(m, "    1 | print )\n"), "%s", m);
  cr_assert_not_null(strstr(m, "      |       ^\n"), "%s", m);
  cr_assert_eq(t_count(m, "\n"), 3, "%s", m);
  parsed_free(&p);
}

Test(parser, columns_count_characters_not_bytes) {
  Parsed p;
  parse_text(&p, "print \"\xc3\xa9\xc3\xa9\" )");
  const char *m = messages(&p);
  cr_assert_not_null(strstr(m, "t.ixp:1:12: error: unexpected ')'"), "%s", m);
  /* the caret sits under the ')' in characters: 11 blanks after "| " */
  cr_assert_not_null(strstr(m, "\n      |            ^\n"), "%s", m);
  parsed_free(&p);
}

Test(parser, syntax_error_messages_name_the_token) {
  Parsed p;
  parse_text(&p, "let 3 = 4");
  cr_assert_not_null(strstr(messages(&p), "1:5: error: unexpected number '3'"), "%s", messages(&p));
  parsed_free(&p);
  parse_text(&p, "print 1\nprint 2 3");
  cr_assert_not_null(strstr(messages(&p), "2:9: error: unexpected number '3'"), "%s", messages(&p));
  parsed_free(&p);
  parse_text(&p, "let x = in");
  cr_assert_not_null(strstr(messages(&p), "error: unexpected 'in'"), "%s", messages(&p));
  parsed_free(&p);
  parse_text(&p, "print a < b < c");
  cr_assert_null(p.prog, "comparisons do not chain");
  parsed_free(&p);
}

Test(parser, lexer_errors_are_reported_once) {
  Parsed p;
  parse_text(&p, "print \"abc\nprint $");
  cr_assert_null(p.prog);
  cr_assert_not(p.incomplete);
  cr_assert_eq(p.diag.errors, 1);
  cr_assert_not_null(strstr(messages(&p), "1:7: error: unterminated string"), "%s", messages(&p));
  parsed_free(&p);
}

Test(parser, unfinished_block_is_incomplete) {
  static const char *const texts[] = {
      "model m {",
      "model m {\n  x ~ bernoulli(1/2)\n",
      "sweep p in 0 .. 1 {\n  print p\n",
      "model t = table (x) {\n 0 : 1/2\n",
  };
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
    Parsed p;
    parse_text(&p, texts[i]);
    cr_assert_null(p.prog, "\"%s\"", texts[i]);
    cr_assert(p.incomplete, "\"%s\" should be incomplete", texts[i]);
    cr_assert_not_null(strstr(messages(&p), "unexpected end of input"), "%s", messages(&p));
    parsed_free(&p);
  }
}

Test(parser, open_bracket_at_the_end_is_incomplete) {
  static const struct {
    const char *text, *msg;
  } cases[] = {
      {"print (1 +", "the '(' at line 1, column 7 is not closed"},
      {"print [1,", "the '[' at line 1, column 7 is not closed"},
      {"print mi(x;", "the '(' at line 1, column 9 is not closed"},
      {"let a = 1\nprint f(1,\n  [2,\n", "the '[' at line 3, column 3 is not closed"},
      {"model m {\n  x ~ bernoulli(1/2)\n", "the '{' at line 1, column 9 is not closed"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    Parsed p;
    parse_text(&p, cases[i].text);
    cr_assert_null(p.prog);
    cr_assert(p.incomplete, "\"%s\" should be incomplete: %s", cases[i].text, messages(&p));
    cr_assert_not_null(strstr(messages(&p), cases[i].msg), "\"%s\": %s", cases[i].text, messages(&p));
    cr_assert_eq(p.diag.errors, 1);
    parsed_free(&p);
  }
}

Test(parser, real_errors_are_not_incomplete) {
  static const char *const texts[] = {"print )", "let = 1", "model m {\n x ~ \n}", "print 1 2"};
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
    Parsed p;
    parse_text(&p, texts[i]);
    cr_assert_null(p.prog, "\"%s\"", texts[i]);
    cr_assert_not(p.incomplete, "\"%s\" is an error, not an unfinished statement", texts[i]);
    cr_assert_eq(p.diag.errors, 1);
    parsed_free(&p);
  }
}

Test(parser, quiet_parse_reports_nothing) {
  IxpSource *src = ixp_source_new("t.ixp", "print )", 7);
  IxpArena *arena = ixp_arena_new();
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  IxpDiag d = {.out = f};
  bool inc = true;
  cr_assert_null(ixp_parse(src, arena, &d, true, &inc));
  cr_assert_not(inc);
  fflush(f);
  cr_assert_eq(len, 0, "quiet parse wrote: %s", buf);
  cr_assert_eq(d.errors, 0);
  fclose(f);
  free(buf);
  ixp_arena_free(arena);
  ixp_source_free(src);
}

Test(parser, empty_and_blank_programs) {
  Parsed p;
  IxpAst *prog = parse_ok(&p, "");
  cr_assert_eq(prog->nitems, 0);
  parsed_free(&p);
  prog = parse_ok(&p, "\n\n# just a comment\n\n");
  cr_assert_eq(prog->nitems, 0);
  parsed_free(&p);
}

Test(parser, node_spans) {
  Parsed p;
  IxpAst *prog = parse_ok(&p, "let x = 1 + 2\nprint x * 3");
  IxpAst *let = prog->items[0], *pr = prog->items[1];
  cr_assert_eq(let->span.start, 0);
  cr_assert_eq(let->span.end, 13);
  cr_assert_eq(let->a->span.start, 8);
  cr_assert_eq(let->a->span.end, 13);
  cr_assert_eq(pr->items[0]->span.start, 20);
  cr_assert_eq(pr->items[0]->span.end, 25);
  parsed_free(&p);
}

/* "print x + x + ... + x" with `terms` terms (malloc'd). */
static char *long_sum(int terms) {
  char *text = malloc(16 + 4 * (size_t)terms);
  cr_assert_not_null(text);
  strcpy(text, "print x");
  for (int i = 1; i < terms; i++) strcat(text + 4 * (size_t)i, " + x");
  return text;
}

/* A sum chains to the left without growing the parser's stack, so its
 * tree is as deep as it is long; a 150000-term sum (found by fuzzing)
 * overflowed the C stack in the checker. Past 1000 levels the tree is a
 * syntax error at the first term; 900 terms still parse. */
Test(parser, a_tree_deeper_than_the_limit_is_an_error) {
  Parsed p;
  char *ok = long_sum(900), *deep = long_sum(150000);
  parse_text(&p, ok);
  cr_assert_not_null(p.prog, "%.200s", messages(&p));
  parsed_free(&p);
  parse_text(&p, deep);
  cr_assert_null(p.prog);
  cr_assert_not_null(strstr(messages(&p), "error: nested too deeply (more than 1000 levels"), "%.200s", messages(&p));
  parsed_free(&p);
  free(ok);
  free(deep);
}

/* The same through a session: checked and run under the limit. */
Test(parser, a_long_sum_under_the_limit_runs) {
  char *sum = long_sum(900);
  char *text = malloc(strlen(sum) + 16);
  cr_assert_not_null(text);
  sprintf(text, "let x = 1\n%s\n", sum);
  TRun r;
  t_open(&r, false);
  cr_assert_eq(t_run(&r, text), IXP_OK, "%.200s", t_err(&r));
  cr_assert_not_null(strstr(t_out(&r), "= 900\n"), "%.200s", t_out(&r));
  t_close(&r);
  free(text);
  free(sum);
}
