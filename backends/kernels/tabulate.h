/* tabulate.h — a joint's marginal over groups of variables as a dense
 * array, for kernels that work on matrices (rate-distortion, the
 * information bottleneck, channels, PID).
 *
 * Each group's symbols are the distinct tuples its variables take in the
 * support, in increasing order; the array is row-major in group order, so
 * p[i0 * size1 * ... + i1 * ... ] is the probability of the symbols
 * (i0, i1, ...). */
#ifndef IXP_TABULATE_H
#define IXP_TABULATE_H

#include <stdint.h>

#include "joint.h"

#define IXP_TABULATE_MAX_GROUPS 8

typedef struct {
  int ngroups;
  int size[IXP_TABULATE_MAX_GROUPS];
  /* The value of each symbol when its group is one variable (its value in
   * the alphabet), else the symbol's index. */
  double *value[IXP_TABULATE_MAX_GROUPS];
  double *p;     /* product of sizes entries */
  size_t total;  /* number of entries of p */
} IxpTabulated;

/* Tabulate `joint` over the groups masks[0..k-1] (disjoint or not).
 * `max_entries` bounds the dense array. */
IxpJointStatus ixp_tabulate(IxpJoint *joint, const uint64_t *masks, int k, size_t max_entries,
                            IxpTabulated *out);
void ixp_tabulated_free(IxpTabulated *t);

#endif
