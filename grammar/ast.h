/* ast.h — the syntax tree of an .ixp program.
 *
 * One node type for every construct; children in a..d and `items`. All
 * nodes of a parse live in one arena and are freed together, so a failed
 * parse leaks nothing. Every node carries its source span. */
#ifndef IXP_AST_H
#define IXP_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"

typedef enum {
  /* expressions */
  AST_NUM,      /* num (and exact rational num_n/num_d when exact) */
  AST_STR,      /* str */
  AST_NAME,     /* str */
  AST_VEC,      /* items: elements */
  AST_UNARY,    /* op, a */
  AST_BINARY,   /* op, a, b */
  AST_IF,       /* a ? b : c */
  AST_RANGE,    /* a .. b [step c] */
  AST_CALL,     /* str = function, items = AST_ARG */
  AST_ARG,      /* op = separator before it (0 first), str = option name or NULL, a = value */
  AST_INDEX,    /* a[b], or a[b, c] of a matrix; b and c may be AST_RANGE (a slice) or AST_ALL */
  AST_ALL,      /* `..` alone as an index: the whole axis */
  AST_FIELD,    /* a.str */
  AST_MEASURE,  /* a = AST_CALL, b = AST_SOURCE, c = `using` AST_CALL, d = `with` AST_CALL,
                   items = `at NAME = value` as AST_ARG; local: `local f(...) in ...` */
  AST_SOURCE,   /* str = model name, items = AST_ARG overrides */
  /* statements */
  AST_EXPERIMENT, /* a = string */
  AST_SEED,       /* a */
  AST_UNITS,      /* str */
  AST_LET,        /* str, a; c set for `curve NAME = ...` (a table) */
  AST_MODEL,      /* str, items = AST_PARAM, b = AST_BLOCK body or AST_TABLE */
  AST_PROCESS,    /* as AST_MODEL: a model indexed by time, its statements x[t] ~ ... (check_process.c) */
  AST_PARAM,      /* str, a = default or NULL */
  AST_DRAW,       /* items = AST_NAME targets, a = AST_CALL distribution */
  AST_DEFINE,     /* str, a */
  AST_TABLE,      /* a = AST_BLOCK of AST_NAME columns, b = AST_BLOCK of AST_ROW; `table from FILE`:
                     c = the csv()/npy() call, a and b made by the checker */
  AST_ROW,        /* items = values, a = probability */
  AST_PRINT,      /* items = expressions, b = `within` tolerance or NULL */
  AST_EMIT,       /* items = expressions or AST_AS */
  AST_AS,         /* a, str = label */
  AST_EXPECT,     /* a = comparison, b = tolerance or NULL */
  AST_SWEEP,      /* str = variable, a = values, b = body, c = file or NULL,
                     items[0] = AST_NAME to bind its table to (`as NAME`) */
  AST_PLOT,       /* items = tables or AST_AS (legend label), c = file, d = AST_BLOCK of AST_ARG options or NULL */
  AST_DATA,       /* str = name, a = AST_CALL: csv(...), npy(...), sample(M, n) */
  AST_EXPR_STMT,  /* a (a bare expression: printed in the REPL) */
  AST_EXTERN,     /* a = AST_STR library path, items = AST_FN */
  AST_FN,         /* str = name, d = AST_NAME of it, items = AST_CPARAM, b = return AST_CTYPE or NULL (void) */
  AST_CPARAM,     /* str = name, a = AST_CTYPE */
  AST_CTYPE,      /* str = C type name, ctype = array and const marks, items = dims (AST_NUM or
                     AST_NAME) of an array */
  AST_BLOCK,      /* items */
} IxpAstKind;

/* Operators (also argument separators). */
typedef enum {
  OP_NONE, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_POW, OP_NEG,
  OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
  OP_AND, OP_OR, OP_XOR, OP_NOT,
  OP_EMUL,  /* .* the elementwise product */
  /* separators between measure arguments */
  SEP_COMMA, SEP_SEMI, SEP_BAR, SEP_BARBAR, SEP_ARROW,
} IxpOp;

/* What an AST_CTYPE says besides its C type name: `f64[n, 4]` is an array
 * (its dims in the node's items), `const f64[n]` an input array. */
typedef struct {
  bool is_array;
  bool is_const;
} IxpAstCType;

typedef struct IxpAst IxpAst;

struct IxpPlan;
struct IxpModelDef;
struct IxpBuiltin;
struct IxpExternCall;

/* What the checker found a node to mean; each field is set only on the
 * nodes its comment names, and stays NULL (or 0) elsewhere. */
typedef struct {
  int ref;                            /* AST_NAME, AST_CALL: what the name refers to (IxpRef) */
  int slot;                           /* its index: a global slot, a variable, a parameter */
  struct IxpModelDef *model;          /* AST_NAME of a model, AST_SOURCE, AST_DATA: the model or dataset */
  struct IxpPlan *plan;               /* AST_MEASURE, or AST_CALL of a measure over models: its lowered plan */
  const struct IxpBuiltin *builtin;   /* AST_CALL of a builtin function */
  const struct IxpExternCall *call;   /* AST_CALL of an extern function: how its arguments fill the parameters */
  IxpAst *source;                     /* AST_NAME of a model compared by kl(P || Q): its AST_SOURCE */
  IxpAst *override;                   /* AST_LET: the value given by --set, which replaces a when it runs */
  const IxpSource *override_src;      /* ... and the text it was read from */
  int rows, cols;                     /* expressions: the shape of a vector (rows 1) or matrix when known at
                                         check time, -1 where not (AST_LET: its value's) */
  bool constant;                      /* AST_LET: its value is a number known at check time ... */
  double value;                       /* ... this one */
  const char *fixes_model;            /* AST_LET: a model whose vector sizes the value fixed at check time */
} IxpAnnotation;

struct IxpAst {
  IxpAstKind kind;
  IxpOp op;
  IxpSpan span;
  IxpSpan sep_span;       /* AST_ARG: its separator */
  IxpAstCType ctype;      /* AST_CTYPE */
  IxpAst *a, *b, *c, *d;
  IxpAst **items;
  int nitems, cap;
  const char *str;        /* identifier or string contents (arena) */
  double num;
  int64_t num_n, num_d;   /* exact value num_n/num_d when exact */
  bool exact;
  bool local;             /* AST_MEASURE written `local f(...) in ...`: one value per row */
  int depth;              /* nesting below this node, 0 for a leaf (see IXP_MAX_NESTING) */
  IxpAnnotation sem;      /* what the checker found the node to mean */
};

IxpAst *ixp_ast_new(IxpArena *a, IxpAstKind kind, IxpSpan span);
/* Append `item` to node->items (growing in the arena). */
void ixp_ast_push(IxpArena *a, IxpAst *node, IxpAst *item);

/* Whether `pred` holds for e or any node below it. */
bool ixp_ast_any(const IxpAst *e, bool (*pred)(const IxpAst *node, const void *ctx), const void *ctx);

const char *ixp_op_text(IxpOp op);
/* Write the expression back as source text (for labels and plans). */
void ixp_ast_print(FILE *out, const IxpAst *e);

#endif
