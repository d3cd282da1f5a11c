/* outfile.h — every file ixp writes (records, --json rows, CSV tables,
 * plots) goes through here, so it is written whole or not at all.
 *
 * A regular file (or a missing one) is written to a fresh temporary in its
 * own folder (mkstemp: created exclusively, never through a symlink) and
 * renamed over it at the end; a symlink to a regular file keeps its link
 * and has its target replaced. A special file (a device, a FIFO, a socket,
 * /dev/stdout and the like, or a symlink to one) cannot be replaced by a
 * rename: it is written in place. */
#ifndef IXP_OUTFILE_H
#define IXP_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct {
  FILE *f;       /* where to write */
  char *target;  /* the file renamed over (a symlink resolved) */
  char *tmp;     /* the temporary; NULL when written in place */
} IxpOutFile;

/* Open `path` for writing ("wb"); on failure false, with the reason in
 * err ("cannot write 'PATH': ..."). */
bool ixp_outfile_open(IxpOutFile *o, const char *path, char *err, size_t errsize);

/* Finish the file opened as `path`: when `ok`, flush it to the disk and
 * rename it into place (false, with err, if that fails); otherwise, or on
 * failure, remove the temporary and leave the old file as it was. */
bool ixp_outfile_close(IxpOutFile *o, const char *path, bool ok, char *err, size_t errsize);

/* Whether `a` and `b` name the same existing file (device and inode, so
 * links and different spellings of one path count as the same). */
bool ixp_outfile_same(const char *a, const char *b);

/* Whether the relative path `rel` stays inside the folder it is taken
 * from (no `..` climbs above it). */
bool ixp_outfile_stays_inside(const char *rel);

#endif
