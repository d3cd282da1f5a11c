/* library.h — what the language offers by name: measures, builtin
 * functions and distributions, registered into a session's library by
 * ixp_library_open (library.c, in the spirit of Lua's linit.c), so the
 * interpreter looks names up here and never names a family's file. */
#ifndef IXP_LIBRARY_H
#define IXP_LIBRARY_H

#include <stdbool.h>

#include "builtins.h"
#include "distributions.h"
#include "measures.h"

#define IXP_LIBRARY_MAX 128

typedef struct IxpLibrary {
  const IxpMeasure *measures[IXP_LIBRARY_MAX];
  int nmeasures;
  const IxpBuiltin *builtins[IXP_LIBRARY_MAX];
  int nbuiltins;
  const IxpDistribution *distributions[IXP_LIBRARY_MAX];  /* scalar draws: x ~ d(...) */
  int ndistributions;
  const IxpDistribution *vector_distributions[IXP_LIBRARY_MAX];  /* a, b ~ d(...) */
  int nvector_distributions;
} IxpLibrary;

/* Register every family of the standard library. */
void ixp_library_open(IxpLibrary *lib);

/* Registration, for the families' open functions. false when full. */
bool ixp_library_add_measures(IxpLibrary *lib, const IxpMeasure *m, int n);
bool ixp_library_add_builtins(IxpLibrary *lib, const IxpBuiltin *b, int n);
bool ixp_library_add_distributions(IxpLibrary *lib, const IxpDistribution *d, int n, bool vector);

/* The families (each in its own file). */
void ixp_open_shannon(IxpLibrary *lib);        /* measures.c */
void ixp_open_rd(IxpLibrary *lib);             /* measures_rd.c */
void ixp_open_pid(IxpLibrary *lib);            /* measures_pid.c */
void ixp_open_time(IxpLibrary *lib);           /* measures_time.c */
void ixp_open_network(IxpLibrary *lib);        /* measures_network.c */
void ixp_open_builtins(IxpLibrary *lib);       /* builtins.c */
void ixp_open_distributions(IxpLibrary *lib);  /* distributions.c */

/* Look-ups; NULL when the name is not there. */
const IxpMeasure *ixp_library_measure(const IxpLibrary *lib, const char *name);
const IxpBuiltin *ixp_library_builtin(const IxpLibrary *lib, const char *name);
/* The distribution `name` taking `nargs` arguments, else the first named
 * `name` (whose arity the caller then reports), else NULL. */
const IxpDistribution *ixp_library_distribution(const IxpLibrary *lib, const char *name, int nargs);
const IxpDistribution *ixp_library_vector_distribution(const IxpLibrary *lib, const char *name);

#endif
