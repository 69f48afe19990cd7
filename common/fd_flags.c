/*
 * fd_flags.c - fcntl(), read-modify-write, so other flags survive.
 */
#include "fd_flags.h"

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
