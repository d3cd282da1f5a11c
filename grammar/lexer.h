/* lexer.h — the re2c tokenizer of .ixp text.
 *
 * Tokens carry Lemon's codes (TK_*, from parser.h) and byte spans. Newlines
 * are tokens (they end statements) except inside ( ) and [ ], where they are
 * blank; runs of blank lines give one TK_NL, and the input always ends with
 * TK_NL then code 0. */
#ifndef IXP_LEXER_H
#define IXP_LEXER_H

#include "diag.h"

#define IXP_TK_ERROR (-1)

typedef struct {
  int code;      /* TK_* or IXP_TK_ERROR or 0 at the end */
  IxpSpan span;
} IxpToken;

typedef struct {
  const IxpSource *src;
  const unsigned char *cur;
  int depth;          /* nesting of ( and [ */
  int open;           /* brackets ( [ { not yet closed */
  uint32_t opened[64];/* offsets of the innermost 64 of them */
  uint32_t last_end;  /* end of the last token other than a newline */
  int last;           /* code of the previous token returned */
  const char *error;  /* message when IXP_TK_ERROR is returned */
  char message[64];   /* room for a message that quotes the input */
} IxpLexer;

void ixp_lexer_init(IxpLexer *lx, const IxpSource *src);
IxpToken ixp_lexer_next(IxpLexer *lx);
/* A printable name of a token code for messages ("'in'", "number", ...). */
const char *ixp_token_name(int code);

#endif
