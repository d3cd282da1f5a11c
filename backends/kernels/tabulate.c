/* tabulate.c — dense marginals over groups of variables. */
#include "tabulate.h"

#include <stdlib.h>
#include <string.h>

void ixp_tabulated_free(IxpTabulated *t) {
  for (int g = 0; g < t->ngroups; g++) free(t->value[g]);
  free(t->p);
  memset(t, 0, sizeof *t);
}

typedef struct {
  const IxpJoint *j;
  uint64_t mask;
} Group;

/* Order states by their codes on the group's variables (qsort_r). */
static int by_group(const void *a, const void *b, void *ctx) {
  const Group *g = ctx;
  size_t s = *(const size_t *)a, t = *(const size_t *)b;
  for (int v = 0; v < g->j->nvars; v++) {
    if (!(g->mask >> v & 1)) continue;
    uint32_t x = ixp_joint_code(g->j, v, s), y = ixp_joint_code(g->j, v, t);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/* Symbol index of every state of j for one group: states sorted by the
 * group's codes, equal tuples sharing an index. Fills sym[] and returns
 * the number of symbols, or -1 when out of memory. */
static long group_symbols(const IxpJoint *j, uint64_t mask, size_t *sym, double **value) {
  size_t *order = malloc((j->n ? j->n : 1) * sizeof *order);
  if (!order) return -1;
  for (size_t s = 0; s < j->n; s++) order[s] = s;
  Group g = {j, mask};
  qsort_r(order, j->n, sizeof *order, by_group, &g);
  long n = 0;
  for (size_t i = 0; i < j->n; i++) {
    if (i == 0 || by_group(&order[i - 1], &order[i], &g) != 0) n++;
    sym[order[i]] = (size_t)(n - 1);
  }
  *value = malloc((size_t)(n ? n : 1) * sizeof **value);
  int single = __builtin_popcountll(mask) == 1 ? __builtin_ctzll(mask) : -1;
  for (size_t i = 0; *value && i < j->n; i++)
    (*value)[sym[order[i]]] = single >= 0 ? j->alpha[single].values[ixp_joint_code(j, single, order[i])] : (double)sym[order[i]];
  free(order);
  return *value ? n : -1;
}

IxpJointStatus ixp_tabulate(IxpJoint *joint, const uint64_t *masks, int k, size_t max_entries, IxpTabulated *out) {
  memset(out, 0, sizeof *out);
  if (k < 1 || k > IXP_TABULATE_MAX_GROUPS) return IXP_JOINT_ETOO_LARGE;
  out->ngroups = k;
  size_t *sym = malloc((size_t)k * (joint->n ? joint->n : 1) * sizeof *sym);
  if (!sym) return IXP_JOINT_ENOMEM;
  size_t total = 1;
  for (int g = 0; g < k; g++) {
    long n = group_symbols(joint, masks[g], sym + (size_t)g * joint->n, &out->value[g]);
    if (n < 0) {
      free(sym);
      ixp_tabulated_free(out);
      return IXP_JOINT_ENOMEM;
    }
    out->size[g] = (int)n;
    if (n && total > max_entries / (size_t)n) {
      free(sym);
      ixp_tabulated_free(out);
      return IXP_JOINT_ETOO_LARGE;
    }
    total *= (size_t)(n ? n : 1);
  }
  out->total = total;
  out->p = calloc(total, sizeof *out->p);
  if (!out->p) {
    free(sym);
    ixp_tabulated_free(out);
    return IXP_JOINT_ENOMEM;
  }
  for (size_t s = 0; s < joint->n; s++) {
    size_t idx = 0;
    for (int g = 0; g < k; g++) idx = idx * (size_t)out->size[g] + sym[(size_t)g * joint->n + s];
    out->p[idx] += joint->p[s];
  }
  free(sym);
  return IXP_JOINT_OK;
}
