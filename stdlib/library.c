/* library.c — the standard library's families, registered in order. */
#include "library.h"

#include <string.h>

typedef void (*Opener)(IxpLibrary *lib);

static const Opener families[] = {
    ixp_open_shannon, ixp_open_rd, ixp_open_pid, ixp_open_time, ixp_open_network, ixp_open_builtins, ixp_open_distributions,
};

void ixp_library_open(IxpLibrary *lib) {
  memset(lib, 0, sizeof *lib);
  for (size_t i = 0; i < sizeof families / sizeof *families; i++) families[i](lib);
}

/* Append n entries of `size` bytes from `first` to list[*count]. */
static bool add(const void **list, int *count, const void *first, size_t size, int n) {
  if (*count + n > IXP_LIBRARY_MAX) return false;
  for (int i = 0; i < n; i++) list[(*count)++] = (const char *)first + (size_t)i * size;
  return true;
}

bool ixp_library_add_measures(IxpLibrary *lib, const IxpMeasure *m, int n) {
  return add((const void **)lib->measures, &lib->nmeasures, m, sizeof *m, n);
}

bool ixp_library_add_builtins(IxpLibrary *lib, const IxpBuiltin *b, int n) {
  return add((const void **)lib->builtins, &lib->nbuiltins, b, sizeof *b, n);
}

bool ixp_library_add_distributions(IxpLibrary *lib, const IxpDistribution *d, int n, bool vector) {
  if (vector) return add((const void **)lib->vector_distributions, &lib->nvector_distributions, d, sizeof *d, n);
  return add((const void **)lib->distributions, &lib->ndistributions, d, sizeof *d, n);
}

const IxpMeasure *ixp_library_measure(const IxpLibrary *lib, const char *name) {
  for (int i = 0; i < lib->nmeasures; i++)
    if (!strcmp(lib->measures[i]->name, name)) return lib->measures[i];
  return NULL;
}

const IxpBuiltin *ixp_library_builtin(const IxpLibrary *lib, const char *name) {
  for (int i = 0; i < lib->nbuiltins; i++)
    if (!strcmp(lib->builtins[i]->name, name)) return lib->builtins[i];
  return NULL;
}

const IxpDistribution *ixp_library_distribution(const IxpLibrary *lib, const char *name, int nargs) {
  const IxpDistribution *first = NULL;
  for (int i = 0; i < lib->ndistributions; i++)
    if (!strcmp(lib->distributions[i]->name, name)) {
      if (lib->distributions[i]->nargs == nargs) return lib->distributions[i];
      if (!first) first = lib->distributions[i];
    }
  return first;
}

const IxpDistribution *ixp_library_vector_distribution(const IxpLibrary *lib, const char *name) {
  for (int i = 0; i < lib->nvector_distributions; i++)
    if (!strcmp(lib->vector_distributions[i]->name, name)) return lib->vector_distributions[i];
  return NULL;
}
