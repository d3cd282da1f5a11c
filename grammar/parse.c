/* parse.c — drives the re2c lexer and the Lemon parser; builds nodes. */
#include "parse.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

IxpAst *ixp_parse_node(IxpParse *ps, IxpAstKind kind, IxpSpan span) {
  return ixp_ast_new(ps->arena, kind, span);
}

/* A node whose `str` is the token's text (an identifier). */
IxpAst *ixp_parse_name(IxpParse *ps, IxpAstKind kind, IxpToken t) {
  IxpAst *n = ixp_ast_new(ps->arena, kind, t.span);
  n->str = ixp_arena_strndup(ps->arena, ps->src->text + t.span.start, t.span.end - t.span.start);
  return n;
}

/* A string literal with its escapes resolved. */
IxpAst *ixp_parse_string(IxpParse *ps, IxpToken t) {
  IxpAst *n = ixp_ast_new(ps->arena, AST_STR, t.span);
  const char *s = ps->src->text + t.span.start + 1, *end = ps->src->text + t.span.end - 1;
  char *d = ixp_arena_alloc(ps->arena, (size_t)(end - s) + 1), *o = d;
  while (s < end) {
    if (*s == '\\') {
      s++;
      *o++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
      s++;
    } else {
      *o++ = *s++;
    }
  }
  *o = '\0';
  n->str = d;
  return n;
}

/* Exact value of a decimal literal "digits[.digits][e[+-]digits]" as
 * num/den when both fit in 64 bits; false otherwise. */
static bool exact_decimal(const char *s, size_t len, int64_t *num, int64_t *den) {
  int64_t n = 0, d = 1;
  int exp = 0;
  size_t i = 0;
  bool frac = false;
  for (; i < len && s[i] != 'e' && s[i] != 'E'; i++) {
    if (s[i] == '.') { frac = true; continue; }
    if (__builtin_mul_overflow(n, 10, &n) || __builtin_add_overflow(n, s[i] - '0', &n)) return false;
    if (frac && __builtin_mul_overflow(d, 10, &d)) return false;
  }
  if (i < len) {
    long e = strtol(s + i + 1, NULL, 10);
    if (e > 18 || e < -18) return false;
    exp = (int)e;
  }
  for (; exp > 0; exp--)
    if (d % 10 == 0) d /= 10;
    else if (__builtin_mul_overflow(n, 10, &n)) return false;
  for (; exp < 0; exp++)
    if (__builtin_mul_overflow(d, 10, &d)) return false;
  int64_t a = n, b = d;
  while (b) { int64_t t = a % b; a = b; b = t; }
  if (a > 1) { n /= a; d /= a; }
  *num = n;
  *den = d;
  return true;
}

IxpAst *ixp_parse_number(IxpParse *ps, IxpToken t, bool negative, IxpSpan span) {
  IxpAst *n = ixp_ast_new(ps->arena, AST_NUM, span);
  const char *s = ps->src->text + t.span.start;
  size_t len = t.span.end - t.span.start;
  char buf[128];
  if (len >= sizeof buf) {
    ixp_parse_error(ps, t.span, "number literal is too long");
    return n;
  }
  memcpy(buf, s, len);
  buf[len] = '\0';
  errno = 0;
  n->num = strtod(buf, NULL);
  if (errno == ERANGE && isinf(n->num)) ixp_parse_error(ps, t.span, "number is too large for a 64-bit float");
  n->exact = exact_decimal(buf, len, &n->num_n, &n->num_d);
  if (negative) {
    n->num = -n->num;
    n->num_n = -n->num_n;
  }
  return n;
}

IxpAst *ixp_parse_binary(IxpParse *ps, IxpOp op, IxpAst *a, IxpAst *b) {
  IxpAst *n = ixp_ast_new(ps->arena, AST_BINARY, ixp_span_join(a->span, b->span));
  n->op = op;
  n->a = a;
  n->b = b;
  return n;
}

IxpAst *ixp_parse_unary(IxpParse *ps, IxpOp op, IxpToken t, IxpAst *a) {
  IxpAst *n = ixp_ast_new(ps->arena, AST_UNARY, ixp_span_join(t.span, a->span));
  n->op = op;
  n->a = a;
  return n;
}

void ixp_parse_error(IxpParse *ps, IxpSpan span, const char *fmt, ...) {
  if (ps->failed) return;  /* only the first error */
  ps->failed = true;
  if (ps->quiet) return;
  va_list ap;
  va_start(ap, fmt);
  ixp_diag_verror(ps->diag, ps->src, span, fmt, ap);
  va_end(ap);
}

void ixp_parse_syntax_error(IxpParse *ps, int code, IxpToken t) {
  if (ps->failed) return;
  if (code == 0) {
    /* Point at the last token, and at the bracket left open if any. */
    const IxpLexer *lx = ps->lexer;
    uint32_t end = lx->last_end;
    ps->incomplete = true;
    if (lx->open > 0 && lx->open <= 64) {
      uint32_t at = lx->opened[lx->open - 1];
      int line, col;
      ixp_source_position(ps->src, at, &line, &col);
      ixp_parse_error(ps, (IxpSpan){end ? end - 1 : 0, end},
                      "unexpected end of input: the '%c' at line %d, column %d is not closed",
                      ps->src->text[at], line, col);
    } else {
      ixp_parse_error(ps, (IxpSpan){end ? end - 1 : 0, end},
                      "unexpected end of input (a statement or block is not finished)");
    }
    return;
  }
  int len = (int)(t.span.end - t.span.start);
  if (code == TK_NL)
    ixp_parse_error(ps, t.span, "unexpected end of line");
  else if (code == TK_INT || code == TK_REAL || code == TK_STRING || code == TK_IDENT)
    ixp_parse_error(ps, t.span, "unexpected %s '%.*s'", ixp_token_name(code), len > 40 ? 40 : len,
                    ps->src->text + t.span.start);
  else
    ixp_parse_error(ps, t.span, "unexpected %s", ixp_token_name(code));
}

/* How deep a syntax tree may be. Binary operators, indexing and fields
 * chain to the left without growing the parser's stack (which limits
 * brackets), so `1 + 1 + ... + 1` builds a tree as deep as the sum is
 * long, and the checker, the evaluator and the printer recurse once per
 * level: a 600 KB sum overflowed the C stack. Far deeper than any written
 * program; under ASan a sum 1400 deep still runs in an 8 MB stack, 2000
 * overflows it. */
#define MAX_TREE_DEPTH 1000

typedef struct {
  const IxpAst *node;
  int depth;
} DepthItem;

/* Push n (at depth) on the walk's stack; false when out of memory. */
static bool push_node(DepthItem **stack, size_t *n, size_t *cap, const IxpAst *node, int depth) {
  if (!node) return true;
  if (*n == *cap) {
    size_t want = *cap ? 2 * *cap : 64;
    DepthItem *grown = realloc(*stack, want * sizeof *grown);
    if (!grown) return false;
    *stack = grown, *cap = want;
  }
  (*stack)[(*n)++] = (DepthItem){node, depth};
  return true;
}

/* Of the nodes deeper than MAX_TREE_DEPTH in `root`, the first in the
 * source (where the report points); NULL if none. Walked without
 * recursion, so a tree of any depth is measured safely. Out of memory is
 * reported at the root. */
static const IxpAst *too_deep(const IxpAst *root) {
  DepthItem *stack = NULL;
  size_t n = 0, cap = 0;
  const IxpAst *found = NULL;
  bool ok = push_node(&stack, &n, &cap, root, 0);
  while (ok && n) {
    DepthItem it = stack[--n];
    const IxpAst *e = it.node;
    if (it.depth > MAX_TREE_DEPTH && (!found || e->span.start < found->span.start)) found = e;
    ok = push_node(&stack, &n, &cap, e->a, it.depth + 1) && push_node(&stack, &n, &cap, e->b, it.depth + 1) &&
         push_node(&stack, &n, &cap, e->c, it.depth + 1) && push_node(&stack, &n, &cap, e->d, it.depth + 1);
    for (int i = 0; ok && i < e->nitems; i++) ok = push_node(&stack, &n, &cap, e->items[i], it.depth + 1);
  }
  free(stack);
  return ok ? found : root;
}

IxpAst *ixp_parse(const IxpSource *src, IxpArena *arena, IxpDiag *diag, bool quiet,
                  bool *incomplete) {
  IxpParse ps = {.src = src, .arena = arena, .diag = diag, .quiet = quiet};
  IxpLexer lx;
  ixp_lexer_init(&lx, src);
  ps.lexer = &lx;
  void *parser = ixp_parserAlloc(malloc, &ps);
  if (!parser) {
    ixp_diag_plain(diag, "out of memory");
    return NULL;
  }
  IxpToken t;
  do {
    t = ixp_lexer_next(&lx);
    if (t.code == IXP_TK_ERROR) {
      ixp_parse_error(&ps, t.span, "%s", lx.error);
      break;
    }
    ixp_parser(parser, t.code, t);
  } while (t.code != 0 && !ps.failed);
  ixp_parserFree(parser, free);
  const IxpAst *deep = ps.failed ? NULL : too_deep(ps.program);
  if (deep) ixp_parse_error(&ps, (IxpSpan){deep->span.start, deep->span.start + 1}, "expression nested too deeply");
  if (incomplete) *incomplete = ps.incomplete;
  return ps.failed ? NULL : ps.program;
}
