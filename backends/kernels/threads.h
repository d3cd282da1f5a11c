/* threads.h — the threads a parallel piece of work gets, for BLIS calls
 * (dense.c) and OpenMP regions (knn.c) alike.
 *
 * A team of threads waits for its members at spinning barriers: on an
 * idle core that costs microseconds, on a core another process holds it
 * costs a time slice (milliseconds) per barrier. So work runs alone below
 * the size that pays for a team, and above it takes the session's budget
 * only when the machine has that many cores with nothing else runnable.
 * Callers keep their results independent of the count. */
#ifndef IXP_THREADS_H
#define IXP_THREADS_H

#include <stdbool.h>

/* The session's budget (at least 1; 1 turns threads off). Until it is
 * set: OMP_NUM_THREADS (default every core), at most the cores. */
void ixp_threads_set_budget(int n);
int ixp_threads_budget(void);
/* Tests and benches: false gives work the whole budget whatever the
 * machine's load (the default, true, watches it). */
void ixp_threads_watch_load(bool watch);
/* The threads work of size `work` gets now, when a team pays from
 * `min_work`: 1 below it (or NaN), inside a parallel region, or when
 * fewer than two cores are idle. */
int ixp_threads_for(double work, double min_work);

#endif
