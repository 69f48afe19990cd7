/*
 * fd_flags.c - fcntl(), read-modify-write, so other flags survive.
 */
#include "fd_flags.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int set_cloexec(int fd)
{
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
