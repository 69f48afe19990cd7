/*
 * backend_epoll.c - io_backend.h with Linux's epoll: the kernel keeps
 * the interest list, so a wait costs the fds that are ready, not the
 * ones that are watched.  990 idle clients cost nothing per wait.
 *
 * Four small functions, as in redis's ae_epoll.c.  The scheduler calls
 * io_backend_watch only when what it wants changes, and in the echo
 * pattern (recv, send, recv) it does not change: a client fd is added
 * once, when its task first waits, and leaves the list when the task
 * closes it.  A send is assumed to go through (the scheduler's job), so
 * EPOLLOUT is asked for only when one did not.
 *
 * Level-triggered, like select() and poll(): an fd stays reported while
 * it is ready, so a task that reads only part of what waits is woken
 * again.  (Edge-triggered would need every task to read until EAGAIN:
 * the tasks would have to change, and they must not.)
 *
 * Known limit: the kernel drops a closed fd from the interest list
 * without a word, so a task parked on an fd that another task closes
 * is never woken (select() and poll() report it as an error instead).
 */
#include "io_backend.h"

#ifndef __linux__
#error "BACKEND=epoll needs Linux; use BACKEND=poll (or the default, select) on this system"
#endif

#include <errno.h>
#include <limits.h>
#include <sys/epoll.h>
#include <unistd.h>

const char io_backend_name[] = "epoll";

/* Ready fds taken per wait at most; the rest stay ready (level-
 * triggered) and come with the next wait. */
#define BATCH 1024

static int epoll_fd = -1;
static struct epoll_event kernel_events[BATCH];
static struct io_event ready[BATCH];

int io_backend_open(void)
{
    if (epoll_fd < 0)
        epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    return epoll_fd < 0 ? -1 : 0;
}

void io_backend_close(void)
{
    if (epoll_fd >= 0)
        close(epoll_fd);
    epoll_fd = -1;
}

int io_backend_fd_limit(void)
{
    return INT_MAX;
}

int io_backend_watch(int fd, int old, int now)
{
    if (now == 0) {
        /* Fails harmlessly if the fd was closed (and so dropped). */
        if (old != 0)
            epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, NULL);
        return 0;
    }
    struct epoll_event event = { 0 };
    event.events = ((now & IO_READ) ? EPOLLIN : 0u) | ((now & IO_WRITE) ? EPOLLOUT : 0u);
    event.data.fd = fd;
    /* The scheduler's idea of the kernel's list can be stale (the fd
     * closed, its number reused): try the likelier call, then the other. */
    int op = old > 0 ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(epoll_fd, op, fd, &event) == 0)
        return 0;
    if (op == EPOLL_CTL_MOD && errno == ENOENT)
        return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
    if (op == EPOLL_CTL_ADD && errno == EEXIST)
        return epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd, &event);
    return -1;
}

void io_backend_forget(int fd)
{
    /* close() has taken it off the list already; an fd that outlives
     * its task is dropped when it is first reported with nobody waiting. */
    (void)fd;
}

int io_backend_wait(struct io_event **events, int timeout_ms)
{
    *events = ready;
    int found = epoll_wait(epoll_fd, kernel_events, BATCH, timeout_ms);
    for (int i = 0; i < found; i++) {
        unsigned got = kernel_events[i].events;
        ready[i].fd = kernel_events[i].data.fd;
        ready[i].ready = ((got & (EPOLLIN | EPOLLHUP | EPOLLERR)) ? IO_READ : 0)
                       | ((got & (EPOLLOUT | EPOLLHUP | EPOLLERR)) ? IO_WRITE : 0);
    }
    return found;
}
