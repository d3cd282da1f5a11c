/* test_joint_packed.c — packed joints (codes bit-packed into 64-bit keys):
 * codes round-trip through their fields, the packing boundary at 64 bits,
 * moving states to a wider stride, renumbering at finish, and kernels that
 * give bit-identical results on a packed joint and on the same states
 * stored as columns (so enumerated results do not change). */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "joint.h"
#include "rng.h"

static const char *const NAMES[] = {"a", "b", "c", "d", "e", "f", "g", "h"};

/* Set variable v's code in state s of a packed joint (its field is zero). */
static void set_code(IxpJoint *j, int v, size_t s, uint32_t code) {
  const IxpCodeField *f = &j->field[v];
  cr_assert(code < (UINT64_C(1) << f->bits) || (f->bits == 0 && code == 0));
  if (f->bits) j->key[s * (size_t)j->words + f->word] |= (uint64_t)code << f->shift;
}

/* A packed joint of n states over nv variables with the given alphabet
 * sizes (values 0 .. card - 1, added in descending order so that finish
 * renumbers them), codes from a random stream; the same states are pushed
 * to `cols`, a column joint. */
static IxpJoint *random_pair(int nv, const uint32_t *card, size_t n, IxpJoint **cols) {
  IxpJoint *j = ixp_joint_new_packed(nv, NAMES);
  *cols = ixp_joint_new(nv, NAMES);
  cr_assert(j && *cols);
  int words = 0;
  for (int v = 0; v < nv; v++) {
    for (uint32_t c = card[v]; c-- > 0;) {
      cr_assert_eq(ixp_alphabet_code(&j->alpha[v], c), card[v] - 1 - c);
      ixp_alphabet_code(&(*cols)->alpha[v], c);
    }
    words = ixp_joint_place(j, v, card[v]);
  }
  cr_assert_eq(ixp_joint_pack_grow(j, n, words), IXP_JOINT_OK);
  memset(j->key, 0, n * (size_t)words * sizeof *j->key);
  uint32_t codes[8];
  for (size_t s = 0; s < n; s++) {
    for (int v = 0; v < nv; v++) {
      codes[v] = (uint32_t)(ixp_rng_bits(7, s * 8 + (uint64_t)v) % card[v]);
      set_code(j, v, s, codes[v]);
    }
    j->p[s] = 1.0 / (double)n;
    cr_assert_eq(ixp_joint_push(*cols, codes, 1.0 / (double)n), IXP_JOINT_OK);
  }
  j->n = n;
  return j;
}

Test(joint_packed, codes_round_trip_and_survive_finish) {
  const uint32_t card[] = {1, 2, 3, 17, 70000, 5};
  IxpJoint *cols, *j = random_pair(6, card, 3000, &cols);
  cr_assert_eq(j->field[0].bits, 0);  /* one value: no bits */
  cr_assert_eq(j->field[4].bits, 17);
  for (size_t s = 0; s < j->n; s++)
    for (int v = 0; v < 6; v++) cr_assert_eq(ixp_joint_code(j, v, s), ixp_joint_code(cols, v, s));
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  cr_assert_eq(ixp_joint_finish(cols), IXP_JOINT_OK);
  for (size_t s = 0; s < j->n; s++)
    for (int v = 0; v < 6; v++) {
      cr_assert_eq(ixp_joint_code(j, v, s), ixp_joint_code(cols, v, s));
      cr_assert_eq(j->alpha[v].values[ixp_joint_code(j, v, s)], cols->alpha[v].values[ixp_joint_code(cols, v, s)]);
    }
  ixp_joint_free(j);
  ixp_joint_free(cols);
}

Test(joint_packed, fields_fill_a_word_to_bit_64_then_open_the_next) {
  IxpJoint *j = ixp_joint_new_packed(6, NAMES);
  int words = 0;
  for (int v = 0; v < 4; v++) words = ixp_joint_place(j, v, 1u << 13);  /* 4 x 13 = 52 bits */
  cr_assert_eq(words, 1);
  cr_assert_eq(ixp_joint_place(j, 4, 4096), 1);  /* 12 bits: exactly 64 */
  cr_assert_eq(j->field[4].shift, 52);
  cr_assert_eq(ixp_joint_pack_grow(j, 4, 1), IXP_JOINT_OK);
  memset(j->key, 0, 4 * sizeof *j->key);
  for (size_t s = 0; s < 4; s++) {
    for (int v = 0; v < 4; v++) set_code(j, v, s, (uint32_t)((1u << 13) - 1 - s - (size_t)v));
    set_code(j, 4, s, (uint32_t)(4095 - s));  /* the top bit of the word is set */
  }
  j->n = 4;
  cr_assert_eq(j->key[0] >> 63, 1);
  /* One more bit does not fit: a second word, and the states move to it. */
  cr_assert_eq(ixp_joint_place(j, 5, 2), 2);
  cr_assert_eq(j->field[5].word, 1);
  cr_assert_eq(j->field[5].shift, 0);
  cr_assert_eq(ixp_joint_pack_grow(j, 8, 2), IXP_JOINT_OK);
  for (size_t s = 0; s < 4; s++) {
    for (int v = 0; v < 4; v++) cr_assert_eq(ixp_joint_code(j, v, s), (1u << 13) - 1 - s - (size_t)v);
    cr_assert_eq(ixp_joint_code(j, 4, s), 4095 - s);
    cr_assert_eq(ixp_joint_code(j, 5, s), 0);  /* the new word is zeroed */
  }
  ixp_joint_free(j);
}

/* Entropies and marginals on a packed joint equal, bit for bit, those on
 * the same states as columns, over one and two words of keys. */
Test(joint_packed, kernels_bit_identical_to_columns) {
  const uint32_t cards[2][8] = {{2, 3, 2, 5, 2, 2, 7, 2}, {1u << 20, 1u << 20, 1u << 20, 5, 2, 2, 7, 2}};
  for (int c = 0; c < 2; c++) {
    IxpJoint *cols, *j = random_pair(8, cards[c], 5000, &cols);
    cr_assert_eq(j->words, c + 1);
    cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
    cr_assert_eq(ixp_joint_finish(cols), IXP_JOINT_OK);
    for (uint64_t mask = 1; mask < 256; mask += 7) {
      double hp = NAN, hc = NAN;
      cr_assert_eq(ixp_joint_entropy(j, mask, &hp), IXP_JOINT_OK);
      cr_assert_eq(ixp_joint_entropy(cols, mask, &hc), IXP_JOINT_OK);
      cr_assert_eq(memcmp(&hp, &hc, sizeof hp), 0, "mask %llu: %.17g vs %.17g", (unsigned long long)mask, hp, hc);
    }
    IxpJoint *mp, *mc;
    cr_assert_eq(ixp_joint_marginal(j, 0x35, &mp), IXP_JOINT_OK);
    cr_assert_eq(ixp_joint_marginal(cols, 0x35, &mc), IXP_JOINT_OK);
    cr_assert_eq(mp->n, mc->n);
    for (size_t s = 0; s < mp->n; s++) {
      cr_assert_eq(mp->p[s], mc->p[s]);
      for (int v = 0; v < mp->nvars; v++) cr_assert_eq(ixp_joint_code(mp, v, s), ixp_joint_code(mc, v, s));
    }
    double d = NAN;
    cr_assert_eq(ixp_joint_kl(j, cols, &d), IXP_JOINT_OK);
    cr_assert_eq(d, 0);
    ixp_joint_free(mp);
    ixp_joint_free(mc);
    ixp_joint_free(j);
    ixp_joint_free(cols);
  }
}

Test(joint_packed, push_is_for_column_joints) {
  IxpJoint *j = ixp_joint_new_packed(1, NAMES);
  uint32_t c = ixp_alphabet_code(&j->alpha[0], 1.0);
  cr_assert_eq(ixp_joint_push(j, &c, 1.0), IXP_JOINT_EVARS);
  cr_assert_eq(ixp_joint_reserve(j, 4), IXP_JOINT_EVARS);
  ixp_joint_free(j);
}

/* Odometer states of three bits and their parity t (as enumeration makes
 * them: t changes less often than the fastest bit): the entropy of all
 * four, which skips grouping, is the entropy of the eight probabilities;
 * with one state pushed twice, the two copies are merged. */
static IxpJoint *parity_joint(int repeat_last) {
  const double q[3] = {0.25, 1.0 / 3, 0.2};
  IxpJoint *j = ixp_joint_new(4, NAMES);
  cr_assert(j);
  for (int s = 0; s < 8 + repeat_last; s++) {
    int e = s < 8 ? s : 7;
    uint32_t c[4] = {(uint32_t)(e >> 2 & 1), (uint32_t)(e >> 1 & 1), (uint32_t)(e & 1), 0};
    double p = 1;
    for (int b = 0; b < 3; b++) {
      ixp_alphabet_code(&j->alpha[b], c[b]);
      p *= c[b] ? q[b] : 1 - q[b];
    }
    c[3] = ixp_alphabet_code(&j->alpha[3], (double)(c[0] ^ c[1] ^ c[2]));
    cr_assert_eq(ixp_joint_push(j, c, repeat_last && e == 7 ? p / 2 : p), IXP_JOINT_OK);
  }
  cr_assert_eq(ixp_joint_finish(j), IXP_JOINT_OK);
  return j;
}

Test(joint_packed, a_definition_among_odometer_states) {
  const double q[3] = {0.25, 1.0 / 3, 0.2};
  double want = 0;
  for (int b = 0; b < 3; b++) want -= q[b] * log(q[b]) + (1 - q[b]) * log(1 - q[b]);
  for (int rep = 0; rep < 2; rep++) {
    IxpJoint *j = parity_joint(rep);
    double h;
    cr_assert_eq(ixp_joint_entropy(j, 0xf, &h), IXP_JOINT_OK);
    cr_assert_float_eq(h, want, 1e-15, "H(a, b, c, t) = %.17g, want %.17g (repeat %d)", h, want, rep);
    cr_assert_eq(ixp_joint_entropy(j, 0x7, &h), IXP_JOINT_OK);
    cr_assert_float_eq(h, want, 1e-15, "H(a, b, c) = %.17g", h);
    ixp_joint_free(j);
  }
}
