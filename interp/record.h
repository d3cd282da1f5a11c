/* record.h — a run's results and provenance, as a JSON record.
 *
 * `ixp run FILE --record out.json` writes one; `ixp check FILE --against
 * out.json` re-runs FILE and compares; `ixp show out.json` prints it as a
 * short report; `--json` prints each result as one JSON line. JSON is
 * read and written with jansson; files are hashed with nettle's SHA-256.
 *
 * A record file looks like
 *   { "ixp_record": 1,
 *     "provenance": { "ixp": "0.3", "compiler": "gcc 12.2.0", "blis": "0.9.0",
 *                     "platform": "Linux x86_64", "date": "2026-11-27T21:00:00Z",
 *                     "seed": "42", "threads": 2, "ranks": 1, "overrides": {"n": "100"},
 *                     "inputs": [ {"role": "source", "path": "a.ixp", "sha256": "..."},
 *                                 {"role": "data", "path": "d.csv", "sha256": "..."} ] },
 *     "results": [ {"kind": "print", "name": "mi(x; y) in m", "file": "a.ixp",
 *                   "line": 7, "col": 7, "value": 0.5, "rtol": 1e-6}, ... ] }
 *
 * Values: a number is a JSON number written with 17 significant digits
 * (so it reads back bit for bit), NaN and infinities the strings "nan",
 * "inf", "-inf"; a string is {"string": "..."}; a vector an array of
 * numbers; a matrix {"matrix": [[...], ...]}; a table {"table":
 * {"columns": [...], "rows": [[...], ...]}}; a record (a measure's
 * several results) {"record": {"field": value, ...}} in field order. */
#ifndef IXP_RECORD_H
#define IXP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "value.h"

typedef struct IxpRunRecord IxpRunRecord;

IxpRunRecord *ixp_runrec_new(void);
void ixp_runrec_free(IxpRunRecord *r);

/* Provenance: the build (ixp version, compiler, BLIS version, platform)
 * and the date now; `threads` is the OpenMP thread count of the run. */
void ixp_runrec_provenance(IxpRunRecord *r, const char *version, const char *seed, int threads);
/* The run's rank count (`mpirun -n`): like threads, noted but not a
 * reason for results to differ, so `check --against` still wants them
 * identical across rank counts. */
void ixp_runrec_ranks(IxpRunRecord *r, int ranks);
/* A --set NAME=VALUE override. */
void ixp_runrec_override(IxpRunRecord *r, const char *name, const char *value);
/* An input file read by the run (role "source", "data" or "extern"),
 * with its SHA-256. A file listed twice (same role and path) is kept
 * once. false with a message if it cannot be read. */
bool ixp_runrec_input(IxpRunRecord *r, const char *role, const char *path, char *err, size_t errsize);
/* The same, recorded under `name` (the path as seen from the .ixp file's
 * folder, so a record made in one folder checks from another). */
bool ixp_runrec_input_as(IxpRunRecord *r, const char *role, const char *path, const char *name, char *err,
                         size_t errsize);

/* A result. kind: "print", "emit" (a sweep's table), "expect"; name: the
 * source text of the expression or its label; rtol: the tolerance a
 * check allows this result (< 0: the default). `v` is copied. */
void ixp_runrec_result(IxpRunRecord *r, const char *kind, const char *name, const char *file, int line,
                       int col, const IxpValue *v, double rtol);
/* The same result as one JSON line on `out` (for --json). */
void ixp_runrec_print_line(FILE *out, const char *kind, const char *name, const char *file, int line,
                           int col, const IxpValue *v);

/* A value as the compact JSON text a record holds (malloc'd; numbers with
 * 17 digits, so it reads back bit for bit): a result computed on another
 * rank travels as this text. */
char *ixp_runrec_value_text(const IxpValue *v);
/* ixp_runrec_result and ixp_runrec_print_line with the value as that text. */
void ixp_runrec_result_text(IxpRunRecord *r, const char *kind, const char *name, const char *file, int line,
                            int col, const char *value, double rtol);
void ixp_runrec_print_line_text(FILE *out, const char *kind, const char *name, const char *file, int line,
                                int col, const char *value);

int ixp_runrec_count(const IxpRunRecord *r);

/* Write atomically (a temporary file beside `path`, then rename), so an
 * interrupted run never leaves half a record. */
bool ixp_runrec_write(const IxpRunRecord *r, const char *path, char *err, size_t errsize);
/* A sweep's rows as a JSON array of objects {label: value, ...} (emit to
 * "x.json"), written atomically as well. */
bool ixp_runrec_write_rows(const char *path, int ncols, const char *const *labels, int nrows, const IxpValue *cells,
                           char *err, size_t errsize);

/* Read a record written by ixp_runrec_write; NULL with a message
 * (file, and line/column of a JSON error) on failure. */
IxpRunRecord *ixp_runrec_read(const char *path, char *err, size_t errsize);

/* Compare a recorded run (`expected`) with a new one (`actual`). When the
 * build (ixp, compiler, BLIS, platform), the seed and every input hash
 * agree, numbers must be identical bit for bit; otherwise each may
 * differ by its rtol (default `rtol`): |a - b| <= rtol * max(|a|, |b|)
 * (a difference of 0 always passes; NaN equals NaN). Results are matched
 * by kind, name and order of appearance. Writes one line per difference
 * to `out`: "FILE:LINE: NAME: recorded V, now W (relative difference D,
 * tolerance T)", names each input whose hash changed ("data file 'd.csv'
 * changed since the record (sha256 ... -> ...)"), each result missing
 * from either side, and a summary line. Returns the number of
 * differences (changed inputs count as notes, not differences, unless a
 * result differs). */
int ixp_runrec_compare(const IxpRunRecord *expected, const IxpRunRecord *actual, double rtol, FILE *out);

/* A short report: provenance, inputs, then a table of results (line,
 * name, value). */
void ixp_runrec_show(const IxpRunRecord *r, FILE *out);

#endif
