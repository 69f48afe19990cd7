/*
 * backend_select.c - io_backend.h with select(): the course's own wait,
 * behind the interface.
 *
 * The two fd_sets are kept from one wait to the next and only changed
 * by io_backend_watch(); each wait still copies them and scans every fd
 * up to the highest, in the kernel and here: its cost grows with the
 * highest fd, however few are busy.  FD_SET has no bounds check, so fds
 * at or above FD_SETSIZE are refused.
 */
#include "io_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/select.h>
#include <sys/time.h>

const char io_backend_name[] = "select";

static fd_set read_set, write_set;
static int highest_fd = -1;
static struct io_event ready[2 * FD_SETSIZE];

int io_backend_open(void)
{
    FD_ZERO(&read_set);
    FD_ZERO(&write_set);
    highest_fd = -1;
    return 0;
}

void io_backend_close(void)
{
}

int io_backend_fd_limit(void)
{
    return FD_SETSIZE;
}

int io_backend_watch(int fd, int old, int now)
{
    (void)old;
    if (fd < 0 || fd >= FD_SETSIZE) {
        errno = EINVAL;
        return now == 0 ? 0 : -1;
    }
    if (now & IO_READ)
        FD_SET(fd, &read_set);
    else
        FD_CLR(fd, &read_set);
    if (now & IO_WRITE)
        FD_SET(fd, &write_set);
    else
        FD_CLR(fd, &write_set);
    if (now != 0 && fd > highest_fd)
        highest_fd = fd;
    return 0;
}

/* select() failed with EBADF: somebody closed a watched fd.  Report
 * those fds as ready, so their tasks run and their own calls fail (the
 * scheduler says so when a task waited there). */
static int closed_fds(void)
{
    int count = 0;
    for (int fd = 0; fd <= highest_fd; fd++) {
        if (!FD_ISSET(fd, &read_set) && !FD_ISSET(fd, &write_set))
            continue;
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        ready[count].fd = fd;
        ready[count].ready = IO_READ | IO_WRITE;
        count++;
    }
    errno = EBADF;
    return count > 0 ? count : -1;
}

void io_backend_forget(int fd)
{
    io_backend_watch(fd, IO_UNKNOWN, 0);
}

int io_backend_wait(struct io_event **events, int timeout_ms)
{
    while (highest_fd >= 0 && !FD_ISSET(highest_fd, &read_set)
           && !FD_ISSET(highest_fd, &write_set))
        highest_fd--;
    fd_set readable = read_set, writable = write_set;
    *events = ready;
    struct timeval limit = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    int found = select(highest_fd + 1, &readable, &writable, NULL,
                       timeout_ms < 0 ? NULL : &limit);
    if (found < 0)
        return errno == EBADF ? closed_fds() : -1;
    int count = 0;
    for (int fd = 0; fd <= highest_fd && count < found; fd++) {
        int bits = (FD_ISSET(fd, &readable) ? IO_READ : 0)
                 | (FD_ISSET(fd, &writable) ? IO_WRITE : 0);
        if (bits != 0) {
            ready[count].fd = fd;
            ready[count].ready = bits;
            count++;
        }
    }
    return count;
}
