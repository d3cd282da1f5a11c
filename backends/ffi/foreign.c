/* foreign.c — extern C functions through libffi (see foreign.h).
 *
 * A call converts every argument into its C form first (scalars into one
 * 8-byte slot each, non-f64 arrays into fn->scratch; f64 arrays are passed
 * as the caller's pointer), then either calls in-process (ffi_call) or
 * sends the C forms to the library's child process, which calls and sends
 * back the return value and the written arrays in the same C forms. So
 * both modes share every check and conversion, and the child never needs
 * the parameter names.
 *
 * Types: bool is C99 _Bool, passed as one byte (ffi_type_uint8). libffi
 * widens integral returns narrower than a word to ffi_arg, so those are
 * read back through an ffi_arg (the ffi_call manual's rule).
 *
 * Wire format (a SOCK_STREAM socketpair; the parent sends with
 * MSG_NOSIGNAL so a dead child is an EPIPE, not a SIGPIPE): every message
 * is a Head {op, index, len} and len bytes.
 *   open reply   OK, or ERR + dlerror text
 *   BIND         u32 ret type, u32 nparams, u32 code per parameter (type |
 *                array << 8 | const << 9), the symbol's name + NUL;
 *                reply OK with index = the function's number, or ERR + text
 *   CALL         index = function; one 8-byte slot per parameter (a
 *                scalar's C value, an array's element count), then each
 *                array's elements padded to 8 bytes; reply OK + 8 bytes of
 *                return storage + each written array, padded alike
 *   QUIT         the child exits (so does it at end of file)
 * A child's crash is seen as end of file or a reset; waitpid names the
 * signal. The child resets crash signals to their default action (a
 * sanitizer's or ixp's handlers are inherited through fork), ignores
 * SIGINT between calls (a Ctrl-C at the prompt must not end it) but not
 * during one (so Ctrl-C can stop a runaway call), and exits through _exit. */
#include "foreign.h"
#include "grow.h"

#include <dlfcn.h>
#include <errno.h>
#include <ffi.h>
#include <float.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ types */

/* Per type: name, libffi type, C size, and for integers the whole numbers
 * accepted, [lo, hi), and how that range prints. */
typedef struct {
  const char *name;
  ffi_type *ffi;
  size_t size;
  double lo, hi;
  const char *range;
} CTypeInfo;

#define NTYPES (IXP_CT_BOOL + 1)

static const CTypeInfo CT[NTYPES] = {
    [IXP_CT_VOID] = {"void", &ffi_type_void, 0, 0, 0, NULL},
    [IXP_CT_F64] = {"f64", &ffi_type_double, 8, 0, 0, NULL},
    [IXP_CT_F32] = {"f32", &ffi_type_float, 4, 0, 0, NULL},
    [IXP_CT_I64] = {"i64", &ffi_type_sint64, 8, -0x1p63, 0x1p63, "[-9223372036854775808, 9223372036854775807]"},
    [IXP_CT_I32] = {"i32", &ffi_type_sint32, 4, -0x1p31, 0x1p31, "[-2147483648, 2147483647]"},
    [IXP_CT_U64] = {"u64", &ffi_type_uint64, 8, 0, 0x1p64, "[0, 18446744073709551615]"},
    [IXP_CT_U8] = {"u8", &ffi_type_uint8, 1, 0, 256, "[0, 255]"},
    [IXP_CT_BOOL] = {"bool", &ffi_type_uint8, 1, 0, 2, "[0, 1]"},
};

const char *ixp_ctype_name(IxpCType t) { return (unsigned)t < NTYPES ? CT[t].name : "?"; }

int ixp_ctype_parse(const char *name) {
  for (int t = 0; name && t < NTYPES; t++)
    if (strcmp(name, CT[t].name) == 0) return t;
  return -1;
}

static bool valid_type(IxpCType t) { return (unsigned)t < NTYPES; }
static bool is_int_type(IxpCType t) { return t == IXP_CT_I64 || t == IXP_CT_I32 || t == IXP_CT_U64 || t == IXP_CT_U8; }
static const char *nm(const char *s) { return s ? s : "?"; }

/* One scalar argument's C value (bool as a byte), or an array's pointer. */
typedef union {
  double d;
  float f;
  int64_t i64;
  int32_t i32;
  uint64_t u64;
  uint8_t u8;
  void *p;
} Slot;

/* Return storage: at least an ffi_arg, which narrow integers widen to. */
typedef union {
  ffi_arg a;
  ffi_sarg s;
  double d;
  float f;
  int64_t i64;
  uint64_t u64;
} Ret;

_Static_assert(sizeof(Slot) == 8 && sizeof(Ret) == 8, "the wire format sends slots and returns as 8 bytes");

/* The prepared call interface (fn->cif). */
typedef struct {
  ffi_cif cif;
  ffi_type *types[IXP_FFI_MAX_PARAMS];
} Cif;

/* Conversion buffers (fn->scratch), 8-byte aligned. */
typedef struct {
  size_t cap;
  double data[];
} Scratch;

/* Can x be passed as a t? (NaN fails every integer comparison.) */
static bool value_ok(IxpCType t, double x) {
  if (t == IXP_CT_F64) return true;
  if (t == IXP_CT_F32) return !(isfinite(x) && fabs(x) > FLT_MAX);
  return x >= CT[t].lo && x < CT[t].hi && x == trunc(x);
}

/* Store x (already checked) as a t at dst. */
static void store_value(IxpCType t, double x, void *dst) {
  switch (t) {
  case IXP_CT_F64: *(double *)dst = x; break;
  case IXP_CT_F32: *(float *)dst = (float)x; break;
  case IXP_CT_I64: *(int64_t *)dst = (int64_t)x; break;
  case IXP_CT_I32: *(int32_t *)dst = (int32_t)x; break;
  case IXP_CT_U64: *(uint64_t *)dst = (uint64_t)x; break;
  case IXP_CT_U8:
  case IXP_CT_BOOL: *(uint8_t *)dst = (uint8_t)x; break;
  case IXP_CT_VOID: break;
  }
}

/* The t at src as a double. A bool is read as a byte: a library may have
 * written any byte there, and reading a _Bool that is not 0 or 1 is UB. */
static double load_value(IxpCType t, const void *src) {
  switch (t) {
  case IXP_CT_F64: return *(const double *)src;
  case IXP_CT_F32: return *(const float *)src;
  case IXP_CT_I64: return (double)*(const int64_t *)src;
  case IXP_CT_I32: return *(const int32_t *)src;
  case IXP_CT_U64: return (double)*(const uint64_t *)src;
  case IXP_CT_U8: return *(const uint8_t *)src;
  case IXP_CT_BOOL: return *(const uint8_t *)src != 0;
  case IXP_CT_VOID: break;
  }
  return 0;
}

/* The return value as a double; narrow integers through the ffi_arg. */
static double ret_value(IxpCType t, const Ret *r) {
  switch (t) {
  case IXP_CT_F64: return r->d;
  case IXP_CT_F32: return r->f;
  case IXP_CT_I64: return (double)r->i64;
  case IXP_CT_U64: return (double)r->u64;
  case IXP_CT_I32: return (int32_t)r->s;
  case IXP_CT_U8: return (uint8_t)r->a;
  case IXP_CT_BOOL: return (uint8_t)r->a != 0;
  case IXP_CT_VOID: break;
  }
  return 0;
}

/* x in the fewest digits that read back as x ("2.5", "1e+300"), whole
 * numbers below 1e21 in full ("9223372036854775808"). */
static const char *fmt_num(double x, char buf[40]) {
  if (x == trunc(x) && fabs(x) < 1e21) return snprintf(buf, 40, "%.0f", x), buf;
  for (int p = 1; p <= 17; p++) {
    snprintf(buf, 40, "%.*g", p, x);
    if (strtod(buf, NULL) == x) break;
  }
  return buf;
}

/* ----------------------------------------------------------------- library */

struct IxpFfiLib {
  char *path;
  void *handle;     /* in-process: the dlopen handle */
  bool isolated;
  pid_t pid;        /* isolated: the child, -1 once reaped */
  int fd;           /* isolated: the socket to it, -1 once closed */
  char death[192];  /* how the child ended ("crashed in 'f': ..."), "" while it runs */
  IxpFfiLib *next;  /* the open isolated libraries, whose sockets a new child closes */
  double timeout;   /* isolated: seconds a call may take (0: no limit) */
  const volatile sig_atomic_t *interrupted;  /* isolated: stop a call when set */
  struct { void *req; size_t len; } *binds;  /* isolated: the binds made, replayed in a new child */
  int nbinds, capbinds;
};

static IxpFfiLib *isolated_libs;  /* unguarded: libraries are opened from one thread */

const char *ixp_ffi_path(const IxpFfiLib *lib) { return lib ? lib->path : "?"; }

enum { OP_OK, OP_ERR, OP_BIND, OP_CALL, OP_QUIT };

typedef struct {
  uint32_t op, index;
  uint64_t len;
} Head;

static const unsigned char zeros[8];

static size_t pad8(size_t bytes) { return (8 - bytes % 8) % 8; }

/* Drop `done` bytes from the front of iov[0..n), skipping empty entries. */
static void iov_advance(struct iovec **iov, int *n, size_t done) {
  while (*n > 0 && done >= (*iov)->iov_len) done -= (*iov)->iov_len, (*iov)++, (*n)--;
  if (*n > 0) (*iov)->iov_base = (char *)(*iov)->iov_base + done, (*iov)->iov_len -= done;
}

/* Send all of iov[0..n) (modified), through partial writes and EINTR. */
static bool send_iov(int fd, struct iovec *iov, int n) {
  for (iov_advance(&iov, &n, 0); n > 0;) {
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return false;
    iov_advance(&iov, &n, (size_t)w);
  }
  return true;
}

/* Fill all of iov[0..n) (modified); false at end of file or on an error. */
static bool recv_iov(int fd, struct iovec *iov, int n) {
  for (iov_advance(&iov, &n, 0); n > 0;) {
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    ssize_t r = recvmsg(fd, &m, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    iov_advance(&iov, &n, (size_t)r);
  }
  return true;
}

static bool recv_buf(int fd, void *p, size_t len) {
  struct iovec v = {p, len};
  return recv_iov(fd, &v, 1);
}

/* A message: head, then len bytes at p. */
static bool send_msg(int fd, uint32_t op, uint32_t index, const void *p, size_t len) {
  Head h = {op, index, len};
  struct iovec v[2] = {{&h, sizeof h}, {(void *)p, len}};
  return send_iov(fd, v, 2);
}

/* Read and drop len bytes. */
static bool discard(int fd, uint64_t len) {
  char junk[512];
  for (uint64_t k; len > 0; len -= k) {
    k = len < sizeof junk ? len : sizeof junk;
    if (!recv_buf(fd, junk, (size_t)k)) return false;
  }
  return true;
}

/* An ERR message's text (len bytes) into msg, cut to fit. */
static bool recv_text(int fd, uint64_t len, char *msg, size_t size) {
  if (size == 0) return discard(fd, len);
  size_t keep = len < size ? (size_t)len : size - 1;
  if (!recv_buf(fd, msg, keep)) return false;
  msg[keep] = '\0';
  return discard(fd, len - keep);
}

/* ------------------------------------------------------------ declarations */

/* Sizes of array i: literals >= 0, or integer scalar parameters. */
static bool check_dims(const IxpFfiFn *fn, int i, char *err, size_t n) {
  const IxpFfiParam *p = &fn->params[i];
  for (int k = 0; k < p->ndims; k++) {
    int j = p->dims[k].param;
    if (j < 0 && p->dims[k].size < 0)
      return snprintf(err, n, "array parameter '%s' of '%s' has a negative size (%ld)", nm(p->name), nm(fn->name),
                      p->dims[k].size), false;
    if (j >= fn->nparams)
      return snprintf(err, n, "size %d of array parameter '%s' of '%s' names no parameter", k + 1, nm(p->name),
                      nm(fn->name)), false;
    if (j >= 0 && (fn->params[j].is_array || !is_int_type(fn->params[j].type)))
      return snprintf(err, n,
                      "size '%s' of array parameter '%s' of '%s' must be an integer scalar (i64, i32, u64 or u8), "
                      "not %s%s",
                      nm(fn->params[j].name), nm(p->name), nm(fn->name),
                      fn->params[j].is_array ? "an array of " : "", ixp_ctype_name(fn->params[j].type)), false;
  }
  return true;
}

static bool check_param(const IxpFfiFn *fn, int i, char *err, size_t n) {
  const IxpFfiParam *p = &fn->params[i];
  const char *pn = nm(p->name), *fname = nm(fn->name);
  if (!valid_type(p->type)) return snprintf(err, n, "parameter '%s' of '%s' has an unknown type", pn, fname), false;
  if (p->type == IXP_CT_VOID)
    return snprintf(err, n, "parameter '%s' of '%s' cannot be void (void is a return type only)", pn, fname), false;
  if (!p->is_array && p->is_const)
    return snprintf(err, n, "parameter '%s' of '%s' is a scalar; only arrays can be const", pn, fname), false;
  if (!p->is_array) return true;
  if (p->ndims == 0) return snprintf(err, n, "array parameter '%s' of '%s' needs a shape", pn, fname), false;
  if (p->ndims < 0 || p->ndims > IXP_FFI_MAX_DIMS)
    return snprintf(err, n, "array parameter '%s' of '%s' has %d dimensions; at most %d are supported", pn, fname,
                    p->ndims, IXP_FFI_MAX_DIMS), false;
  return check_dims(fn, i, err, n);
}

static bool check_decl(const IxpFfiFn *fn, char *err, size_t n) {
  if (!fn->name || !*fn->name) return snprintf(err, n, "an extern function needs a name"), false;
  if (fn->nparams < 0 || fn->nparams > IXP_FFI_MAX_PARAMS)
    return snprintf(err, n, "function '%s' has %d parameters; at most %d are supported", fn->name, fn->nparams,
                    IXP_FFI_MAX_PARAMS), false;
  if (!valid_type(fn->ret)) return snprintf(err, n, "function '%s' has an unknown return type", fn->name), false;
  for (int i = 0; i < fn->nparams; i++)
    if (!check_param(fn, i, err, n)) return false;
  return true;
}

/* fn->cif from the (checked) parameter types. */
static bool make_cif(IxpFfiFn *fn, char *err, size_t n) {
  Cif *c = malloc(sizeof *c);
  if (!c) return snprintf(err, n, "out of memory binding '%s'", nm(fn->name)), false;
  for (int i = 0; i < fn->nparams; i++)
    c->types[i] = fn->params[i].is_array ? &ffi_type_pointer : CT[fn->params[i].type].ffi;
  ffi_status st = ffi_prep_cif(&c->cif, FFI_DEFAULT_ABI, (unsigned)fn->nparams, CT[fn->ret].ffi, c->types);
  if (st != FFI_OK) {
    free(c);
    return snprintf(err, n, "libffi cannot prepare a call to '%s' (status %d)", nm(fn->name), (int)st), false;
  }
  fn->cif = c;
  return true;
}

/* fn->sym from handle (in this process or the child). */
static bool find_symbol(void *handle, const char *path, IxpFfiFn *fn, char *err, size_t n) {
  dlerror();
  fn->sym = dlsym(handle, fn->name);
  if (!fn->sym) return snprintf(err, n, "extern library '%s' has no function '%s'", path, fn->name), false;
  return true;
}

/* --------------------------------------------------------- the child side */

/* What a child serves: its library and the functions bound in it. */
typedef struct {
  int fd;
  void *handle;
  const char *path;
  IxpFfiFn *fns;
  int nfns, cap;
  unsigned char *buf;  /* the current request's payload (malloc: 16-aligned) */
  size_t bufcap;
} Child;

/* SIGINT: ignored while idle (a Ctrl-C at the REPL prompt must not kill
 * the library), default during a call (so Ctrl-C can end a runaway call,
 * reported as a crash). */
static void child_sigint(bool in_call) {
  struct sigaction sa = {.sa_handler = in_call ? SIG_DFL : SIG_IGN};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
}

/* A crash in the library must end the child by its signal, so that the
 * parent can name it: no inherited handlers (ixp's, a sanitizer's), no
 * blocked signals, no core file. */
static void child_setup(void) {
  static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS, SIGTERM, SIGHUP, SIGQUIT};
  struct sigaction sa = {.sa_handler = SIG_DFL};
  sigemptyset(&sa.sa_mask);
  for (size_t k = 0; k < sizeof fatal / sizeof *fatal; k++) sigaction(fatal[k], &sa, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  child_sigint(false);
  struct rlimit no_core = {0, 0};
  setrlimit(RLIMIT_CORE, &no_core);
}

static void child_error(Child *c, const char *msg) { send_msg(c->fd, OP_ERR, 0, msg, strlen(msg)); }

/* BIND: payload u32 ret, u32 nparams, codes, name. */
static void child_bind(Child *c, size_t len) {
  const uint32_t *w = (const uint32_t *)c->buf;
  char err[256];
  if (len < 8 || w[1] > IXP_FFI_MAX_PARAMS || len <= 8 + 4 * (size_t)w[1] || c->buf[len - 1] != '\0')
    return child_error(c, "malformed bind request");
  if (!ixp_grow(&c->fns, &c->cap, c->nfns + 1, sizeof *c->fns))
    return child_error(c, "out of memory in the isolated process");
  IxpFfiFn *fn = &c->fns[c->nfns];
  memset(fn, 0, sizeof *fn);
  fn->name = (const char *)(w + 2 + w[1]);
  fn->ret = (IxpCType)w[0];
  fn->nparams = (int)w[1];
  for (int i = 0; i < fn->nparams; i++) {
    fn->params[i].type = (IxpCType)(w[2 + i] & 0xff);
    fn->params[i].is_array = w[2 + i] >> 8 & 1;
    fn->params[i].is_const = w[2 + i] >> 9 & 1;
    if (!valid_type(fn->params[i].type) || fn->params[i].type == IXP_CT_VOID)
      return child_error(c, "malformed bind request");
  }
  if (!valid_type(fn->ret)) return child_error(c, "malformed bind request");
  if (!find_symbol(c->handle, c->path, fn, err, sizeof err) || !make_cif(fn, err, sizeof err))
    return child_error(c, err);
  fn->name = NULL;  /* it pointed into the request */
  send_msg(c->fd, OP_OK, (uint32_t)c->nfns++, NULL, 0);
}

/* Point each array's slot at its elements in the payload; false if the
 * counts do not add up to len. */
static bool child_arrays(const IxpFfiFn *fn, unsigned char *buf, size_t len, Slot *slot, size_t *count) {
  size_t off = 8 * (size_t)fn->nparams;
  if (len < off) return false;
  if (off) memcpy(slot, buf, off);  /* buf is NULL before any payload */
  for (int i = 0; i < fn->nparams; i++) {
    if (!fn->params[i].is_array) continue;
    size_t size = CT[fn->params[i].type].size;
    count[i] = slot[i].u64;
    if (count[i] > (len - off) / size) return false;
    slot[i].p = buf + off;
    off += count[i] * size + pad8(count[i] * size);
    if (off > len) return false;
  }
  return off == len;
}

/* CALL: call, then send the return storage and the written arrays. */
static void child_call(Child *c, uint32_t index, size_t len) {
  if (index >= (uint32_t)c->nfns) return child_error(c, "call to an unknown function");
  IxpFfiFn *fn = &c->fns[index];
  Slot slot[IXP_FFI_MAX_PARAMS];
  size_t count[IXP_FFI_MAX_PARAMS] = {0};
  void *avalue[IXP_FFI_MAX_PARAMS];
  if (!child_arrays(fn, c->buf, len, slot, count)) return child_error(c, "malformed call request");
  for (int i = 0; i < fn->nparams; i++) avalue[i] = &slot[i];
  Ret r = {0};
  child_sigint(true);
  ffi_call(&((Cif *)fn->cif)->cif, FFI_FN(fn->sym), &r, avalue);
  child_sigint(false);
  fflush(stdout);  /* what the library printed, in order with what ixp prints next */
  Head h = {OP_OK, 0, sizeof r};
  struct iovec v[2 + 2 * IXP_FFI_MAX_PARAMS];
  v[0] = (struct iovec){&h, sizeof h}, v[1] = (struct iovec){&r, sizeof r};
  int nv = 2;
  for (int i = 0; i < fn->nparams; i++) {
    if (!fn->params[i].is_array || fn->params[i].is_const) continue;
    size_t bytes = count[i] * CT[fn->params[i].type].size;
    v[nv++] = (struct iovec){slot[i].p, bytes};
    v[nv++] = (struct iovec){(void *)zeros, pad8(bytes)};
    h.len += bytes + pad8(bytes);
  }
  send_iov(c->fd, v, nv);
}

/* The request's payload into c->buf; a payload too large to hold is
 * drained and answered with an error (false). */
static bool child_payload(Child *c, uint64_t len) {
  if (len > c->bufcap) {
    unsigned char *b = len <= SIZE_MAX ? realloc(c->buf, (size_t)len) : NULL;
    if (!b) {
      if (!discard(c->fd, len)) _exit(0);
      child_error(c, "out of memory in the isolated process");
      return false;
    }
    c->buf = b, c->bufcap = (size_t)len;
  }
  if (!recv_buf(c->fd, c->buf, (size_t)len)) _exit(0);
  return true;
}

/* The child: load the library, report, serve until QUIT or end of file.
 * It leaves through _exit: the parent's atexit handlers and stdio
 * buffers are the parent's. */
static _Noreturn void child_serve(int fd, const char *path) {
  child_setup();
  Child c = {.fd = fd, .path = path};
  c.handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!c.handle) {
    const char *e = dlerror();
    child_error(&c, e ? e : "dlopen failed");
    _exit(0);
  }
  send_msg(fd, OP_OK, 0, NULL, 0);
  for (Head h; recv_buf(fd, &h, sizeof h);) {
    if (h.op == OP_QUIT) break;
    if (!child_payload(&c, h.len)) continue;
    if (h.op == OP_BIND) child_bind(&c, (size_t)h.len);
    else if (h.op == OP_CALL) child_call(&c, h.index, (size_t)h.len);
    else child_error(&c, "unknown request");
  }
  fflush(stdout);
  _exit(0);
}

/* -------------------------------------------------------- the parent side */

/* Wait for the child (killing it if it lingers or `kill_now`) and say how
 * it ended into why; the signal that ended it, or 0. */
static int reap(IxpFfiLib *lib, bool kill_now, char *why, size_t n) {
  if (lib->fd >= 0) close(lib->fd), lib->fd = -1;
  snprintf(why, n, "it ended");
  if (lib->pid <= 0) return 0;
  if (kill_now) kill(lib->pid, SIGKILL);
  int st = 0;
  pid_t r = 0;
  for (int tries = 0; r == 0 || (r < 0 && errno == EINTR); tries++) {
    if (tries == 2000) kill(lib->pid, SIGKILL);  /* about 2 s: it ignores end of file */
    r = waitpid(lib->pid, &st, tries < 2000 ? WNOHANG : 0);
    if (r == 0) nanosleep(&(struct timespec){0, 1000000}, NULL);
  }
  if (r > 0 && WIFSIGNALED(st)) snprintf(why, n, "%s", strsignal(WTERMSIG(st)));
  else if (r > 0 && WIFEXITED(st)) snprintf(why, n, "it exited with status %d", WEXITSTATUS(st));
  lib->pid = -1;
  return r > 0 && WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

static void unlist(IxpFfiLib *lib) {
  for (IxpFfiLib **p = &isolated_libs; *p; p = &(*p)->next)
    if (*p == lib) {
      *p = lib->next;
      return;
    }
}

/* The child stopped answering in `fname`: reap it and remember how (a
 * Ctrl-C that reached it is an interruption, not a crash). */
static void lost_child(IxpFfiLib *lib, const char *fname, bool kill_now, char *err, size_t n) {
  char why[128];
  int sig = reap(lib, kill_now, why, sizeof why);
  unlist(lib);
  if (sig == SIGINT) snprintf(lib->death, sizeof lib->death, "was interrupted in '%s'", fname);
  else snprintf(lib->death, sizeof lib->death, "crashed in '%s': %s", fname, why);
  snprintf(err, n, "extern library '%s' %s (it ran isolated; ixp continues)", lib->path, lib->death);
}

/* The call to `fname` was stopped by ixp (`why`): end the child. */
static void stop_child(IxpFfiLib *lib, const char *fname, const char *why, char *err, size_t n) {
  char ended[128];
  reap(lib, true, ended, sizeof ended);
  unlist(lib);
  snprintf(lib->death, sizeof lib->death, "was stopped in '%s': %s", fname, why);
  snprintf(err, n, "extern function '%s' %s; its library '%s' was stopped (it ran isolated; ixp continues)", fname,
           why, lib->path);
}

static bool open_isolated(IxpFfiLib *lib, char *err, size_t n);
static bool recv_reply(IxpFfiLib *lib, Head *h, char *err, size_t n);

/* A child to talk to: the running one, or, after a crash, a new one with
 * every function bound again in the same order (so their numbers hold).
 * The library starts afresh: its static state is lost with the old child. */
static bool child_ready(IxpFfiLib *lib, char *err, size_t n) {
  if (lib->fd >= 0) return true;
  char msg[256];
  Head h;
  bool ok = open_isolated(lib, msg, sizeof msg);
  for (int i = 0; ok && i < lib->nbinds; i++) {
    Head b = {OP_BIND, 0, lib->binds[i].len};
    struct iovec v[2] = {{&b, sizeof b}, {lib->binds[i].req, lib->binds[i].len}};
    ok = send_iov(lib->fd, v, 2) && recv_reply(lib, &h, msg, sizeof msg) && h.op == OP_OK && h.index == (uint32_t)i;
    if (!ok && msg[0] == '\0') snprintf(msg, sizeof msg, "it did not bind its functions again");
  }
  if (ok) return lib->death[0] = '\0', true;
  if (lib->fd >= 0) {
    char why[128];
    reap(lib, true, why, sizeof why);
    unlist(lib);
  }
  snprintf(err, n, "extern library '%s' %s and cannot be reopened: %s", lib->path, lib->death, msg);
  return false;
}

/* Keep a successful bind's request, to replay in a new child; false when
 * out of memory (a new child numbers its functions in replay order, so a
 * bind left out would shift every later one). */
static bool remember_bind(IxpFfiLib *lib, const void *w, size_t wl, const char *name, size_t nl) {
  unsigned char *req = malloc(wl + nl);
  if (!req || !ixp_grow(&lib->binds, &lib->capbinds, lib->nbinds + 1, sizeof *lib->binds)) {
    free(req);
    return false;
  }
  memcpy(req, w, wl), memcpy(req + wl, name, nl);
  lib->binds[lib->nbinds].req = req;
  lib->binds[lib->nbinds++].len = wl + nl;
  return true;
}

enum { WAIT_READY, WAIT_TIMEOUT, WAIT_INTERRUPTED };

static double seconds_since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

/* Wait until the child's reply (or its end) can be read, unless the call
 * runs past lib->timeout or *lib->interrupted is set first. SIGINT is
 * blocked except inside ppoll, so a Ctrl-C between the check and the wait
 * still wakes it. */
static int await_reply(IxpFfiLib *lib) {
  sigset_t block, orig;
  sigemptyset(&block), sigaddset(&block, SIGINT);
  pthread_sigmask(SIG_BLOCK, &block, &orig);
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int state = -1;
  while (state < 0) {
    double left = lib->timeout > 0 ? lib->timeout - seconds_since(&t0) : 1;
    struct timespec wait = {(time_t)left, (long)((left - floor(left)) * 1e9)};
    struct pollfd p = {lib->fd, POLLIN, 0};
    if (lib->interrupted && *lib->interrupted) state = WAIT_INTERRUPTED;
    else if (left <= 0) state = WAIT_TIMEOUT;
    else {
      int ready = ppoll(&p, 1, lib->timeout > 0 ? &wait : NULL, &orig);
      if (ready > 0 || (ready < 0 && errno != EINTR)) state = WAIT_READY;  /* a reply, an end, or an error recv reports */
    }
  }
  pthread_sigmask(SIG_SETMASK, &orig, NULL);
  return state;
}

/* A reply's head; an ERR reply's text into err (then h->op is OP_ERR).
 * false if the child is gone. */
static bool recv_reply(IxpFfiLib *lib, Head *h, char *err, size_t n) {
  if (!recv_buf(lib->fd, h, sizeof *h)) return false;
  if (h->op == OP_ERR) return recv_text(lib->fd, h->len, err, n);
  return true;
}

/* Fork the child; on return lib->fd talks to it. */
static bool spawn(IxpFfiLib *lib, char *err, size_t n) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    return snprintf(err, n, "cannot open extern library '%s': socketpair: %s", lib->path, strerror(errno)), false;
  fflush(NULL);  /* else the child would hold, and could print, a copy of ixp's unwritten output */
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(sv[0]), close(sv[1]);
    return snprintf(err, n, "cannot open extern library '%s': fork: %s", lib->path, strerror(e)), false;
  }
  if (pid == 0) {
    /* die with ixp, however it ends (a SIGTERM or SIGKILL to its pid
     * alone leaves no one to close the socket); if it is already gone,
     * the signal was missed: leave now */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(0);
    close(sv[0]);
    for (IxpFfiLib *l = isolated_libs; l; l = l->next) close(l->fd);  /* so their children see end of file */
    child_serve(sv[1], lib->path);
  }
  close(sv[1]);
  lib->pid = pid, lib->fd = sv[0];
  return true;
}

static bool open_isolated(IxpFfiLib *lib, char *err, size_t n) {
  if (!spawn(lib, err, n)) return false;
  Head h;
  char msg[256] = "";
  if (!recv_reply(lib, &h, msg, sizeof msg)) {
    char why[128];
    reap(lib, false, why, sizeof why);
    return snprintf(err, n, "cannot open extern library '%s': it crashed while loading: %s", lib->path, why), false;
  }
  if (h.op != OP_OK) {
    char why[128];
    reap(lib, true, why, sizeof why);
    return snprintf(err, n, "cannot open extern library '%s': %s", lib->path, msg), false;
  }
  lib->next = isolated_libs, isolated_libs = lib;
  return true;
}

/* The in-process extern call running on this thread, if any. */
static _Thread_local const IxpFfiFn *calling;

/* exit() inside an extern call would end ixp with the library's status
 * (0 for exit(0)), skipping the rest of the program and its failed
 * expects: say so and end as a runtime error instead. on_exit, not
 * atexit, to name the status. */
static void exit_during_call(int status, void *unused) {
  (void)unused;
  if (!calling) return;
  fflush(stdout);
  fprintf(stderr, "ixp: error: extern function '%s' (library '%s') called exit(%d); ixp stops\n",
          nm(calling->name), calling->lib ? calling->lib->path : "?", status);
  _exit(4);
}

static void catch_exit_registration(void) { on_exit(exit_during_call, NULL); }

static void catch_exit_once(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, catch_exit_registration);
}

IxpFfiLib *ixp_ffi_open(const char *path, bool isolated, char *err, size_t errsize) {
  IxpFfiLib *lib = calloc(1, sizeof *lib);
  if (!path || !lib || !(lib->path = strdup(path))) {
    free(lib);
    snprintf(err, errsize, path ? "out of memory opening an extern library" : "no extern library path");
    return NULL;
  }
  lib->isolated = isolated, lib->pid = -1, lib->fd = -1;
  if (!isolated) catch_exit_once();
  bool ok = isolated ? open_isolated(lib, err, errsize) : (lib->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL)) != NULL;
  if (!isolated && !ok) {
    const char *e = dlerror();
    snprintf(err, errsize, "cannot open extern library '%s': %s", path, e ? e : "dlopen failed");
  }
  if (!ok) free(lib->path), free(lib), lib = NULL;
  return lib;
}

void ixp_ffi_close(IxpFfiLib *lib) {
  if (!lib) return;
  if (lib->isolated && lib->fd >= 0) {
    char why[128];
    send_msg(lib->fd, OP_QUIT, 0, NULL, 0);
    unlist(lib);
    reap(lib, false, why, sizeof why);
  }
  if (lib->handle) dlclose(lib->handle);
  for (int i = 0; i < lib->nbinds; i++) free(lib->binds[i].req);
  free(lib->binds);
  free(lib->path);
  free(lib);
}

void ixp_ffi_set_limits(IxpFfiLib *lib, double timeout, const volatile sig_atomic_t *interrupted) {
  if (!lib) return;
  lib->timeout = timeout > 0 ? timeout : 0;
  lib->interrupted = interrupted;
}

/* Bind fn in the child: its number there into fn->remote. */
static bool bind_remote(IxpFfiLib *lib, IxpFfiFn *fn, char *err, size_t n) {
  if (!child_ready(lib, err, n)) return false;
  uint32_t w[2 + IXP_FFI_MAX_PARAMS] = {(uint32_t)fn->ret, (uint32_t)fn->nparams};
  for (int i = 0; i < fn->nparams; i++)
    w[2 + i] = (uint32_t)fn->params[i].type | (uint32_t)fn->params[i].is_array << 8 |
               (uint32_t)fn->params[i].is_const << 9;
  size_t wl = 4 * (2 + (size_t)fn->nparams), nl = strlen(fn->name) + 1;
  Head h = {OP_BIND, 0, wl + nl};
  struct iovec v[3] = {{&h, sizeof h}, {w, wl}, {(void *)fn->name, nl}};
  if (!send_iov(lib->fd, v, 3) || !recv_reply(lib, &h, err, n))
    return lost_child(lib, fn->name, false, err, n), false;
  if (h.op == OP_ERR) return false;
  fn->remote = (int)h.index;
  if (!remember_bind(lib, w, wl, fn->name, nl))
    return snprintf(err, n, "out of memory binding '%s'", fn->name), false;
  return true;
}

bool ixp_ffi_bind(IxpFfiLib *lib, IxpFfiFn *fn, char *err, size_t errsize) {
  fn->lib = lib, fn->sym = NULL, fn->remote = -1, fn->cif = NULL, fn->scratch = NULL;
  if (!lib) return snprintf(err, errsize, "no extern library to bind '%s' in", nm(fn->name)), false;
  if (!check_decl(fn, err, errsize)) return false;
  bool found = lib->isolated ? bind_remote(lib, fn, err, errsize) : find_symbol(lib->handle, lib->path, fn, err, errsize);
  return found && make_cif(fn, err, errsize);
}

void ixp_ffi_unbind(IxpFfiFn *fn) {
  if (!fn) return;
  free(fn->cif);
  free(fn->scratch);
  fn->cif = fn->scratch = fn->sym = NULL;
}

/* ------------------------------------------------------------------ shapes */

/* "f64[n, 4]" */
static void shape_text(const IxpFfiFn *fn, int i, char *buf, size_t n) {
  const IxpFfiParam *p = &fn->params[i];
  size_t len = (size_t)snprintf(buf, n, "%s[", ixp_ctype_name(p->type));
  for (int k = 0; k < p->ndims && len < n; k++) {
    const char *sep = k ? ", " : "";
    int j = p->dims[k].param;
    if (j >= fn->nparams) len += (size_t)snprintf(buf + len, n - len, "%s?", sep);
    else if (j >= 0) len += (size_t)snprintf(buf + len, n - len, "%s%s", sep, nm(fn->params[p->dims[k].param].name));
    else len += (size_t)snprintf(buf + len, n - len, "%s%ld", sep, p->dims[k].size);
  }
  if (len < n) snprintf(buf + len, n - len, "]");
}

/* " (n = 4, m = 2)", each named size once; "" if all are literals. */
static void shape_values(const IxpFfiFn *fn, int i, const IxpFfiArg *args, char *buf, size_t n) {
  const IxpFfiParam *p = &fn->params[i];
  size_t len = 0;
  buf[0] = '\0';
  for (int k = 0; k < p->ndims && len < n; k++) {
    int j = p->dims[k].param, seen = 0;
    for (int q = 0; q < k; q++) seen |= p->dims[q].param == j;
    if (j < 0 || j >= fn->nparams || seen) continue;
    char num[40];
    if (fn->params[j].type == IXP_CT_U64) snprintf(num, sizeof num, "%llu", (unsigned long long)args[j].bits);
    else fmt_num(args[j].scalar, num);
    len += (size_t)snprintf(buf + len, n - len, "%s%s = %s", len ? ", " : " (", nm(fn->params[j].name), num);
  }
  if (len > 0 && len < n) snprintf(buf + len, n - len, ")");
}

/* The value of size k of array i into *v. */
static bool dim_value(const IxpFfiFn *fn, int i, int k, const IxpFfiArg *args, uint64_t *v, char *err, size_t n) {
  const IxpFfiParam *p = &fn->params[i];
  int j = p->dims[k].param;
  if (j < 0 && p->dims[k].size >= 0) return *v = (uint64_t)p->dims[k].size, true;
  if (j < 0 || j >= fn->nparams || fn->params[j].is_array)
    return snprintf(err, n, "size %d of argument '%s' of '%s' is not a size", k + 1, nm(p->name), nm(fn->name)), false;
  if (fn->params[j].type == IXP_CT_U64) return *v = args[j].bits, true;
  double d = args[j].scalar;
  char num[40];
  if (d < 0)
    return snprintf(err, n, "size '%s' of argument '%s' is negative (%s)", nm(fn->params[j].name), nm(p->name),
                    fmt_num(d, num)), false;
  if (!(d == trunc(d)) || d >= 0x1p64)
    return snprintf(err, n, "size '%s' of argument '%s' must be a whole number below 2^64, not %s",
                    nm(fn->params[j].name), nm(p->name), fmt_num(d, num)), false;
  return *v = (uint64_t)d, true;
}

bool ixp_ffi_shape(const IxpFfiFn *fn, int i, const IxpFfiArg *args, size_t *count, char *err, size_t errsize) {
  if (i < 0 || i >= fn->nparams || !fn->params[i].is_array)
    return snprintf(err, errsize, "parameter %d of '%s' is not an array", i + 1, nm(fn->name)), false;
  const size_t limit = SIZE_MAX / 8;  /* so that the elements' bytes fit a size_t too */
  size_t total = 1;
  for (int k = 0; k < fn->params[i].ndims; k++) {
    uint64_t v;
    if (!dim_value(fn, i, k, args, &v, err, errsize)) return false;
    if (v != 0 && total > limit / v) {
      char shape[128], vals[192];
      shape_text(fn, i, shape, sizeof shape);
      shape_values(fn, i, args, vals, sizeof vals);
      return snprintf(err, errsize, "argument '%s' of '%s' is too large: its shape %s%s overflows",
                      nm(fn->params[i].name), nm(fn->name), shape, vals), false;
    }
    total *= (size_t)v;
  }
  *count = total;
  return true;
}

/* ------------------------------------------------------------------- calls */

/* "argument 'n' of 'f' must be ..." (elem < 0) or "element 3 of ...". */
static void value_error(const IxpFfiFn *fn, int i, long elem, double x, char *err, size_t n) {
  char what[160], num[40];
  IxpCType t = fn->params[i].type;
  int at = elem >= 0 ? snprintf(what, sizeof what, "element %ld of ", elem) : 0;
  snprintf(what + at, sizeof what - (size_t)at, "argument '%s' of '%s'", nm(fn->params[i].name), nm(fn->name));
  fmt_num(x, num);
  if (t == IXP_CT_F32) snprintf(err, n, "%s = %s does not fit f32", what, num);
  else if (t == IXP_CT_BOOL) snprintf(err, n, "%s must be 0 or 1 (a bool), not %s", what, num);
  else snprintf(err, n, "%s must be a whole number in %s, not %s", what, CT[t].range, num);
}

/* Every scalar argument into its slot. */
static bool convert_scalars(const IxpFfiFn *fn, const IxpFfiArg *args, Slot *slot, char *err, size_t n) {
  for (int i = 0; i < fn->nparams; i++) {
    IxpCType t = fn->params[i].type;
    if (fn->params[i].is_array) continue;
    if (t == IXP_CT_U64) {
      slot[i].u64 = args[i].bits;
      continue;
    }
    if (!value_ok(t, args[i].scalar)) return value_error(fn, i, -1, args[i].scalar, err, n), false;
    store_value(t, args[i].scalar, &slot[i]);
  }
  return true;
}

/* Check array i's count and pointer against its shape. */
static bool check_array(const IxpFfiFn *fn, int i, const IxpFfiArg *args, size_t *count, char *err, size_t n) {
  const char *pn = nm(fn->params[i].name), *fname = nm(fn->name);
  if (!ixp_ffi_shape(fn, i, args, count, err, n)) return false;
  if (args[i].count != *count) {
    char shape[128], vals[192];
    shape_text(fn, i, shape, sizeof shape);
    shape_values(fn, i, args, vals, sizeof vals);
    return snprintf(err, n, "argument '%s' of '%s' has %zu elements; its shape %s needs %zu%s", pn, fname,
                    args[i].count, shape, *count, vals), false;
  }
  if (*count > 0 && !args[i].array) return snprintf(err, n, "argument '%s' of '%s' has no elements", pn, fname), false;
  return true;
}

/* Room for `bytes` in fn->scratch. */
static unsigned char *scratch(IxpFfiFn *fn, size_t bytes) {
  Scratch *s = fn->scratch;
  if (!s || s->cap < bytes) {
    size_t cap = s && s->cap <= SIZE_MAX / 2 && s->cap * 2 > bytes ? s->cap * 2 : bytes;
    if (cap > SIZE_MAX - sizeof *s || !ixp_resize(&fn->scratch, 1, sizeof *s + cap)) return NULL;
    s = fn->scratch;
    s->cap = cap;
  }
  return (unsigned char *)s->data;
}

/* Each array's C elements into ptr[i]: f64 arrays the caller's own,
 * others converted into fn->scratch. */
static bool convert_arrays(IxpFfiFn *fn, const IxpFfiArg *args, void **ptr, size_t *count, char *err, size_t n) {
  size_t off[IXP_FFI_MAX_PARAMS], total = 0;
  for (int i = 0; i < fn->nparams; i++) {
    if (!fn->params[i].is_array) continue;
    if (!check_array(fn, i, args, &count[i], err, n)) return false;
    size_t bytes = count[i] * CT[fn->params[i].type].size;
    off[i] = total;
    if (fn->params[i].type != IXP_CT_F64) total += bytes + pad8(bytes);
  }
  unsigned char *buf = total ? scratch(fn, total) : NULL;
  if (total && !buf) return snprintf(err, n, "out of memory for the arguments of '%s'", nm(fn->name)), false;
  for (int i = 0; i < fn->nparams; i++) {
    IxpCType t = fn->params[i].type;
    if (!fn->params[i].is_array) continue;
    ptr[i] = t == IXP_CT_F64 ? (void *)args[i].array : buf + off[i];
    if (t == IXP_CT_F64) continue;
    for (size_t k = 0; k < count[i]; k++) {
      if (!value_ok(t, args[i].array[k])) return value_error(fn, i, (long)k, args[i].array[k], err, n), false;
      store_value(t, args[i].array[k], (unsigned char *)ptr[i] + k * CT[t].size);
    }
  }
  return true;
}

/* Written non-f64 arrays back into the caller's doubles. */
static void copy_back(const IxpFfiFn *fn, IxpFfiArg *args, void **ptr, const size_t *count) {
  for (int i = 0; i < fn->nparams; i++) {
    const IxpFfiParam *p = &fn->params[i];
    if (!p->is_array || p->is_const || p->type == IXP_CT_F64) continue;
    for (size_t k = 0; k < count[i]; k++)
      args[i].array[k] = load_value(p->type, (unsigned char *)ptr[i] + k * CT[p->type].size);
  }
}

/* The call in the child: slots and arrays out, return and written arrays
 * back into r and ptr[]. */
static bool call_remote(IxpFfiFn *fn, Slot *slot, void **ptr, const size_t *count, Ret *r, char *err, size_t n) {
  IxpFfiLib *lib = fn->lib;
  if (!child_ready(lib, err, n)) return false;
  Head h = {OP_CALL, (uint32_t)fn->remote, 8 * (size_t)fn->nparams};
  struct iovec v[2 + 2 * IXP_FFI_MAX_PARAMS];
  v[0] = (struct iovec){&h, sizeof h}, v[1] = (struct iovec){slot, h.len};
  int nv = 2;
  uint64_t expect = sizeof *r;
  for (int i = 0; i < fn->nparams; i++) {
    if (!fn->params[i].is_array) continue;
    size_t bytes = count[i] * CT[fn->params[i].type].size;
    slot[i].u64 = count[i];
    v[nv++] = (struct iovec){ptr[i], bytes};
    v[nv++] = (struct iovec){(void *)zeros, pad8(bytes)};
    h.len += bytes + pad8(bytes);
    if (!fn->params[i].is_const) expect += bytes + pad8(bytes);
  }
  if (!send_iov(lib->fd, v, nv)) return lost_child(lib, fn->name, false, err, n), false;
  int waited = await_reply(lib);
  if (waited == WAIT_INTERRUPTED) return stop_child(lib, fn->name, "was interrupted", err, n), false;
  if (waited == WAIT_TIMEOUT) {
    char why[96];
    snprintf(why, sizeof why, "ran past its time limit of %g s", lib->timeout);
    return stop_child(lib, fn->name, why, err, n), false;
  }
  if (!recv_reply(lib, &h, err, n)) return lost_child(lib, fn->name, false, err, n), false;
  if (h.op == OP_ERR) return false;
  if (h.op != OP_OK || h.len != expect) return lost_child(lib, fn->name, true, err, n), false;
  unsigned char pad[8];
  nv = 0;
  v[nv++] = (struct iovec){r, sizeof *r};
  for (int i = 0; i < fn->nparams; i++) {
    if (!fn->params[i].is_array || fn->params[i].is_const) continue;
    size_t bytes = count[i] * CT[fn->params[i].type].size;
    v[nv++] = (struct iovec){ptr[i], bytes};
    v[nv++] = (struct iovec){pad, pad8(bytes)};
  }
  if (!recv_iov(lib->fd, v, nv)) return lost_child(lib, fn->name, false, err, n), false;
  return true;
}

bool ixp_ffi_call(IxpFfiFn *fn, IxpFfiArg *args, double *ret, char *err, size_t errsize) {
  Slot slot[IXP_FFI_MAX_PARAMS];
  void *ptr[IXP_FFI_MAX_PARAMS], *avalue[IXP_FFI_MAX_PARAMS];
  size_t count[IXP_FFI_MAX_PARAMS];  /* set for arrays only: no memset on the per-call path */
  Ret r = {0};
  if (ret) *ret = 0;
  if (!fn->cif || !fn->lib) return snprintf(err, errsize, "function '%s' is not bound", nm(fn->name)), false;
  if (!convert_scalars(fn, args, slot, err, errsize) || !convert_arrays(fn, args, ptr, count, err, errsize))
    return false;
  if (fn->lib->isolated) {
    if (!call_remote(fn, slot, ptr, count, &r, err, errsize)) return false;
  } else {
    for (int i = 0; i < fn->nparams; i++) avalue[i] = fn->params[i].is_array ? &ptr[i] : (void *)&slot[i];
    calling = fn;
    ffi_call(&((Cif *)fn->cif)->cif, FFI_FN(fn->sym), &r, avalue);
    calling = NULL;
  }
  copy_back(fn, args, ptr, count);
  if (ret) *ret = ret_value(fn->ret, &r);
  return true;
}
