/* spread.h — one run over the ranks of `mpirun` (ranks.h): what each
 * rank does, and how the ranks stay one run.
 *
 * Every rank runs every statement, except the passes of a top-level
 * sweep, which are split by index into contiguous blocks. Rank 0 alone
 * prints, writes files and records. A split pass runs with its output
 * captured: stdout, diagnostics, results, expectations, input files and
 * emitted rows become a log; the logs are gathered to every rank in pass
 * order and replayed, so the sweep's table, its files and rank 0's output
 * are those of the one-process run, byte for byte; the ranks that did not
 * run the last pass then run it again unseen, to be left in the state the
 * one-process run is left in (the models' caches). A pass that fails
 * ends its rank's block; the replay stops at the first failed pass with
 * its message, as the one-process run would. After each statement the
 * ranks agree on its status, so an error on any rank ends every rank with
 * that rank's message (printed by rank 0) and status. */
#ifndef IXP_SPREAD_H
#define IXP_SPREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "interp.h"

/* Set the session up for its rank (rank > 0: diagnostics kept for the
 * agreement, not printed), and free that. No-ops on one rank. */
void ixp_spread_open(IxpSession *s);
void ixp_spread_close(IxpSession *s);

/* The statement's status agreed by every rank (see above). */
IxpStatus ixp_spread_agree(IxpSession *s, IxpStatus status);

/* Why the passes of `sweep` cannot be split across ranks (a statement in
 * its body makes a pass depend on the passes before it, or writes a file
 * itself), or NULL when they can. */
const char *ixp_spread_unsplit_reason(const IxpAst *sweep);

/* Whether this run splits the passes of `sweep` (n of them): on more than
 * one rank, a top-level sweep that can be split, outside `explain`. */
bool ixp_spread_splits(const IxpSession *s, const IxpAst *sweep, int64_t n);

/* `explain`: one line on what the ranks do with `sweep`'s n passes. */
void ixp_spread_explain(IxpSession *s, const IxpAst *sweep, int64_t n);

/* Run this rank's block of the n passes (run_pass(s, ctx, i) runs pass i;
 * its emits go to s->sink), gather every pass's log, and replay them in
 * pass order on every rank: s->sink ends with every pass's rows. A failed
 * pass is raised again (its message printed once, by rank 0). */
void ixp_spread_sweep(IxpSession *s, int64_t n, void (*run_pass)(IxpSession *s, void *ctx, int64_t i), void *ctx);

#endif
