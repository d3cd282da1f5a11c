/* joint.c — finite joint distributions stored by their support, and the
 * exact kernels on them: marginal entropy (memoised), marginals, KL
 * divergence and duplicate detection.
 *
 * Every kernel reduces to one step: group the states by their codes on some
 * columns and sum the probabilities of each group. The method depends on
 * the product R of the columns' alphabet sizes (the mixed-radix key range):
 *   - keys strictly ascending in push order: every state is its own group
 *     (checked in one pass; typical of enumerated or marginal joints);
 *   - R small (<= dense_limit): accumulate into R dense bins indexed by key;
 *   - R fits in 64 bits: radix-sort (key, element) pairs and merge runs;
 *   - R overflows: stable counting sort of the elements by each column,
 *     last column first, i.e. a lexicographic sort of the code tuples.
 * Groups come out in lexicographic order of their code tuples (in table
 * column order) either way. Kernels whose result does not depend on that
 * order first put the columns in locality order (locality_sort) so keys
 * follow the storage order. All probability sums use Neumaier compensated
 * summation. */
#include "joint.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "ksum.h"
#include "rng.h"

/* --- small utilities ------------------------------------------------------ */

/* malloc of n items of sz bytes; NULL on overflow; never asks for 0 bytes
 * so that a NULL result always means failure. */
static void *alloc(size_t n, size_t sz) {
  if (sz && n > SIZE_MAX / sz) return NULL;
  size_t bytes = n * sz;
  return malloc(bytes ? bytes : 1);
}

/* calloc counterpart of alloc(). */
static void *zalloc(size_t n, size_t sz) {
  return calloc(n ? n : 1, sz ? sz : 1);
}

/* Heap copy of a string. */
static char *copy_str(const char *s) {
  if (!s) return NULL;
  size_t len = strlen(s) + 1;
  char *c = malloc(len);
  if (c) memcpy(c, s, len);
  return c;
}



/* --- alphabets ------------------------------------------------------------ */

/* Bit pattern of a value, with -0.0 folded onto 0.0. */
static uint64_t bits_of(double x) {
  uint64_t b;
  if (x == 0.0) x = 0.0;
  memcpy(&b, &x, sizeof b);
  return b;
}

/* Unsigned key whose order is the numeric order of the doubles (NaNs go to
 * the ends), so sorting and searching need no float compares. */
static uint64_t order_key(double x) {
  uint64_t b = bits_of(x);
  return (b >> 63) ? ~b : b | (UINT64_C(1) << 63);
}

/* Slot holding the value with bits b, or the empty slot where it goes.
 * Slots store code + 1, so 0 marks an empty slot. */
static uint32_t probe(const IxpAlphabet *a, uint64_t b) {
  uint32_t m = a->nslots - 1, h = (uint32_t)ixp_mix64(b) & m;
  while (a->slots[h] && bits_of(a->values[a->slots[h] - 1]) != b) h = (h + 1) & m;
  return h;
}

/* Make room in the hash for one more value at load <= 1/2, (re)building it
 * from values[] — including after ixp_joint_finish freed it. */
static int ensure_slots(IxpAlphabet *a) {
  uint64_t need = 2 * ((uint64_t)a->card + 1), ns = 16;
  if (a->slots && need <= a->nslots) return 1;
  while (ns < need) ns *= 2;
  if (ns > (UINT64_C(1) << 31)) return 0;
  uint32_t *slots = calloc(ns, sizeof *slots);
  if (!slots) return 0;
  free(a->slots);
  a->slots = slots;
  a->nslots = (uint32_t)ns;
  for (uint32_t c = 0; c < a->card; c++) a->slots[probe(a, bits_of(a->values[c]))] = c + 1;
  return 1;
}

uint32_t ixp_alphabet_code(IxpAlphabet *a, double value) {
  uint64_t b = bits_of(value);
  if (!ensure_slots(a)) return UINT32_MAX;
  uint32_t h = probe(a, b);
  if (a->slots[h]) return a->slots[h] - 1;
  size_t cap = a->cap;  /* at most 2^31: ensure_slots keeps card below 2^30 */
  if (!ixp_grow_size(&a->values, &cap, (size_t)a->card + 1, sizeof *a->values)) return UINT32_MAX;
  a->cap = (uint32_t)cap;
  memcpy(&a->values[a->card], &b, sizeof b); /* stores -0.0 as 0.0 */
  a->slots[h] = a->card + 1;
  return a->card++;
}

/* Code of value in a, or UINT32_MAX if absent; does not modify a. Uses the
 * hash while building, else binary search of the sorted values. */
static uint32_t find_code(const IxpAlphabet *a, double value) {
  if (a->slots) {
    uint32_t h = probe(a, bits_of(value));
    return a->slots[h] ? a->slots[h] - 1 : UINT32_MAX;
  }
  uint64_t k = order_key(value);
  uint32_t lo = 0, hi = a->card;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (order_key(a->values[mid]) < k)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < a->card && order_key(a->values[lo]) == k ? lo : UINT32_MAX;
}

typedef struct {
  uint64_t key;
  uint32_t code;
} Rank;

/* qsort order of Rank by key. */
static int rank_cmp(const void *x, const void *y) {
  uint64_t a = ((const Rank *)x)->key, b = ((const Rank *)y)->key;
  return (a > b) - (a < b);
}

/* Sort a's values ascending; returns perm[old code] = new code (caller
 * frees), or NULL on allocation failure with a unchanged. */
static uint32_t *sort_alphabet(IxpAlphabet *a) {
  Rank *r = alloc(a->card, sizeof *r);
  uint32_t *perm = alloc(a->card, sizeof *perm);
  double *v = alloc(a->cap, sizeof *v);
  if (!r || !perm || !v) {
    free(r);
    free(perm);
    free(v);
    return NULL;
  }
  for (uint32_t c = 0; c < a->card; c++) r[c] = (Rank){order_key(a->values[c]), c};
  qsort(r, a->card, sizeof *r, rank_cmp);
  for (uint32_t i = 0; i < a->card; i++) {
    v[i] = a->values[r[i].code];
    perm[r[i].code] = i;
  }
  free(r);
  free(a->values);
  a->values = v;
  return perm;
}

/* Whether perm is the identity on n codes (column renumbering skippable). */
static int is_identity(const uint32_t *perm, uint32_t n) {
  for (uint32_t c = 0; c < n; c++)
    if (perm[c] != c) return 0;
  return 1;
}

/* --- entropy cache: open-addressing map mask -> entropy ------------------- */

struct IxpEntropyCache {
  uint64_t *mask; /* 0 marks an empty slot (mask 0 is never stored) */
  double *h;
  size_t cap;     /* power of two */
  size_t count;
};

/* Slot holding mask, or the empty slot where it goes. */
static size_t cache_slot(const IxpEntropyCache *c, uint64_t mask) {
  size_t m = c->cap - 1, i = (size_t)ixp_mix64(mask) & m;
  while (c->mask[i] && c->mask[i] != mask) i = (i + 1) & m;
  return i;
}

/* Look mask up; returns 1 and sets *h if it is cached. */
static int cache_get(const IxpEntropyCache *c, uint64_t mask, double *h) {
  if (!c || !c->count) return 0;
  size_t i = cache_slot(c, mask);
  if (!c->mask[i]) return 0;
  *h = c->h[i];
  return 1;
}

/* Double the cache's table (16 slots at first) and rehash. */
static int cache_grow(IxpEntropyCache *c) {
  size_t cap = c->cap ? 2 * c->cap : 16;
  IxpEntropyCache n = {zalloc(cap, sizeof *n.mask), alloc(cap, sizeof *n.h), cap, 0};
  if (!n.mask || !n.h) {
    free(n.mask);
    free(n.h);
    return 0;
  }
  for (size_t i = 0; i < c->cap; i++) {
    if (!c->mask[i]) continue;
    size_t s = cache_slot(&n, c->mask[i]);
    n.mask[s] = c->mask[i];
    n.h[s] = c->h[i];
    n.count++;
  }
  free(c->mask);
  free(c->h);
  *c = n;
  return 1;
}

/* Memoise h for mask. Failure to allocate only loses the memo. */
static void cache_put(IxpJoint *j, uint64_t mask, double h) {
  if (!j->cache && !(j->cache = calloc(1, sizeof *j->cache))) return;
  IxpEntropyCache *c = j->cache;
  if (2 * (c->count + 1) > c->cap && !cache_grow(c)) return;
  size_t i = cache_slot(c, mask);
  if (!c->mask[i]) c->count++;
  c->mask[i] = mask;
  c->h[i] = h;
}

/* Forget every entry (the states changed). */
static void cache_clear(IxpEntropyCache *c) {
  if (!c || !c->count) return;
  memset(c->mask, 0, c->cap * sizeof *c->mask);
  c->count = 0;
}

static void cache_free(IxpEntropyCache *c) {
  if (!c) return;
  free(c->mask);
  free(c->h);
  free(c);
}

/* --- joints: construction ------------------------------------------------- */

IxpJoint *ixp_joint_new(int nvars, const char *const *names) {
  if (nvars < 0 || (nvars > 0 && !names)) return NULL;
  IxpJoint *j = calloc(1, sizeof *j);
  if (!j) return NULL;
  j->nvars = nvars;
  j->names = zalloc((size_t)nvars, sizeof *j->names);
  j->alpha = zalloc((size_t)nvars, sizeof *j->alpha);
  j->code = zalloc((size_t)nvars, sizeof *j->code);
  if (!j->names || !j->alpha || !j->code) {
    ixp_joint_free(j);
    return NULL;
  }
  for (int v = 0; v < nvars; v++) {
    if (!(j->names[v] = copy_str(names[v]))) {
      ixp_joint_free(j);
      return NULL;
    }
  }
  return j;
}

IxpJoint *ixp_joint_new_packed(int nvars, const char *const *names) {
  IxpJoint *j = ixp_joint_new(nvars, names);
  if (!j) return NULL;
  free(j->code);
  j->code = NULL;
  if (!(j->field = zalloc((size_t)nvars, sizeof *j->field))) {
    ixp_joint_free(j);
    return NULL;
  }
  return j;
}

int ixp_code_bits(uint32_t card) { return card <= 1 ? 0 : 32 - __builtin_clz(card - 1); }

int ixp_joint_place(IxpJoint *j, int v, uint32_t card) {
  int bits = ixp_code_bits(card), words = 0, used = 0;
  for (int u = 0; u < j->nvars; u++) {  /* the words of the fields placed so far */
    const IxpCodeField *f = &j->field[u];
    if (!f->bits) continue;
    if ((int)f->word + 1 > words) words = (int)f->word + 1, used = 0;
    if ((int)f->word + 1 == words && f->shift + f->bits > used) used = f->shift + f->bits;
  }
  IxpCodeField *f = &j->field[v];
  *f = (IxpCodeField){.placed = 1};
  if (!bits) return words > j->words ? words : j->words;
  if (words == 0 || used + bits > 64) words++, used = 0;
  *f = (IxpCodeField){(uint32_t)(words - 1), (uint8_t)used, (uint8_t)bits, 1};
  return words > j->words ? words : j->words;
}

IxpJointStatus ixp_joint_pack_grow(IxpJoint *j, size_t n, int words) {
  size_t W = (size_t)words, old = (size_t)j->words;
  if (n < j->n) n = j->n;
  if (W && n > SIZE_MAX / W) return IXP_JOINT_ENOMEM;
  if (W && !ixp_resize(&j->key, n * W, sizeof *j->key)) return IXP_JOINT_ENOMEM;
  if (!ixp_resize(&j->p, n, sizeof *j->p)) return IXP_JOINT_ENOMEM;
  if (W > old)  /* last state first: new positions never overlap unread old ones */
    for (size_t s = j->n; s-- > 0;) {
      for (size_t w = W; w-- > old;) j->key[s * W + w] = 0;
      for (size_t w = old; w-- > 0;) j->key[s * W + w] = j->key[s * old + w];
    }
  j->words = words;
  j->cap = n;
  return IXP_JOINT_OK;
}

double ixp_joint_packed_bytes(double n, int words) { return n * (8.0 * words + 8.0); }

void ixp_joint_free(IxpJoint *j) {
  if (!j) return;
  for (int v = 0; v < j->nvars; v++) {
    if (j->names) free(j->names[v]);
    if (j->alpha) {
      free(j->alpha[v].values);
      free(j->alpha[v].slots);
    }
    if (j->code) free(j->code[v]);
  }
  free(j->names);
  free(j->alpha);
  free(j->code);
  free(j->field);
  free(j->key);
  free(j->p);
  cache_free(j->cache);
  free(j);
}

IxpJointStatus ixp_joint_reserve(IxpJoint *j, size_t n) {
  if (j->field) return IXP_JOINT_EVARS;
  if (n <= j->cap) return IXP_JOINT_OK;
  /* Columns grown before a failure just stay larger; cap stays valid. */
  for (int v = 0; v < j->nvars; v++)
    if (!ixp_resize(&j->code[v], n, sizeof *j->code[v])) return IXP_JOINT_ENOMEM;
  if (!ixp_resize(&j->p, n, sizeof *j->p)) return IXP_JOINT_ENOMEM;
  j->cap = n;
  return IXP_JOINT_OK;
}

/* Codes must come from the variables' alphabets; a code outside one is
 * rejected with IXP_JOINT_EVARS (the header has no "invalid argument"). */
IxpJointStatus ixp_joint_push(IxpJoint *j, const uint32_t *codes, double p) {
  if (j->field) return IXP_JOINT_EVARS;
  for (int v = 0; v < j->nvars; v++)
    if (codes[v] >= j->alpha[v].card) return IXP_JOINT_EVARS;
  if (j->n == j->cap) {
    IxpJointStatus st = ixp_joint_reserve(j, j->cap ? 2 * j->cap : 16);
    if (st != IXP_JOINT_OK) return st;
  }
  for (int v = 0; v < j->nvars; v++) j->code[v][j->n] = codes[v];
  j->p[j->n++] = p;
  cache_clear(j->cache);
  return IXP_JOINT_OK;
}

/* Renumber variable v's codes in every state by perm. */
static void renumber(IxpJoint *j, int v, const uint32_t *perm) {
  if (!j->field) {
    for (size_t s = 0; s < j->n; s++) j->code[v][s] = perm[j->code[v][s]];
    return;
  }
  const IxpCodeField *f = &j->field[v];
  if (!f->bits) return;
  uint64_t mask = ((UINT64_C(1) << f->bits) - 1) << f->shift, *k = j->key + f->word;
  size_t W = (size_t)j->words;
  for (size_t s = 0; s < j->n; s++, k += W)
    *k = (*k & ~mask) | (uint64_t)perm[(*k & mask) >> f->shift] << f->shift;
}

/* Sorting changes codes but no entropy, so the cache stays valid. */
IxpJointStatus ixp_joint_finish(IxpJoint *j) {
  for (int v = 0; v < j->nvars; v++) {
    IxpAlphabet *a = &j->alpha[v];
    uint32_t *perm = sort_alphabet(a);
    if (!perm) return IXP_JOINT_ENOMEM;
    if (!is_identity(perm, a->card)) renumber(j, v, perm);
    free(perm);
    free(a->slots); /* rebuilt on demand by ixp_alphabet_code */
    a->slots = NULL;
    a->nslots = 0;
  }
  return IXP_JOINT_OK;
}

int ixp_joint_var(const IxpJoint *j, const char *name) {
  for (int v = 0; v < j->nvars; v++)
    if (strcmp(j->names[v], name) == 0) return v;
  return -1;
}

double ixp_joint_total(const IxpJoint *j) {
  IxpKSum a = {0, 0};
  for (size_t s = 0; s < j->n; s++) ixp_ksum_add(&a, j->p[s]);
  return ixp_ksum_value(a);
}

const char *ixp_joint_status_text(IxpJointStatus s) {
  switch (s) {
  case IXP_JOINT_OK: return "ok";
  case IXP_JOINT_ENOMEM: return "out of memory";
  case IXP_JOINT_ETOO_LARGE: return "joint too large for 64-bit keys";
  case IXP_JOINT_EVARS: return "variables do not match";
  case IXP_JOINT_EDUPLICATE: return "two states have the same values";
  }
  return "unknown joint status";
}

/* --- tables: the columns a kernel groups by ------------------------------- */

/* A column of codes as a kernel reads it: a joint's uint32 column, or one
 * variable's field of a packed joint's keys. */
typedef struct {
  const uint32_t *codes; /* column joints, else NULL */
  const uint64_t *key;   /* packed: the variable's word of state 0 */
  size_t stride;         /* packed: words per state */
  unsigned shift;
  uint32_t mask;
} Col;

/* Variable v of j as a column. */
static Col col_of(const IxpJoint *j, int v) {
  if (!j->field) return (Col){.codes = j->code[v]};
  const IxpCodeField *f = &j->field[v];
  if (!f->bits) return (Col){.key = NULL};
  return (Col){NULL, j->key + f->word, (size_t)j->words, f->shift, (uint32_t)((UINT64_C(1) << f->bits) - 1)};
}

static inline uint32_t col_code(const Col *c, size_t s) {
  if (c->codes) return c->codes[s];
  return c->key ? (uint32_t)(c->key[s * c->stride] >> c->shift) & c->mask : 0;
}

/* Codes of states [i, i + len) of a column: in place for a column joint,
 * else unpacked into buf (len entries). */
static inline const uint32_t *col_block(const Col *c, size_t i, size_t len, uint32_t *buf) {
  if (c->codes) return c->codes + i;
  if (!c->key) {
    memset(buf, 0, len * sizeof *buf);
    return buf;
  }
  const uint64_t *k = c->key + i * c->stride;
  for (size_t b = 0; b < len; b++) buf[b] = (uint32_t)(k[b * c->stride] >> c->shift) & c->mask;
  return buf;
}

/* One joint's side of a table: columns of codes, optionally translated by
 * per-column maps into the table's code space, and the probabilities. */
typedef struct {
  Col *col;             /* k columns of n codes */
  uint32_t **map;       /* NULL, or k maps (KL: p's codes -> q's codes) */
  uint32_t *nmap;       /* entries of each map */
  const double *p;
  size_t n;
} Part;

/* k columns with radices card[], drawn from one or two joints. Element e
 * (0 <= e < N) is state e of part 0, then state e - part[0].n of part 1. */
typedef struct {
  int k;
  uint32_t *card;
  int nparts;
  Part part[2];
  size_t N;
} Table;

/* Allocate a table's arrays (maps are added by the caller if needed). */
static IxpJointStatus table_alloc(Table *T, int k, int nparts) {
  memset(T, 0, sizeof *T);
  T->k = k;
  T->nparts = nparts;
  T->card = zalloc((size_t)k, sizeof *T->card);
  for (int q = 0; q < nparts; q++) T->part[q].col = zalloc((size_t)k, sizeof *T->part[q].col);
  if (!T->card || !T->part[0].col || (nparts > 1 && !T->part[1].col)) return IXP_JOINT_ENOMEM;
  return IXP_JOINT_OK;
}

static void table_free(Table *T) {
  for (int q = 0; q < T->nparts; q++) {
    Part *P = &T->part[q];
    if (P->map)
      for (int t = 0; t < T->k; t++) free(P->map[t]);
    free(P->map);
    free(P->nmap);
    free(P->col);
  }
  free(T->card);
}

/* Table over variables vars[0..k) of j, in that order. */
static IxpJointStatus joint_table(const IxpJoint *j, const int *vars, int k, Table *T) {
  IxpJointStatus st = table_alloc(T, k, 1);
  if (st != IXP_JOINT_OK) return st;
  for (int t = 0; t < k; t++) {
    T->part[0].col[t] = col_of(j, vars[t]);
    T->card[t] = j->alpha[vars[t]].card;
  }
  T->part[0].p = j->p;
  T->part[0].n = T->N = j->n;
  return IXP_JOINT_OK;
}

/* Bits of the variables j has (masks can name at most 64). */
static uint64_t all_vars(const IxpJoint *j) {
  return j->nvars >= 64 ? UINT64_MAX : (UINT64_C(1) << j->nvars) - 1;
}

/* Indices of the variables in mask, ascending; returns how many. */
static int mask_vars(const IxpJoint *j, uint64_t mask, int *vars) {
  int k = 0;
  mask &= all_vars(j);
  for (int v = 0; v < 64; v++)
    if (mask >> v & 1) vars[k++] = v;
  return k;
}

/* How a column varies along the states, for locality_sort(). */
typedef struct {
  size_t chg;   /* changes between consecutive codes in the first states */
  size_t first; /* index of the first change anywhere (n if constant) */
  int pos, var;
} Loc;

/* Slowest-varying first: fewest early changes, then latest first change,
 * then original position (so the order is total and stable). */
static int loc_cmp(const void *x, const void *y) {
  const Loc *a = x, *b = y;
  if (a->chg != b->chg) return a->chg < b->chg ? -1 : 1;
  if (a->first != b->first) return a->first > b->first ? -1 : 1;
  return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Reorder vars[0..k) slowest-varying first, i.e. most significant in
 * keys. For joints enumerated odometer-style, in any variable order, keys
 * then ascend in push order: dense bins are walked sequentially and
 * distinct_sorted() can skip grouping altogether. Costs O(k * 4096) plus
 * the scan to each column's first change. Only for kernels whose result
 * does not depend on column order; a heuristic, so allocation failure
 * just keeps the given order. */
/* Odometer order: latest first change first; of a draw and a function of
 * it (both first change together), the one changing more often leads. */
static int odometer_cmp(const void *x, const void *y) {
  const Loc *a = x, *b = y;
  if (a->first != b->first) return a->first > b->first ? -1 : 1;
  if (a->chg != b->chg) return a->chg > b->chg ? -1 : 1;
  return (a->pos > b->pos) - (a->pos < b->pos);
}

static void locality_sort_by(const IxpJoint *j, int *vars, int k, int (*cmp)(const void *, const void *)) {
  size_t n = j->n, head = n < 4096 ? n : 4096;
  Loc *l = alloc((size_t)k, sizeof *l);
  if (!l) return;
  for (int t = 0; t < k; t++) {
    Col c = col_of(j, vars[t]);
    size_t s = 1, chg = 0;
    while (s < n && col_code(&c, s) == col_code(&c, s - 1)) s++;
    for (size_t i = 1; i < head; i++) chg += col_code(&c, i) != col_code(&c, i - 1);
    l[t] = (Loc){chg, s, t, vars[t]};
  }
  qsort(l, (size_t)k, sizeof *l, cmp);
  for (int t = 0; t < k; t++) vars[t] = l[t].var;
  free(l);
}

static void locality_sort(const IxpJoint *j, int *vars, int k) { locality_sort_by(j, vars, k, loc_cmp); }

/* Code of element e in column t. */
static inline uint32_t code_at(const Table *T, size_t e, int t) {
  const Part *P = &T->part[0];
  if (e >= P->n) {
    e -= P->n;
    P = &T->part[1];
  }
  uint32_t c = col_code(&P->col[t], e);
  return P->map ? P->map[t][c] : c;
}

/* Add the probability of element e to its part's sum in acc[]. */
static inline void add_elem(const Table *T, size_t e, IxpKSum *acc) {
  if (e < T->part[0].n)
    ixp_ksum_add(&acc[0], T->part[0].p[e]);
  else
    ixp_ksum_add(&acc[1], T->part[1].p[e - T->part[0].n]);
}

/* Whether elements a and b have the same codes in every column. */
static int same_tuple(const Table *T, size_t a, size_t b) {
  for (int t = 0; t < T->k; t++)
    if (code_at(T, a, t) != code_at(T, b, t)) return 0;
  return 1;
}

/* Product of the radices into *R; returns 0 if it overflows 64 bits. */
static int radix(const Table *T, uint64_t *R) {
  uint64_t r = 1;
  for (int t = 0; t < T->k; t++) {
    if (T->card[t] && r > UINT64_MAX / T->card[t]) return 0;
    r *= T->card[t];
  }
  *R = r;
  return 1;
}

/* Largest R worth dense bins for N elements: the bins then take about the
 * memory of sorting N (key, element) pairs; a floor serves tiny joints. */
static uint64_t dense_limit(size_t N) {
  uint64_t l = 2 * (uint64_t)N;
  return l > 65536 ? l : 65536;
}

enum { BLOCK = 512 }; /* keys computed per batch: stays in L1 */

/* key = key * r + c over one column, as a shift when r = 2^sh (binary
 * variables above all). Inlined with len == BLOCK, the loops vectorise. */
static inline void key_step(uint64_t *key, const uint32_t *c, const uint32_t *m, uint64_t r,
                            int sh, size_t len) {
  if (m)
    for (size_t b = 0; b < len; b++) key[b] = key[b] * r + m[c[b]];
  else if (r == UINT64_C(1) << sh)
    for (size_t b = 0; b < len; b++) key[b] = key[b] << sh | c[b];
  else
    for (size_t b = 0; b < len; b++) key[b] = key[b] * r + c[b];
}

/* Mixed-radix keys (first column most significant, so key order is the
 * lexicographic order of code tuples) of states [i, i + len) of part P. */
static void part_keys(const Table *T, const Part *P, size_t i, size_t len, uint64_t *key) {
  uint32_t buf[BLOCK];
  memset(key, 0, len * sizeof *key);
  for (int t = 0; t < T->k; t++) {
    const uint32_t *c = col_block(&P->col[t], i, len, buf), *m = P->map ? P->map[t] : NULL;
    uint64_t r = T->card[t];
    int sh = __builtin_ctzll(r | UINT64_C(1) << 63);
    if (len == BLOCK)
      key_step(key, c, m, r, sh, BLOCK);
    else
      key_step(key, c, m, r, sh, len);
  }
}

/* --- grouping ------------------------------------------------------------- */

/* Merged probabilities, per part, of the distinct code tuples of a table,
 * in lexicographic order. Groups whose sums are all zero are dropped. */
typedef struct {
  size_t m;
  double *sum[2];
  size_t *rep; /* one element of each group, when asked for */
} Groups;

static IxpJointStatus groups_alloc(Groups *G, int nparts, size_t cap, int want_rep) {
  memset(G, 0, sizeof *G);
  for (int q = 0; q < nparts; q++)
    if (!(G->sum[q] = alloc(cap, sizeof *G->sum[q]))) return IXP_JOINT_ENOMEM;
  if (want_rep && !(G->rep = alloc(cap, sizeof *G->rep))) return IXP_JOINT_ENOMEM;
  return IXP_JOINT_OK;
}

static void groups_free(Groups *G) {
  free(G->sum[0]);
  free(G->sum[1]);
  free(G->rep);
}

/* Append a group with sums acc[] and representative rep, unless all zero. */
static void emit(Groups *G, int nparts, const IxpKSum *acc, size_t rep) {
  int keep = 0;
  for (int q = 0; q < nparts; q++) keep |= ixp_ksum_value(acc[q]) != 0;
  if (!keep) return;
  for (int q = 0; q < nparts; q++) G->sum[q][G->m] = ixp_ksum_value(acc[q]);
  if (G->rep) G->rep[G->m] = rep;
  G->m++;
}

enum { LANES = 8 };

/* Partial bins per key: with few keys, long runs of equal keys would make
 * one chain of dependent adds through memory, so small R gets LANES
 * partial sums per key, filled round-robin, merged at read-out. */
static size_t lanes_for(size_t R) { return R <= 256 ? LANES : 1; }

/* Accumulate every element into bin[((part * R) + key) * lanes + lane];
 * rep[key] gets the first element seen with that key. */
static void fill_bins(const Table *T, size_t R, size_t lanes, IxpKSum *bin, size_t *rep) {
  uint64_t key[BLOCK];
  size_t off = 0;
  for (int q = 0; q < T->nparts; q++) {
    const Part *P = &T->part[q];
    IxpKSum *b = bin + (size_t)q * R * lanes;
    for (size_t i = 0; i < P->n; i += BLOCK) {
      size_t len = P->n - i < BLOCK ? P->n - i : BLOCK;
      part_keys(T, P, i, len, key);
      for (size_t x = 0; x < len; x++) ixp_ksum_add(&b[key[x] * lanes + (x & (lanes - 1))], P->p[i + x]);
      if (rep)
        for (size_t x = 0; x < len; x++)
          if (rep[key[x]] == SIZE_MAX) rep[key[x]] = off + i + x;
    }
    off += P->n;
  }
}

/* The lanes of one key merged into one compensated sum. */
static IxpKSum lane_sum(const IxpKSum *b, size_t lanes) {
  IxpKSum a = b[0];
  for (size_t l = 1; l < lanes; l++) {
    ixp_ksum_add(&a, b[l].s);
    ixp_ksum_add(&a, b[l].c);
  }
  return a;
}

/* Groups by dense bins, read out in key order. */
static IxpJointStatus dense_groups(const Table *T, size_t R, int want_rep, Groups *G) {
  int np = T->nparts;
  size_t lanes = lanes_for(R), *rep = want_rep ? alloc(R, sizeof *rep) : NULL;
  IxpKSum *bin = zalloc((size_t)np * R * lanes, sizeof *bin);
  if (!bin || (want_rep && !rep)) {
    free(bin);
    free(rep);
    return IXP_JOINT_ENOMEM;
  }
  if (rep) memset(rep, 0xff, R * sizeof *rep);
  fill_bins(T, R, lanes, bin, rep);
  IxpJointStatus st = groups_alloc(G, np, R < T->N ? R : T->N, want_rep);
  for (size_t k = 0; k < R && st == IXP_JOINT_OK; k++) {
    IxpKSum acc[2] = {lane_sum(bin + k * lanes, lanes), {0, 0}};
    if (np > 1) acc[1] = lane_sum(bin + (R + k) * lanes, lanes);
    emit(G, np, acc, rep ? rep[k] : 0);
  }
  free(bin);
  free(rep);
  return st;
}

/* Elements in grouped order; start[i] says order[i] opens a new group.
 * Within a group elements are ascending (both sorts are stable). */
typedef struct {
  size_t *order;
  unsigned char *start;
} Runs;

static void runs_free(Runs *r) {
  free(r->order);
  free(r->start);
}

typedef struct {
  uint64_t key;
  size_t e;
} Pair;

/* Stable LSD radix sort of n pairs on the low `bits` bits of their keys,
 * 8 bits a pass, skipping passes where all keys share the digit. Returns
 * whichever of a and tmp holds the result. */
static Pair *radix_sort(Pair *a, Pair *tmp, size_t n, int bits) {
  for (int sh = 0; sh < bits; sh += 8) {
    size_t cnt[256] = {0}, pos = 0;
    for (size_t i = 0; i < n; i++) cnt[a[i].key >> sh & 255]++;
    if (cnt[a[0].key >> sh & 255] == n) continue;
    for (int d = 0; d < 256; d++) {
      size_t c = cnt[d];
      cnt[d] = pos;
      pos += c;
    }
    for (size_t i = 0; i < n; i++) tmp[cnt[a[i].key >> sh & 255]++] = a[i];
    Pair *s = a;
    a = tmp;
    tmp = s;
  }
  return a;
}

/* Runs by radix-sorting (key, element) pairs; R (>= 1) fits in 64 bits. */
static IxpJointStatus key_runs(const Table *T, uint64_t R, Runs *r) {
  size_t N = T->N, off = 0;
  Pair *a = alloc(N, sizeof *a), *tmp = alloc(N, sizeof *tmp);
  r->order = alloc(N, sizeof *r->order);
  r->start = alloc(N, 1);
  if (!a || !tmp || !r->order || !r->start) {
    free(a);
    free(tmp);
    return IXP_JOINT_ENOMEM;
  }
  uint64_t key[BLOCK];
  for (int q = 0; q < T->nparts; q++) {
    const Part *P = &T->part[q];
    for (size_t i = 0; i < P->n; i += BLOCK) {
      size_t len = P->n - i < BLOCK ? P->n - i : BLOCK;
      part_keys(T, P, i, len, key);
      for (size_t x = 0; x < len; x++) a[off + i + x] = (Pair){key[x], off + i + x};
    }
    off += P->n;
  }
  Pair *s = radix_sort(a, tmp, N, R > 1 ? 64 - __builtin_clzll(R - 1) : 0);
  for (size_t i = 0; i < N; i++) {
    r->order[i] = s[i].e;
    r->start[i] = i == 0 || s[i].key != s[i - 1].key;
  }
  free(a);
  free(tmp);
  return IXP_JOINT_OK;
}

/* One stable counting-sort pass of src[] by column t into dst[]. */
static void count_pass(const Table *T, int t, const size_t *src, size_t *dst, uint32_t *code,
                       size_t *cnt) {
  size_t N = T->N;
  memset(cnt, 0, ((size_t)T->card[t] + 1) * sizeof *cnt);
  for (size_t i = 0; i < N; i++) cnt[(code[i] = code_at(T, src[i], t)) + 1]++;
  for (uint32_t c = 1; c <= T->card[t]; c++) cnt[c] += cnt[c - 1];
  for (size_t i = 0; i < N; i++) dst[cnt[code[i]]++] = src[i];
}

/* Runs by sorting code tuples lexicographically: stable counting sorts by
 * each column, last first. The fallback when R overflows 64 bits; costs
 * O(k (N + card)) and never fails for size reasons. */
static IxpJointStatus tuple_runs(const Table *T, Runs *r) {
  size_t N = T->N, maxc = 0;
  for (int t = 0; t < T->k; t++) maxc = T->card[t] > maxc ? T->card[t] : maxc;
  size_t *tmp = alloc(N, sizeof *tmp), *cnt = alloc(maxc + 1, sizeof *cnt);
  uint32_t *code = alloc(N, sizeof *code);
  r->order = alloc(N, sizeof *r->order);
  r->start = alloc(N, 1);
  IxpJointStatus st = IXP_JOINT_ENOMEM;
  if (tmp && cnt && code && r->order && r->start) {
    for (size_t i = 0; i < N; i++) r->order[i] = i;
    for (int t = T->k - 1; t >= 0; t--) {
      count_pass(T, t, r->order, tmp, code, cnt);
      size_t *s = r->order;
      r->order = tmp;
      tmp = s;
    }
    for (size_t i = 0; i < N; i++)
      r->start[i] = i == 0 || !same_tuple(T, r->order[i - 1], r->order[i]);
    st = IXP_JOINT_OK;
  }
  free(tmp);
  free(cnt);
  free(code);
  return st;
}

/* Runs of equal code tuples, by sorting keys or, on overflow, tuples. */
static IxpJointStatus sorted_runs(const Table *T, Runs *r) {
  uint64_t R;
  memset(r, 0, sizeof *r);
  return radix(T, &R) ? key_runs(T, R, r) : tuple_runs(T, r);
}

/* IxpKSum each run into a group. */
static IxpJointStatus runs_groups(const Table *T, const Runs *r, int want_rep, Groups *G) {
  IxpJointStatus st = groups_alloc(G, T->nparts, T->N, want_rep);
  IxpKSum acc[2] = {{0, 0}, {0, 0}};
  size_t first = 0;
  for (size_t i = 0; i < T->N && st == IXP_JOINT_OK; i++) {
    if (r->start[i]) {
      if (i) emit(G, T->nparts, acc, first);
      acc[0] = acc[1] = (IxpKSum){0, 0};
      first = r->order[i];
    }
    add_elem(T, r->order[i], acc);
  }
  if (T->N && st == IXP_JOINT_OK) emit(G, T->nparts, acc, first);
  return st;
}

/* Whether part 0's states are distinct and already in key order, i.e. their
 * keys strictly ascend in push order (R must fit in 64 bits): then each
 * state is its own group and grouping can be skipped. Stops at the first
 * block with a descent, so unsorted joints pay little. */
static int distinct_sorted(const Table *T) {
  uint64_t R, key[BLOCK], prev = 0;
  const Part *P = &T->part[0];
  if (!radix(T, &R)) return 0;
  for (size_t i = 0; i < P->n; i += BLOCK) {
    size_t len = P->n - i < BLOCK ? P->n - i : BLOCK;
    part_keys(T, P, i, len, key);
    for (size_t x = 0; x < len; x++) {
      if (i + x > 0 && key[x] <= prev) return 0;
      prev = key[x];
    }
  }
  return 1;
}

/* Groups of a one-part table whose states are all distinct and sorted. */
static IxpJointStatus state_groups(const Table *T, int want_rep, Groups *G) {
  IxpJointStatus st = groups_alloc(G, 1, T->N, want_rep);
  for (size_t s = 0; s < T->N && st == IXP_JOINT_OK; s++) {
    IxpKSum acc[1] = {{T->part[0].p[s], 0}};
    emit(G, 1, acc, s);
  }
  return st;
}

/* Group the elements of T by code tuple, choosing the method by R. */
static IxpJointStatus group(const Table *T, int want_rep, Groups *G) {
  uint64_t R = 0;
  int fits = radix(T, &R);
  memset(G, 0, sizeof *G);
  if (T->N == 0 || (fits && R == 0)) return IXP_JOINT_OK; /* no states */
  if (fits && R <= dense_limit(T->N)) return dense_groups(T, (size_t)R, want_rep, G);
  Runs r;
  IxpJointStatus st = sorted_runs(T, &r);
  if (st == IXP_JOINT_OK) st = runs_groups(T, &r, want_rep, G);
  runs_free(&r);
  return st;
}

/* --- entropy -------------------------------------------------------------- */

/* -sum p log p over merged probabilities, skipping p == 0. A run of equal
 * probabilities (common in structured joints) reuses the last log. */
static double entropy_of(const double *p, size_t m) {
  IxpKSum a = {0, 0};
  double last = 1, lg = 0; /* log(1) */
  for (size_t g = 0; g < m; g++) {
    if (p[g] == 0) continue;
    if (p[g] != last) {
      last = p[g];
      lg = log(last);
    }
    ixp_ksum_add(&a, -p[g] * lg);
  }
  return ixp_ksum_value(a);
}

/* Whether the states are distinct and ascending in odometer order of
 * vars: an enumerated joint with a definition among them (a function of
 * its draws, changing less often than the fastest one) fails the
 * locality order's test but passes this one, and needs no bins. */
static bool odometer_distinct(const IxpJoint *j, const int *vars, int k) {
  int odo[64];
  memcpy(odo, vars, (size_t)k * sizeof *odo);
  locality_sort_by(j, odo, k, odometer_cmp);
  Table U;
  if (!memcmp(odo, vars, (size_t)k * sizeof *odo) || joint_table(j, odo, k, &U) != IXP_JOINT_OK) return false;
  bool distinct = distinct_sorted(&U);
  table_free(&U);
  return distinct;
}

/* Bits of mask beyond nvars are ignored. */
IxpJointStatus ixp_joint_entropy(IxpJoint *j, uint64_t mask, double *out) {
  int vars[64], k = mask_vars(j, mask, vars);
  mask &= all_vars(j);
  if (k == 0) {
    *out = 0;
    return IXP_JOINT_OK;
  }
  if (cache_get(j->cache, mask, out)) return IXP_JOINT_OK;
  locality_sort(j, vars, k);
  Table T;
  Groups G = {0};
  IxpJointStatus st = joint_table(j, vars, k, &T);
  bool distinct = st == IXP_JOINT_OK && (distinct_sorted(&T) || odometer_distinct(j, vars, k));
  if (distinct)
    *out = entropy_of(j->p, j->n);
  else if (st == IXP_JOINT_OK && (st = group(&T, 0, &G)) == IXP_JOINT_OK)
    *out = entropy_of(G.sum[0], G.m);
  table_free(&T);
  if (st == IXP_JOINT_OK) cache_put(j, mask, *out);
  groups_free(&G);
  return st;
}

/* --- marginal ------------------------------------------------------------- */

/* Give dst only the values of src used in col[0..m), renumbering col so
 * codes keep src's (sorted) order. */
static IxpJointStatus shrink_alphabet(IxpAlphabet *dst, const IxpAlphabet *src, uint32_t *col,
                                      size_t m) {
  uint32_t *rank = alloc(src->card, sizeof *rank), card = 0;
  if (!rank) return IXP_JOINT_ENOMEM;
  memset(rank, 0xff, src->card * sizeof *rank);
  for (size_t g = 0; g < m; g++) rank[col[g]] = 0;
  for (uint32_t c = 0; c < src->card; c++)
    if (rank[c] != UINT32_MAX) rank[c] = card++;
  if (!(dst->values = alloc(card, sizeof *dst->values))) {
    free(rank);
    return IXP_JOINT_ENOMEM;
  }
  for (uint32_t c = 0; c < src->card; c++)
    if (rank[c] != UINT32_MAX) dst->values[rank[c]] = src->values[c];
  dst->card = dst->cap = card;
  for (size_t g = 0; g < m; g++) col[g] = rank[col[g]];
  free(rank);
  return IXP_JOINT_OK;
}

/* The finished joint holding groups G of table T over j's vars[0..k). */
static IxpJointStatus build_marginal(const IxpJoint *j, const int *vars, int k, const Table *T,
                                     const Groups *G, IxpJoint **out) {
  const char *names[64];
  for (int t = 0; t < k; t++) names[t] = j->names[vars[t]];
  IxpJoint *m = ixp_joint_new(k, names);
  if (!m) return IXP_JOINT_ENOMEM;
  IxpJointStatus st = ixp_joint_reserve(m, G->m);
  for (int t = 0; t < k && st == IXP_JOINT_OK; t++) {
    for (size_t g = 0; g < G->m; g++) m->code[t][g] = code_at(T, G->rep[g], t);
    st = shrink_alphabet(&m->alpha[t], &j->alpha[vars[t]], m->code[t], G->m);
  }
  if (st != IXP_JOINT_OK) {
    ixp_joint_free(m);
    return st;
  }
  if (G->m) memcpy(m->p, G->sum[0], G->m * sizeof *m->p);
  m->n = G->m;
  *out = m;
  return IXP_JOINT_OK;
}

IxpJointStatus ixp_joint_marginal(const IxpJoint *j, uint64_t mask, IxpJoint **out) {
  int vars[64], k = mask_vars(j, mask, vars);
  return ixp_joint_marginal_vars(j, vars, k, out);
}

IxpJointStatus ixp_joint_marginal_vars(const IxpJoint *j, const int *vars, int k, IxpJoint **out) {
  Table T;
  Groups G = {0};
  *out = NULL;
  IxpJointStatus st = joint_table(j, vars, k, &T);
  if (st == IXP_JOINT_OK && distinct_sorted(&T))
    st = state_groups(&T, 1, &G);
  else if (st == IXP_JOINT_OK)
    st = group(&T, 1, &G);
  if (st == IXP_JOINT_OK) st = build_marginal(j, vars, k, &T, &G, out);
  table_free(&T);
  groups_free(&G);
  return st;
}

/* --- KL divergence -------------------------------------------------------- */

/* Map from pa's codes to qa's codes of the same values (UINT32_MAX where
 * qa lacks the value; *missing is then set). */
static uint32_t *value_map(const IxpAlphabet *pa, const IxpAlphabet *qa, int *missing) {
  uint32_t *map = alloc(pa->card, sizeof *map);
  if (!map) return NULL;
  for (uint32_t c = 0; c < pa->card; c++)
    if ((map[c] = find_code(qa, pa->values[c])) == UINT32_MAX) *missing = 1;
  return map;
}

/* Table for D(p||q): part 0 is p, part 1 is q; column i is q's variable
 * ord[i] (q's variables in locality order) and p's variable of the same
 * name, whose codes are mapped to q's. */
static IxpJointStatus kl_table(const IxpJoint *p, const IxpJoint *q, Table *T, int *missing) {
  int k = q->nvars;
  IxpJointStatus st = table_alloc(T, k, 2);
  if (st != IXP_JOINT_OK) return st;
  if (p->nvars != k) return IXP_JOINT_EVARS;
  Part *P = &T->part[0];
  unsigned char *used = zalloc((size_t)k, 1);
  int *ord = alloc((size_t)k, sizeof *ord);
  P->map = zalloc((size_t)k, sizeof *P->map);
  P->nmap = zalloc((size_t)k, sizeof *P->nmap);
  if (!used || !ord || !P->map || !P->nmap) st = IXP_JOINT_ENOMEM;
  for (int i = 0; i < k && st == IXP_JOINT_OK; i++) ord[i] = i;
  if (st == IXP_JOINT_OK) locality_sort(q, ord, k);
  for (int i = 0; i < k && st == IXP_JOINT_OK; i++) {
    int t = ord[i], v = ixp_joint_var(p, q->names[t]);
    if (v < 0 || used[v]) {
      st = IXP_JOINT_EVARS;
      break;
    }
    used[v] = 1;
    P->col[i] = col_of(p, v);
    T->part[1].col[i] = col_of(q, t);
    T->card[i] = q->alpha[t].card;
    P->nmap[i] = p->alpha[v].card;
    if (!(P->map[i] = value_map(&p->alpha[v], &q->alpha[t], missing))) st = IXP_JOINT_ENOMEM;
  }
  free(used);
  free(ord);
  P->p = p->p;
  P->n = p->n;
  T->part[1].p = q->p;
  T->part[1].n = q->n;
  T->N = p->n + q->n;
  return st;
}

/* Whether some state of p with positive probability takes a value q's
 * alphabet lacks. Afterwards missing map entries point at code 0: only
 * zero-mass states use them, and those add nothing. */
static int missing_mass(Table *T) {
  Part *P = &T->part[0];
  int found = 0;
  for (size_t s = 0; s < P->n && !found; s++) {
    if (!(P->p[s] > 0)) continue;
    for (int t = 0; t < T->k && !found; t++) found = P->map[t][col_code(&P->col[t], s)] == UINT32_MAX;
  }
  for (int t = 0; t < T->k; t++)
    for (uint32_t c = 0; c < P->nmap[t]; c++)
      if (P->map[t][c] == UINT32_MAX) P->map[t][c] = 0;
  return found;
}

/* log(a / b) for a, b > 0, via log1p when the ratio is near 1. */
static double log_ratio(double a, double b) {
  double d = a - b;
  return fabs(d) <= 0.5 * b ? log1p(d / b) : log(a / b);
}

/* sum P log(P/Q) over groups with P > 0; +INFINITY if any has Q == 0. */
static double kl_of(const Groups *G) {
  IxpKSum a = {0, 0};
  for (size_t g = 0; g < G->m; g++) {
    double P = G->sum[0][g], Q = G->sum[1][g];
    if (!(P > 0)) continue;
    double term = Q > 0 ? P * log_ratio(P, Q) : INFINITY;
    if (isinf(term)) return INFINITY;
    ixp_ksum_add(&a, term);
  }
  return ixp_ksum_value(a);
}

IxpJointStatus ixp_joint_kl(const IxpJoint *p, const IxpJoint *q, double *out) {
  Table T;
  Groups G = {0};
  int missing = 0;
  IxpJointStatus st = kl_table(p, q, &T, &missing);
  if (st == IXP_JOINT_OK && missing && missing_mass(&T)) {
    *out = INFINITY;
  } else if (st == IXP_JOINT_OK && (st = group(&T, 0, &G)) == IXP_JOINT_OK) {
    *out = kl_of(&G);
  }
  table_free(&T);
  groups_free(&G);
  return st;
}

/* --- duplicates ----------------------------------------------------------- */

/* Dense scan: seen[key] holds the first state with that key, so the first
 * state whose key is already seen is the earliest duplicate. */
static IxpJointStatus dense_dup(const Table *T, size_t R, size_t *first, size_t *second,
                                int *found) {
  size_t *seen = alloc(R, sizeof *seen);
  if (!seen) return IXP_JOINT_ENOMEM;
  memset(seen, 0xff, R * sizeof *seen);
  uint64_t key[BLOCK];
  const Part *P = &T->part[0];
  for (size_t i = 0; i < P->n && !*found; i += BLOCK) {
    size_t len = P->n - i < BLOCK ? P->n - i : BLOCK;
    part_keys(T, P, i, len, key);
    for (size_t x = 0; x < len && !*found; x++) {
      if (seen[key[x]] == SIZE_MAX) {
        seen[key[x]] = i + x;
      } else {
        *first = seen[key[x]];
        *second = i + x;
        *found = 1;
      }
    }
  }
  free(seen);
  return IXP_JOINT_OK;
}

/* Over sorted runs: a run's first two elements are its two earliest states;
 * keep the run whose second one is smallest. */
static void runs_dup(const Runs *r, size_t N, size_t *first, size_t *second, int *found) {
  for (size_t i = 1; i < N; i++) {
    if (r->start[i] || !r->start[i - 1]) continue;
    if (!*found || r->order[i] < *second) {
      *first = r->order[i - 1];
      *second = r->order[i];
      *found = 1;
    }
  }
}

IxpJointStatus ixp_joint_find_duplicate(const IxpJoint *j, size_t *first, size_t *second) {
  if (j->n < 2) return IXP_JOINT_OK;
  int *vars = alloc((size_t)j->nvars, sizeof *vars), found = 0;
  if (!vars) return IXP_JOINT_ENOMEM;
  for (int v = 0; v < j->nvars; v++) vars[v] = v;
  locality_sort(j, vars, j->nvars);
  Table T;
  IxpJointStatus st = joint_table(j, vars, j->nvars, &T);
  free(vars);
  uint64_t R = 0;
  int fits = st == IXP_JOINT_OK && radix(&T, &R);
  int distinct = fits && distinct_sorted(&T);
  if (fits && !distinct && R <= dense_limit(T.N)) {
    st = dense_dup(&T, (size_t)R, first, second, &found);
  } else if (st == IXP_JOINT_OK && !distinct) {
    Runs r;
    if ((st = sorted_runs(&T, &r)) == IXP_JOINT_OK) runs_dup(&r, T.N, first, second, &found);
    runs_free(&r);
  }
  table_free(&T);
  if (st != IXP_JOINT_OK) return st;
  return found ? IXP_JOINT_EDUPLICATE : IXP_JOINT_OK;
}
