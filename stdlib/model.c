/* model.c — look-ups in checked models. */
#include "model.h"

#include <string.h>

void ixp_model_reserve(IxpModelDef *m, IxpArena *arena, int n) {
  if (n <= m->cap) return;
  int cap = m->cap ? m->cap : 8;
  while (cap < n) cap *= 2;
  IxpModelVar *vars = ixp_arena_alloc(arena, (size_t)cap * sizeof *vars);
  int *order = ixp_arena_alloc(arena, (size_t)cap * sizeof *order);
  bool *continuous = ixp_arena_alloc(arena, (size_t)cap * sizeof *continuous);
  if (m->nvars) {
    memcpy(vars, m->vars, (size_t)m->nvars * sizeof *vars);
    memcpy(order, m->order, (size_t)m->nvars * sizeof *order);
    memcpy(continuous, m->continuous, (size_t)m->nvars * sizeof *continuous);
  }
  m->vars = vars, m->order = order, m->continuous = continuous, m->cap = cap;
}

int ixp_model_var(const IxpModelDef *m, const char *name) {
  for (int i = 0; i < m->nvars; i++)
    if (!strcmp(m->vars[i].name, name)) return i;
  return -1;
}

int ixp_model_group(const IxpModelDef *m, const char *name) {
  for (int i = 0; i < m->ngroups; i++)
    if (!strcmp(m->groups[i].name, name)) return i;
  return -1;
}

void ixp_model_add_group(IxpModelDef *m, IxpArena *arena, const char *name, int first, int count) {
  if (m->ngroups == m->capgroups) {
    int cap = m->capgroups ? 2 * m->capgroups : 4;
    IxpVarGroup *groups = ixp_arena_alloc(arena, (size_t)cap * sizeof *groups);
    if (m->ngroups) memcpy(groups, m->groups, (size_t)m->ngroups * sizeof *groups);
    m->groups = groups, m->capgroups = cap;
  }
  m->groups[m->ngroups++] = (IxpVarGroup){name, first, count};
}

int ixp_model_param(const IxpModelDef *m, const char *name) {
  for (int i = 0; i < m->nparams; i++)
    if (!strcmp(m->params[i]->str, name)) return i;
  return -1;
}

bool ixp_var_reads_any(const IxpModelDef *m, const IxpModelVar *v) {
  if (!v->deps) return false;
  for (int w = 0; w < (m->nvars + 63) / 64; w++)
    if (v->deps[w]) return true;
  return false;
}
