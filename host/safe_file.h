/*
 * safe_file.h — opening cache files that anyone with write access to the
 * cache folder may have replaced: a FIFO (open blocks forever), a link to
 * /dev/zero (endless bytes), a directory, a huge file. Only regular files
 * of bounded size are read, and no open ever blocks.
 */
#ifndef CLINFER_SAFE_FILE_H
#define CLINFER_SAFE_FILE_H

#include <stddef.h>
#include <stdio.h>

/* Opens `path` for reading ("rb") if it is a regular file, not a symbolic
 * link, of at most max_bytes. Otherwise returns NULL and sets *why to
 * "absent" (no such file) or to the reason it was refused. */
FILE *safe_fopen_read(const char *path, size_t max_bytes, const char **why);

/* Creates or truncates `path` for writing ("wb"), refusing a symbolic link
 * or anything but a regular file (a FIFO there would block the open);
 * NULL with errno set when refused. */
FILE *safe_fopen_write(const char *path);

#endif
