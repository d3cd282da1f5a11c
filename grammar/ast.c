/* ast.c — syntax tree nodes (in an arena, see arena.h), and a canonical printer. */
#include "ast.h"

#include <string.h>

IxpAst *ixp_ast_new(IxpArena *a, IxpAstKind kind, IxpSpan span) {
  IxpAst *n = ixp_arena_alloc(a, sizeof *n);
  n->kind = kind;
  n->span = span;
  n->sem.slot = -1;
  n->sem.rows = n->sem.cols = -1;
  return n;
}

void ixp_ast_push(IxpArena *a, IxpAst *node, IxpAst *item) {
  if (node->nitems == node->cap) {
    int cap = node->cap ? node->cap * 2 : 4;
    IxpAst **items = ixp_arena_alloc(a, (size_t)cap * sizeof *items);
    if (node->nitems) memcpy(items, node->items, (size_t)node->nitems * sizeof *items);
    node->items = items;
    node->cap = cap;
  }
  node->items[node->nitems++] = item;
}

bool ixp_ast_any(const IxpAst *e, bool (*pred)(const IxpAst *node, const void *ctx), const void *ctx) {
  if (!e) return false;
  if (pred(e, ctx)) return true;
  if (ixp_ast_any(e->a, pred, ctx) || ixp_ast_any(e->b, pred, ctx) || ixp_ast_any(e->c, pred, ctx)) return true;
  for (int i = 0; i < e->nitems; i++)
    if (ixp_ast_any(e->items[i], pred, ctx)) return true;
  return false;
}

const char *ixp_op_text(IxpOp op) {
  static const char *text[] = {
      [OP_NONE] = "", [OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*", [OP_DIV] = "/",
      [OP_MOD] = "mod", [OP_POW] = "^", [OP_NEG] = "-", [OP_EQ] = "==", [OP_NE] = "!=",
      [OP_LT] = "<", [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=", [OP_AND] = "and",
      [OP_OR] = "or", [OP_XOR] = "xor", [OP_NOT] = "not", [SEP_COMMA] = ",",
      [SEP_SEMI] = ";", [SEP_BAR] = "|", [SEP_BARBAR] = "||", [SEP_ARROW] = "->", [OP_EMUL] = ".*",
  };
  return (size_t)op < sizeof text / sizeof *text ? text[op] : "?";
}

static void print_items(FILE *out, const IxpAst *e, const char *sep) {
  for (int i = 0; i < e->nitems; i++) {
    if (i) fputs(sep, out);
    ixp_ast_print(out, e->items[i]);
  }
}

static void print_args(FILE *out, const IxpAst *call) {
  fputc('(', out);
  for (int i = 0; i < call->nitems; i++) {
    const IxpAst *arg = call->items[i];
    if (i) fprintf(out, arg->op == SEP_COMMA || arg->op == SEP_SEMI ? "%s " : " %s ", ixp_op_text(arg->op));
    ixp_ast_print(out, arg);
  }
  fputc(')', out);
}

/* Canonical text of an expression: binary and unary operations are fully
 * parenthesised, so the tree's shape can be read (and tested) from it. */
void ixp_ast_print(FILE *out, const IxpAst *e) {
  if (!e) return;
  switch (e->kind) {
  case AST_NUM:
    if (e->exact && e->num_d != 1) fprintf(out, "%lld/%lld", (long long)e->num_n, (long long)e->num_d);
    else fprintf(out, "%.17g", e->num);
    break;
  case AST_STR: fprintf(out, "\"%s\"", e->str); break;
  case AST_NAME: fputs(e->str, out); break;
  case AST_VEC: fputc('[', out); print_items(out, e, ", "); fputc(']', out); break;
  case AST_UNARY:
    fprintf(out, e->op == OP_NOT ? "(not " : "(-");
    ixp_ast_print(out, e->a);
    fputc(')', out);
    break;
  case AST_BINARY:
    fputc('(', out);
    ixp_ast_print(out, e->a);
    fprintf(out, " %s ", ixp_op_text(e->op));
    ixp_ast_print(out, e->b);
    fputc(')', out);
    break;
  case AST_IF:
    fputs("(if ", out); ixp_ast_print(out, e->a);
    fputs(" then ", out); ixp_ast_print(out, e->b);
    fputs(" else ", out); ixp_ast_print(out, e->c);
    fputc(')', out);
    break;
  case AST_RANGE:
    fputc('(', out); ixp_ast_print(out, e->a);
    fputs(" .. ", out); ixp_ast_print(out, e->b);
    if (e->c) { fputs(" step ", out); ixp_ast_print(out, e->c); }
    fputc(')', out);
    break;
  case AST_CALL: fputs(e->str, out); print_args(out, e); break;
  case AST_ARG:
    if (e->str) fprintf(out, "%s = ", e->str);
    ixp_ast_print(out, e->a);
    break;
  case AST_INDEX:
    ixp_ast_print(out, e->a);
    fputc('[', out);
    ixp_ast_print(out, e->b);
    if (e->c) { fputs(", ", out); ixp_ast_print(out, e->c); }
    fputc(']', out);
    break;
  case AST_ALL: fputs("..", out); break;
  case AST_FIELD: ixp_ast_print(out, e->a); fprintf(out, ".%s", e->str); break;
  case AST_MEASURE:
    ixp_ast_print(out, e->a);
    fputs(" in ", out);
    ixp_ast_print(out, e->b);
    if (e->c) { fputs(" using ", out); ixp_ast_print(out, e->c); }
    if (e->d) { fputs(" with ", out); ixp_ast_print(out, e->d); }
    break;
  case AST_SOURCE:
    fputs(e->str, out);
    if (e->nitems) print_args(out, e);
    break;
  case AST_AS: ixp_ast_print(out, e->a); fprintf(out, " as %s", e->str); break;
  default: fprintf(out, "<statement %d>", (int)e->kind); break;
  }
}
