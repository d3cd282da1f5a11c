/* broja.h — the convex program behind BROJA's unique information
 * (Bertschinger, Rauh, Olbrich, Jost & Ay 2014):
 *
 *     min  I_q(T; S1, S2)   over  q in Delta_P = { q : q(t, s1) = p(t, s1),
 *                                                      q(t, s2) = p(t, s2) }
 *
 * with q restricted to the support { (t, s1, s2) : p(t, s1) > 0, p(t, s2) > 0 }.
 * Solved as the exponential-cone program of Makkeh, Theis & Vicente
 * (BROJA-2PID) by a path-following interior-point method; see broja.c. */
#ifndef IXP_BROJA_H
#define IXP_BROJA_H

#include "pid.h"

/* p[t * n1 * n2 + s1 * n2 + s2] (the layout of ixp_pid with two sources).
 * On IXP_PID_OK, *min_mi is I_q(T; S1, S2) in nats at the returned primal
 * point, within cert->duality_gap of the true minimum; tol is the duality
 * gap to reach (nats). On IXP_PID_ENOCONVERGE cert describes the last
 * iterate and *min_mi is not set. The caller validates p. */
IxpPidStatus ixp_pid_broja_min_mi(const double *p, int nt, int n1, int n2, double tol, double *min_mi,
                                  IxpPidCertificate *cert);

#endif
