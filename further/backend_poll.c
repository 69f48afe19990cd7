/*
 * backend_poll.c - io_backend.h with poll(): no FD_SETSIZE, and a wait
 * costs the number of watched fds, not the highest fd.
 *
 * The pollfd array is kept between waits; slot[fd] says where an fd
 * sits, so watching and unwatching are O(1) (removal moves the last
 * entry into the hole).  Each wait still hands the kernel every watched
 * fd and scans them all for results: with 990 idle clients, poll()
 * still pays for them on every wait.
 */
#include "io_backend.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>

const char io_backend_name[] = "poll";

static struct pollfd *fds;     /* the watched fds, in no order */
static struct io_event *ready; /* as many as fds */
static int count, capacity;
static int *slot;              /* fd -> index in fds, or -1 */
static int slot_size;

int io_backend_open(void)
{
    return 0;
}

void io_backend_close(void)
{
    free(fds);
    free(ready);
    free(slot);
    fds = NULL;
    ready = NULL;
    slot = NULL;
    count = capacity = slot_size = 0;
}

int io_backend_fd_limit(void)
{
    return INT_MAX;
}

/* Room for index FD in slot[] and for one more entry in fds[]. */
static int make_room(int fd)
{
    if (fd >= slot_size) {
        int size = slot_size < 64 ? 64 : slot_size;
        while (size <= fd)
            size = size > INT_MAX / 2 ? fd + 1 : size * 2;
        int *grown = realloc(slot, sizeof *grown * (size_t)size);
        if (grown == NULL)
            return -1;
        for (int i = slot_size; i < size; i++)
            grown[i] = -1;
        slot = grown;
        slot_size = size;
    }
    if (count == capacity) {
        int size = capacity < 64 ? 64 : capacity * 2;
        struct pollfd *more = realloc(fds, sizeof *more * (size_t)size);
        if (more == NULL)
            return -1;
        fds = more;
        struct io_event *events = realloc(ready, sizeof *events * (size_t)size);
        if (events == NULL)
            return -1;
        ready = events;
        capacity = size;
    }
    return 0;
}

int io_backend_watch(int fd, int old, int now)
{
    (void)old;
    if (fd < 0) {
        errno = EBADF;
        return now == 0 ? 0 : -1;
    }
    int at = fd < slot_size ? slot[fd] : -1;
    if (now == 0) {
        if (at >= 0) {
            fds[at] = fds[--count];
            slot[fds[at].fd] = at;
            slot[fd] = -1;
        }
        return 0;
    }
    if (at < 0) {
        if (make_room(fd) < 0) {
            errno = ENOMEM;
            return -1;
        }
        at = count++;
        slot[fd] = at;
        fds[at].fd = fd;
    }
    fds[at].events = (short)(((now & IO_READ) ? POLLIN : 0) | ((now & IO_WRITE) ? POLLOUT : 0));
    fds[at].revents = 0;
    return 0;
}

void io_backend_forget(int fd)
{
    io_backend_watch(fd, IO_UNKNOWN, 0);
}

int io_backend_wait(struct io_event **events, int timeout_ms)
{
    *events = ready;
    int found = poll(fds, (nfds_t)count, timeout_ms);
    if (found < 0)
        return -1;
    int n = 0;
    for (int i = 0; i < count && n < found; i++) {
        short got = fds[i].revents;
        if (got == 0)
            continue;
        int bits = 0;
        if (got & (POLLIN | POLLHUP | POLLERR | POLLNVAL))
            bits |= IO_READ;
        if (got & (POLLOUT | POLLHUP | POLLERR | POLLNVAL))
            bits |= IO_WRITE;
        ready[n].fd = fds[i].fd;
        ready[n].ready = bits;
        n++;
    }
    return n;
}
