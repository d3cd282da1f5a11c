/* pid.h — partial information decomposition of I(S1, ..., Sn; T) on a
 * finite joint distribution.
 *
 * The joint is given densely: p[t * S + s] where s is the mixed-radix
 * index of the sources' values (source 0 most significant) and S the
 * product of the source alphabet sizes. Atoms are indexed by the
 * antichains of the redundancy lattice (Williams & Beer 2010), in the
 * order ixp_pid_lattice gives them. All values in nats. */
#ifndef IXP_PID_H
#define IXP_PID_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
  IXP_PID_OK = 0,
  IXP_PID_ENOMEM,
  IXP_PID_EINPUT,        /* sizes, negative probabilities, sum != 1 */
  IXP_PID_ESOURCES,      /* too many sources for the measure (broja: 2; lattice: 1..5) */
  IXP_PID_ENOCONVERGE,   /* broja's solver did not reach its tolerances (certificate filled) */
  IXP_PID_ECHECK,        /* the atoms fail the consistency identities beyond tolerance */
} IxpPidStatus;

const char *ixp_pid_status_text(IxpPidStatus s);

typedef enum { IXP_PID_IMIN, IXP_PID_IMMI, IXP_PID_ICCS, IXP_PID_ISX, IXP_PID_BROJA } IxpPidMeasure;

/* The redundancy lattice of n sources: its antichains, each a list of
 * source subsets encoded as bitmasks (bit i = source i). */
typedef struct {
  int nsources;
  int natoms;
  int *offset;        /* natoms + 1: atom a's subsets are sets[offset[a] .. offset[a+1]) */
  uint32_t *sets;
  /* partial order: below[a] lists atoms b <= a (for Möbius inversion) */
  int *below_offset;  /* natoms + 1 */
  int *below;
} IxpPidLattice;

IxpPidStatus ixp_pid_lattice(int nsources, IxpPidLattice **out);
void ixp_pid_lattice_free(IxpPidLattice *l);
/* Name of atom a as in the literature: "{0}{1}", "{01}", "{0}{12}" with
 * sources numbered from 1 ("{1}{2}", "{12}"), written into buf. */
void ixp_pid_atom_name(const IxpPidLattice *l, int a, char *buf, int size);

/* The certificate of broja's convex solver. */
typedef struct {
  double primal_infeasibility;
  double dual_infeasibility;
  double duality_gap;
  int iterations;
} IxpPidCertificate;

typedef struct {
  IxpPidMeasure measure;
  double tol;              /* solver tolerance (broja), default 1e-10 when 0 */
  double check_tol;        /* tolerance of the identity checks, default 1e-8 when 0 */
} IxpPidOptions;

/* Decompose. nt target values, ns[i] values of source i. atoms receives
 * l->natoms values (in nats) in lattice order; cert is filled for broja
 * (may be NULL otherwise). */
IxpPidStatus ixp_pid(const double *p, int nt, int nsources, const int *ns, const IxpPidLattice *l,
                     const IxpPidOptions *opt, double *atoms, IxpPidCertificate *cert);

/* The minimum-mutual-information decomposition from the informations
 * alone: mi[A] = I(S_A; T) for every non-empty set A of sources (bitmask,
 * mi has 2^n entries, mi[0] unused). Redundancy of an antichain is the
 * least I over its sets; atoms by Moebius inversion, in lattice order.
 * For a jointly Gaussian (S, T) with a scalar T this is the PID of every
 * measure whose unique information depends only on the pairs (S_i, T),
 * BROJA's included (Barrett 2015). Atoms may be negative when the
 * informations are estimates. */
IxpPidStatus ixp_pid_mmi(const IxpPidLattice *l, const double *mi, double *atoms);

#endif
