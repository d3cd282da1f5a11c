/* progress.h — a progress bar on stderr for long work.
 *
 * Drawn only when stderr is a terminal, only once the work has taken half
 * a second, at most ten times a second, and erased when the work ends.
 * Only the outermost work shows a bar (a sweep's, not the samples drawn
 * in it). Begin, update and end are called from one thread (inside a
 * parallel loop, from thread 0 only). */
#ifndef IXP_PROGRESS_H
#define IXP_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
  const char *what;
  uint64_t total;
  double start, last;  /* seconds */
  FILE *out;           /* NULL: no bar */
  int level;           /* how much work enclosed it */
} IxpProgress;

/* Start `what` of `total` steps. out: where to draw; NULL means stderr
 * when it is a terminal (else nothing). */
void ixp_progress_begin(IxpProgress *p, const char *what, uint64_t total, FILE *out);
void ixp_progress_update(IxpProgress *p, uint64_t done);
void ixp_progress_end(IxpProgress *p);
/* Forget unfinished work (an error unwound past its end), and any stop. */
void ixp_progress_reset(void);
/* Ctrl-C: ask long loops to stop early (async-signal-safe); the caller
 * then reports the interruption. */
void ixp_progress_stop(void);
bool ixp_progress_stopping(void);

#endif
