/* lexer.re — re2c rules for .ixp text; see lexer.h. */
#include "lexer.h"

#include <stdio.h>

#include "keywords.h"
#include "parser.h"

void ixp_lexer_init(IxpLexer *lx, const IxpSource *src) {
  lx->src = src;
  lx->cur = (const unsigned char *)src->text;
  lx->depth = 0;
  lx->open = 0;
  lx->last_end = 0;
  lx->last = TK_NL;   /* so leading blank lines give no token */
  lx->error = NULL;
}

static IxpToken make(IxpLexer *lx, int code, const unsigned char *start) {
  IxpToken t;
  t.code = code;
  t.span.start = (uint32_t)(start - (const unsigned char *)lx->src->text);
  t.span.end = (uint32_t)(lx->cur - (const unsigned char *)lx->src->text);
  if (code == TK_LPAREN || code == TK_LBRACKET) lx->depth++;
  if ((code == TK_RPAREN || code == TK_RBRACKET) && lx->depth > 0) lx->depth--;
  if (code == TK_LPAREN || code == TK_LBRACKET || code == TK_LBRACE) {
    if (lx->open < 64) lx->opened[lx->open] = t.span.start;
    lx->open++;
  }
  if ((code == TK_RPAREN || code == TK_RBRACKET || code == TK_RBRACE) && lx->open > 0) lx->open--;
  if (code != TK_NL && code != 0) lx->last_end = t.span.end;
  lx->last = code;
  return t;
}

static IxpToken fail(IxpLexer *lx, const char *msg, const unsigned char *start) {
  lx->error = msg;
  return make(lx, IXP_TK_ERROR, start);
}

/* Scan the rest of a string literal after its opening quote. */
static IxpToken string(IxpLexer *lx, const unsigned char *start) {
  for (;;) {
    unsigned char c = *lx->cur;
    if (c == '"') { lx->cur++; return make(lx, TK_STRING, start); }
    if (c == '\0' || c == '\n') return fail(lx, "unterminated string", start);
    if (c == '\\') {
      unsigned char e = lx->cur[1];
      if (e != '"' && e != '\\' && e != 'n' && e != 't') {
        lx->cur += e ? 2 : 1;
        return fail(lx, "unknown escape in string (use \\\" \\\\ \\n \\t)", lx->cur - (e ? 2 : 1));
      }
      lx->cur += 2;
      continue;
    }
    lx->cur++;
  }
}

IxpToken ixp_lexer_next(IxpLexer *lx) {
  const unsigned char *start, *YYMARKER;
  for (;;) {
    start = lx->cur;
    /*!re2c
      re2c:define:YYCTYPE = "unsigned char";
      re2c:define:YYCURSOR = "lx->cur";
      re2c:yyfill:enable = 0;

      digits = [0-9]+;
      exp    = [eE] [+-]? digits;
      ident  = [a-zA-Z_] [a-zA-Z0-9_]*;

      "\x00" {
        if ((size_t)(start - (const unsigned char *)lx->src->text) < lx->src->len)
          return fail(lx, "NUL byte in source", start);
        lx->cur = start;
        /* Inside ( or [ a statement cannot end: report the end of input. */
        if (lx->last != TK_NL && lx->last != 0 && lx->depth == 0) return make(lx, TK_NL, start);
        return make(lx, 0, start);
      }
      [ \t\r]+       { continue; }
      "#" [^\n\x00]* { continue; }
      "\n" {
        if (lx->depth > 0 || lx->last == TK_NL) continue;
        return make(lx, TK_NL, start);
      }

      digits                  { return make(lx, TK_INT, start); }
      digits "." digits exp?  { return make(lx, TK_REAL, start); }
      "." digits exp?         { return make(lx, TK_REAL, start); }
      digits exp              { return make(lx, TK_REAL, start); }
      digits [eE]             { return fail(lx, "malformed number: exponent has no digits", start); }
      "\""                    { return string(lx, start); }

      /* A keyword is a name found in the keyword table (keywords.h). */
      ident {
        int code = ixp_keyword_code((const char *)start, (size_t)(lx->cur - start));
        return make(lx, code ? code : TK_IDENT, start);
      }

      "+"  { return make(lx, TK_PLUS, start); }
      "-"  { return make(lx, TK_MINUS, start); }
      "*"  { return make(lx, TK_STAR, start); }
      "/"  { return make(lx, TK_SLASH, start); }
      "^"  { return make(lx, TK_CARET, start); }
      "("  { return make(lx, TK_LPAREN, start); }
      ")"  { return make(lx, TK_RPAREN, start); }
      "["  { return make(lx, TK_LBRACKET, start); }
      "]"  { return make(lx, TK_RBRACKET, start); }
      "{"  { return make(lx, TK_LBRACE, start); }
      "}"  { return make(lx, TK_RBRACE, start); }
      ","  { return make(lx, TK_COMMA, start); }
      ";"  { return make(lx, TK_SEMI, start); }
      ":"  { return make(lx, TK_COLON, start); }
      "|"  { return make(lx, TK_BAR, start); }
      "||" { return make(lx, TK_BARBAR, start); }
      "->" { return make(lx, TK_ARROW, start); }
      ".." { return make(lx, TK_DOTDOT, start); }
      ".*" { return make(lx, TK_EMUL, start); }
      "."  { return make(lx, TK_DOT, start); }
      "~"  { return make(lx, TK_TILDE, start); }
      "="  { return make(lx, TK_ASSIGN, start); }
      "==" { return make(lx, TK_EQ, start); }
      "!=" { return make(lx, TK_NE, start); }
      "<"  { return make(lx, TK_LT, start); }
      "<=" { return make(lx, TK_LE, start); }
      ">"  { return make(lx, TK_GT, start); }
      ">=" { return make(lx, TK_GE, start); }

      [\x80-\xff]+ { return fail(lx, "non-ASCII characters are allowed only in strings and comments", start); }
      * {
        unsigned char c = *start;
        if (c >= 0x20 && c < 0x7f) snprintf(lx->message, sizeof lx->message, "unexpected character '%c'", c);
        else snprintf(lx->message, sizeof lx->message, "unexpected byte 0x%02x", c);
        return fail(lx, lx->message, start);
      }
    */
  }
}

const char *ixp_token_name(int code) {
  switch (code) {
  case 0: return "end of input";
  case TK_NL: return "end of line";
  case TK_INT: case TK_REAL: return "number";
  case TK_STRING: return "string";
  case TK_IDENT: return "name";
#define X(token, text) case TK_##token: return "'" text "'";
    IXP_KEYWORDS(X)
#undef X
  case TK_PLUS: return "'+'";
  case TK_MINUS: return "'-'";
  case TK_STAR: return "'*'";
  case TK_SLASH: return "'/'";
  case TK_CARET: return "'^'";
  case TK_LPAREN: return "'('";
  case TK_RPAREN: return "')'";
  case TK_LBRACKET: return "'['";
  case TK_RBRACKET: return "']'";
  case TK_LBRACE: return "'{'";
  case TK_RBRACE: return "'}'";
  case TK_COMMA: return "','";
  case TK_SEMI: return "';'";
  case TK_COLON: return "':'";
  case TK_BAR: return "'|'";
  case TK_BARBAR: return "'||'";
  case TK_ARROW: return "'->'";
  case TK_DOTDOT: return "'..'";
  case TK_DOT: return "'.'";
  case TK_EMUL: return "'.*'";
  case TK_TILDE: return "'~'";
  case TK_ASSIGN: return "'='";
  case TK_EQ: return "'=='";
  case TK_NE: return "'!='";
  case TK_LT: return "'<'";
  case TK_LE: return "'<='";
  case TK_GT: return "'>'";
  case TK_GE: return "'>='";
  default: return "token";
  }
}
