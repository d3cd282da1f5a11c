/* joint.h — finite joint distributions stored by their support, and the
 * exact kernels on them (marginal entropy, KL divergence).
 *
 * A joint over `nvars` named variables keeps only states of non-zero
 * probability. Each variable has a finite sorted alphabet of real values;
 * a state stores one code (index into the alphabet) per variable, either
 * column by column (uint32 codes: datasets, tables, marginals) or packed:
 * every state's codes bit-packed into a key of `words` 64-bit words, each
 * variable in a field of just enough bits for its alphabet (enumerated
 * models: 16 bytes a state while the codes fit 64 bits). Kernels read both
 * alike. All entropies are returned in nats; callers convert units. */
#ifndef IXP_JOINT_H
#define IXP_JOINT_H

#include <stddef.h>
#include <stdint.h>

/* Status codes of the kernels; ixp_joint_status_text() gives a message. */
typedef enum {
  IXP_JOINT_OK = 0,
  IXP_JOINT_ENOMEM,      /* allocation failed */
  IXP_JOINT_ETOO_LARGE,  /* product of alphabet sizes overflows 64-bit keys */
  IXP_JOINT_EVARS,       /* variable sets of two joints differ */
  IXP_JOINT_EDUPLICATE,  /* two rows with the same values */
} IxpJointStatus;

/* The values a variable takes, built up in order of appearance and then
 * sorted. While building, codes are handed out by first appearance; once
 * finished, values are sorted ascending and codes renumbered. */
typedef struct {
  double *values;   /* card entries; sorted once finished */
  uint32_t card;
  uint32_t cap;
  uint32_t *slots;  /* open-addressing hash of value -> code (building) */
  uint32_t nslots;
} IxpAlphabet;

typedef struct IxpEntropyCache IxpEntropyCache;

/* Where a packed joint keeps a variable's code: bits [shift, shift + bits)
 * of word `word` of each state's key. A variable with one value takes no
 * bits (its code is always 0). */
typedef struct {
  uint32_t word;
  uint8_t shift, bits;
  uint8_t placed;         /* the variable has a field (its codes are stored) */
} IxpCodeField;

typedef struct {
  int nvars;
  char **names;           /* owned, NUL-terminated */
  IxpAlphabet *alpha;     /* nvars alphabets */
  size_t n;               /* number of support states */
  size_t cap;             /* allocated states per column */
  uint32_t **code;        /* column joints: code[v][s], v < nvars, s < n */
  IxpCodeField *field;    /* packed joints (else NULL): each variable's field */
  uint64_t *key;          /* packed: state s's codes in key[s * words .. + words) */
  int words;              /* packed: 64-bit words per state */
  double *p;              /* p[s] */
  IxpEntropyCache *cache; /* memoised marginal entropies by variable mask */
} IxpJoint;

/* Code of variable v in state s, for either layout. */
static inline uint32_t ixp_joint_code(const IxpJoint *j, int v, size_t s) {
  if (!j->field) return j->code[v][s];
  const IxpCodeField *f = &j->field[v];
  if (!f->bits) return 0;
  return (uint32_t)(j->key[s * (size_t)j->words + f->word] >> f->shift) & (uint32_t)((UINT64_C(1) << f->bits) - 1);
}

/* Create an empty joint (no states) over `nvars` variables named `names`
 * (copied). Returns NULL on allocation failure. */
IxpJoint *ixp_joint_new(int nvars, const char *const *names);
void ixp_joint_free(IxpJoint *j);

/* An empty packed joint (no states, no variable placed). Returns NULL on
 * allocation failure. */
IxpJoint *ixp_joint_new_packed(int nvars, const char *const *names);

/* Bits a field needs for codes below card (0 for card <= 1). */
int ixp_code_bits(uint32_t card);

/* Give variable v of a packed joint a field for codes below `card`: in the
 * last word if it has room, else in a new word. Returns the words a state
 * then takes; until ixp_joint_pack_grow has made them, v must not be read. */
int ixp_joint_place(IxpJoint *j, int v, uint32_t card);

/* Make a packed joint's arrays hold exactly n states of `words` words
 * (words >= j->words). When words grows, the j->n states are moved to the
 * new stride, their new words zeroed. Keeps j->n; realloc of large blocks
 * remaps pages, so the peak is the larger size, not both. */
IxpJointStatus ixp_joint_pack_grow(IxpJoint *j, size_t n, int words);

/* Bytes a packed joint of n states takes with `words` words a state. */
double ixp_joint_packed_bytes(double n, int words);

/* Code of `value` in alphabet `a`, adding it if new. Returns UINT32_MAX on
 * allocation failure. -0.0 and 0.0 are the same value. */
uint32_t ixp_alphabet_code(IxpAlphabet *a, double value);

/* Column joints only: make room for `n` states in every column (keeps
 * existing states). */
IxpJointStatus ixp_joint_reserve(IxpJoint *j, size_t n);

/* Column joints only: append a state, codes[v] for each variable,
 * probability p. */
IxpJointStatus ixp_joint_push(IxpJoint *j, const uint32_t *codes, double p);

/* Sort every alphabet ascending and renumber codes. Call once after all
 * states are pushed and before any kernel. */
IxpJointStatus ixp_joint_finish(IxpJoint *j);

/* After finish: find two states with identical codes on all variables.
 * Returns IXP_JOINT_EDUPLICATE and sets *first, *second (state indices in
 * push order, first < second) if there are any, else IXP_JOINT_OK. */
IxpJointStatus ixp_joint_find_duplicate(const IxpJoint *j, size_t *first, size_t *second);

/* Entropy in nats of the marginal onto the variables in `mask` (bit v set
 * for variable v; nvars <= 64). mask == 0 gives 0. Uses compensated
 * summation; memoised per joint. */
IxpJointStatus ixp_joint_entropy(IxpJoint *j, uint64_t mask, double *out);

/* The marginal onto `mask` as a new joint (variables in increasing index
 * order, states sorted by their codes, lexicographically). */
IxpJointStatus ixp_joint_marginal(const IxpJoint *j, uint64_t mask, IxpJoint **out);

/* The marginal onto vars[0..k) (ascending indices, k <= 64), as
 * ixp_joint_marginal: for joints of more variables than a mask names. */
IxpJointStatus ixp_joint_marginal_vars(const IxpJoint *j, const int *vars, int k, IxpJoint **out);

/* Kullback–Leibler divergence D(p || q) in nats. Both joints must have the
 * same variable names (in any order); states are matched by their values.
 * +INFINITY when p has support outside q's. */
IxpJointStatus ixp_joint_kl(const IxpJoint *p, const IxpJoint *q, double *out);

/* Index of variable `name`, or -1. */
int ixp_joint_var(const IxpJoint *j, const char *name);

/* Total probability (compensated sum). */
double ixp_joint_total(const IxpJoint *j);

const char *ixp_joint_status_text(IxpJointStatus s);

#endif
