/* externs.c — extern declarations as C signatures, and calls of them with
 * interpreter values. */
#include "externs.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "data.h"
#include "progress.h"
#include "rng.h"

static bool fail(IxpSpan *where, IxpSpan at, char *msg, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static bool fail(IxpSpan *where, IxpSpan at, char *msg, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, size, fmt, ap);
  va_end(ap);
  *where = at;
  return false;
}

static bool integer_type(IxpCType t) {
  return t == IXP_CT_I64 || t == IXP_CT_I32 || t == IXP_CT_U64 || t == IXP_CT_U8;
}

static int param_index(const IxpAst *fn, const char *name) {
  for (int i = 0; i < fn->nitems; i++)
    if (!strcmp(fn->items[i]->str, name)) return i;
  return -1;
}

static bool declare_type(const IxpAst *t, IxpCType *out, IxpSpan *where, char *msg, size_t size) {
  int ct = ixp_ctype_parse(t->str);
  if (ct < 0)
    return fail(where, t->span, msg, size, "unknown C type '%s' (f64, f32, i64, i32, u64, u8, bool)", t->str);
  *out = (IxpCType)ct;
  return true;
}

/* A shape's sizes: positive literals, or integer scalar parameters. */
static bool declare_dims(IxpAst *fn, int i, IxpExternDef *def, IxpSpan *where, char *msg, size_t size) {
  IxpAst *t = fn->items[i]->a;
  IxpFfiParam *fp = &def->fn.params[i];
  if (t->nitems > IXP_FFI_MAX_DIMS)
    return fail(where, t->span, msg, size, "an array has at most %d dimensions", IXP_FFI_MAX_DIMS);
  fp->ndims = t->nitems;
  for (int k = 0; k < t->nitems; k++) {
    IxpAst *d = t->items[k];
    if (d->kind == AST_NUM) {
      if (!d->exact || d->num_d != 1 || d->num_n < 1)
        return fail(where, d->span, msg, size, "a size is a positive whole number or an integer parameter");
      fp->dims[k] = (IxpFfiDim){.size = (long)d->num_n, .param = -1};
      continue;
    }
    int q = param_index(fn, d->str);
    if (q < 0)
      return fail(where, d->span, msg, size, "the shape of '%s' names '%s', which is not a parameter of '%s'",
                  fp->name, d->str, fn->str);
    IxpAst *qt = fn->items[q]->a;
    int ct = ixp_ctype_parse(qt->str);
    if (qt->ctype.is_array || ct < 0 || !integer_type((IxpCType)ct))
      return fail(where, d->span, msg, size, "size '%s' of '%s' must be an integer scalar parameter (i64, i32, u64, u8)",
                  d->str, fp->name);
    fp->dims[k] = (IxpFfiDim){.size = 0, .param = q};
    def->size[q] = true;
  }
  return true;
}

static bool declare_param(IxpAst *fn, int i, IxpExternDef *def, IxpSpan *where, char *msg, size_t size) {
  IxpAst *p = fn->items[i], *t = p->a;
  IxpFfiParam *fp = &def->fn.params[i];
  if (param_index(fn, p->str) != i)
    return fail(where, p->span, msg, size, "parameter '%s' is listed twice", p->str);
  fp->name = p->str;
  if (!declare_type(t, &fp->type, where, msg, size)) return false;
  if (fp->type == IXP_CT_VOID) return fail(where, t->span, msg, size, "a parameter cannot be void");
  fp->is_array = t->ctype.is_array;
  fp->is_const = t->ctype.is_const;
  if (fp->is_const && !fp->is_array)
    return fail(where, t->span, msg, size, "const marks an input array; a scalar parameter is always an input");
  if (fp->is_array && !declare_dims(fn, i, def, where, msg, size)) return false;
  def->output[i] = fp->is_array && !fp->is_const;
  def->noutputs += def->output[i];
  return true;
}

bool ixp_extern_declare(IxpAst *fn, IxpExternDef *def, IxpSpan *where, char *msg, size_t size) {
  memset(def, 0, sizeof *def);
  def->decl = fn;
  def->fn.name = fn->str;
  if (fn->nitems > IXP_FFI_MAX_PARAMS)
    return fail(where, fn->span, msg, size, "'%s' has %d parameters; an extern function takes at most %d", fn->str,
                fn->nitems, IXP_FFI_MAX_PARAMS);
  def->fn.nparams = fn->nitems;
  for (int i = 0; i < fn->nitems; i++)
    if (!declare_param(fn, i, def, where, msg, size)) return false;
  def->fn.ret = IXP_CT_VOID;
  return !fn->b || declare_type(fn->b, &def->fn.ret, where, msg, size);
}

/* ------------------------------------------------------------ call forms */

static bool seed_param(const IxpExternDef *def, int p) {
  return def->fn.params[p].type == IXP_CT_U64 && !def->fn.params[p].is_array && !def->size[p];
}

/* Which parameters a call gives, leaving out sizes and/or seeds. */
static int form(const IxpExternDef *def, bool no_sizes, bool no_seeds, int *arg_of) {
  int n = 0;
  for (int p = 0; p < def->fn.nparams; p++) {
    bool out = def->output[p] || (no_sizes && def->size[p]) || (no_seeds && seed_param(def, p));
    arg_of[p] = out ? -1 : n++;
  }
  return n;
}

static void describe_form(const IxpExternDef *def, const int *arg_of, char *buf, size_t size) {
  size_t used = (size_t)snprintf(buf, size, "%s(", def->fn.name);
  bool first = true;
  for (int p = 0; p < def->fn.nparams && used < size; p++) {
    if (arg_of[p] < 0) continue;
    used += (size_t)snprintf(buf + used, size - used, "%s%s", first ? "" : ", ", def->fn.params[p].name);
    first = false;
  }
  if (used < size) snprintf(buf + used, size - used, ")");
}

bool ixp_extern_match(IxpExternCall *call, const IxpExternDef *def, IxpAst *site, int nargs, bool seeds,
                      char *msg, size_t size) {
  static const bool forms[4][2] = {{true, true}, {false, true}, {true, false}, {false, false}};
  char seen[4][256];
  int nseen = 0;
  memset(call, 0, sizeof *call);
  call->def = def;
  call->site = site;
  for (int f = 0; f < 4; f++) {
    if (forms[f][1] && !seeds) continue;
    int arg_of[IXP_FFI_MAX_PARAMS];
    if (form(def, forms[f][0], forms[f][1], arg_of) == nargs) {
      memcpy(call->arg_of, arg_of, sizeof arg_of);
      for (int p = 0; p < def->fn.nparams; p++) call->seeded |= arg_of[p] < 0 && seed_param(def, p);
      return true;
    }
    char text[256];
    describe_form(def, arg_of, text, sizeof text);
    bool dup = false;
    for (int i = 0; i < nseen; i++) dup |= !strcmp(seen[i], text);
    if (!dup) strcpy(seen[nseen++], text);
  }
  size_t used = (size_t)snprintf(msg, size, "%s takes ", def->fn.name);
  for (int i = 0; i < nseen && used < size; i++)
    used += (size_t)snprintf(msg + used, size - used, "%s%s", i ? " or " : "", seen[i]);
  if (used < size) snprintf(msg + used, size - used, ", not %d argument%s", nargs, nargs == 1 ? "" : "s");
  return false;
}

IxpType ixp_extern_type(const IxpExternDef *def) {
  bool ret = def->fn.ret != IXP_CT_VOID;
  if (def->noutputs == 0) return ret ? TY_NUM : TY_NONE;
  if (def->noutputs > 1 || ret) return TY_RECORD;
  for (int p = 0; p < def->fn.nparams; p++)
    if (def->output[p]) return def->fn.params[p].ndims == 2 ? TY_MAT : TY_VEC;
  return TY_NONE;
}

bool ixp_extern_real(const IxpExternDef *def) {
  IxpCType t = def->fn.ret;
  for (int p = 0; p < def->fn.nparams; p++)
    if (def->output[p]) t = def->fn.params[p].type;
  return t == IXP_CT_F64 || t == IXP_CT_F32;
}

/* --------------------------------------------------------------- shapes */

/* One array's unknown size, if it is the only one: count / the rest. */
static int infer_one(const IxpExternDef *def, int p, long count, long *sizes, char *msg, size_t size) {
  const IxpFfiParam *fp = &def->fn.params[p];
  long known = 1;
  int unknown = -1, nunknown = 0;
  for (int k = 0; k < fp->ndims; k++) {
    int q = fp->dims[k].param;
    if (q < 0) known *= fp->dims[k].size;
    else if (sizes[q] >= 0) known *= sizes[q];
    else unknown = q, nunknown++;
  }
  if (nunknown != 1 || known == 0) return 0;
  if (count % known) {
    snprintf(msg, size, "argument '%s' of %s has %ld elements, not a multiple of %ld as its shape needs", fp->name,
             def->fn.name, count, known);
    return -1;
  }
  sizes[unknown] = count / known;
  return 1;
}

bool ixp_extern_infer(const IxpExternDef *def, const long *counts, long *sizes, char *msg, size_t size) {
  for (bool progress = true; progress;) {
    progress = false;
    for (int p = 0; p < def->fn.nparams; p++) {
      if (!def->fn.params[p].is_array || counts[p] < 0) continue;
      int r = infer_one(def, p, counts[p], sizes, msg, size);
      if (r < 0) return false;
      progress |= r > 0;
    }
  }
  return true;
}

/* ---------------------------------------------------------------- calls */

static _Noreturn void call_error(IxpSession *s, const IxpExternCall *call, const IxpSource *src, const char *msg) {
  ixp_runtime_error(s, src, call->site->span, "%s", msg);
}

/* A given argument into its parameter's slot. */
static void give(IxpSession *s, const IxpExternCall *call, const IxpSource *src, int p, const IxpValue *v,
                 IxpFfiArg *arg, long *count, long *size) {
  const IxpFfiParam *fp = &call->def->fn.params[p];
  char msg[256];
  if (fp->is_array) {
    if (v->type == TY_NUM) {
      arg->array = ixp_arena_alloc(ixp_session_tmp(s), sizeof *arg->array);
      arg->array[0] = v->num.x;
      arg->count = 1;
    } else if (v->type == TY_VEC || v->type == TY_MAT) {
      arg->array = v->v;
      arg->count = (size_t)v->rows * (size_t)v->cols;
    } else {
      snprintf(msg, sizeof msg, "argument '%s' of %s is an array, not a %s", fp->name, call->def->fn.name, ixp_type_name(v->type));
      call_error(s, call, src, msg);
    }
    *count = (long)arg->count;
    return;
  }
  if (v->type != TY_NUM) {
    snprintf(msg, sizeof msg, "argument '%s' of %s is a number (%s), not a %s", fp->name, call->def->fn.name,
             ixp_ctype_name(fp->type), ixp_type_name(v->type));
    call_error(s, call, src, msg);
  }
  double x = v->num.x;
  if (fp->type == IXP_CT_U64) {
    if (!(x >= 0 && x <= 0x1p53 && x == floor(x))) {
      snprintf(msg, sizeof msg, "argument '%s' of %s must be a whole number from 0 to 2^53 here, not %g", fp->name,
               call->def->fn.name, x);
      call_error(s, call, src, msg);
    }
    arg->bits = (uint64_t)x;
  }
  arg->scalar = x;
  if (call->def->size[p] && x == floor(x) && fabs(x) < (double)LONG_MAX) *size = (long)x;
}

/* The value of dimension k of array parameter p. */
static long dim_value(const IxpFfiFn *fn, const IxpFfiArg *args, int p, int k) {
  const IxpFfiDim *d = &fn->params[p].dims[k];
  if (d->param < 0) return d->size;
  return fn->params[d->param].type == IXP_CT_U64 ? (long)args[d->param].bits : (long)args[d->param].scalar;
}

static IxpValue output_value(const IxpFfiFn *fn, const IxpFfiArg *args, int p) {
  IxpValue v = {.type = TY_VEC, .v = args[p].array, .rows = 1, .cols = (int)args[p].count};
  if (fn->params[p].ndims == 2) {
    v.type = TY_MAT;
    v.rows = (int)dim_value(fn, args, p, 0);
    v.cols = (int)dim_value(fn, args, p, 1);
  }
  return v;
}

static IxpValue return_value(const IxpFfiFn *fn, double ret) {
  if (fn->ret == IXP_CT_F64 || fn->ret == IXP_CT_F32) return ixp_value_real(ret);
  return fabs(ret) < 0x1p53 ? ixp_value_num(ixp_num_int((int64_t)ret)) : ixp_value_real(ret);
}

static IxpValue result(IxpSession *s, const IxpExternDef *def, const IxpFfiArg *args, double ret) {
  IxpType t = ixp_extern_type(def);
  if (t == TY_NUM) return return_value(&def->fn, ret);
  if (t == TY_NONE) return (IxpValue){.type = TY_NONE};
  if (t != TY_RECORD)
    for (int p = 0; p < def->fn.nparams; p++)
      if (def->output[p]) return output_value(&def->fn, args, p);
  bool has_ret = def->fn.ret != IXP_CT_VOID;
  IxpRecord *r = ixp_record_new(ixp_session_tmp(s), def->fn.name, def->noutputs + has_ret);
  int n = 0;
  for (int p = 0; p < def->fn.nparams; p++) {
    if (!def->output[p]) continue;
    r->names[n] = (char *)def->fn.params[p].name;
    r->values[n++] = output_value(&def->fn, args, p);
  }
  if (has_ret) {
    r->names[n] = "value";
    r->values[n] = return_value(&def->fn, ret);
  }
  return (IxpValue){.type = TY_RECORD, .record = r};
}

/* Fill omitted sizes (inferred or preset) and allocate the outputs. */
static void complete(IxpSession *s, const IxpExternCall *call, const IxpSource *src, IxpFfiArg *args, long *counts,
                     long *sizes) {
  const IxpExternDef *def = call->def;
  char msg[320];
  if (!ixp_extern_infer(def, counts, sizes, msg, sizeof msg)) call_error(s, call, src, msg);
  for (int p = 0; p < def->fn.nparams; p++) {
    if (!def->size[p] || call->arg_of[p] >= 0) continue;
    if (sizes[p] < 0) {
      snprintf(msg, sizeof msg, "cannot tell size '%s' of %s: no input array's shape gives it, so pass it",
               def->fn.params[p].name, def->fn.name);
      call_error(s, call, src, msg);
    }
    args[p].scalar = (double)sizes[p];
    args[p].bits = (uint64_t)sizes[p];
  }
  for (int p = 0; p < def->fn.nparams; p++) {
    if (!def->output[p]) continue;
    size_t n;
    if (!ixp_ffi_shape(&def->fn, p, args, &n, msg, sizeof msg)) call_error(s, call, src, msg);
    if (n > ((size_t)1 << 31)) {
      snprintf(msg, sizeof msg, "output '%s' of %s would have %zu elements", def->fn.params[p].name, def->fn.name, n);
      call_error(s, call, src, msg);
    }
    args[p].array = ixp_arena_alloc(ixp_session_tmp(s), (n ? n : 1) * sizeof *args[p].array);  /* zeroed */
    args[p].count = n;
  }
}

static IxpValue apply(IxpSession *s, const IxpExternCall *call, const IxpSource *src, const IxpValue *argv,
                      uint64_t key, uint64_t counter, const long *preset) {
  const IxpExternDef *def = call->def;
  IxpFfiArg args[IXP_FFI_MAX_PARAMS];
  long counts[IXP_FFI_MAX_PARAMS], sizes[IXP_FFI_MAX_PARAMS];
  memset(args, 0, sizeof args);
  for (int p = 0; p < def->fn.nparams; p++) {
    counts[p] = -1;
    sizes[p] = preset ? preset[p] : -1;
    int a = call->arg_of[p];
    if (a >= 0) give(s, call, src, p, &argv[a], &args[p], &counts[p], &sizes[p]);
    else if (seed_param(def, p)) args[p].bits = ixp_rng_bits(ixp_rng_key(key, (uint64_t)p, 0x5eed), counter);
  }
  complete(s, call, src, args, counts, sizes);
  double ret = 0;
  char msg[320];
  if (!ixp_ffi_call((IxpFfiFn *)&def->fn, args, &ret, msg, sizeof msg)) {
    ixp_session_poll_interrupt(s, src, call->site->span);  /* a Ctrl-C that stopped the call */
    call_error(s, call, src, msg);
  }
  return result(s, def, args, ret);
}

IxpValue ixp_extern_apply(IxpSession *s, const IxpExternCall *call, const IxpSource *src, const IxpValue *argv,
                          uint64_t key, uint64_t counter) {
  return apply(s, call, src, argv, key, counter, NULL);
}

/* One call over all n rows: size parameter `batch` is the row count. */
static IxpValue apply_to_rows(IxpSession *s, const IxpExternCall *call, const IxpSource *src, const IxpValue *argv,
                              uint64_t key, int batch, size_t n) {
  long preset[IXP_FFI_MAX_PARAMS];
  for (int p = 0; p < IXP_FFI_MAX_PARAMS; p++) preset[p] = -1;
  preset[batch] = (long)n;
  return apply(s, call, src, argv, key, 0, preset);
}

IxpValue ixp_extern_eval(IxpSession *s, IxpAst *e, const IxpFrame *f) {
  const IxpExternCall *call = e->sem.call;
  IxpValue *argv = ixp_arena_alloc(ixp_session_tmp(s), (size_t)(e->nitems ? e->nitems : 1) * sizeof *argv);
  for (int i = 0; i < e->nitems; i++) argv[i] = ixp_eval(s, e->items[i]->a, f);
  return apply(s, call, f && f->model ? f->model->src : s->src, argv, 0, 0, NULL);
}

/* ----------------------------------------------------------------- maps */

/* Elements of a literal constant, or -1 when only running tells. */
static long literal_count(const IxpAst *e) {
  if (e->kind == AST_NUM) return 1;
  if (e->kind == AST_VEC) return e->nitems;
  return -1;
}

int ixp_extern_batch_param(const IxpExternCall *call) {
  const IxpExternDef *def = call->def;
  for (int q = 0; q < def->fn.nparams; q++) {
    if (!def->size[q] || call->arg_of[q] >= 0) continue;
    bool leads = true, any = false;
    for (int p = 0; p < def->fn.nparams; p++) {
      const IxpFfiParam *fp = &def->fn.params[p];
      if (!fp->is_array) continue;
      any = true;
      leads &= fp->ndims > 0 && fp->dims[0].param == q;
    }
    if (leads && any) return q;
  }
  return -1;
}

static bool plan_arg(const IxpMapStep *st, int p, long *count, long *size_value, char *msg, size_t size) {
  const IxpExternDef *def = st->call.def;
  const IxpFfiParam *fp = &def->fn.params[p];
  const IxpMapArg *ma = &st->args[st->call.arg_of[p]];
  if (fp->is_array) {
    *count = ma->width > 0 ? ma->width : literal_count(ma->expr);
    return true;
  }
  if (ma->width > 1) {
    snprintf(msg, size, "parameter '%s' of %s is a scalar: it takes one column, not %d", fp->name, def->fn.name, ma->width);
    return false;
  }
  if (ma->width == 1 && st->batch >= 0) {
    snprintf(msg, size, "%s runs once over all rows (its arrays lead with '%s'): columns go to its arrays, not to scalar '%s'",
             def->fn.name, def->fn.params[st->batch].name, fp->name);
    return false;
  }
  if (def->size[p] && ma->expr && ma->expr->kind == AST_NUM && ma->expr->exact && ma->expr->num_d == 1)
    *size_value = (long)ma->expr->num_n;
  return true;
}

bool ixp_extern_map_plan(IxpMapStep *st, char *msg, size_t size) {
  const IxpExternDef *def = st->call.def;
  long counts[IXP_FFI_MAX_PARAMS], sizes[IXP_FFI_MAX_PARAMS];
  st->batch = ixp_extern_batch_param(&st->call);
  for (int p = 0; p < def->fn.nparams; p++) {
    counts[p] = sizes[p] = -1;
    if (st->call.arg_of[p] >= 0 && !plan_arg(st, p, &counts[p], &sizes[p], msg, size)) return false;
  }
  if (st->batch >= 0) sizes[st->batch] = 1;  /* widths per row */
  if (!ixp_extern_infer(def, counts, sizes, msg, size)) return false;
  for (int p = 0; p < def->fn.nparams; p++) {
    if (!def->output[p]) continue;
    const IxpFfiParam *fp = &def->fn.params[p];
    long w = 1;
    for (int k = 0; k < fp->ndims; k++) {
      long d = fp->dims[k].param < 0 ? fp->dims[k].size : sizes[fp->dims[k].param];
      if (d < 0) {
        snprintf(msg, size, "the width of output '%s' of %s must be known when the file is checked: give size '%s' as a number",
                 fp->name, def->fn.name, def->fn.params[fp->dims[k].param].name);
        return false;
      }
      w *= d;
    }
    st->out_width[p] = w;
  }
  return true;
}

/* Copy a call's outputs for rows [row, row + nrows) into their columns. */
static void scatter(const IxpMapStep *st, const IxpValue *out, double **cols, size_t row, size_t nrows) {
  const IxpExternDef *def = st->call.def;
  if (out->type == TY_NUM) {
    cols[st->ret_col][row] = out->num.x;
    return;
  }
  int field = 0;
  for (int p = 0; p < def->fn.nparams; p++) {
    if (!def->output[p]) continue;
    const IxpValue *v = out->type == TY_RECORD ? &out->record->values[field++] : out;
    long w = st->out_width[p];
    for (size_t r = 0; r < nrows; r++)
      for (long k = 0; k < w; k++) cols[st->out_col[p] + k][row + r] = v->v[r * (size_t)w + (size_t)k];
  }
  if (out->type == TY_RECORD && st->ret_col >= 0)
    for (size_t r = 0; r < nrows; r++) cols[st->ret_col][row + r] = out->record->values[field].num.x;
}

/* A group's values for rows [row, row + nrows), row-major. */
static void gather(const IxpMapArg *ma, double **cols, size_t row, size_t nrows, double *buf) {
  for (size_t r = 0; r < nrows; r++)
    for (int k = 0; k < ma->width; k++) buf[r * (size_t)ma->width + (size_t)k] = cols[ma->col[k]][row + r];
}

static int param_of(const IxpExternCall *call, int a) {
  for (int p = 0; p < call->def->fn.nparams; p++)
    if (call->arg_of[p] == a) return p;
  return 0;
}

static void step_args(IxpSession *s, const IxpMapStep *st, double **cols, size_t row, size_t nrows, IxpValue *argv) {
  for (int a = 0; a < st->nargs; a++) {
    const IxpMapArg *ma = &st->args[a];
    if (!ma->width) continue;
    if (!argv[a].v) {
      size_t len = nrows * (size_t)ma->width;
      argv[a] = (IxpValue){.type = TY_VEC, .rows = 1, .cols = (int)len,
                           .v = ixp_arena_alloc(ixp_session_tmp(s), len * sizeof(double))};
    }
    gather(ma, cols, row, nrows, argv[a].v);
    if (!st->call.def->fn.params[param_of(&st->call, a)].is_array) argv[a] = (IxpValue){.type = TY_NUM, .num = ixp_num_real(argv[a].v[0]), .v = argv[a].v};
  }
}

static void check_finite(IxpSession *s, const IxpSource *src, const IxpMapStep *st, double **cols,
                         const char *const *names, size_t n) {
  const IxpExternDef *def = st->call.def;
  for (int p = -1; p < def->fn.nparams; p++) {
    if (p >= 0 && !def->output[p]) continue;
    if (p < 0 && st->ret_col < 0) continue;
    int first = p < 0 ? st->ret_col : st->out_col[p];
    long w = p < 0 ? 1 : st->out_width[p];
    for (long k = 0; k < w; k++)
      for (size_t r = 0; r < n; r++)
        if (!isfinite(cols[first + k][r]))
          ixp_runtime_error(s, src, st->call.site->span, "%s gave %g for column '%s' at row %zu: a dataset holds finite numbers",
                            def->fn.name, cols[first + k][r], names[first + k], r + 1);
  }
}

static void run_step(IxpSession *s, const IxpSource *src, const IxpMapStep *st, double **cols, size_t n, uint64_t key) {
  IxpValue argv[IXP_FFI_MAX_PARAMS];
  memset(argv, 0, sizeof argv);
  for (int a = 0; a < st->nargs; a++)
    if (!st->args[a].width) argv[a] = ixp_eval(s, st->args[a].expr, NULL);
  if (st->batch >= 0) {
    step_args(s, st, cols, 0, n, argv);
    IxpValue out = apply_to_rows(s, &st->call, src, argv, key, st->batch, n);
    scatter(st, &out, cols, 0, n);
    return;
  }
  IxpProgress bar;
  ixp_progress_begin(&bar, st->call.def->fn.name, n, NULL);
  if (n) step_args(s, st, cols, 0, 1, argv);  /* the argument buffers, kept across rows */
  IxpArenaMark row_start = ixp_arena_mark(ixp_session_tmp(s));
  for (size_t r = 0; r < n; r++) {
    if ((r & 1023) == 0) {
      ixp_session_poll_interrupt(s, src, st->call.site->span);
      ixp_progress_update(&bar, r);
    }
    step_args(s, st, cols, r, 1, argv);
    IxpValue out = apply(s, &st->call, src, argv, key, r, NULL);
    scatter(st, &out, cols, r, 1);
    ixp_arena_release(ixp_session_tmp(s), row_start);  /* the row's outputs are in their columns */
  }
  ixp_progress_end(&bar);
}

/* The rows of a map as a definition step reads them: the columns before
 * its own. */
typedef struct {
  double *const *cols;
  int ncols;
  double *vals;
  size_t row;
} MapRows;

static void map_load(void *ctx, size_t row) {
  MapRows *r = ctx;
  for (int v = 0; v < r->ncols; v++) r->vals[v] = r->cols[v][row];
  r->row = row;
}

static const char *map_describe(void *ctx, char *buf, size_t size) {
  snprintf(buf, size, "reading row %zu", ((MapRows *)ctx)->row + 1);
  return buf;
}

/* NAME = expr: the expression in each row (ixp_eval_rows), then every
 * value checked finite. */
static void run_define(IxpSession *s, const IxpSource *src, const IxpMapStep *st, double **cols, const char *const *names,
                       size_t n) {
  MapRows mr = {cols, st->def_col, ixp_arena_alloc(ixp_session_tmp(s), (size_t)(st->def_col + 1) * sizeof(double)), 0};
  IxpRows rows = {.s = s, .m = st->model, .values = cols, .n = n, .vals = mr.vals, .load = map_load,
                  .describe = map_describe, .ctx = &mr};
  char what[160];
  snprintf(what, sizeof what, "the map's definition of '%s'", st->define->str);
  ixp_eval_rows(&rows, st->define->a, what, cols + st->def_col, st->width);
  for (int k = 0; k < st->width; k++)
    for (size_t r = 0; r < n; r++)
      if (!isfinite(cols[st->def_col + k][r]))
        ixp_runtime_error(s, src, st->define->a->span, "this value is %g for column '%s' at row %zu: a dataset holds finite numbers",
                          cols[st->def_col + k][r], names[st->def_col + k], r + 1);
}

void ixp_extern_map_run(IxpSession *s, const IxpSource *src, const IxpMapStep *steps, int nsteps, double **cols,
                        const char *const *names, size_t n, uint64_t key) {
  for (int k = 0; k < nsteps; k++) {
    if (steps[k].define) {
      run_define(s, src, &steps[k], cols, names, n);
      continue;
    }
    run_step(s, src, &steps[k], cols, n, ixp_rng_key(key, (uint64_t)k, 0));
    check_finite(s, src, &steps[k], cols, names, n);
  }
}

/* ----------------------------------------------------------- estimators */

/* A side's columns as n x width rows; a NaN or infinity is bad data. */
static IxpValue side_rows(IxpSession *s, const IxpExternEstimate *x, int g, size_t n, IxpSpan use) {
  return (IxpValue){.type = TY_VEC, .rows = 1, .cols = (int)(n * (size_t)x->width[g]),
                    .v = ixp_data_block(s, x->data, x->vars[g], x->width[g], use)};
}

static IxpValue estimate_run(IxpSession *s, const IxpPlanOp *op, const IxpReg *rows) {
  const IxpExternEstimate *x = op->payload;
  IxpSpan use = op->plan->site->span;
  size_t n = rows->n;
  IxpValue argv[IXP_FFI_MAX_PARAMS];
  for (int g = 0; g < x->nsides; g++) argv[g] = side_rows(s, x, g, n, use);
  for (int e = 0; e < x->nextra; e++) argv[x->nsides + e] = ixp_eval(s, x->extra[e], NULL);
  IxpValue v = apply_to_rows(s, &x->call, s->src, argv, ixp_stream_key(s, x->position, 0xe57), x->batch, n);
  if (!isfinite(v.num.x))
    ixp_runtime_error(s, s->src, use, "%s returned %g: an estimate is a finite number", x->call.def->fn.name, v.num.x);
  return ixp_value_real(v.num.x * ixp_units_scale(s));
}

static void estimate_explain(IxpSession *s, const IxpPlanOp *op, const IxpReg *rows, FILE *out) {
  (void)s, (void)rows;
  const IxpExternEstimate *x = op->payload;
  fprintf(out, "%s (%s) on the rows of %s, %d side%s", x->call.def->fn.name,
          ixp_ffi_path(x->call.def->fn.lib), x->data->name, x->nsides, x->nsides == 1 ? "" : "s");
}

const IxpKernel ixp_kernel_extern_estimate = {"extern estimator", estimate_run, estimate_explain};
