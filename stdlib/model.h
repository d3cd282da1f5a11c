/* model.h — a checked model: its variables, their dependencies and order.
 *
 * The checker builds one IxpModelDef per `model` statement; the enumerator
 * (enumerate.c) turns it into an exact joint distribution whenever the
 * values it reads (parameters, lets) change. */
#ifndef IXP_MODEL_H
#define IXP_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "diag.h"

/* The most variables one exact joint holds, its marginals named by 64-bit
 * masks: a measure of a finite model or of discrete columns reads at most
 * this many. Datasets, Gaussian models and continuous estimators have no
 * such limit (plans name variables by sets, plan.h). */
#define IXP_MAX_VARS 64
/* The most variables a model holds (a vector variable counts its
 * components): room for a 1000-dimensional model written with vectors. */
#define IXP_MAX_MODEL_VARS 32768

struct IxpDistribution;
struct IxpModelCache;
struct IxpDataDef;
struct IxpExternCall;

typedef enum {
  VAR_DRAW,    /* x ~ dist(args) */
  VAR_DEFINE,  /* y = expr */
  VAR_COLUMN,  /* a column of a table model */
} IxpVarKind;

typedef struct {
  const char *name;
  IxpVarKind kind;
  IxpAst *decl;                        /* the statement, or the column's name */
  IxpAst *expr;                        /* DEFINE: expression; DRAW: the call */
  const struct IxpDistribution *dist;  /* DRAW */
  uint64_t *deps;                      /* model variables it reads: a bit set of (nvars + 63) / 64 words, or NULL */
  int component, ncomponents;          /* a vector draw (a, b ~ ...): this variable's place in it */
  int leader;                          /* a vector draw: the variable of component 0 */
  const struct IxpExternCall *ext;     /* DRAW from an extern function (sampled only) */
} IxpModelVar;

/* A variable of a process or of a time-series dataset at time t - lag (a
 * negative lag is after t): the columns of a dataset's lag view and the
 * variables of a process's window are named by these. */
typedef struct {
  int var, lag;
} IxpLag;

/* A vector variable (x[16] ~ ..., h = W * x) or a block of a dataset's
 * columns: `count` variables from index `first`, measured together by the
 * group's name. */
typedef struct {
  const char *name;
  int first, count;
} IxpVarGroup;

typedef struct IxpModelDef {
  const char *name;
  IxpAst *decl;                /* the AST_MODEL statement */
  const IxpSource *src;
  int nparams;
  IxpAst **params;             /* AST_PARAM nodes */
  int nvars, cap;              /* variables, and room in the arrays below (ixp_model_reserve) */
  IxpModelVar *vars;
  int *order;                  /* an order in which every variable follows its dependencies */
  IxpAst *table;               /* AST_TABLE of a table model, else NULL */
  int *slots;                  /* global slots (lets) the model reads */
  int nslots;
  struct IxpModelCache *cache; /* last enumeration, owned by the session */
  bool *continuous;            /* real-valued variables (continuous draws, real columns) */
  bool has_continuous;
  bool gaussian;               /* linear-Gaussian: measured in closed form (linear.c) */
  bool extern_draws;           /* draws from extern functions: can only be sampled */
  bool over_limit;             /* declared more than IXP_MAX_MODEL_VARS variables (reported once) */
  struct IxpDataDef *data;     /* a dataset's rows (data statement), else NULL */
  struct IxpProcess *process;  /* a process (a model indexed by time, process.h), else NULL */
  IxpVarGroup *groups;         /* vector variables and column blocks (arena) */
  int ngroups, capgroups;
  struct IxpNameIndex *index;  /* variables by name, for ixp_model_var on wide models (made on first use) */
  IxpArena *index_arena;       /* where the index lives: the arena of the variables (ixp_model_reserve) */
} IxpModelDef;

/* Whether variable v reads variable u; whether it reads any. */
static inline bool ixp_var_reads(const IxpModelVar *v, int u) { return v->deps && (v->deps[u >> 6] >> (u & 63) & 1); }
bool ixp_var_reads_any(const IxpModelDef *m, const IxpModelVar *v);

/* Room for n variables in m's arrays (grown in the arena, twice at a
 * time, so a model costs what its variables need). */
void ixp_model_reserve(IxpModelDef *m, IxpArena *arena, int n);

/* Index of variable `name` in `m`, or -1. A model of more than a few
 * dozen variables is looked up through a hash index of its names, made on
 * first use and extended as variables are added (names never change), so
 * declaring or measuring n variables costs O(n), not O(n^2). */
int ixp_model_var(const IxpModelDef *m, const char *name);
/* Index of group `name` in `m`, or -1. */
int ixp_model_group(const IxpModelDef *m, const char *name);
/* Record a group of `count` variables from `first` (the arena holds it). */
void ixp_model_add_group(IxpModelDef *m, IxpArena *arena, const char *name, int first, int count);

/* Index of parameter `name` in `m`, or -1. */
int ixp_model_param(const IxpModelDef *m, const char *name);

#endif
