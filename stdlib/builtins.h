/* builtins.h — scalar and vector functions usable in any expression. */
#ifndef IXP_BUILTINS_H
#define IXP_BUILTINS_H

#include <stdbool.h>
#include <stddef.h>

#include "ast.h"
#include "value.h"

typedef struct IxpBuiltin {
  const char *name;
  const char *signature;   /* for messages, e.g. "h2(p)" */
  int min_args, max_args;
  IxpType arg;             /* type of every argument (TY_ANY: checked by fn) */
  IxpType ret;
  /* Compute *out from args. Temporaries go in `arena`. Returns NULL or an
   * error message written to err. */
  const char *(*fn)(const IxpValue *args, int n, IxpValue *out, IxpArena *arena, char *err,
                    size_t errsize);
  bool information;        /* the result is an amount of information in nats, shown in the session's units */
} IxpBuiltin;

/* Binary entropy in bits, h2(0) = h2(1) = 0. */
double ixp_h2(double p);

#endif
