/* outfile.c — output files written whole (a temporary renamed over a
 * regular file) or in place (devices, FIFOs, /dev/stdout). */
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

__attribute__((format(printf, 3, 4))) static bool fail(char *err, size_t size, const char *fmt, ...) {
  if (err && size) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
  }
  return false;
}

/* The descriptor a name such as /dev/stdout or /proc/self/fd/3 stands
 * for, or -1. Opening such a name anew would start at offset 0 and write
 * over what ixp already printed there, so it is written through a copy of
 * the descriptor instead. */
static int fd_alias(const char *path) {
  if (!strcmp(path, "/dev/stdout")) return 1;
  if (!strcmp(path, "/dev/stderr")) return 2;
  const char *digits = !strncmp(path, "/dev/fd/", 8) ? path + 8
                       : !strncmp(path, "/proc/self/fd/", 14) ? path + 14 : NULL;
  if (!digits || !*digits || strspn(digits, "0123456789") != strlen(digits) || strlen(digits) > 6) return -1;
  return atoi(digits);
}

/* The alias `path` is or links to directly, or -1. */
static int fd_alias_of(const char *path) {
  int fd = fd_alias(path);
  if (fd >= 0) return fd;
  char link[PATH_MAX];
  ssize_t n = readlink(path, link, sizeof link - 1);
  if (n <= 0) return -1;
  link[n] = '\0';
  return fd_alias(link);
}

static bool open_alias(IxpOutFile *o, int which, const char *path, char *err, size_t errsize) {
  fflush(which == 2 ? stderr : stdout);
  int fd = fcntl(which, F_DUPFD_CLOEXEC, 3);
  if (fd < 0 || !(o->f = fdopen(fd, "wb"))) {
    int e = errno;
    if (fd >= 0) close(fd);
    return fail(err, errsize, "cannot write '%s': %s", path, strerror(e));
  }
  return true;
}

static bool open_in_place(IxpOutFile *o, const char *path, char *err, size_t errsize) {
  int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 || !(o->f = fdopen(fd, "wb"))) {
    int e = errno;
    if (fd >= 0) close(fd);
    return fail(err, errsize, "cannot write '%s': %s", path, strerror(e));
  }
  return true;
}

/* The permissions a new file gets from fopen: 0666 less the umask. */
static mode_t new_file_mode(void) {
  mode_t mask = umask(022);
  umask(mask);
  return 0666 & ~mask;
}

/* A fresh temporary ".NAME.XXXXXX" in the folder of o->target, with the
 * permissions of the file it replaces (or of a new file). */
static bool open_temporary(IxpOutFile *o, const struct stat *old, const char *path, char *err, size_t errsize) {
  const char *slash = strrchr(o->target, '/');
  int dirlen = slash ? (int)(slash - o->target) + 1 : 0;
  if (asprintf(&o->tmp, "%.*s.%s.XXXXXX", dirlen, o->target, o->target + dirlen) < 0) {
    o->tmp = NULL;
    return fail(err, errsize, "cannot write '%s': out of memory", path);
  }
  int fd = mkostemp(o->tmp, O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    free(o->tmp), o->tmp = NULL;
    return fail(err, errsize, "cannot write '%s': %s", path, strerror(e));
  }
  fchmod(fd, old ? old->st_mode & 07777 : new_file_mode());
  if (!(o->f = fdopen(fd, "wb"))) {
    int e = errno;
    close(fd), unlink(o->tmp), free(o->tmp), o->tmp = NULL;
    return fail(err, errsize, "cannot write '%s': %s", path, strerror(e));
  }
  return true;
}

bool ixp_outfile_open(IxpOutFile *o, const char *path, char *err, size_t errsize) {
  *o = (IxpOutFile){0};
  int alias = fd_alias_of(path);
  if (alias >= 0) return open_alias(o, alias, path, err, errsize);
  struct stat link, st;
  bool exists = lstat(path, &link) == 0;
  bool resolves = exists && stat(path, &st) == 0;
  if (resolves && S_ISDIR(st.st_mode)) return fail(err, errsize, "cannot write '%s': %s", path, strerror(EISDIR));
  if (resolves && !S_ISREG(st.st_mode)) return open_in_place(o, path, err, errsize);
  /* a regular file, a missing one, or a dangling symlink (replaced) */
  o->target = resolves && S_ISLNK(link.st_mode) ? realpath(path, NULL) : strdup(path);
  if (!o->target) return fail(err, errsize, "cannot write '%s': %s", path, strerror(errno));
  if (open_temporary(o, resolves ? &st : NULL, path, err, errsize)) return true;
  free(o->target), o->target = NULL;
  return false;
}

/* Flush `f` to the disk and close it; the first error's errno, or 0. */
static int finish(FILE *f, bool sync) {
  int e = 0;
  if (fflush(f) != 0 || ferror(f)) e = errno ? errno : EIO;
  if (!e && sync && fsync(fileno(f)) != 0) e = errno;
  if (fclose(f) != 0 && !e) e = errno;
  return e;
}

bool ixp_outfile_close(IxpOutFile *o, const char *path, bool ok, char *err, size_t errsize) {
  if (!o->f) return false;
  errno = 0;
  int e = finish(o->f, o->tmp != NULL);
  o->f = NULL;
  if (ok && !e && o->tmp && rename(o->tmp, o->target) != 0) e = errno;
  if (o->tmp && (!ok || e)) unlink(o->tmp);
  free(o->tmp), free(o->target);
  o->tmp = o->target = NULL;
  if (ok && e) return fail(err, errsize, "cannot write '%s': %s", path, strerror(e));
  return ok;
}

bool ixp_outfile_same(const char *a, const char *b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool ixp_outfile_stays_inside(const char *rel) {
  int depth = 0;
  for (const char *p = rel; *p;) {
    size_t n = strcspn(p, "/");
    if (n == 2 && !strncmp(p, "..", 2)) {
      if (--depth < 0) return false;
    } else if (n && !(n == 1 && *p == '.')) {
      depth++;
    }
    p += n + (p[n] == '/');
  }
  return true;
}
