/* keywords.h — the language's keywords, listed once.
 *
 * IXP_KEYWORDS(X) calls X(TOKEN, "text") for every keyword, where TK_TOKEN
 * is its Lemon code (parser.h). Everything that knows the keywords reads
 * this list: the lexer (an identifier is looked up here, see
 * ixp_keyword_code), the token names of syntax errors (ixp_token_name) and
 * the REPL's completion (ixp_keyword_at). A new keyword is one line here
 * and its use in parser.y.
 *
 * Keep the list sorted by text (strcmp order): the lexer looks words up by
 * binary search, and a unit test checks the order. */
#ifndef IXP_KEYWORDS_H
#define IXP_KEYWORDS_H

#include <stddef.h>

#define IXP_KEYWORDS(X)             \
  X(AND, "and")                     \
  X(AS, "as")                       \
  X(AT, "at")                       \
  X(CONST, "const")                 \
  X(CURVE, "curve")                 \
  X(DATA, "data")                   \
  X(ELSE, "else")                   \
  X(EMIT, "emit")                   \
  X(EXPECT, "expect")               \
  X(EXPERIMENT, "experiment")       \
  X(EXTERN, "extern")               \
  X(FN, "fn")                       \
  X(IF, "if")                       \
  X(IN, "in")                       \
  X(LET, "let")                     \
  X(LOCAL, "local")                 \
  X(MOD, "mod")                     \
  X(MODEL, "model")                 \
  X(NOT, "not")                     \
  X(OR, "or")                       \
  X(PLOT, "plot")                   \
  X(PRINT, "print")                 \
  X(PROCESS, "process")             \
  X(SEED, "seed")                   \
  X(STEP, "step")                   \
  X(SWEEP, "sweep")                 \
  X(TABLE, "table")                 \
  X(THEN, "then")                   \
  X(TO, "to")                       \
  X(UNITS, "units")                 \
  X(USING, "using")                 \
  X(WITH, "with")                   \
  X(WITHIN, "within")               \
  X(XOR, "xor")

/* The Lemon code (TK_*) of the keyword s[0..n), or 0 when it is not one.
 * s need not be NUL-terminated. */
int ixp_keyword_code(const char *s, size_t n);

/* The text of the i-th keyword (in the order above), or NULL past the end. */
const char *ixp_keyword_at(int i);

#endif
