/* dataset.h — columns of samples loaded from CSV or NumPy .npy files.
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
} IxpColumn;

typedef struct {
  char *path;
  long nrows;
  int ncols;
  IxpColumn *cols;
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
} IxpCsvOptions;

/* Load a CSV file (RFC 4180 quoting; a header row unless no_header). A
 * column is INT if every field is an integer, REAL if every field is a
 * number (including nan, inf), else STRING. Errors: missing or unreadable
 * file, empty file, a row with a different number of fields (ragged), a
 * selected column that does not exist, an empty field in a numeric
 * column. */
bool ixp_csv_load(const char *path, const IxpCsvOptions *opt, IxpDataset **out, IxpDataError *err);

/* Load a .npy file (format 1.0/2.0/3.0; little- or big-endian float64,
 * float32, int8..int64, uint8..uint64, bool; C or Fortran order; 1-D or
 * 2-D). A 1-D array is one column named `name`; a 2-D array n x d gives d
 * columns name0 .. name{d-1}. */
bool ixp_npy_load(const char *path, const char *name, IxpDataset **out, IxpDataError *err);

void ixp_dataset_free(IxpDataset *d);
int ixp_dataset_col(const IxpDataset *d, const char *name);
/* Index of the first NaN or infinite value of a numeric column, or -1. */
long ixp_column_first_nonfinite(const IxpColumn *c, long n);

#endif
