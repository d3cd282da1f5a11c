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
  m->index_arena = arena;
}

/* Open addressing over variable indices (-1: empty), at most half full. */
typedef struct IxpNameIndex {
  int *slot;
  int cap, count;              /* slots; variables 0 .. count - 1 are in it */
} IxpNameIndex;

/* Below this many variables a scan is as fast as hashing. */
enum { INDEXED_FROM = 32 };

static uint64_t name_hash(const char *s) {
  uint64_t h = 1469598103934665603u;  /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

static void index_put(IxpNameIndex *x, const IxpModelDef *m, int v) {
  size_t i = name_hash(m->vars[v].name) & (size_t)(x->cap - 1);
  while (x->slot[i] >= 0) {
    if (!strcmp(m->vars[x->slot[i]].name, m->vars[v].name)) return;  /* the first of equal names wins, as a scan finds it */
    i = (i + 1) & (size_t)(x->cap - 1);
  }
  x->slot[i] = v;
}

/* The index of m's names, brought up to its nvars, in the arena of its
 * variables (a grown table leaves the old one there: at most twice the
 * final size). */
static IxpNameIndex *name_index(IxpModelDef *m) {
  IxpNameIndex *x = m->index;
  if (!x) x = m->index = ixp_arena_alloc(m->index_arena, sizeof *x);
  if (2 * m->nvars > x->cap) {
    int cap = 64;
    while (cap < 2 * m->nvars) cap *= 2;
    int *slot = ixp_arena_alloc(m->index_arena, (size_t)cap * sizeof *slot);
    x->slot = slot, x->cap = cap;
    for (int i = 0; i < cap; i++) slot[i] = -1;
    for (int v = 0; v < x->count; v++) index_put(x, m, v);
  }
  for (; x->count < m->nvars; x->count++) index_put(x, m, x->count);
  return x;
}

int ixp_model_var(const IxpModelDef *m, const char *name) {
  IxpNameIndex *x = m->nvars >= INDEXED_FROM && m->index_arena ? name_index((IxpModelDef *)m) : NULL;
  if (!x) {
    for (int i = 0; i < m->nvars; i++)
      if (!strcmp(m->vars[i].name, name)) return i;
    return -1;
  }
  for (size_t i = name_hash(name) & (size_t)(x->cap - 1); x->slot[i] >= 0; i = (i + 1) & (size_t)(x->cap - 1))
    if (!strcmp(m->vars[x->slot[i]].name, name)) return x->slot[i];
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
