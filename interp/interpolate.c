/* interpolate.c — strings with names in braces; see interpolate.h. */
#include "interpolate.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------- splitting */

/* Where the literal's text starts in the source: the node's span may
 * include parentheses around it, and the blanks and comments between. */
static const char *literal_start(const IxpSource *src, const IxpAst *e) {
  const char *p = src->text + e->span.start, *end = src->text + e->span.end;
  while (p < end && *p != '"') {
    if (*p == '#')
      while (p < end && *p != '\n') p++;
    else p++;
  }
  return p < end ? p + 1 : NULL;
}

static bool ident_start(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_'; }
static bool ident_char(char ch) { return ident_start(ch) || (ch >= '0' && ch <= '9'); }

static IxpSpan span_at(const IxpSource *src, const char *from, const char *to) {
  return (IxpSpan){(uint32_t)(from - src->text), (uint32_t)(to - src->text)};
}

/* The literal text gathered so far becomes a piece of e. */
static void flush_piece(Checker *c, IxpAst *e, char *buf, size_t *len, const char *at) {
  if (!*len) return;
  IxpAst *piece = ixp_ast_new(c->arena, AST_STR, span_at(c->src, at, at));
  piece->str = ixp_arena_strndup(c->arena, buf, *len);
  ixp_ast_push(c->arena, e, piece);
  *len = 0;
}

/* A name in braces must be a let or a sweep variable holding a number or
 * a string. */
static void resolve_hole(Checker *c, IxpAst *name) {
  const IxpSymbol *sym = ixp_lookup(c->s, name->str);
  if (!sym || sym->kind != SYM_LET) {
    char buf[96];
    IxpSuggest g = {name->str, NULL, 99};
    for (int i = 0; i < c->s->nsyms; i++)
      if (c->s->syms[i].kind == SYM_LET) ixp_suggest(&g, c->s->syms[i].name);
    ixp_check_error(c, name->span, "%s '%s' in braces: a string reads lets and sweep variables%s",
                    sym ? "cannot put" : "unknown name", name->str, ixp_suggest_hint(buf, sizeof buf, &g));
    return;
  }
  if (sym->type != TY_NUM && sym->type != TY_STR && sym->type != TY_ANY)
    ixp_check_error(c, name->span, "'%s' is a %s: a string puts in numbers and strings only", name->str,
                    ixp_type_name(sym->type));
  name->sem.ref = REF_GLOBAL;
  name->sem.slot = sym->slot;
}

IxpType ixp_check_string(Checker *c, IxpAst *e) {
  const char *p = literal_start(c->src, e);
  if (!p || e->nitems || !strpbrk(e->str, "{}")) return TY_STR;  /* nothing to split (or split already) */
  size_t cap = strlen(e->str) + 1, len = 0;
  char *buf = ixp_arena_alloc(c->arena, cap);
  bool holes = false;
  while (*p != '"') {
    if (*p == '\\') {
      buf[len++] = p[1] == 'n' ? '\n' : p[1] == 't' ? '\t' : p[1];
      p += 2;
    } else if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
      buf[len++] = *p;
      p += 2;
    } else if (*p == '{') {
      const char *name = p + 1, *q = name;
      while (ident_char(*q)) q++;
      if (!ident_start(*name) || *q != '}') {
        ixp_check_error(c, span_at(c->src, p, p + 1), "'{' in a string starts a name in braces, as \"act_{epoch}.npy\"; "
                        "write '{{' for a brace");
        return TY_STR;
      }
      flush_piece(c, e, buf, &len, p);
      IxpAst *hole = ixp_ast_new(c->arena, AST_NAME, span_at(c->src, name, q));
      hole->str = ixp_arena_strndup(c->arena, name, (size_t)(q - name));
      resolve_hole(c, hole);
      ixp_ast_push(c->arena, e, hole);
      holes = true;
      p = q + 1;
    } else if (*p == '}') {
      ixp_check_error(c, span_at(c->src, p, p + 1), "'}' in a string closes a name in braces; write '}}' for a brace");
      return TY_STR;
    } else {
      buf[len++] = *p++;
    }
  }
  if (!holes) {  /* only escaped braces: the text is the literal */
    e->str = ixp_arena_strndup(c->arena, buf, len);
    return TY_STR;
  }
  flush_piece(c, e, buf, &len, p);
  return TY_STR;
}

/* ------------------------------------------------------------ evaluation */

/* A value put into a string: numbers as CSV writes them. */
static const char *hole_text(IxpSession *s, const IxpAst *name, IxpValue v, const IxpFrame *f, char *buf, size_t size) {
  if (v.type == TY_STR) return v.str;
  if (v.type != TY_NUM)
    ixp_runtime_error(s, f && f->model ? f->model->src : s->src, name->span,
                      "'%s' is a %s: a string puts in numbers and strings only", name->str, ixp_type_name(v.type));
  ixp_format_num(buf, size, v.num.x, -1);
  return buf;
}

IxpValue ixp_eval_string(IxpSession *s, IxpAst *e, const IxpFrame *f) {
  if (!e->nitems) return (IxpValue){.type = TY_STR, .str = e->str};
  const char **parts = ixp_arena_alloc(s->tmp, (size_t)e->nitems * sizeof *parts);
  char (*nums)[32] = ixp_arena_alloc(s->tmp, (size_t)e->nitems * sizeof *nums);
  size_t total = 1;
  for (int i = 0; i < e->nitems; i++) {
    IxpAst *piece = e->items[i];
    parts[i] = piece->kind == AST_STR ? piece->str : hole_text(s, piece, ixp_eval(s, piece, f), f, nums[i], sizeof nums[i]);
    total += strlen(parts[i]);
  }
  char *text = ixp_arena_alloc(s->tmp, total), *o = text;
  for (int i = 0; i < e->nitems; i++) {
    size_t n = strlen(parts[i]);
    memcpy(o, parts[i], n);
    o += n;
  }
  *o = '\0';
  return (IxpValue){.type = TY_STR, .str = text};
}

/* ------------------------------------------------ values known at check */

/* Constant values: numbers folded as the evaluator computes them (exact
 * rationals while exact), strings, and the first value of a sweep. */
typedef struct {
  bool ok;
  bool is_str;
  IxpNum num;
  const char *str;
} Const;

static Const const_value(Checker *c, const IxpAst *e, int depth);

static Const const_fail(void) { return (Const){0}; }

/* The value a let or a sweep variable has when a statement after it first
 * runs: a let's expression (or its --set value), a sweep's first point. */
static Const binding_value(Checker *c, const IxpAst *decl, int depth) {
  if (!decl) return const_fail();
  if (decl->kind == AST_LET) return const_value(c, decl->sem.override ? decl->sem.override : decl->a, depth + 1);
  if (decl->kind != AST_SWEEP) return const_fail();
  const IxpAst *values = decl->a;
  while (values->kind == AST_NAME && values->sem.ref == REF_GLOBAL) {  /* sweep p in grid: the let grid */
    const IxpSymbol *sym = ixp_lookup(c->s, values->str);
    if (!sym || sym->kind != SYM_LET || !sym->decl || sym->decl->kind != AST_LET || ++depth > 32) return const_fail();
    values = sym->decl->sem.override ? sym->decl->sem.override : sym->decl->a;
  }
  if (values->kind == AST_RANGE) return const_value(c, values->a, depth + 1);
  if (values->kind == AST_VEC && values->nitems) {
    Const v = const_value(c, values->items[0], depth + 1);
    if (v.ok && !v.is_str) v.num = ixp_num_real(v.num.x);  /* a swept vector holds doubles */
    return v;
  }
  return const_fail();
}

static Const const_binary(Checker *c, const IxpAst *e, int depth) {
  Const a = const_value(c, e->a, depth + 1), b = const_value(c, e->b, depth + 1);
  if (!a.ok || !b.ok || a.is_str || b.is_str) return const_fail();
  Const r = {.ok = true};
  switch (e->op) {
  case OP_ADD: r.num = ixp_num_add(a.num, b.num); break;
  case OP_SUB: r.num = ixp_num_sub(a.num, b.num); break;
  case OP_MUL: r.num = ixp_num_mul(a.num, b.num); break;
  case OP_DIV:
    if (b.num.x == 0) return const_fail();
    r.num = ixp_num_div(a.num, b.num);
    break;
  default: return const_fail();
  }
  return r;
}

static Const const_string(Checker *c, const IxpAst *e, int depth) {
  if (!e->nitems) return (Const){.ok = true, .is_str = true, .str = e->str};
  size_t total = 1;
  const char **parts = ixp_arena_alloc(c->arena, (size_t)e->nitems * sizeof *parts);
  for (int i = 0; i < e->nitems; i++) {
    const IxpAst *piece = e->items[i];
    if (piece->kind == AST_STR) {
      parts[i] = piece->str;
    } else {
      Const v = const_value(c, piece, depth + 1);
      if (!v.ok) return const_fail();
      char *num = ixp_arena_alloc(c->arena, 32);
      if (!v.is_str) ixp_format_num(num, 32, v.num.x, -1);
      parts[i] = v.is_str ? v.str : num;
    }
    total += strlen(parts[i]);
  }
  char *text = ixp_arena_alloc(c->arena, total);
  text[0] = '\0';
  for (int i = 0; i < e->nitems; i++) strcat(text, parts[i]);
  return (Const){.ok = true, .is_str = true, .str = text};
}

static Const const_value(Checker *c, const IxpAst *e, int depth) {
  if (depth > 64) return const_fail();
  switch (e->kind) {
  case AST_NUM:
    return (Const){.ok = true, .num = e->exact ? ixp_num_ratio(e->num_n, e->num_d) : ixp_num_real(e->num)};
  case AST_STR: return const_string(c, e, depth);
  case AST_UNARY: {
    Const a = const_value(c, e->a, depth + 1);
    if (!a.ok || a.is_str || e->op != OP_NEG) return const_fail();
    a.num = ixp_num_neg(a.num);
    return a;
  }
  case AST_BINARY: return const_binary(c, e, depth);
  case AST_NAME: {
    if (e->sem.ref != REF_GLOBAL) return const_fail();
    const IxpSymbol *sym = ixp_lookup(c->s, e->str);
    return sym && sym->kind == SYM_LET && sym->slot == e->sem.slot ? binding_value(c, sym->decl, depth) : const_fail();
  }
  default: return const_fail();
  }
}

const char *ixp_check_const_string(Checker *c, const IxpAst *e) {
  Const v = const_value(c, e, 0);
  return v.ok && v.is_str ? v.str : NULL;
}
