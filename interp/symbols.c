/* symbols.c — the session's static scope: symbols in the order they were
 * defined (a later one shadows an earlier one of the same name), found by
 * name through a hash table of chains.
 *
 * Each bucket holds the index of its newest symbol, and each symbol the
 * index of the next older one in its bucket, so the first match along a
 * chain is the newest definition of the name. Symbols leave only from the
 * top (the end of a sweep body, a chunk that failed to check), which is
 * where their bucket's chain starts: popping restores the bucket. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "interp.h"

static uint32_t name_hash(const char *name) {
  uint32_t h = 2166136261u;  /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)name; *p; p++) h = (h ^ *p) * 16777619u;
  return h;
}

static int bucket_of(const IxpSession *s, const char *name) {
  return (int)(name_hash(name) & (uint32_t)(s->nbuckets - 1));
}

static void link_symbol(IxpSession *s, int i) {
  int b = bucket_of(s, s->syms[i].name);
  s->syms[i].next_in_bucket = s->buckets[b];
  s->buckets[b] = i;
}

/* Twice the buckets, when symbols outnumber them; false when out of
 * memory (the old table stays and is still right, only slower). */
static bool grow_buckets(IxpSession *s) {
  int n = s->nbuckets ? s->nbuckets * 2 : 64;
  int *buckets = malloc((size_t)n * sizeof *buckets);
  if (!buckets) return false;
  free(s->buckets);
  s->buckets = buckets;
  s->nbuckets = n;
  for (int b = 0; b < n; b++) s->buckets[b] = -1;
  for (int i = 0; i < s->nsyms; i++) link_symbol(s, i);
  return true;
}

const IxpSymbol *ixp_lookup(const IxpSession *s, const char *name) {
  if (!s->nbuckets) {  /* no table (out of memory): scan, newest first */
    for (int i = s->nsyms - 1; i >= 0; i--)
      if (!strcmp(s->syms[i].name, name)) return &s->syms[i];
    return NULL;
  }
  for (int i = s->buckets[bucket_of(s, name)]; i >= 0; i = s->syms[i].next_in_bucket)
    if (!strcmp(s->syms[i].name, name)) return &s->syms[i];
  return NULL;
}

IxpSymbol *ixp_symbols_push(IxpSession *s, const IxpSymbol *sym) {
  if (!ixp_grow(&s->syms, &s->capsyms, s->nsyms + 1, sizeof *s->syms)) return NULL;
  int i = s->nsyms++;
  s->syms[i] = *sym;
  if (s->nsyms > s->nbuckets && !grow_buckets(s) && s->nbuckets == 0) return &s->syms[i];
  if (s->nbuckets && s->buckets[bucket_of(s, sym->name)] != i) link_symbol(s, i);
  return &s->syms[i];
}

void ixp_symbols_pop_to(IxpSession *s, int n) {
  for (; s->nsyms > n; s->nsyms--) {
    const IxpSymbol *top = &s->syms[s->nsyms - 1];
    if (s->nbuckets) s->buckets[bucket_of(s, top->name)] = top->next_in_bucket;
  }
}

IxpScope ixp_symbols_set_aside(IxpSession *s) {
  IxpScope kept = {s->syms, s->nsyms, s->capsyms, s->buckets, s->nbuckets};
  s->syms = NULL;
  s->nsyms = s->capsyms = s->nbuckets = 0;
  s->buckets = NULL;
  return kept;
}

void ixp_symbols_restore(IxpSession *s, IxpScope kept) {
  ixp_symbols_free(s);
  s->syms = kept.syms;
  s->nsyms = kept.nsyms;
  s->capsyms = kept.capsyms;
  s->buckets = kept.buckets;
  s->nbuckets = kept.nbuckets;
}

void ixp_symbols_free(IxpSession *s) {
  free(s->syms);
  free(s->buckets);
  s->syms = NULL;
  s->buckets = NULL;
  s->nsyms = s->capsyms = s->nbuckets = 0;
}
