/* lexer.re — re2c rules for .ixp text; see lexer.h. */
#include "lexer.h"

#include <stdio.h>

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

      "experiment" { return make(lx, TK_EXPERIMENT, start); }
      "seed"       { return make(lx, TK_SEED, start); }
      "units"      { return make(lx, TK_UNITS, start); }
      "let"        { return make(lx, TK_LET, start); }
      "model"      { return make(lx, TK_MODEL, start); }
      "table"      { return make(lx, TK_TABLE, start); }
      "print"      { return make(lx, TK_PRINT, start); }
      "emit"       { return make(lx, TK_EMIT, start); }
      "expect"     { return make(lx, TK_EXPECT, start); }
      "within"     { return make(lx, TK_WITHIN, start); }
      "sweep"      { return make(lx, TK_SWEEP, start); }
      "in"         { return make(lx, TK_IN, start); }
      "step"       { return make(lx, TK_STEP, start); }
      "to"         { return make(lx, TK_TO, start); }
      "as"         { return make(lx, TK_AS, start); }
      "using"      { return make(lx, TK_USING, start); }
      "with"       { return make(lx, TK_WITH, start); }
      "at"         { return make(lx, TK_AT, start); }
      "curve"      { return make(lx, TK_CURVE, start); }
      "plot"       { return make(lx, TK_PLOT, start); }
      "data"       { return make(lx, TK_DATA, start); }
      "extern"     { return make(lx, TK_EXTERN, start); }
      "fn"         { return make(lx, TK_FN, start); }
      "const"      { return make(lx, TK_CONST, start); }
      "if"         { return make(lx, TK_IF, start); }
      "then"       { return make(lx, TK_THEN, start); }
      "else"       { return make(lx, TK_ELSE, start); }
      "and"        { return make(lx, TK_AND, start); }
      "or"         { return make(lx, TK_OR, start); }
      "xor"        { return make(lx, TK_XOR, start); }
      "not"        { return make(lx, TK_NOT, start); }
      "mod"        { return make(lx, TK_MOD, start); }
      ident        { return make(lx, TK_IDENT, start); }

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
  case TK_EXPERIMENT: return "'experiment'";
  case TK_SEED: return "'seed'";
  case TK_UNITS: return "'units'";
  case TK_LET: return "'let'";
  case TK_MODEL: return "'model'";
  case TK_TABLE: return "'table'";
  case TK_PRINT: return "'print'";
  case TK_EMIT: return "'emit'";
  case TK_EXPECT: return "'expect'";
  case TK_WITHIN: return "'within'";
  case TK_SWEEP: return "'sweep'";
  case TK_IN: return "'in'";
  case TK_STEP: return "'step'";
  case TK_TO: return "'to'";
  case TK_AS: return "'as'";
  case TK_USING: return "'using'";
  case TK_WITH: return "'with'";
  case TK_AT: return "'at'";
  case TK_CURVE: return "'curve'";
  case TK_PLOT: return "'plot'";
  case TK_DATA: return "'data'";
  case TK_EXTERN: return "'extern'";
  case TK_FN: return "'fn'";
  case TK_CONST: return "'const'";
  case TK_IF: return "'if'";
  case TK_THEN: return "'then'";
  case TK_ELSE: return "'else'";
  case TK_AND: return "'and'";
  case TK_OR: return "'or'";
  case TK_XOR: return "'xor'";
  case TK_NOT: return "'not'";
  case TK_MOD: return "'mod'";
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
