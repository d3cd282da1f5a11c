/* factor.c — products of dense factors with one variable summed out.
 *
 * The product walks every assignment of the union of the scopes like an
 * odometer, the summed variable innermost, so each output entry is one
 * run of products added with compensation. Each factor's entry index is
 * kept up to date by adding its stride for the digit that moved. */
#include "factor.h"

#include <stdlib.h>
#include <string.h>

#include "ksum.h"

size_t ixp_factor_entries(const uint32_t *card, int n, size_t cap) {
  size_t size = 1;
  for (int i = 0; i < n; i++) {
    if (card[i] && size > cap / card[i]) return 0;
    size *= card[i];
  }
  return size <= cap ? size : 0;
}

int ixp_factor_init(IxpFactor *f, int n, const int *var, const uint32_t *card) {
  memset(f, 0, sizeof *f);
  f->n = n;
  f->var = malloc((size_t)(n ? n : 1) * sizeof *f->var);
  f->card = malloc((size_t)(n ? n : 1) * sizeof *f->card);
  f->size = ixp_factor_entries(card, n, SIZE_MAX / sizeof(double));
  f->t = f->size ? calloc(f->size, sizeof *f->t) : NULL;
  if (!f->var || !f->card || !f->t) {
    ixp_factor_free(f);
    return 0;
  }
  memcpy(f->var, var, (size_t)n * sizeof *var);
  memcpy(f->card, card, (size_t)n * sizeof *card);
  return 1;
}

void ixp_factor_free(IxpFactor *f) {
  free(f->var);
  free(f->card);
  free(f->t);
  memset(f, 0, sizeof *f);
}

/* The union of the scopes (ascending ids, elim left out) into var/card. */
static int union_scope(const IxpFactor *const *f, int nf, int elim, int *var, uint32_t *card, uint32_t *elim_card) {
  int n = 0;
  *elim_card = 1;
  for (int k = 0; k < nf; k++)
    for (int i = 0; i < f[k]->n; i++) {
      int id = f[k]->var[i], at = 0;
      if (id == elim) {
        *elim_card = f[k]->card[i];
        continue;
      }
      while (at < n && var[at] < id) at++;
      if (at < n && var[at] == id) continue;
      memmove(var + at + 1, var + at, (size_t)(n - at) * sizeof *var);
      memmove(card + at + 1, card + at, (size_t)(n - at) * sizeof *card);
      var[at] = id, card[at] = f[k]->card[i], n++;
    }
  return n;
}

/* Stride of each factor's entries along each digit (0: not in its scope);
 * digit n is elim. stride[k * (n + 1) + d]. */
static void strides(const IxpFactor *const *f, int nf, const int *var, int n, int elim, size_t *stride) {
  for (int k = 0; k < nf; k++) {
    size_t s = 1, *st = stride + (size_t)k * (size_t)(n + 1);
    memset(st, 0, (size_t)(n + 1) * sizeof *st);
    for (int i = f[k]->n; i-- > 0;) {
      int id = f[k]->var[i], d = n;
      if (id != elim)
        for (d = 0; var[d] != id; d++) {}
      st[d] = s;
      s *= f[k]->card[i];
    }
  }
}

int ixp_factor_product_sum(const IxpFactor *const *f, int nf, int elim, IxpFactor *out) {
  int total = 0;
  for (int k = 0; k < nf; k++) total += f[k]->n;
  int *var = malloc((size_t)(total + 1) * sizeof *var);
  uint32_t *card = malloc((size_t)(total + 1) * sizeof *card), ecard;
  if (!var || !card) {
    free(var), free(card);
    return 0;
  }
  int n = union_scope(f, nf, elim, var, card, &ecard);
  size_t *stride = malloc((size_t)(nf ? nf : 1) * (size_t)(n + 1) * sizeof *stride);
  size_t *idx = calloc((size_t)(nf ? nf : 1), sizeof *idx);
  uint32_t *digit = calloc((size_t)(n + 1), sizeof *digit);
  int ok = stride && idx && digit && ixp_factor_init(out, n, var, card);
  if (ok) {
    strides(f, nf, var, n, elim, stride);
    size_t S = (size_t)(n + 1);
    for (size_t o = 0; o < out->size; o++) {
      IxpKSum acc = {0, 0};
      for (uint32_t x = 0; x < ecard; x++) {
        double prod = 1;
        for (int k = 0; k < nf; k++) prod *= f[k]->t[idx[k] + x * stride[(size_t)k * S + (size_t)n]];
        ixp_ksum_add(&acc, prod);
      }
      out->t[o] = ixp_ksum_value(acc);
      for (int d = n - 1; d >= 0; d--) {  /* the odometer: last digit fastest */
        for (int k = 0; k < nf; k++) idx[k] += stride[(size_t)k * S + (size_t)d];
        if (++digit[d] < card[d]) break;
        for (int k = 0; k < nf; k++) idx[k] -= (size_t)card[d] * stride[(size_t)k * S + (size_t)d];
        digit[d] = 0;
      }
    }
  }
  free(var), free(card), free(stride), free(idx), free(digit);
  return ok;
}
