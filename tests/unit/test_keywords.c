/* test_keywords.c — the keyword table (grammar/keywords.h) and its readers:
 * the lexer, the token names of syntax errors, and the REPL's completion. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "keywords.h"
#include "lexer.h"
#include "parser.h"

typedef struct {
  const char *text;
  int code;
} Kw;

/* The table as the X-macro lists it, for checking each reader against. */
static const Kw listed[] = {
#define X(token, text) {text, TK_##token},
    IXP_KEYWORDS(X)
#undef X
};
enum { NLISTED = (int)(sizeof listed / sizeof *listed) };

/* The code of `text` by a linear scan of the list, or 0: the oracle for the
 * lexer's binary search. */
static int listed_code(const char *text) {
  for (int i = 0; i < NLISTED; i++)
    if (!strcmp(listed[i].text, text)) return listed[i].code;
  return 0;
}

/* The first token of `text` (which must lex without an error). */
static IxpToken first_token(const char *text) {
  IxpSource *src = ixp_source_new("t.ixp", text, strlen(text));
  cr_assert_not_null(src);
  IxpLexer lx;
  ixp_lexer_init(&lx, src);
  IxpToken t = ixp_lexer_next(&lx);
  cr_assert_null(lx.error, "\"%s\": %s", text, lx.error);
  ixp_source_free(src);
  return t;
}

Test(keywords, the_table_is_sorted_and_iterates_in_its_order) {
  int n = 0;
  for (; ixp_keyword_at(n); n++) {
    cr_assert_lt(n, NLISTED, "ixp_keyword_at offers more than the %d listed keywords", NLISTED);
    cr_assert_str_eq(ixp_keyword_at(n), listed[n].text);
    if (n) cr_assert_lt(strcmp(listed[n - 1].text, listed[n].text), 0,
                        "keywords.h: '%s' must come after '%s' (the list is binary-searched)",
                        listed[n - 1].text, listed[n].text);
  }
  cr_assert_eq(n, NLISTED);
  cr_assert_null(ixp_keyword_at(-1));
  cr_assert_null(ixp_keyword_at(NLISTED + 5));
}

Test(keywords, every_keyword_lexes_to_its_token) {
  for (int i = 0; i < NLISTED; i++) {
    IxpToken t = first_token(listed[i].text);
    cr_assert_eq(t.code, listed[i].code, "'%s' lexes to %s", listed[i].text, ixp_token_name(t.code));
    cr_assert_eq(t.span.start, 0);
    cr_assert_eq(t.span.end, strlen(listed[i].text));
    /* Within a line too, between other tokens. */
    char line[64];
    snprintf(line, sizeof line, "(%s)", listed[i].text);
    IxpSource *src = ixp_source_new("t.ixp", line, strlen(line));
    IxpLexer lx;
    ixp_lexer_init(&lx, src);
    cr_assert_eq(ixp_lexer_next(&lx).code, TK_LPAREN);
    cr_assert_eq(ixp_lexer_next(&lx).code, listed[i].code, "in \"%s\"", line);
    cr_assert_eq(ixp_lexer_next(&lx).code, TK_RPAREN);
    ixp_source_free(src);
  }
}

Test(keywords, token_names_quote_every_keyword) {
  for (int i = 0; i < NLISTED; i++) {
    char want[32];
    snprintf(want, sizeof want, "'%s'", listed[i].text);
    cr_assert_str_eq(ixp_token_name(listed[i].code), want);
  }
}

/* Prefixes, extensions and case changes of every keyword: keywords only
 * where the list has them, names otherwise. */
Test(keywords, lookup_agrees_with_the_list_on_near_misses) {
  static const char *const tails[] = {"", "_", "x", "0", "s", "z"};
  for (int i = 0; i < NLISTED; i++) {
    const char *k = listed[i].text;
    size_t n = strlen(k);
    for (size_t cut = 1; cut <= n; cut++) {
      for (size_t t = 0; t < sizeof tails / sizeof *tails; t++) {
        char word[32];
        snprintf(word, sizeof word, "%.*s%s", (int)cut, k, tails[t]);
        int want = listed_code(word);
        cr_assert_eq(ixp_keyword_code(word, strlen(word)), want, "'%s'", word);
        cr_assert_eq(first_token(word).code, want ? want : TK_IDENT, "'%s'", word);
      }
    }
    char upper[32];
    snprintf(upper, sizeof upper, "%s", k);
    upper[n - 1] = (char)(upper[n - 1] - 'a' + 'A');
    cr_assert_eq(first_token(upper).code, TK_IDENT, "'%s'", upper);
  }
  /* The length is what counts, not a terminating NUL. */
  cr_assert_eq(ixp_keyword_code("model", 3), TK_MOD);
  cr_assert_eq(ixp_keyword_code("within", 4), TK_WITH);
  cr_assert_eq(ixp_keyword_code("in", 0), 0);
  cr_assert_eq(ixp_keyword_code("a", 1), 0);
  cr_assert_eq(ixp_keyword_code("zzz", 3), 0);
}

typedef struct {
  const char *names[1024];
  int n;
} Offered;

static void collect(const char *name, void *ctx) {
  Offered *o = ctx;
  if (o->n < (int)(sizeof o->names / sizeof *o->names)) o->names[o->n++] = name;
}

static bool offered(const Offered *o, const char *name) {
  for (int i = 0; i < o->n; i++)
    if (!strcmp(o->names[i], name)) return true;
  return false;
}

Test(keywords, completion_offers_every_keyword) {
  TRun r;
  t_open(&r, true);
  Offered all = {.n = 0};
  ixp_session_complete(r.s, "", collect, &all);
  for (int i = 0; i < NLISTED; i++) {
    const char *k = listed[i].text;
    cr_assert(offered(&all, k), "completion does not offer '%s'", k);
    /* Each keyword from its first letter, and from its whole text. */
    const size_t lens[] = {1, strlen(k)};
    for (int l = 0; l < 2; l++) {
      size_t len = lens[l];
      char prefix[32];
      snprintf(prefix, sizeof prefix, "%.*s", (int)len, k);
      Offered some = {.n = 0};
      ixp_session_complete(r.s, prefix, collect, &some);
      cr_assert(offered(&some, k), "completion of '%s' does not offer '%s'", prefix, k);
      for (int j = 0; j < some.n; j++)
        cr_assert_eq(strncmp(some.names[j], prefix, len), 0, "'%s' offered for '%s'", some.names[j], prefix);
    }
  }
  /* The unit names are not keywords, but `units` reads them. */
  cr_assert(offered(&all, "bits"));
  cr_assert(offered(&all, "nats"));
  t_close(&r);
}
