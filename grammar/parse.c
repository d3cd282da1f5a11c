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
  return ixp_parse_nest(ps, n);
}

IxpAst *ixp_parse_unary(IxpParse *ps, IxpOp op, IxpToken t, IxpAst *a) {
  IxpAst *n = ixp_ast_new(ps->arena, AST_UNARY, ixp_span_join(t.span, a->span));
  n->op = op;
  n->a = a;
  return ixp_parse_nest(ps, n);
}

void ixp_parse_too_deep(IxpParse *ps, IxpSpan span) {
  ixp_parse_error(ps, span, "nested too deeply (more than %d levels of expressions and blocks)",
                  IXP_MAX_NESTING);
}

static void deeper(const IxpAst **deepest, const IxpAst *child) {
  if (child && (!*deepest || child->depth > (*deepest)->depth)) *deepest = child;
}

/* The part of n's text around its deepest child: what the last level
 * added (`+ 1` at the end of a long chain), so an error points there. */
static IxpSpan added_span(const IxpAst *n, const IxpAst *child) {
  IxpSpan s = n->span;
  if (child->span.end < s.end && child->span.start <= s.start) s.start = child->span.end;
  else if (child->span.start > s.start) s.end = child->span.start;
  return s;
}

/* Depth is one more than the deepest child's: each level is a frame of
 * the checker's, lowering's and evaluator's recursion. */
IxpAst *ixp_parse_nest(IxpParse *ps, IxpAst *n) {
  const IxpAst *deepest = NULL;
  deeper(&deepest, n->a);
  deeper(&deepest, n->b);
  deeper(&deepest, n->c);
  deeper(&deepest, n->d);
  for (int i = 0; i < n->nitems; i++) deeper(&deepest, n->items[i]);
  n->depth = deepest ? deepest->depth + 1 : 0;
  if (n->depth > IXP_MAX_NESTING) ixp_parse_too_deep(ps, added_span(n, deepest));
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
    ps.token = t;
    ixp_parser(parser, t.code, t);
  } while (t.code != 0 && !ps.failed);
  ixp_parserFree(parser, free);
  if (incomplete) *incomplete = ps.incomplete;
  return ps.failed ? NULL : ps.program;
}
