/* parse.h — source text to syntax tree (re2c lexer + Lemon parser).
 *
 * Only the first syntax error is reported. An error at the end of the
 * input is flagged as incomplete, so the REPL can ask for another line. */
#ifndef IXP_PARSE_H
#define IXP_PARSE_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"
#include "lexer.h"

/* How deeply expressions and blocks may nest. The checker, the lowering
 * pass and the evaluator recurse once per level; 1000 levels stay far
 * inside an 8 MB stack, also under ASan, and far beyond any real program. */
#define IXP_MAX_NESTING 1000

typedef struct {
  const IxpSource *src;
  IxpArena *arena;
  IxpDiag *diag;
  IxpAst *program;   /* AST_BLOCK of statements */
  bool failed;
  bool incomplete;   /* the error was at end of input */
  bool quiet;        /* do not report errors (REPL probing for completeness) */
  const IxpLexer *lexer;
  IxpToken token;    /* the token being parsed, for a parser stack overflow */
} IxpParse;

/* Parse `src` into nodes allocated in `arena`. Returns the program block,
 * or NULL after reporting the first error to `diag` (unless quiet). Sets
 * *incomplete when the input ended mid-statement. */
IxpAst *ixp_parse(const IxpSource *src, IxpArena *arena, IxpDiag *diag, bool quiet,
                  bool *incomplete);

/* Helpers used by the grammar's actions. */
IxpAst *ixp_parse_node(IxpParse *ps, IxpAstKind kind, IxpSpan span);
IxpAst *ixp_parse_name(IxpParse *ps, IxpAstKind kind, IxpToken t);
IxpAst *ixp_parse_number(IxpParse *ps, IxpToken t, bool negative, IxpSpan span);
IxpAst *ixp_parse_string(IxpParse *ps, IxpToken t);
IxpAst *ixp_parse_binary(IxpParse *ps, IxpOp op, IxpAst *a, IxpAst *b);
IxpAst *ixp_parse_unary(IxpParse *ps, IxpOp op, IxpToken t, IxpAst *a);
/* Set n->depth from its children; report an error past IXP_MAX_NESTING. */
IxpAst *ixp_parse_nest(IxpParse *ps, IxpAst *n);
void ixp_parse_too_deep(IxpParse *ps, IxpSpan span);
void ixp_parse_error(IxpParse *ps, IxpSpan span, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ixp_parse_syntax_error(IxpParse *ps, int code, IxpToken t);

/* Lemon's generated entry points (parser.c). */
void *ixp_parserAlloc(void *(*malloc_fn)(size_t), IxpParse *ps);
void ixp_parserFree(void *p, void (*free_fn)(void *));
void ixp_parser(void *p, int code, IxpToken t);

#endif
