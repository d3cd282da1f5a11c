/* foreign.h — calling user C functions named in `extern` blocks, through libffi.
 *
 * A declaration (IxpFfiFn) gives each parameter a C type and, for arrays,
 * a shape whose sizes are literals or other integer parameters:
 *
 *   fn layer(n: i64, x: const f64[n, 4], h: f64[n, 8]) -> void
 *
 * The interpreter computes in doubles, so arguments arrive as doubles:
 * scalars are converted to the parameter's C type with a range check
 * (integers must be whole and in range, bool 0 or 1, u8 0..255), and
 * arrays of f64 are passed as they are (no copy); arrays of other types
 * are converted into scratch buffers, and written arrays converted back.
 *
 * A library can be opened in-process (fast; a crash in it ends ixp) or
 * isolated in a child process that serves calls over a pipe (a crash is
 * reported as an error; calls cost a round trip). Nothing of a library
 * runs before ixp_ffi_open is called on its path. */
#ifndef IXP_FOREIGN_H
#define IXP_FOREIGN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
  IXP_CT_VOID,  /* return type only */
  IXP_CT_F64,
  IXP_CT_F32,
  IXP_CT_I64,
  IXP_CT_I32,
  IXP_CT_U64,   /* full 64 bits (random seeds): passed in IxpFfiArg.bits */
  IXP_CT_U8,
  IXP_CT_BOOL,
} IxpCType;

/* "f64", "f32", "i64", "i32", "u64", "u8", "bool", "void". */
const char *ixp_ctype_name(IxpCType t);
/* The type named `name`, or -1. */
int ixp_ctype_parse(const char *name);

#define IXP_FFI_MAX_PARAMS 16
#define IXP_FFI_MAX_DIMS 4

typedef struct {
  long size;   /* a literal size (param < 0) */
  int param;   /* or the index of an integer scalar parameter giving it */
} IxpFfiDim;

typedef struct {
  const char *name;
  IxpCType type;
  bool is_array;   /* a pointer to ndims-dimensional row-major elements */
  bool is_const;   /* arrays only: read, never written (an input) */
  int ndims;
  IxpFfiDim dims[IXP_FFI_MAX_DIMS];
} IxpFfiParam;

typedef struct IxpFfiLib IxpFfiLib;

typedef struct {
  /* the declaration, filled by the caller */
  const char *name;
  IxpCType ret;      /* a scalar type or VOID */
  int nparams;
  IxpFfiParam params[IXP_FFI_MAX_PARAMS];
  /* filled by ixp_ffi_bind */
  IxpFfiLib *lib;
  void *sym;         /* the function (in-process), NULL when isolated */
  int remote;        /* its index in the child process (isolated) */
  void *cif;         /* prepared ffi_cif and ffi_type* array (owned; ixp_ffi_unbind) */
  void *scratch;     /* conversion buffers reused between calls (owned) */
} IxpFfiFn;

/* Open the shared library at `path` (dlopen with RTLD_NOW | RTLD_LOCAL).
 * isolated: in a forked child process that loads it and serves calls.
 * NULL on failure, with the loader's message (dlerror) in err. */
IxpFfiLib *ixp_ffi_open(const char *path, bool isolated, char *err, size_t errsize);
void ixp_ffi_close(IxpFfiLib *lib);
/* Limits on an isolated library's calls: one still running after
 * `timeout` seconds (0: no limit), or when *interrupted becomes nonzero
 * (a Ctrl-C; may be NULL), is stopped by killing the child, and fails
 * ("extern function 'f' ran past its time limit of 2 s; ..."). The next
 * call or bind starts a new child, as after a crash. No effect in-process. */
void ixp_ffi_set_limits(IxpFfiLib *lib, double timeout, const volatile sig_atomic_t *interrupted);
const char *ixp_ffi_path(const IxpFfiLib *lib);

/* Check a declaration (shape sizes name earlier-or-later integer scalar
 * parameters, const only on arrays, at most IXP_FFI_MAX_DIMS dimensions,
 * VOID only as a return type), find its symbol in `lib` and prepare the
 * libffi call interface. false with a message in err (e.g. "library
 * 'x.so' has no function 'f'"). */
bool ixp_ffi_bind(IxpFfiLib *lib, IxpFfiFn *fn, char *err, size_t errsize);
/* Release what ixp_ffi_bind allocated (the library stays open). */
void ixp_ffi_unbind(IxpFfiFn *fn);

/* One argument per parameter. */
typedef struct {
  double scalar;   /* a scalar parameter's value (not U64) */
  uint64_t bits;   /* a U64 scalar parameter's value */
  double *array;   /* an array parameter's elements (read; written back unless const) */
  size_t count;    /* elements available at `array` */
} IxpFfiArg;

/* The number of elements array parameter i needs, from the integer
 * scalars in args. false with a message if a size is negative or the
 * product overflows. */
bool ixp_ffi_shape(const IxpFfiFn *fn, int i, const IxpFfiArg *args, size_t *count, char *err, size_t errsize);

/* Call fn with args: convert and range-check scalars, check every array's
 * count equals its shape (message: "argument 'x' of 'f' has 12 elements;
 * its shape f64[n, 4] needs 16 (n = 4)"), call, convert written arrays
 * back and store the return value as a double in *ret (0 for VOID; U64
 * returns converted to double). false with a message on any error, and
 * in isolated mode if the child died ("extern library 'x.so' crashed in 'f': Segmentation fault").
 * Not thread-safe: one call at a time per function. */
bool ixp_ffi_call(IxpFfiFn *fn, IxpFfiArg *args, double *ret, char *err, size_t errsize);

#endif
