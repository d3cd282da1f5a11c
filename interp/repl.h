/* repl.h — the interactive loop on libedit. */
#ifndef IXP_REPL_H
#define IXP_REPL_H

#include "session.h"

/* Read statements from stdin until end of input or :quit, evaluating each
 * complete entry. With stdin not a terminal there is no prompt, history or
 * completion: the input runs as a script. Returns the exit status. */
int ixp_repl(IxpSession *s);

#endif
