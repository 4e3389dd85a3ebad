/*
 * fileio - read a whole regular file, with a size limit.
 */
#ifndef TLSPOLICY_FILEIO_H
#define TLSPOLICY_FILEIO_H

#include <stddef.h>

/*
 * file_read - read path (a regular file of at most max bytes) into a
 * NUL-terminated malloc'd buffer; *len gets its length.  Returns NULL with
 * a reason in err on any error.
 */
char *file_read(const char *path, size_t max, size_t *len, char *err, size_t errlen);

#endif
