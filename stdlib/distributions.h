/* distributions.h — the discrete distributions a model can draw from.
 *
 * Each entry enumerates the outcomes (value, probability) of a draw from
 * its evaluated arguments, or explains why the arguments are invalid. */
#ifndef IXP_DISTRIBUTIONS_H
#define IXP_DISTRIBUTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "value.h"

typedef struct {
  double value, p;
} IxpOutcome;

typedef struct IxpDistribution {
  const char *name;
  const char *signature;   /* for messages, e.g. "bernoulli(p)" */
  int nargs;
  IxpType args[3];
  /* Fill *out (malloc'd, *n entries, zero-probability outcomes omitted).
   * At most `limit` outcomes. Returns NULL, or an error message in err. */
  const char *(*outcomes)(const IxpValue *args, IxpOutcome **out, size_t *n, size_t limit,
                          char *err, size_t errsize);
  /* Continuous distributions (outcomes == NULL): check the arguments, and
   * draw the i-th value of the counter-based stream `key` (rng.h). */
  const char *(*check)(const IxpValue *args, char *err, size_t errsize);
  double (*draw)(const IxpValue *args, uint64_t key, uint64_t i);
  /* Vector distributions (a, b ~ ...): the dimension their arguments give,
   * and the i-th draw of the stream into out[0 .. dim). */
  int (*dimension)(const IxpValue *args);
  /* Work shared by every draw (for normal: the Cholesky factor of the
   * covariance), computed once into `work` (dimension^2 doubles). */
  void (*prepare)(const IxpValue *args, double *work);
  void (*draw_vector)(const IxpValue *args, const double *work, uint64_t key, uint64_t i, double *out);
} IxpDistribution;

/* normal(mean, cov)'s mean of component i (a number mean is every
 * component's). */
double ixp_mvn_mean(const IxpValue *args, int i);

#endif
