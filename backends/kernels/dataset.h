/* dataset.h — columns of samples: loaded from CSV or NumPy .npy files, or
 * made in memory (ixp_dataset_new_numeric).
 *
 * Integer and string columns are discrete, real columns continuous. Bad
 * data is an error that names the file, the row and the column: nothing is
 * silently dropped, filled in or normalised. */
#ifndef IXP_DATASET_H
#define IXP_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { IXP_COL_INT, IXP_COL_REAL, IXP_COL_STRING } IxpColumnKind;

typedef struct {
  char *name;
  IxpColumnKind kind;
  double *value;      /* INT and REAL: n values (NaN/Inf kept as read; see ixp_column_first_nonfinite) */
  uint32_t *code;     /* STRING: n codes into labels (labels sorted) */
  char **labels;
  uint32_t nlabels;
  /* value, code and labels belong to another dataset (a lag view's
   * columns point into its source's): ixp_dataset_free frees only the
   * name. */
  bool borrowed;
} IxpColumn;

typedef struct IxpDataset {
  char *path;         /* the file read; NULL for rows made in memory */
  long nrows;
  int ncols;
  IxpColumn *cols;
  /* Time series: the rows are time steps, in trials (replications) of
   * consecutive rows; trial i is rows trial_start[i] .. trial_start[i + 1] - 1
   * (ntrials + 1 offsets, owned). NULL: the rows are one series (or not
   * a series at all). Measures never pair rows across a trial boundary. */
  long *trial_start;
  int ntrials;
} IxpDataset;

/* Where and why loading failed. row and col are 1-based (row 1 is the
 * header when there is one); 0 when not applicable. */
typedef struct {
  char message[512];
  long row;
  int col;
} IxpDataError;

typedef struct {
  char delimiter;              /* default ',' when 0 */
  bool no_header;              /* columns are then named c0, c1, ... */
  const char *const *select;   /* keep only these columns (by name), in this order; NULL: all */
  int nselect;
  const char *const *as_string;/* columns read as discrete strings whatever they look like */
  int nas_string;
  const char *trials;          /* a column of trial ids: the rows are time steps, each trial's consecutive;
                                  the column is then dropped (NULL: one series) */
} IxpCsvOptions;

/* Load a CSV file (RFC 4180 quoting; a header row unless no_header). A
 * column is INT if every field is an integer, REAL if every field is a
 * number (including nan, inf), else STRING. Errors: missing or unreadable
 * file, empty file, a row with a different number of fields (ragged), a
 * selected column that does not exist, an empty field in a numeric
 * column. */
bool ixp_csv_load(const char *path, const IxpCsvOptions *opt, IxpDataset **out, IxpDataError *err);

/* Make d's rows trials by the ids in column `name`, then drop the column:
 * each trial's rows must be consecutive (an id that comes back after
 * another is an error naming the row, first_row being the file's row of
 * data row 0). */
bool ixp_dataset_trials_from(IxpDataset *d, const char *name, long first_row, IxpDataError *err);

/* Load a .npy file (format 1.0/2.0/3.0; little- or big-endian float64,
 * float32, int8..int64, uint8..uint64, bool; C or Fortran order; 1-D or
 * 2-D or 3-D). A 1-D array is one column named `name`; a 2-D array n x d gives d
 * columns name[0] .. name[d-1]; a 3-D array trials x time x d is a time
 * series of those d columns in `trials` trials of `time` rows each. The same as ixp_npy_load_header, then
 * ixp_npy_load_values. */
bool ixp_npy_load(const char *path, const char *name, IxpDataset **out, IxpDataError *err);
/* Read only the header of a .npy file, checked against the file's length:
 * the columns named and typed (REAL for floats, INT otherwise) and nrows
 * set, but no values (every column's value is NULL). Every error about
 * the header, the dtype, the shape or the length is found here. */
bool ixp_npy_load_header(const char *path, const char *name, IxpDataset **out, IxpDataError *err);
/* Read the values of a dataset from ixp_npy_load_header (its path again;
 * the header must still give the same shape and column kinds). Errors:
 * a value without an exact double (an integer beyond 2^53, a bool byte
 * other than 0 and 1), a read error, a file changed since its header was
 * read. On failure the columns stay without values. */
bool ixp_npy_load_values(IxpDataset *d, IxpDataError *err);

/* An in-memory dataset of ncols numeric columns of nrows values each (not
 * initialised), named names[j] and REAL where real[j], else INT; NULL
 * when out of memory. */
IxpDataset *ixp_dataset_new_numeric(long nrows, int ncols, const char *const *names, const bool *real);

void ixp_dataset_free(IxpDataset *d);
int ixp_dataset_col(const IxpDataset *d, const char *name);
/* Index of the first NaN or infinite value of a numeric column, or -1. */
long ixp_column_first_nonfinite(const IxpColumn *c, long n);

#endif
