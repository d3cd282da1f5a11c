/* factor.h — dense factors (non-negative tables over a few finite
 * variables) and the one operation variable elimination needs: multiply
 * factors and sum a variable out.
 *
 * A factor's table lists its entries in row-major order over its scope:
 * the first variable most significant. Variables are named by integer ids;
 * a variable's card is the size of its alphabet. */
#ifndef IXP_FACTOR_H
#define IXP_FACTOR_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  int n;           /* variables in the scope */
  int *var;        /* their ids, ascending */
  uint32_t *card;  /* their alphabet sizes */
  size_t size;     /* entries: the product of the cards */
  double *t;
} IxpFactor;

/* Entries of a table over the given cards, or 0 when the product passes
 * `cap` (or overflows). */
size_t ixp_factor_entries(const uint32_t *card, int n, size_t cap);

/* A factor over vars[0..n) (ascending ids) with the given cards, its
 * entries zeroed; false when out of memory. */
int ixp_factor_init(IxpFactor *f, int n, const int *var, const uint32_t *card);
void ixp_factor_free(IxpFactor *f);

/* out = sum over variable `elim` of the product of f[0..nf) (no sum when
 * elim is -1). out's scope is the union of the scopes without elim, in
 * ascending ids. Each entry is a compensated sum over elim's values.
 * false when out of memory. */
int ixp_factor_product_sum(const IxpFactor *const *f, int nf, int elim, IxpFactor *out);

#endif
