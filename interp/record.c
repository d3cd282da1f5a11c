/* record.c — a run's results and provenance as a JSON record (jansson),
 * input files hashed with nettle's SHA-256.
 *
 * The record is kept as a jansson tree in the file's layout from the start,
 * so writing is one dump and a record read back is the same kind of object
 * as one being built. Records read from files are validated once, so the
 * comparison and the report may rely on the shapes of their values. */
#include "record.h"

#include "outfile.h"

#include <blis.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

/* 17 significant digits read back as the same double. */
#define DUMP_FLAGS (JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))
#define RECORD_VERSION 1
#define SHOW_VECTOR_MAX 8

struct IxpRunRecord {
  json_t *root;  /* {"ixp_record": 1, "provenance": {...}, "results": [...]} */
};

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t size, const char *fmt, ...) {
  if (!err || !size) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, size, fmt, ap);
  va_end(ap);
}

static json_t *prov(const IxpRunRecord *r) { return json_object_get(r->root, "provenance"); }
static json_t *inputs(const IxpRunRecord *r) { return json_object_get(prov(r), "inputs"); }
static json_t *results(const IxpRunRecord *r) { return json_object_get(r->root, "results"); }

/* o[key] as a string, or `dflt` when missing or not a string. */
static const char *str_of(const json_t *o, const char *key, const char *dflt) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : dflt;
}

/* ------------------------------------------------------------- building */

/* A copy of `s` with every non-ASCII byte made '?': jansson refuses text
 * that is not UTF-8, and names come from arbitrary source files. */
static char *ascii_copy(const char *s) {
  char *t = strdup(s);
  for (char *p = t; p && *p; p++)
    if ((unsigned char)*p >= 0x80) *p = '?';
  return t;
}

static json_t *jstr(const char *s) {
  if (!s) s = "";
  json_t *j = json_string(s);
  if (j) return j;
  char *t = ascii_copy(s);
  j = json_string(t ? t : "");
  free(t);
  return j;
}

/* obj[key] = val, taking val's reference; a key that is not UTF-8 is
 * stored in its ASCII form rather than dropped. */
static void obj_set(json_t *obj, const char *key, json_t *val) {
  if (json_object_set(obj, key, val) != 0) {
    char *k = ascii_copy(key);
    if (k) json_object_set(obj, k, val);
    free(k);
  }
  json_decref(val);
}

/* jansson has no NaN or infinities: they become strings. */
static json_t *num_json(double x) {
  if (isnan(x)) return json_string("nan");
  if (isinf(x)) return json_string(x > 0 ? "inf" : "-inf");
  return json_real(x);
}

/* A number as num_json writes it (JSON integers too); false otherwise. */
static bool json_num(const json_t *j, double *x) {
  if (json_is_number(j)) {
    *x = json_number_value(j);
    return true;
  }
  const char *s = json_string_value(j);
  if (!s) return false;
  if (!strcmp(s, "nan")) *x = NAN;
  else if (!strcmp(s, "inf")) *x = INFINITY;
  else if (!strcmp(s, "-inf")) *x = -INFINITY;
  else return false;
  return true;
}

static json_t *row_json(const double *v, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(a, num_json(v[i]));
  return a;
}

static json_t *wrap(const char *key, json_t *val) {
  json_t *o = json_object();
  json_object_set_new(o, key, val);
  return o;
}

static json_t *matrix_json(const double *v, int rows, int cols) {
  json_t *m = json_array();
  for (int i = 0; i < rows; i++)
    json_array_append_new(m, row_json(v + (size_t)i * (size_t)cols, (size_t)cols));
  return m;
}

static json_t *table_json(const IxpTable *t) {
  json_t *cols = json_array();
  for (int c = 0; c < t->ncols; c++) json_array_append_new(cols, jstr(t->cols[c]));
  json_t *o = json_object();
  json_object_set_new(o, "columns", cols);
  json_object_set_new(o, "rows", matrix_json(t->cells, t->nrows, t->ncols));
  return o;
}

/* A range is recorded as the vector of its points. */
static json_t *range_json(const IxpValue *v) {
  int64_t n = ixp_range_count(v);
  if (n < 0) return json_null();
  json_t *a = json_array();
  for (int64_t i = 0; i < n; i++) json_array_append_new(a, num_json(ixp_range_at(v, i).x));
  return a;
}

static json_t *value_json(const IxpValue *v);

/* Every field, aliases included: `shown` only limits printing. */
static json_t *record_json(const IxpRecord *rec) {
  json_t *o = json_object();
  for (int i = 0; i < rec->n; i++) obj_set(o, rec->names[i], value_json(&rec->values[i]));
  return o;
}

static json_t *value_json(const IxpValue *v) {
  switch (v->type) {
  case TY_NUM: return num_json(v->num.x);
  case TY_STR: return wrap("string", jstr(v->str));
  case TY_VEC: return row_json(v->v, (size_t)(v->cols > 0 ? v->cols : 0));
  case TY_MAT: return wrap("matrix", matrix_json(v->v, v->rows, v->cols));
  case TY_RANGE: return range_json(v);
  case TY_TABLE: return v->table ? wrap("table", table_json(v->table)) : json_null();
  case TY_RECORD: return v->record ? wrap("record", record_json(v->record)) : json_null();
  default: return json_null();
  }
}

/* A result object; takes the reference to `value` (NULL: null). */
static json_t *result_with(const char *kind, const char *name, const char *file, int line, int col, json_t *value) {
  json_t *o = json_object();
  json_object_set_new(o, "kind", jstr(kind));
  json_object_set_new(o, "name", jstr(name));
  json_object_set_new(o, "file", jstr(file));
  json_object_set_new(o, "line", json_integer(line));
  json_object_set_new(o, "col", json_integer(col));
  json_object_set_new(o, "value", value ? value : json_null());
  return o;
}

static json_t *result_json(const char *kind, const char *name, const char *file, int line, int col,
                           const IxpValue *v) {
  return result_with(kind, name, file, line, col, v ? value_json(v) : NULL);
}

/* A value's text from ixp_runrec_value_text, parsed (NULL: null). */
static json_t *value_from_text(const char *text) {
  return text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
}

/* Provenance keys are created up front so the file keeps this order
 * whichever of provenance, override and input is called first. */
IxpRunRecord *ixp_runrec_new(void) {
  static const char *keys[] = {"ixp", "compiler", "blis", "platform", "date", "seed", "threads", "ranks"};
  IxpRunRecord *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  json_t *p = json_object();
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) json_object_set_new(p, keys[i], json_null());
  json_object_set_new(p, "overrides", json_object());
  json_object_set_new(p, "inputs", json_array());
  r->root = json_object();
  json_object_set_new(r->root, "ixp_record", json_integer(RECORD_VERSION));
  json_object_set_new(r->root, "provenance", p);
  json_object_set_new(r->root, "results", json_array());
  return r;
}

void ixp_runrec_free(IxpRunRecord *r) {
  if (!r) return;
  json_decref(r->root);
  free(r);
}

/* ----------------------------------------------------------- provenance */

static void compiler_name(char *buf, size_t size) {
#if defined(__GNUC__) && !defined(__clang__)
  snprintf(buf, size, "gcc %s", __VERSION__);
#elif defined(__VERSION__)
  snprintf(buf, size, "%s", __VERSION__);
#else
  snprintf(buf, size, "unknown");
#endif
}

static void platform_name(char *buf, size_t size) {
  struct utsname u;
  if (uname(&u) == 0) snprintf(buf, size, "%s %s", u.sysname, u.machine);
  else snprintf(buf, size, "unknown");
}

/* Now in UTC, unless SOURCE_DATE_EPOCH (the reproducible-builds
 * convention) fixes it, as golden tests need stable output. */
static void utc_date(char *buf, size_t size) {
  time_t t = time(NULL);
  const char *env = getenv("SOURCE_DATE_EPOCH");
  if (env && *env) {
    char *end;
    errno = 0;
    long long s = strtoll(env, &end, 10);
    if (!*end && !errno && s >= 0) t = (time_t)s;
  }
  struct tm tm;
  if (!gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm)) snprintf(buf, size, "unknown");
}

void ixp_runrec_provenance(IxpRunRecord *r, const char *version, const char *seed, int threads) {
  char compiler[256], platform[256], date[64];
  compiler_name(compiler, sizeof compiler);
  platform_name(platform, sizeof platform);
  utc_date(date, sizeof date);
  json_t *p = prov(r);
  json_object_set_new(p, "ixp", jstr(version));
  json_object_set_new(p, "compiler", jstr(compiler));
  /* BLIS picks its kernels for the CPU at run time, and kernels for other
   * CPUs may round differently: the configuration is part of the build. */
  char blis[128];
  snprintf(blis, sizeof blis, "%s (%s)", bli_info_get_version_str(), bli_arch_string(bli_arch_query_id()));
  json_object_set_new(p, "blis", jstr(blis));
  json_object_set_new(p, "platform", jstr(platform));
  json_object_set_new(p, "date", jstr(date));
  json_object_set_new(p, "seed", seed ? jstr(seed) : json_null());
  json_object_set_new(p, "threads", json_integer(threads));
}

void ixp_runrec_ranks(IxpRunRecord *r, int ranks) { json_object_set_new(prov(r), "ranks", json_integer(ranks)); }

void ixp_runrec_override(IxpRunRecord *r, const char *name, const char *value) {
  obj_set(json_object_get(prov(r), "overrides"), name ? name : "", jstr(value));
}

static json_t *find_input(json_t *list, const char *role, const char *path) {
  size_t i;
  json_t *in;
  json_array_foreach(list, i, in) {
    if (!strcmp(str_of(in, "role", ""), role) && !strcmp(str_of(in, "path", ""), path)) return in;
  }
  return NULL;
}

/* SHA-256 of a file's bytes as 64 lowercase hex digits; false with errno
 * set if it cannot be read. */
static bool sha256_file(const char *path, char hex[2 * SHA256_DIGEST_SIZE + 1]) {
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  struct sha256_ctx ctx;
  sha256_init(&ctx);
  uint8_t buf[16384];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) sha256_update(&ctx, n, buf);
  int e = ferror(f) ? (errno ? errno : EIO) : 0;
  fclose(f);
  if (e) {
    errno = e;
    return false;
  }
  uint8_t d[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, sizeof d, d);
  for (size_t i = 0; i < sizeof d; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
  return true;
}

bool ixp_runrec_input(IxpRunRecord *r, const char *role, const char *path, char *err, size_t errsize) {
  return ixp_runrec_input_as(r, role, path, path, err, errsize);
}

bool ixp_runrec_input_as(IxpRunRecord *r, const char *role, const char *path, const char *name, char *err,
                         size_t errsize) {
  if (!role || !path || !name) {
    set_err(err, errsize, "an input needs a role and a path");
    return false;
  }
  json_t *list = inputs(r);
  if (find_input(list, role, name)) return true;
  char hex[2 * SHA256_DIGEST_SIZE + 1];
  if (!sha256_file(path, hex)) {
    set_err(err, errsize, "cannot read '%s': %s", path, strerror(errno));
    return false;
  }
  json_t *in = json_object();
  json_object_set_new(in, "role", jstr(role));
  json_object_set_new(in, "path", jstr(name));
  json_object_set_new(in, "sha256", json_string(hex));
  json_array_append_new(list, in);
  return true;
}

/* -------------------------------------------------------------- results */

void ixp_runrec_result(IxpRunRecord *r, const char *kind, const char *name, const char *file, int line,
                       int col, const IxpValue *v, double rtol) {
  json_t *o = result_json(kind, name, file, line, col, v);
  if (rtol >= 0 && isfinite(rtol)) json_object_set_new(o, "rtol", json_real(rtol));
  json_array_append_new(results(r), o);
}

void ixp_runrec_print_line(FILE *out, const char *kind, const char *name, const char *file, int line,
                           int col, const IxpValue *v) {
  json_t *o = result_json(kind, name, file, line, col, v);
  json_dumpf(o, out, JSON_COMPACT | DUMP_FLAGS);
  fputc('\n', out);
  fflush(out);
  json_decref(o);
}

char *ixp_runrec_value_text(const IxpValue *v) {
  json_t *j = v ? value_json(v) : json_null();
  char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | DUMP_FLAGS);
  json_decref(j);
  return text;
}

void ixp_runrec_result_text(IxpRunRecord *r, const char *kind, const char *name, const char *file, int line,
                            int col, const char *value, double rtol) {
  json_t *o = result_with(kind, name, file, line, col, value_from_text(value));
  if (rtol >= 0 && isfinite(rtol)) json_object_set_new(o, "rtol", json_real(rtol));
  json_array_append_new(results(r), o);
}

void ixp_runrec_print_line_text(FILE *out, const char *kind, const char *name, const char *file, int line,
                                int col, const char *value) {
  json_t *o = result_with(kind, name, file, line, col, value_from_text(value));
  json_dumpf(o, out, JSON_COMPACT | DUMP_FLAGS);
  fputc('\n', out);
  fflush(out);
  json_decref(o);
}

int ixp_runrec_count(const IxpRunRecord *r) { return (int)json_array_size(results(r)); }

/* ------------------------------------------------------- write and read */

/* Write `root` to `path` whole (see outfile.h). */
static bool write_json(json_t *root, const char *path, char *err, size_t errsize);

/* A temporary beside `path`, then rename: readers see the old record or
 * the whole new one, never a part. */
bool ixp_runrec_write(const IxpRunRecord *r, const char *path, char *err, size_t errsize) {
  return write_json(r->root, path, err, errsize);
}

bool ixp_runrec_write_rows(const char *path, int ncols, const char *const *labels, int nrows, const IxpValue *cells,
                           char *err, size_t errsize) {
  json_t *rows = json_array();
  for (int r = 0; r < nrows; r++) {
    json_t *row = json_object();
    for (int c = 0; c < ncols; c++) {
      const IxpValue *v = &cells[(size_t)r * (size_t)ncols + (size_t)c];
      obj_set(row, labels[c], v->type == TY_STR ? jstr(v->str) : num_json(v->num.x));
    }
    json_array_append_new(rows, row);
  }
  bool ok = write_json(rows, path, err, errsize);
  json_decref(rows);
  return ok;
}

static bool write_json(json_t *root, const char *path, char *err, size_t errsize) {
  IxpOutFile o;
  if (!ixp_outfile_open(&o, path, err, errsize)) return false;
  bool ok = json_dumpf(root, o.f, JSON_INDENT(2) | DUMP_FLAGS) == 0 && fputc('\n', o.f) != EOF;
  if (!ok) set_err(err, errsize, "cannot write '%s': %s", path, strerror(errno ? errno : EIO));
  return ixp_outfile_close(&o, path, ok, err, errsize) && ok;
}

/* Validation of a record read from a file: where it fails and why. */
typedef struct {
  const char *path;
  char *err;
  size_t size;
} Check;

__attribute__((format(printf, 2, 3))) static bool bad(Check *c, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  set_err(c->err, c->size, "'%s' is not a valid ixp record: %s", c->path, msg);
  return false;
}

/* An array of n numbers (any length when n is SIZE_MAX). */
static bool valid_row(const json_t *a, size_t n) {
  if (!json_is_array(a) || (n != SIZE_MAX && json_array_size(a) != n)) return false;
  size_t i;
  json_t *x;
  double d;
  json_array_foreach(a, i, x) {
    if (!json_num(x, &d)) return false;
  }
  return true;
}

static bool valid_matrix(const json_t *m) {
  if (!json_is_array(m)) return false;
  size_t cols = json_array_size(json_array_get(m, 0)), i;
  json_t *row;
  json_array_foreach(m, i, row) {
    if (!valid_row(row, cols)) return false;
  }
  return true;
}

static bool valid_table(const json_t *t) {
  json_t *cols = json_object_get(t, "columns"), *rows = json_object_get(t, "rows"), *x;
  if (!json_is_array(cols) || !json_is_array(rows)) return false;
  size_t i;
  json_array_foreach(cols, i, x) {
    if (!json_is_string(x)) return false;
  }
  json_array_foreach(rows, i, x) {
    if (!valid_row(x, json_array_size(cols))) return false;
  }
  return true;
}

static bool valid_value(json_t *j);

static bool valid_record(json_t *o) {
  if (!json_is_object(o)) return false;
  const char *k;
  json_t *v;
  json_object_foreach(o, k, v) {
    if (!valid_value(v)) return false;
  }
  return true;
}

/* One of the value forms the header lists. */
static bool valid_value(json_t *j) {
  double d;
  if (json_is_null(j) || json_num(j, &d)) return true;
  if (json_is_array(j)) return valid_row(j, SIZE_MAX);
  if (!json_is_object(j) || json_object_size(j) != 1) return false;
  json_t *x;
  if ((x = json_object_get(j, "string"))) return json_is_string(x);
  if ((x = json_object_get(j, "matrix"))) return valid_matrix(x);
  if ((x = json_object_get(j, "table"))) return valid_table(x);
  if ((x = json_object_get(j, "record"))) return valid_record(x);
  return false;
}

static bool is_text_or_null(const json_t *j) { return !j || json_is_string(j) || json_is_null(j); }

static bool check_inputs(Check *c, json_t *list) {
  if (!json_is_array(list)) return bad(c, "\"inputs\" is missing or not an array");
  size_t i;
  json_t *in;
  json_array_foreach(list, i, in) {
    if (!json_is_string(json_object_get(in, "role")) || !json_is_string(json_object_get(in, "path")) ||
        !json_is_string(json_object_get(in, "sha256")))
      return bad(c, "input %zu needs string \"role\", \"path\" and \"sha256\"", i + 1);
  }
  return true;
}

static bool check_provenance(Check *c, json_t *p) {
  static const char *texts[] = {"ixp", "compiler", "blis", "platform", "date", "seed"};
  if (!json_is_object(p)) return bad(c, "\"provenance\" is missing or not an object");
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
    if (!is_text_or_null(json_object_get(p, texts[i]))) return bad(c, "\"%s\" is not a string", texts[i]);
  json_t *threads = json_object_get(p, "threads"), *ov = json_object_get(p, "overrides");
  if (threads && !json_is_integer(threads) && !json_is_null(threads))
    return bad(c, "\"threads\" is not an integer");
  json_t *ranks = json_object_get(p, "ranks");
  if (ranks && !json_is_integer(ranks) && !json_is_null(ranks)) return bad(c, "\"ranks\" is not an integer");
  if (ov && !json_is_object(ov)) return bad(c, "\"overrides\" is not an object");
  return check_inputs(c, json_object_get(p, "inputs"));
}

static bool check_result(Check *c, json_t *res, size_t i) {
  static const char *texts[] = {"kind", "name", "file"};
  if (!json_is_object(res)) return bad(c, "result %zu is not an object", i);
  for (size_t k = 0; k < sizeof texts / sizeof *texts; k++)
    if (!json_is_string(json_object_get(res, texts[k])))
      return bad(c, "result %zu has no string \"%s\"", i, texts[k]);
  if (!json_is_integer(json_object_get(res, "line"))) return bad(c, "result %zu has no integer \"line\"", i);
  json_t *col = json_object_get(res, "col"), *rtol = json_object_get(res, "rtol");
  if (col && !json_is_integer(col)) return bad(c, "result %zu: \"col\" is not an integer", i);
  if (rtol && !json_is_number(rtol)) return bad(c, "result %zu: \"rtol\" is not a number", i);
  json_t *v = json_object_get(res, "value");
  if (!v) return bad(c, "result %zu has no \"value\"", i);
  if (!valid_value(v)) return bad(c, "result %zu has a value of unknown form", i);
  return true;
}

static bool check_record(Check *c, json_t *root) {
  json_t *version = json_object_get(root, "ixp_record");
  if (!version) {
    set_err(c->err, c->size, "'%s' is not an ixp record (no \"ixp_record\" key)", c->path);
    return false;
  }
  if (!json_is_integer(version) || json_integer_value(version) < 1) return bad(c, "bad \"ixp_record\" version");
  if (json_integer_value(version) > RECORD_VERSION) {
    set_err(c->err, c->size, "'%s' is a record of version %lld; this ixp reads version %d", c->path,
            (long long)json_integer_value(version), RECORD_VERSION);
    return false;
  }
  if (!check_provenance(c, json_object_get(root, "provenance"))) return false;
  json_t *res = json_object_get(root, "results");
  if (!json_is_array(res)) return bad(c, "\"results\" is missing or not an array");
  size_t i;
  json_t *x;
  json_array_foreach(res, i, x) {
    if (!check_result(c, x, i + 1)) return false;
  }
  return true;
}

IxpRunRecord *ixp_runrec_read(const char *path, char *err, size_t errsize) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    set_err(err, errsize, "cannot read '%s': %s", path, strerror(errno));
    return NULL;
  }
  json_error_t je;
  json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
  int e = ferror(f) ? (errno ? errno : EIO) : 0;
  fclose(f);
  if (e) {
    json_decref(root);
    set_err(err, errsize, "cannot read '%s': %s", path, strerror(e));
    return NULL;
  }
  if (!root) {
    set_err(err, errsize, "'%s' is not valid JSON (line %d, column %d: %s)", path, je.line, je.column, je.text);
    return NULL;
  }
  Check c = {path, err, errsize};
  IxpRunRecord *r = check_record(&c, root) ? calloc(1, sizeof *r) : NULL;
  if (!r) {
    json_decref(root);
    return NULL;
  }
  r->root = root;
  return r;
}

/* ---------------------------------------------------------- comparison */

/* The forms of a value (valid_value): payload is what the tag wraps. */
typedef enum { V_NOTHING, V_NUM, V_STR, V_VEC, V_MAT, V_TABLE, V_RECORD } VForm;

static VForm form_of(json_t *j, json_t **payload) {
  double d;
  *payload = j;
  if (json_num(j, &d)) return V_NUM;
  if (json_is_array(j)) return V_VEC;
  if (!json_is_object(j)) return V_NOTHING;
  if ((*payload = json_object_get(j, "string"))) return V_STR;
  if ((*payload = json_object_get(j, "matrix"))) return V_MAT;
  if ((*payload = json_object_get(j, "table"))) return V_TABLE;
  if ((*payload = json_object_get(j, "record"))) return V_RECORD;
  *payload = j;
  return V_NOTHING;
}

static double num_at(json_t *a, size_t i) {
  double x = NAN;
  json_num(json_array_get(a, i), &x);
  return x;
}

static size_t ncols_of(json_t *matrix) { return json_array_size(json_array_get(matrix, 0)); }

/* "a vector of 3", "a 2x3 matrix", ...: what a value is, for messages
 * about values of different forms or shapes. */
static void describe(char *buf, size_t size, json_t *j) {
  json_t *p;
  switch (form_of(j, &p)) {
  case V_NUM: snprintf(buf, size, "a number"); break;
  case V_STR: snprintf(buf, size, "a string"); break;
  case V_VEC: snprintf(buf, size, "a vector of %zu", json_array_size(p)); break;
  case V_MAT: snprintf(buf, size, "a %zux%zu matrix", json_array_size(p), ncols_of(p)); break;
  case V_TABLE:
    snprintf(buf, size, "a table of %zu rows and %zu columns", json_array_size(json_object_get(p, "rows")),
             json_array_size(json_object_get(p, "columns")));
    break;
  case V_RECORD: snprintf(buf, size, "a record of %zu fields", json_object_size(p)); break;
  default: snprintf(buf, size, "nothing"); break;
  }
}

/* Tolerance of a comparison: bit for bit, or relative. */
typedef struct {
  bool exact;
  double rtol;
} Tol;

static bool num_agree(double a, double b, Tol t) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  if (t.exact) return memcmp(&a, &b, sizeof a) == 0;  /* -0.0 is not 0.0 */
  if (a == b) return true;
  if (isinf(a) || isinf(b)) return false;
  return fabs(a - b) <= t.rtol * fmax(fabs(a), fabs(b));
}

static double rel_diff(double a, double b) {
  if (a == b) return 0;
  if (!isfinite(a) || !isfinite(b)) return INFINITY;
  return fabs(a - b) / fmax(fabs(a), fabs(b));
}

/* The shortest text that reads back as x, sign of zero included. */
static void num_text(char *buf, size_t size, double x) {
  if (isnan(x)) {
    snprintf(buf, size, "nan");
    return;
  }
  for (int p = 1; p <= 17; p++) {
    snprintf(buf, size, "%.*g", p, x);
    if (strtod(buf, NULL) == x) return;
  }
}

static void num_message(char *msg, size_t size, double a, double b, Tol t) {
  char sa[40], sb[40];
  num_text(sa, sizeof sa, a);
  num_text(sb, sizeof sb, b);
  snprintf(msg, size, "recorded %s, now %s (relative difference %.3g, tolerance %g)", sa, sb, rel_diff(a, b),
           t.exact ? 0.0 : t.rtol);
}

/* Differences of rows a and b (same length): their count, and the index
 * of the first in *first. */
static size_t row_diffs(json_t *a, json_t *b, Tol t, size_t *first) {
  size_t n = json_array_size(a), k = 0;
  for (size_t i = 0; i < n; i++)
    if (!num_agree(num_at(a, i), num_at(b, i), t) && !k++) *first = i;
  return k;
}

static bool vec_differs(json_t *a, json_t *b, Tol t, char *msg, size_t size) {
  size_t n = json_array_size(a), first = 0, k;
  if (n != json_array_size(b)) {
    snprintf(msg, size, "recorded a vector of %zu, now a vector of %zu", n, json_array_size(b));
    return true;
  }
  if (!(k = row_diffs(a, b, t, &first))) return false;
  char m[256];
  num_message(m, sizeof m, num_at(a, first), num_at(b, first), t);
  snprintf(msg, size, "[%zu]: %s; %zu of %zu elements differ", first, m, k, n);
  return true;
}

/* Differing cells of matrices of the same shape: count, first row and
 * column. */
static size_t cell_diffs(json_t *a, json_t *b, Tol t, size_t *row, size_t *col) {
  size_t k = 0, first = 0;
  for (size_t r = 0; r < json_array_size(a); r++) {
    size_t d = row_diffs(json_array_get(a, r), json_array_get(b, r), t, &first);
    if (d && !k) {
      *row = r;
      *col = first;
    }
    k += d;
  }
  return k;
}

static bool mat_differs(json_t *a, json_t *b, Tol t, char *msg, size_t size) {
  size_t rows = json_array_size(a), cols = ncols_of(a), r = 0, c = 0, k;
  if (rows != json_array_size(b) || cols != ncols_of(b)) {
    snprintf(msg, size, "recorded a %zux%zu matrix, now a %zux%zu matrix", rows, cols, json_array_size(b),
             ncols_of(b));
    return true;
  }
  if (!(k = cell_diffs(a, b, t, &r, &c))) return false;
  char m[256];
  num_message(m, sizeof m, num_at(json_array_get(a, r), c), num_at(json_array_get(b, r), c), t);
  snprintf(msg, size, "[%zu, %zu]: %s; %zu of %zu elements differ", r, c, m, k, rows * cols);
  return true;
}

/* "(a, b, c)" */
static void column_list(char *buf, size_t size, json_t *cols) {
  size_t used = (size_t)snprintf(buf, size, "(");
  for (size_t i = 0; i < json_array_size(cols) && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", json_string_value(json_array_get(cols, i)));
  if (used < size) snprintf(buf + used, size - used, ")");
}

/* Rows are numbered from 1 in messages, as a reader counts the lines of
 * a printed table. */
static bool table_differs(json_t *a, json_t *b, Tol t, char *msg, size_t size) {
  json_t *ca = json_object_get(a, "columns"), *cb = json_object_get(b, "columns");
  json_t *ra = json_object_get(a, "rows"), *rb = json_object_get(b, "rows");
  if (!json_equal(ca, cb)) {
    char la[256], lb[256];
    column_list(la, sizeof la, ca);
    column_list(lb, sizeof lb, cb);
    snprintf(msg, size, "columns recorded %s, now %s", la, lb);
    return true;
  }
  size_t n = json_array_size(ra), r = 0, c = 0, k;
  if (n != json_array_size(rb)) {
    snprintf(msg, size, "recorded a table of %zu rows, now %zu rows", n, json_array_size(rb));
    return true;
  }
  if (!(k = cell_diffs(ra, rb, t, &r, &c))) return false;
  char m[256];
  num_message(m, sizeof m, num_at(json_array_get(ra, r), c), num_at(json_array_get(rb, r), c), t);
  snprintf(msg, size, "row %zu, column '%s': %s; %zu of %zu cells differ", r + 1,
           json_string_value(json_array_get(ca, c)), m, k, n * json_array_size(ca));
  return true;
}

static bool value_differs(json_t *a, json_t *b, Tol t, char *msg, size_t size);

/* Fields are matched by name: the order of an object's keys is not
 * something every JSON tool keeps. */
static bool record_differs(json_t *a, json_t *b, Tol t, char *msg, size_t size) {
  const char *key;
  json_t *va;
  json_object_foreach(a, key, va) {
    if (!json_object_get(b, key)) {
      snprintf(msg, size, "field '%s' recorded, missing now", key);
      return true;
    }
  }
  json_object_foreach(b, key, va) {
    if (!json_object_get(a, key)) {
      snprintf(msg, size, "field '%s' not in the record", key);
      return true;
    }
  }
  size_t k = 0;
  char first[768] = "", m[640];
  json_object_foreach(a, key, va) {
    if (value_differs(va, json_object_get(b, key), t, m, sizeof m) && !k++)
      snprintf(first, sizeof first, "field '%s': %s", key, m);
  }
  if (k == 1) snprintf(msg, size, "%s", first);
  else if (k > 1) snprintf(msg, size, "%s; %zu of %zu fields differ", first, k, json_object_size(a));
  return k > 0;
}

/* Whether new value b differs from recorded a; if so, how, in msg. */
static bool value_differs(json_t *a, json_t *b, Tol t, char *msg, size_t size) {
  json_t *pa, *pb;
  VForm fa = form_of(a, &pa), fb = form_of(b, &pb);
  if (fa != fb) {
    char da[64], db[64];
    describe(da, sizeof da, a);
    describe(db, sizeof db, b);
    snprintf(msg, size, "recorded %s, now %s", da, db);
    return true;
  }
  double x = 0, y = 0;
  switch (fa) {
  case V_NUM:
    json_num(a, &x);
    json_num(b, &y);
    if (num_agree(x, y, t)) return false;
    num_message(msg, size, x, y, t);
    return true;
  case V_STR:
    if (!strcmp(json_string_value(pa), json_string_value(pb))) return false;
    snprintf(msg, size, "recorded \"%s\", now \"%s\"", json_string_value(pa), json_string_value(pb));
    return true;
  case V_VEC: return vec_differs(pa, pb, t, msg, size);
  case V_MAT: return mat_differs(pa, pb, t, msg, size);
  case V_TABLE: return table_differs(pa, pb, t, msg, size);
  case V_RECORD: return record_differs(pa, pb, t, msg, size);
  default: return false;
  }
}

static bool same_text(json_t *a, json_t *b, const char *key) {
  const char *x = json_string_value(json_object_get(a, key)), *y = json_string_value(json_object_get(b, key));
  return x && y && !strcmp(x, y);
}

static bool is_none(json_t *j) { return !j || json_is_null(j); }

/* Every input of `a` is one of `b` with the same content. */
static bool inputs_within(json_t *a, json_t *b) {
  size_t i;
  json_t *in;
  json_array_foreach(a, i, in) {
    json_t *o = find_input(b, str_of(in, "role", ""), str_of(in, "path", ""));
    if (!o || !same_text(in, o, "sha256")) return false;
  }
  return true;
}

/* Same build, seed and inputs: then a run is reproducible bit for bit. */
static bool same_run(const IxpRunRecord *e, const IxpRunRecord *a) {
  static const char *build[] = {"ixp", "compiler", "blis", "platform"};
  json_t *pe = prov(e), *pa = prov(a);
  for (size_t i = 0; i < sizeof build / sizeof *build; i++)
    if (!same_text(pe, pa, build[i])) return false;
  json_t *se = json_object_get(pe, "seed"), *sa = json_object_get(pa, "seed");
  if (is_none(se) != is_none(sa) || (!is_none(se) && !json_equal(se, sa))) return false;
  return inputs_within(inputs(e), inputs(a)) && inputs_within(inputs(a), inputs(e));
}

static const char *role_name(const char *role) {
  if (!strcmp(role, "source")) return "source file";
  if (!strcmp(role, "data")) return "data file";
  if (!strcmp(role, "extern")) return "extern library";
  return "input";
}

static void input_notes(const IxpRunRecord *e, const IxpRunRecord *a, FILE *out) {
  size_t i;
  json_t *in;
  json_array_foreach(inputs(e), i, in) {
    const char *role = str_of(in, "role", ""), *path = str_of(in, "path", "");
    json_t *now = find_input(inputs(a), role, path);
    if (!now)
      fprintf(out, "note: %s '%s' is not an input of the new run\n", role_name(role), path);
    else if (!same_text(in, now, "sha256"))
      fprintf(out, "note: %s '%s' changed since the record (sha256 %.8s\u2026 \u2192 %.8s\u2026)\n", role_name(role),
              path, str_of(in, "sha256", ""), str_of(now, "sha256", ""));
  }
  json_array_foreach(inputs(a), i, in) {
    const char *role = str_of(in, "role", ""), *path = str_of(in, "path", "");
    if (!find_input(inputs(e), role, path)) fprintf(out, "note: %s '%s' is new since the record\n", role_name(role), path);
  }
}

static double rtol_of(json_t *res) {
  json_t *t = json_object_get(res, "rtol");
  return json_is_number(t) && json_number_value(t) >= 0 ? json_number_value(t) : -1;
}

/* The record's rtol for the result, else the new run's, else the default. */
static Tol tol_for(json_t *e, json_t *a, bool same, double rtol) {
  if (same) return (Tol){.exact = true, .rtol = 0};
  double t = rtol_of(e);
  if (t < 0) t = rtol_of(a);
  return (Tol){.exact = false, .rtol = t < 0 ? rtol : t};
}

static bool same_result(json_t *a, json_t *b) { return same_text(a, b, "kind") && same_text(a, b, "name"); }

/* The first unused result of `list` of e's kind and name: the k-th such
 * result of the record meets the k-th of the new run. */
static json_t *match(json_t *list, bool *used, json_t *e) {
  for (size_t j = 0; j < json_array_size(list); j++) {
    json_t *a = json_array_get(list, j);
    if (!used[j] && same_result(e, a)) {
      used[j] = true;
      return a;
    }
  }
  return NULL;
}

/* "FILE:LINE: NAME: " of a result, as a difference line begins. */
static void where(FILE *out, json_t *res) {
  fprintf(out, "%s:%lld: %s: ", str_of(res, "file", "?"), json_integer_value(json_object_get(res, "line")),
          str_of(res, "name", "?"));
}

static int compare_result(json_t *e, json_t *a, Tol t, FILE *out) {
  char msg[1024];
  if (!value_differs(json_object_get(e, "value"), json_object_get(a, "value"), t, msg, sizeof msg)) return 0;
  where(out, e);
  fprintf(out, "%s\n", msg);
  return 1;
}

int ixp_runrec_compare(const IxpRunRecord *expected, const IxpRunRecord *actual, double rtol, FILE *out) {
  bool same = same_run(expected, actual);
  json_t *re = results(expected), *ra = results(actual);
  size_t ne = json_array_size(re), na = json_array_size(ra), extra = 0;
  bool *used = calloc(na ? na : 1, sizeof *used);
  int diffs = 0;
  for (size_t i = 0; i < ne; i++) {
    json_t *e = json_array_get(re, i), *a = used ? match(ra, used, e) : NULL;
    if (a) {
      diffs += compare_result(e, a, tol_for(e, a, same, rtol), out);
      continue;
    }
    where(out, e);
    fprintf(out, "%s in the record, missing from the new run\n", str_of(e, "kind", "result"));
    diffs++;
  }
  for (size_t j = 0; used && j < na; j++) {
    if (used[j]) continue;
    json_t *a = json_array_get(ra, j);
    where(out, a);
    fprintf(out, "%s in the new run, not in the record\n", str_of(a, "kind", "result"));
    diffs++;
    extra++;
  }
  free(used);
  input_notes(expected, actual, out);
  if (diffs && same) fprintf(out, "note: same build, seed and inputs as the record: numbers must agree bit for bit\n");
  size_t total = ne + extra;
  if (!diffs) fprintf(out, "%zu result%s the record\n", total, total == 1 ? " matches" : "s match");
  else fprintf(out, "%d of %zu results differ from the record\n", diffs, total);
  return diffs;
}

/* ---------------------------------------------------------------- show */

/* Display width of UTF-8 text: one column per code point. */
static int text_width(const char *s) {
  int w = 0;
  for (; *s; s++) w += ((unsigned char)*s & 0xC0) != 0x80;
  return w;
}

/* `s` on one line (a multi-line name's breaks become spaces), padded to
 * `width` columns. */
static void put_padded(FILE *out, const char *s, int width) {
  for (const char *p = s; *p; p++) fputc(*p == '\n' || *p == '\t' || *p == '\r' ? ' ' : *p, out);
  for (int w = text_width(s); w < width; w++) fputc(' ', out);
}

static void short_value(FILE *out, json_t *j);

static void short_vector(FILE *out, json_t *a) {
  size_t n = json_array_size(a);
  fputc('[', out);
  for (size_t i = 0; i < n && i < SHOW_VECTOR_MAX; i++) fprintf(out, i ? ", %.6g" : "%.6g", num_at(a, i));
  if (n > SHOW_VECTOR_MAX) fputs(", \u2026", out);
  fputc(']', out);
}

static void short_record(FILE *out, json_t *o) {
  const char *key;
  json_t *v;
  bool first = true;
  fputc('{', out);
  json_object_foreach(o, key, v) {
    fprintf(out, "%s%s = ", first ? "" : ", ", key);
    short_value(out, v);
    first = false;
  }
  fputc('}', out);
}

/* A value in a few words: numbers to 6 digits, a table by its size. */
static void short_value(FILE *out, json_t *j) {
  json_t *p;
  double x = 0;
  switch (form_of(j, &p)) {
  case V_NUM: json_num(j, &x); fprintf(out, "%.6g", x); break;
  case V_STR:
    fputc('"', out);
    put_padded(out, json_string_value(p), 0);
    fputc('"', out);
    break;
  case V_VEC: short_vector(out, p); break;
  case V_MAT: fprintf(out, "matrix %zux%zu", json_array_size(p), ncols_of(p)); break;
  case V_TABLE:
    fprintf(out, "table %zux%zu", json_array_size(json_object_get(p, "rows")),
            json_array_size(json_object_get(p, "columns")));
    break;
  case V_RECORD: short_record(out, p); break;
  default: fputs("nothing", out); break;
  }
}

static void show_overrides(FILE *out, json_t *ov) {
  const char *key;
  json_t *v;
  bool first = true;
  fprintf(out, "%-10s", "overrides");
  json_object_foreach(ov, key, v) {
    fprintf(out, "%s%s = %s", first ? "" : ", ", key, json_is_string(v) ? json_string_value(v) : "?");
    first = false;
  }
  fputs(first ? "none\n" : "\n", out);
}

static void show_provenance(FILE *out, json_t *p) {
  static const char *keys[] = {"ixp", "compiler", "blis", "platform", "date"};
  static const char *labels[] = {"ixp", "compiler", "BLIS", "platform", "date"};
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
    fprintf(out, "%-10s%s\n", labels[i], str_of(p, keys[i], "unknown"));
  fprintf(out, "%-10s%s\n", "seed", str_of(p, "seed", "none"));
  json_t *threads = json_object_get(p, "threads");
  if (json_is_integer(threads)) fprintf(out, "%-10s%lld\n", "threads", json_integer_value(threads));
  else fprintf(out, "%-10sunknown\n", "threads");
  json_t *ranks = json_object_get(p, "ranks");  /* absent from records before ranks were noted */
  if (json_is_integer(ranks)) fprintf(out, "%-10s%lld\n", "ranks", json_integer_value(ranks));
  show_overrides(out, json_object_get(p, "overrides"));
}

static void show_inputs(FILE *out, json_t *list) {
  int rw = 0, pw = 0;
  size_t i;
  json_t *in;
  json_array_foreach(list, i, in) {
    if (text_width(str_of(in, "role", "")) > rw) rw = text_width(str_of(in, "role", ""));
    if (text_width(str_of(in, "path", "")) > pw) pw = text_width(str_of(in, "path", ""));
  }
  fprintf(out, "inputs%s\n", json_array_size(list) ? "" : "    none");
  json_array_foreach(list, i, in) {
    fputs("  ", out);
    put_padded(out, str_of(in, "role", ""), rw + 2);
    put_padded(out, str_of(in, "path", ""), pw + 2);
    fprintf(out, "%.12s\n", str_of(in, "sha256", ""));
  }
}

static void show_results(FILE *out, json_t *list) {
  int lw = 4, kw = 4, nw = 4;
  size_t i;
  json_t *res;
  json_array_foreach(list, i, res) {
    int l = snprintf(NULL, 0, "%lld", json_integer_value(json_object_get(res, "line")));
    if (l > lw) lw = l;
    if (text_width(str_of(res, "kind", "")) > kw) kw = text_width(str_of(res, "kind", ""));
    if (text_width(str_of(res, "name", "")) > nw) nw = text_width(str_of(res, "name", ""));
  }
  fprintf(out, "results%s\n", json_array_size(list) ? "" : "   none");
  if (!json_array_size(list)) return;
  fprintf(out, "  %*s  ", lw, "line");
  put_padded(out, "kind", kw + 2);
  put_padded(out, "name", nw + 2);
  fputs("value\n", out);
  json_array_foreach(list, i, res) {
    fprintf(out, "  %*lld  ", lw, json_integer_value(json_object_get(res, "line")));
    put_padded(out, str_of(res, "kind", ""), kw + 2);
    put_padded(out, str_of(res, "name", ""), nw + 2);
    short_value(out, json_object_get(res, "value"));
    fputc('\n', out);
  }
}

void ixp_runrec_show(const IxpRunRecord *r, FILE *out) {
  show_provenance(out, prov(r));
  show_inputs(out, inputs(r));
  show_results(out, results(r));
}
