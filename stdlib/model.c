/* model.c — look-ups in checked models. */
#include "model.h"

#include <string.h>

int ixp_model_var(const IxpModelDef *m, const char *name) {
  for (int i = 0; i < m->nvars; i++)
    if (!strcmp(m->vars[i].name, name)) return i;
  return -1;
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
