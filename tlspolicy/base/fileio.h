/*
 * fileio - read a whole regular file, with a size limit; write one in
 * place of another without following links.
 */
#ifndef TLSPOLICY_FILEIO_H
#define TLSPOLICY_FILEIO_H

#include <stddef.h>

/*
 * file_read - read path (a regular file of at most max bytes) into a
 * NUL-terminated malloc'd buffer, the caller's to free; *len gets its
 * length.  Returns NULL with a reason in err on any error.
 */
char *file_read(const char *path, size_t max, size_t *len, char *err, size_t errlen);

/*
 * file_write - make dir/name hold exactly data[0..len) with the given
 * mode: written to a new temporary file in dir (created exclusively, never
 * through a link), then renamed over name.  Whatever stood at name, a
 * symbolic link included, is replaced, never written through, so the
 * caller may be more privileged than whoever can write dir.  Returns 0, or
 * -1 with a reason in err.
 */
int file_write(const char *dir, const char *name, const void *data, size_t len,
    unsigned mode, char *err, size_t errlen);

#endif
