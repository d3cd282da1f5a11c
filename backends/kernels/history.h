/* history.h — joint counts of lagged discrete columns by history encoding,
 * for the time measures of discrete series (transfer entropy, active
 * information storage, entropy rates) without building a joint of codes.
 *
 * A column list names, for each entry, a source column of codes, its
 * alphabet size and a lag (the value at row t - lag). Each row of each
 * trial at which every lag falls inside the trial is encoded into one
 * integer, the mixed-radix number whose digit c is entry c's value (entry
 * 0 the least significant), and the integers are counted in one pass: in
 * a dense array when the product of the alphabet sizes is small, in an
 * open-addressing hash table otherwise. Entropies of marginals (any
 * subset of the entries) come from these counts with any discrete
 * estimator (estimators.h); a marginal's counts are handed to the
 * estimator in increasing order of the marginal's own mixed-radix number,
 * the order in which ixp_count_rows lists the cells of its dense table,
 * so that the two give the same bits. */
#ifndef IXP_HISTORY_H
#define IXP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "estimators.h"

#define IXP_HISTORY_MAX_COLS 64

typedef struct {
  const uint32_t *codes; /* the source column, one code per row, each < alphabet */
  uint32_t alphabet;     /* >= 1 */
  int lag;               /* entry value at row t: codes[t - lag] (negative: after t) */
} IxpHistColumn;

typedef struct {
  int ncols;
  uint32_t alphabet[IXP_HISTORY_MAX_COLS];
  uint64_t weight[IXP_HISTORY_MAX_COLS]; /* digit weights: product of the alphabets before */
  uint64_t nstates;      /* product of all the alphabets */
  uint64_t rows;         /* rows counted */
  uint64_t *dense;       /* nstates counts, or NULL (hash mode) */
  uint64_t *state, *count; /* hash mode: the k distinct states and their counts (unordered) */
  size_t k;
} IxpHistCounts;

/* Count the rows of columns cols[0 .. ncols) over the trials of the
 * source (rows trial_start[i] .. trial_start[i + 1] - 1 for i < ntrials;
 * trial_start NULL: one trial of nrows). EINPUT for bad arguments, a code
 * not below its alphabet, or more than 2^64 states; ENOMEM. */
IxpEstStatus ixp_history_count(const IxpHistColumn *cols, int ncols, size_t nrows, const long *trial_start, int ntrials,
                               IxpHistCounts *out);

/* Entropy (nats) of the marginal of the entries in `mask` (bit c: entry c;
 * 0: the empty marginal, entropy 0) with estimator e; `alphabet` as for
 * ixp_entropy_from_counts, raised to the number of states seen when
 * smaller. */
IxpEstStatus ixp_history_entropy(const IxpHistCounts *c, uint64_t mask, IxpDiscreteEstimator e, size_t alphabet,
                                 double *out);

/* The counts of the marginal of `mask` in increasing order of its
 * mixed-radix number (malloc'd into *counts, their number into *k). */
IxpEstStatus ixp_history_marginal(const IxpHistCounts *c, uint64_t mask, uint64_t **counts, size_t *k);

void ixp_history_free(IxpHistCounts *c);

#endif
