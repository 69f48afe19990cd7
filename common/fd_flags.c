/*
 * fd_flags.c - one flag set, every other flag left as it was.
 *
 * fcntl() sets all the flags at once, so it takes two calls: read them
 * (F_GETFL), then write them back with ours added (F_SETFL); writing
 * O_NONBLOCK alone would clear any other.  Where the system has them
 * (Linux, macOS, the BSDs: every system the course runs on, but not
 * POSIX), the ioctls FIONBIO and FIOCLEX set the one flag in one call and
 * touch no other: every connection is accepted with two calls instead of
 * four.  Elsewhere, the fcntl() pair.
 */
#include "fd_flags.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

int set_nonblocking(int fd)
{
#ifdef FIONBIO
    int on = 1;
    if (ioctl(fd, FIONBIO, &on) == 0)
        return 0;
#endif
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int set_cloexec(int fd)
{
#ifdef FIOCLEX
    if (ioctl(fd, FIOCLEX) == 0)
        return 0;
#endif
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0)
        return -1;
    return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int open_pipe(int ends[2])
{
    if (pipe(ends) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        if (set_nonblocking(ends[i]) < 0 || set_cloexec(ends[i]) < 0) {
            int saved = errno;
            close(ends[0]);
            close(ends[1]);
            errno = saved;
            return -1;
        }
    }
    return 0;
}

void open_standard_fds(void)
{
    /* open() returns the lowest free fd: once it returns 3 or more,
     * 0, 1 and 2 are all open. */
    int fd;
    while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
        continue;
    if (fd > 2)
        close(fd);
}
