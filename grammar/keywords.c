/* keywords.c — lookup and iteration of the keyword table; see keywords.h. */
#include "keywords.h"

#include <string.h>

#include "parser.h"

typedef struct {
  const char *text;
  int code;
} Keyword;

static const Keyword table[] = {
#define X(token, text) {text, TK_##token},
    IXP_KEYWORDS(X)
#undef X
};

enum { NKEYWORDS = (int)(sizeof table / sizeof *table) };

/* Compare the word s[0..n) with the NUL-terminated keyword k, as strcmp
 * would compare s's text with k. */
static int compare(const char *s, size_t n, const char *k) {
  int c = strncmp(s, k, n);
  if (c) return c;
  return k[n] ? -1 : 0;  /* s is a prefix of k, or equal to it */
}

/* Binary search of the sorted table: about five comparisons per name. */
int ixp_keyword_code(const char *s, size_t n) {
  int lo = 0, hi = NKEYWORDS - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    int c = compare(s, n, table[mid].text);
    if (c == 0) return table[mid].code;
    if (c < 0) hi = mid - 1;
    else lo = mid + 1;
  }
  return 0;
}

const char *ixp_keyword_at(int i) { return i >= 0 && i < NKEYWORDS ? table[i].text : NULL; }
