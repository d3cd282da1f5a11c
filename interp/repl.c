/* repl.c — placeholder loop, replaced by the libedit REPL. */
#include "repl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ixp_repl(IxpSession *s) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  int c;
  while ((c = getchar()) != EOF) fputc(c, f);
  fclose(f);
  int rc = ixp_session_run(s, "<stdin>", buf, len);
  free(buf);
  return rc;
}
