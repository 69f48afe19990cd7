/*
 * io_backend.h - "going further": the scheduler's wait for I/O behind
 * one small interface, so that select(), poll() and epoll can be
 * swapped at build time without touching a single task.
 *
 * The shape is redis's ae: aeApiCreate, aeApiAddEvent, aeApiDelEvent,
 * aeApiPoll become io_backend_open, io_backend_watch (both adding and
 * removing interest: the caller passes what was watched before and
 * what should be watched now), io_backend_forget and io_backend_wait.
 * Exactly one of backend_select.c, backend_poll.c, backend_epoll.c is
 * linked in.
 *
 * The scheduler keeps the per-fd table of what it asked for (like ae's
 * eventLoop->events[fd].mask), so a backend never has to guess, and it
 * calls io_backend_watch only when that changes: a backend does not
 * keep state of its own beyond what the kernel needs.
 */
#ifndef IO_BACKEND_H
#define IO_BACKEND_H

/* Interest and readiness bits. */
#define IO_READ  1
#define IO_WRITE 2

/* One ready fd: READY says which of IO_READ and IO_WRITE it is ready
 * for (an error or hang-up sets both, so the waiting task runs and its
 * own recv() or send() reports the problem). */
struct io_event {
    int fd;
    int ready;
};

/* The backend's name, for messages and traces: "select", "poll", "epoll". */
extern const char io_backend_name[];

/* Prepare the backend (epoll_create1 and the like); 0, or -1 with errno. */
int io_backend_open(void);

/* Release what io_backend_open took. */
void io_backend_close(void);

/* The first fd this backend cannot watch (FD_SETSIZE for select(),
 * INT_MAX for the others: the fd limit of the process is the only cap). */
int io_backend_fd_limit(void);

/* OLD for io_backend_watch: the scheduler does not know what the kernel
 * holds for this fd (its number may have been closed and reused since). */
#define IO_UNKNOWN (-1)

/* FD was watched for OLD (0: not at all; IO_UNKNOWN) and must now be
 * watched for NOW (0: not at all).  Called with OLD == NOW when the fd
 * may have been closed and reopened since it was registered (a backend
 * with state in the kernel, like epoll, must then register it again).
 * 0, or -1 with errno (the fd cannot be watched: the task waiting on it
 * must be ended). */
int io_backend_watch(int fd, int old, int now);

/* FD's task has ended and FD is probably closed: stop watching it, at no
 * cost where the kernel forgets a closed fd by itself (epoll). */
void io_backend_forget(int fd);

/* Block until at least one watched fd is ready, or TIMEOUT_MS pass (-1:
 * no limit; the scheduler's nearest deadline otherwise); point *EVENTS
 * at the backend's own array of ready fds and return how many (0 when
 * the time ran out; -1 with errno on failure, EINTR when a signal
 * arrived).  Valid until the next call. */
int io_backend_wait(struct io_event **events, int timeout_ms);

#endif
