/*
 * safe_file.c — bounded, non-blocking opens of cache files (safe_file.h).
 * O_NONBLOCK makes opening a FIFO return at once; O_NOFOLLOW refuses a
 * link (to /dev/zero, or anywhere else) in place of the entry; fstat on the
 * open descriptor then checks what was really opened, so nothing can be
 * swapped in between the check and the read.
 */
#define _POSIX_C_SOURCE 200809L
#include "safe_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Checks the opened descriptor and turns it into a blocking FILE; closes
 * fd and returns NULL with *why set when it is not acceptable. */
static FILE *checked_stream(int fd, size_t max_bytes, const char *mode, const char **why)
{
    struct stat st;
    int flags = fcntl(fd, F_GETFL);
    if (fstat(fd, &st) != 0)
        *why = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        *why = "not a regular file";
    else if ((unsigned long long)st.st_size > (unsigned long long)max_bytes)
        *why = "larger than any entry clinfer writes";
    else if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
        *why = strerror(errno);
    else {
        FILE *f = fdopen(fd, mode);
        if (f)
            return f;
        *why = strerror(errno);
    }
    int saved = errno;
    close(fd);
    errno = saved ? saved : EINVAL;
    return NULL;
}

FILE *safe_fopen_read(const char *path, size_t max_bytes, const char **why)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        *why = errno == ENOENT ? "absent" : errno == ELOOP ? "a symbolic link" : strerror(errno);
        return NULL;
    }
    return checked_stream(fd, max_bytes, "rb", why);
}

FILE *safe_fopen_write(const char *path)
{
    const char *why = NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return NULL;
    FILE *f = checked_stream(fd, (size_t)-1, "wb", &why);
    if (!f)
        errno = EINVAL;
    return f;
}
