/* test_lexer.c — token sequences, spans and errors of grammar/lexer.re.
 * Everything here is exact (token codes and byte offsets). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "lexer.h"
#include "parser.h"

#define MAXTOK 128

typedef struct {
  IxpToken tok[MAXTOK];
  int n;
  char error[128];    /* lexer message of the error token, if any (a copy:
                         it may live inside the lexer) */
} Lexed;

/* Tokens of `text` (len bytes) up to and including code 0 or an error. */
static void lex_n(Lexed *out, const char *text, size_t len) {
  IxpSource *src = ixp_source_new("t.ixp", text, len);
  cr_assert_not_null(src);
  IxpLexer lx;
  ixp_lexer_init(&lx, src);
  cr_assert_null(lx.error);
  out->n = 0;
  out->error[0] = '\0';
  for (;;) {
    cr_assert_lt(out->n, MAXTOK, "too many tokens for \"%s\"", text);
    IxpToken t = ixp_lexer_next(&lx);
    out->tok[out->n++] = t;
    if (t.code == IXP_TK_ERROR) {
      cr_assert_not_null(lx.error, "an error token without a message");
      snprintf(out->error, sizeof out->error, "%s", lx.error);
      break;
    }
    if (t.code == 0) break;
  }
  ixp_source_free(src);
}

static void lex(Lexed *out, const char *text) { lex_n(out, text, strlen(text)); }

static void describe(char *buf, size_t size, const Lexed *l) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < l->n && used + 32 < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? " " : "",
                             l->tok[i].code == IXP_TK_ERROR ? "ERROR" : ixp_token_name(l->tok[i].code));
}

/* Assert that `text` lexes to exactly the codes `want[0..n)`. */
static void check_codes(const char *text, const int *want, int n) {
  Lexed l;
  lex(&l, text);
  char got[2048];
  describe(got, sizeof got, &l);
  cr_assert_eq(l.n, n, "\"%s\": %d tokens, wanted %d: %s", text, l.n, n, got);
  for (int i = 0; i < n; i++)
    cr_assert_eq(l.tok[i].code, want[i], "\"%s\": token %d is %s, wanted %s (all: %s)", text, i,
                 ixp_token_name(l.tok[i].code), ixp_token_name(want[i]), got);
}

#define CODES(text, ...) \
  check_codes((text), (const int[]){__VA_ARGS__}, (int)(sizeof((const int[]){__VA_ARGS__}) / sizeof(int)))

static void check_span(const Lexed *l, int i, int code, unsigned start, unsigned end) {
  cr_assert_lt(i, l->n);
  cr_assert_eq(l->tok[i].code, code, "token %d is %s, wanted %s", i, ixp_token_name(l->tok[i].code),
               ixp_token_name(code));
  cr_assert_eq(l->tok[i].span.start, start, "token %d starts at %u, wanted %u", i, l->tok[i].span.start, start);
  cr_assert_eq(l->tok[i].span.end, end, "token %d ends at %u, wanted %u", i, l->tok[i].span.end, end);
}

/* ------------------------------------------------------- keywords, names */

Test(lexer, every_keyword_has_its_code) {
  static const struct {
    const char *text;
    int code;
  } kw[] = {
      {"experiment", TK_EXPERIMENT}, {"seed", TK_SEED}, {"units", TK_UNITS},   {"let", TK_LET},
      {"model", TK_MODEL},           {"table", TK_TABLE}, {"print", TK_PRINT}, {"emit", TK_EMIT},
      {"expect", TK_EXPECT},         {"within", TK_WITHIN}, {"sweep", TK_SWEEP}, {"in", TK_IN},
      {"step", TK_STEP},             {"to", TK_TO},     {"as", TK_AS},         {"using", TK_USING},
      {"with", TK_WITH},             {"if", TK_IF},     {"then", TK_THEN},     {"else", TK_ELSE},
      {"and", TK_AND},               {"or", TK_OR},     {"xor", TK_XOR},       {"not", TK_NOT},
      {"mod", TK_MOD},
  };
  for (size_t i = 0; i < sizeof kw / sizeof *kw; i++) {
    Lexed l;
    lex(&l, kw[i].text);
    cr_assert_eq(l.n, 3, "%s", kw[i].text);
    check_span(&l, 0, kw[i].code, 0, (unsigned)strlen(kw[i].text));
    cr_assert_eq(l.tok[1].code, TK_NL);
    cr_assert_eq(l.tok[2].code, 0);
    /* A keyword followed by more name characters is a name. */
    char longer[32];
    snprintf(longer, sizeof longer, "%s_1", kw[i].text);
    lex(&l, longer);
    check_span(&l, 0, TK_IDENT, 0, (unsigned)strlen(longer));
    /* A keyword in capitals is a name: keywords are case-sensitive. */
    char upper[32];
    snprintf(upper, sizeof upper, "%s", kw[i].text);
    upper[0] = (char)(upper[0] - 'a' + 'A');
    lex(&l, upper);
    check_span(&l, 0, TK_IDENT, 0, (unsigned)strlen(upper));
  }
}

Test(lexer, keywords_versus_identifiers) {
  CODES("let inx = in_ + iff + models + bits + nats + _x1 + x_2",
        TK_LET, TK_IDENT, TK_ASSIGN, TK_IDENT, TK_PLUS, TK_IDENT, TK_PLUS, TK_IDENT, TK_PLUS, TK_IDENT,
        TK_PLUS, TK_IDENT, TK_PLUS, TK_IDENT, TK_PLUS, TK_IDENT, TK_NL, 0);
  CODES("print mi(x; y) in bsc", TK_PRINT, TK_IDENT, TK_LPAREN, TK_IDENT, TK_SEMI, TK_IDENT, TK_RPAREN,
        TK_IN, TK_IDENT, TK_NL, 0);
  /* A name may not start with a digit: "2x" is a number then a name. */
  CODES("2x", TK_INT, TK_IDENT, TK_NL, 0);
}

/* ---------------------------------------------------------------- numbers */

Test(lexer, integers_reals_and_exponents) {
  CODES("0 42 007 3.14 .5 1e3 2E-4 6.02e+23 1.5e2 10",
        TK_INT, TK_INT, TK_INT, TK_REAL, TK_REAL, TK_REAL, TK_REAL, TK_REAL, TK_REAL, TK_INT, TK_NL, 0);
  Lexed l;
  lex(&l, "6.02e+23 .5");
  check_span(&l, 0, TK_REAL, 0, 8);
  check_span(&l, 1, TK_REAL, 9, 11);
}

Test(lexer, dotdot_after_an_integer) {
  Lexed l;
  lex(&l, "0..5");
  cr_assert_eq(l.n, 5);
  check_span(&l, 0, TK_INT, 0, 1);
  check_span(&l, 1, TK_DOTDOT, 1, 3);
  check_span(&l, 2, TK_INT, 3, 4);
  check_span(&l, 3, TK_NL, 4, 4);
  cr_assert_eq(l.tok[4].code, 0);

  CODES("1.5..2", TK_REAL, TK_DOTDOT, TK_INT, TK_NL, 0);
  CODES("0 .. 10 step 2", TK_INT, TK_DOTDOT, TK_INT, TK_STEP, TK_INT, TK_NL, 0);
  CODES("a..b", TK_IDENT, TK_DOTDOT, TK_IDENT, TK_NL, 0);
  CODES("m.x", TK_IDENT, TK_DOT, TK_IDENT, TK_NL, 0);
  CODES("1 .. .5", TK_INT, TK_DOTDOT, TK_REAL, TK_NL, 0);
}

/* ---------------------------------------------------------------- strings */

Test(lexer, strings_with_escapes_are_one_token) {
  const char *text = "print \"a\\\"b\\\\c\\n\\t\" \"\"";
  Lexed l;
  lex(&l, text);
  cr_assert_eq(l.n, 5);
  check_span(&l, 0, TK_PRINT, 0, 5);
  check_span(&l, 1, TK_STRING, 6, 19); /* "a\"b\\c\n\t" is 13 bytes */
  check_span(&l, 2, TK_STRING, 20, 22);
  /* Operators, '#' and non-ASCII inside a string are string contents. */
  CODES("\"# not a comment ( || \xc3\xa9\"", TK_STRING, TK_NL, 0);
}

/* -------------------------------------------------------------- operators */

Test(lexer, operators_take_the_longest_match) {
  CODES("|| | -> - == = != <= < >= > ~",
        TK_BARBAR, TK_BAR, TK_ARROW, TK_MINUS, TK_EQ, TK_ASSIGN, TK_NE, TK_LE, TK_LT, TK_GE, TK_GT, TK_TILDE,
        TK_NL, 0);
  CODES("+ * / ^ , ; : . ..", TK_PLUS, TK_STAR, TK_SLASH, TK_CARET, TK_COMMA, TK_SEMI, TK_COLON, TK_DOT,
        TK_DOTDOT, TK_NL, 0);
  /* Without blanks, too. */
  CODES("a||b->c<=d", TK_IDENT, TK_BARBAR, TK_IDENT, TK_ARROW, TK_IDENT, TK_LE, TK_IDENT, TK_NL, 0);
  CODES("a|||b", TK_IDENT, TK_BARBAR, TK_BAR, TK_IDENT, TK_NL, 0);
  CODES("x==-1", TK_IDENT, TK_EQ, TK_MINUS, TK_INT, TK_NL, 0);
  Lexed l;
  lex(&l, "a || b");
  check_span(&l, 1, TK_BARBAR, 2, 4);
}

/* --------------------------------------------------- comments and newlines */

Test(lexer, comments_are_skipped) {
  CODES("let a = 1 # a comment ( [ {\nprint a # another", TK_LET, TK_IDENT, TK_ASSIGN, TK_INT, TK_NL,
        TK_PRINT, TK_IDENT, TK_NL, 0);
  CODES("# only a comment", 0);
  CODES("#\n#\n", 0);
}

Test(lexer, newlines_vanish_inside_parentheses_and_brackets) {
  CODES("f(1,\n2)\n[3,\n\n4]\n", TK_IDENT, TK_LPAREN, TK_INT, TK_COMMA, TK_INT, TK_RPAREN, TK_NL, TK_LBRACKET,
        TK_INT, TK_COMMA, TK_INT, TK_RBRACKET, TK_NL, 0);
  /* Nesting: the newline counts again only after the outermost closer. */
  CODES("f([1,\n(2\n)\n]\n)\nx", TK_IDENT, TK_LPAREN, TK_LBRACKET, TK_INT, TK_COMMA, TK_LPAREN, TK_INT,
        TK_RPAREN, TK_RBRACKET, TK_RPAREN, TK_NL, TK_IDENT, TK_NL, 0);
  /* A comment inside parentheses does not end the line either. */
  CODES("f(1, # one\n2)", TK_IDENT, TK_LPAREN, TK_INT, TK_COMMA, TK_INT, TK_RPAREN, TK_NL, 0);
}

Test(lexer, no_final_newline_inside_an_open_bracket) {
  /* a statement cannot end inside ( or [: the input just ends */
  CODES("f(1,", TK_IDENT, TK_LPAREN, TK_INT, TK_COMMA, 0);
  CODES("x = [1,\n", TK_IDENT, TK_ASSIGN, TK_LBRACKET, TK_INT, TK_COMMA, 0);
  /* but an open brace is a block: its lines end */
  CODES("m {\nx", TK_IDENT, TK_LBRACE, TK_NL, TK_IDENT, TK_NL, 0);
}

Test(lexer, newlines_are_kept_inside_braces) {
  CODES("model m {\nx ~ f(1)\ny = x\n}", TK_MODEL, TK_IDENT, TK_LBRACE, TK_NL, TK_IDENT, TK_TILDE, TK_IDENT,
        TK_LPAREN, TK_INT, TK_RPAREN, TK_NL, TK_IDENT, TK_ASSIGN, TK_IDENT, TK_NL, TK_RBRACE, TK_NL, 0);
  /* Inside ( ), a { } pair does not bring newlines back. */
  CODES("({\n})", TK_LPAREN, TK_LBRACE, TK_RBRACE, TK_RPAREN, TK_NL, 0);
}

Test(lexer, blank_lines_collapse_into_one_newline) {
  CODES("\n\n\na\n\n\n   \n# c\n\t\r\nb\n\n", TK_IDENT, TK_NL, TK_IDENT, TK_NL, 0);
  Lexed l;
  lex(&l, "a\n\n\nb");
  check_span(&l, 1, TK_NL, 1, 2); /* the first newline of the run */
  check_span(&l, 2, TK_IDENT, 4, 5);
}

Test(lexer, a_final_newline_is_inserted_before_the_end) {
  Lexed l;
  lex(&l, "print 1");
  cr_assert_eq(l.n, 4);
  check_span(&l, 2, TK_NL, 7, 7);
  check_span(&l, 3, 0, 7, 7);
  /* With a newline already at the end there is just one. */
  lex(&l, "print 1\n");
  cr_assert_eq(l.n, 4);
  check_span(&l, 2, TK_NL, 7, 8);
  check_span(&l, 3, 0, 8, 8);
  /* Trailing blanks and comments do not add a second one. */
  CODES("x   # c", TK_IDENT, TK_NL, 0);
  /* No statement at all: no newline, just the end. */
  CODES("", 0);
  CODES("  \n\n", 0);
}

Test(lexer, the_end_repeats) {
  IxpSource *src = ixp_source_new("t.ixp", "x", 1);
  IxpLexer lx;
  ixp_lexer_init(&lx, src);
  cr_assert_eq(ixp_lexer_next(&lx).code, TK_IDENT);
  cr_assert_eq(ixp_lexer_next(&lx).code, TK_NL);
  for (int i = 0; i < 3; i++) {
    IxpToken t = ixp_lexer_next(&lx);
    cr_assert_eq(t.code, 0);
    cr_assert_eq(t.span.start, 1);
  }
  ixp_source_free(src);
}

/* ------------------------------------------------------------------ spans */

Test(lexer, spans_are_byte_offsets) {
  Lexed l;
  lex(&l, "let x = 12.5 # c\nprint x");
  cr_assert_eq(l.n, 9);
  check_span(&l, 0, TK_LET, 0, 3);
  check_span(&l, 1, TK_IDENT, 4, 5);
  check_span(&l, 2, TK_ASSIGN, 6, 7);
  check_span(&l, 3, TK_REAL, 8, 12);
  check_span(&l, 4, TK_NL, 16, 17);
  check_span(&l, 5, TK_PRINT, 17, 22);
  check_span(&l, 6, TK_IDENT, 23, 24);
  check_span(&l, 7, TK_NL, 24, 24);
  check_span(&l, 8, 0, 24, 24);

  /* Offsets are in bytes: a two-byte character in a string counts twice. */
  lex(&l, "\"\xc3\xa9\" x");
  check_span(&l, 0, TK_STRING, 0, 4);
  check_span(&l, 1, TK_IDENT, 5, 6);
}

/* ----------------------------------------------------------------- errors */

static void check_error(const char *text, size_t len, unsigned start, unsigned end, const char *msg) {
  Lexed l;
  lex_n(&l, text, len);
  IxpToken t = l.tok[l.n - 1];
  cr_assert_eq(t.code, IXP_TK_ERROR, "\"%s\" lexed without an error", text);
  cr_assert_eq(t.span.start, start, "\"%s\": error starts at %u, wanted %u", text, t.span.start, start);
  cr_assert_eq(t.span.end, end, "\"%s\": error ends at %u, wanted %u", text, t.span.end, end);
  cr_assert_not_null(strstr(l.error, msg), "\"%s\": message '%s' lacks '%s'", text, l.error, msg);
}

Test(lexer, unterminated_string) {
  check_error("print \"abc", 10, 6, 10, "unterminated string");
  /* A string ends at the end of its line. */
  check_error("\"abc\nprint 1\"", 13, 0, 4, "unterminated string");
}

Test(lexer, unexpected_character) {
  check_error("a $ b", 5, 2, 3, "unexpected character '$'");
  check_error("x = 1 @", 7, 6, 7, "unexpected character '@'");
  check_error("a ! b", 5, 2, 3, "unexpected character '!'");
  check_error("a & b", 5, 2, 3, "unexpected character '&'");
  check_error("a \x01 b", 5, 2, 3, "unexpected byte 0x01");
}

Test(lexer, non_ascii_outside_strings) {
  check_error("x = \xc3\xa9", 6, 4, 6, "non-ASCII");
}

Test(lexer, nul_byte_inside_the_text) {
  check_error("a \0 b", 5, 2, 3, "NUL byte");
}

Test(lexer, bad_escape_points_at_the_escape) {
  check_error("\"a\\qb\"", 6, 2, 4, "unknown escape");
  check_error("x = \"\\x41\"", 10, 5, 7, "unknown escape");
}

Test(lexer, exponent_without_digits) {
  check_error("1e", 2, 0, 2, "exponent has no digits");
  check_error("x = 2.5 + 1E", 12, 10, 12, "exponent has no digits");
  check_error("1e+", 3, 0, 2, "exponent has no digits");
}

Test(lexer, token_names_for_messages) {
  cr_assert_str_eq(ixp_token_name(0), "end of input");
  cr_assert_str_eq(ixp_token_name(TK_NL), "end of line");
  cr_assert_str_eq(ixp_token_name(TK_INT), "number");
  cr_assert_str_eq(ixp_token_name(TK_REAL), "number");
  cr_assert_str_eq(ixp_token_name(TK_IDENT), "name");
  cr_assert_str_eq(ixp_token_name(TK_IN), "'in'");
  cr_assert_str_eq(ixp_token_name(TK_BARBAR), "'||'");
  cr_assert_str_eq(ixp_token_name(TK_DOTDOT), "'..'");
}
