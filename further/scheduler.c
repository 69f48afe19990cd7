/*
 * scheduler.c (backends) - stage 5's run(), with the wait for I/O
 * delegated to io_backend.h, and time: sleeping tasks and idle timeouts.
 * Every task is the stage's own.
 *
 * What changes from the course's select loop:
 *  - recv_wait and send_wait grow with the highest fd: no FD_SETSIZE.
 *  - The backend is told of changes only, never the whole picture, and
 *    in the echo pattern (recv, send, recv) nothing changes: a client's
 *    fd is registered when its task first waits on it and stays so.
 *  - A send is not asked about first.  The original yields 'send'
 *    before every send, which costs a wait (a select() of its own with
 *    one client) although a socket can almost always take a reply at
 *    once.  Here the first YIELD_SEND of a task on an fd puts the task
 *    straight back in the ready queue; only when it yields SEND again
 *    (its send() said EAGAIN, or sent part) does it really wait.  A
 *    wrong guess costs one resume, never correctness.
 *  - Time (asyncio's timer queue): YIELD_SLEEP parks a task until a
 *    deadline; --idle-timeout gives every client one clock, which runs
 *    while its task waits to receive or to send and starts again at each
 *    new wait (a wait ends only when the client sent or took bytes).  The
 *    deadlines sit in a binary heap, and the nearest is the backend's
 *    timeout: nothing polls.
 *
 * The kernel's interest list (epoll's) can go stale: a task closes fd N
 * and an fd opened later gets the same number.  The scheduler re-
 * registers an fd when a different task parks on it, and when a task
 * parks to recv on the fd it was just woken for without a send on it in
 * between (it may have closed and reopened it).  A task that closes and
 * reopens an fd number between a send and the next recv on it is not
 * detected, nor one that does so with a listening socket between two
 * waits (a listener is not told again after each accept): none of the
 * course's tasks does.
 */
#include "scheduler.h"

#include "deadlines.h"
#include "fail.h"
#include "options.h"
#include "output.h"
#include "trace.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/sockios.h> /* SIOCOUTQ */
#endif

struct task_queue tasks = TASK_QUEUE_EMPTY;
struct task **recv_wait;
struct task **send_wait;

/* What the scheduler knows of each fd, beside its two waiters. */
struct fd_state {
    unsigned owner;         /* id of the task that parked on it last (0: none) */
    unsigned tried_send;    /* id of a task resumed without a wait to send here */
    unsigned char watched;  /* what the backend watches (IO_READ | IO_WRITE) */
    unsigned char woken;    /* its recv waiter was woken and has not sent since */
    unsigned char client;   /* idle timeouts: 0 unknown, 1 a connected socket, 2 not */
    unsigned char timed;    /* idle timeouts: it has an entry in the heap */
    unsigned char listener; /* 0 unknown, 1 a listening socket, 2 not */
    int64_t idle_until;     /* idle timeouts: the current wait's deadline */
    int queued;             /* idle timeouts: bytes in its send queue when last seen */
};

static int table_size;         /* entries in each per-fd table */
static struct fd_state *state;
static int waiting;            /* tasks in recv_wait or send_wait */
static int sleeping;           /* tasks in the heap */
static bool backend_open;
static bool stop_requested;

static struct deadline_heap deadlines = DEADLINE_HEAP_EMPTY;
static struct task *sleep_task; /* YIELD_SLEEP's request, taken by run() */
static int64_t sleep_until;

int scheduler_table_size(void)
{
    return table_size;
}

static void *grow_table(void *table, size_t element, int old_size, int new_size)
{
    char *grown = realloc(table, element * (size_t)new_size);
    if (grown == NULL)
        fail("free some memory, or serve fewer clients at once",
             "out of memory for the scheduler's tables (%d fds)", new_size);
    memset(grown + element * (size_t)old_size, 0, element * (size_t)(new_size - old_size));
    return grown;
}

/* Make every per-fd table hold index FD. */
static void make_room(int fd)
{
    if (fd < table_size)
        return;
    int size = table_size < 64 ? 64 : table_size;
    while (size <= fd)
        size = size > 0x3fffffff ? fd + 1 : size * 2;
    recv_wait = grow_table(recv_wait, sizeof *recv_wait, table_size, size);
    send_wait = grow_table(send_wait, sizeof *send_wait, table_size, size);
    state = grow_table(state, sizeof *state, table_size, size);
    table_size = size;
}

static void open_backend(void)
{
    if (backend_open)
        return;
    if (io_backend_open() < 0)
        fail_errno("close some files, or raise the limit with 'ulimit -n'",
                   "cannot start the %s backend", io_backend_name);
    backend_open = true;
}

/* ---- the API ---- */

void spawn(struct task *t)
{
    open_backend(); /* before the first task runs: its fds are counted after ours */
    trace("spawn task %u (%s)", t->id, t->name);
    task_queue_push(&tasks, t);
}

/* T's fd, if T was the last to park on it: nobody will wait there now. */
static void forget_fd_of(const struct task *t)
{
    int fd = t->wait_fd;
    if (fd < 0 || fd >= table_size || state[fd].owner != t->id
        || recv_wait[fd] != NULL || send_wait[fd] != NULL)
        return;
    if (state[fd].watched != 0 && backend_open)
        io_backend_forget(fd);
    state[fd].watched = 0;
    state[fd].owner = 0;
}

void task_done(struct task *t)
{
    trace("task %u (%s) finished", t->id, t->name);
    print_line("Task done");
    forget_fd_of(t);
    if (t->cleanup != NULL)
        t->cleanup(t);
    free(t);
}

void scheduler_stop(void)
{
    stop_requested = true;
}

void scheduler_sleep(struct task *t, long milliseconds)
{
    sleep_task = t;
    /* At most a year: a larger sleep must not overflow the deadline. */
    const int64_t longest = INT64_C(365) * 24 * 3600 * 1000;
    int64_t wait = milliseconds <= 0 ? 0 : (int64_t)milliseconds;
    sleep_until = clock_ms() + (wait < longest ? wait : longest);
}

static void release(struct task *t)
{
    if (t->cleanup != NULL)
        t->cleanup(t);
    free(t);
}

void scheduler_drop_all(void)
{
    struct task *t;
    while ((t = task_queue_pop(&tasks)) != NULL)
        release(t);
    for (int fd = 0; fd < table_size; fd++) {
        if (recv_wait[fd] != NULL)
            release(recv_wait[fd]);
        if (send_wait[fd] != NULL)
            release(send_wait[fd]);
        recv_wait[fd] = send_wait[fd] = NULL;
    }
    for (int i = 0; i < deadlines.count; i++)
        if (deadlines.items[i].task != NULL)
            release(deadlines.items[i].task);
    /* Nothing is watched any more: give back the backend (an epoll fd)
     * and the tables, so that a clean exit leaves nothing behind. */
    if (backend_open)
        io_backend_close();
    backend_open = false;
    free(recv_wait);
    free(send_wait);
    free(state);
    deadline_free(&deadlines);
    recv_wait = send_wait = NULL;
    state = NULL;
    table_size = 0;
    waiting = sleeping = 0;
}

/* What FD should be watched for now: the waits parked on it. */
static int wanted(int fd)
{
    return (recv_wait[fd] != NULL ? IO_READ : 0) | (send_wait[fd] != NULL ? IO_WRITE : 0);
}

/* Bytes sent to FD that its peer has not taken yet, or -1 where the
 * system cannot say.  A client reading slowly takes bytes long before the
 * socket is called writable again (only once half its send buffer is
 * free, which a slow reader of a large buffer may take seconds to make). */
static int queued_bytes(int fd)
{
    int n = -1;
#if defined(SIOCOUTQ)
    if (ioctl(fd, SIOCOUTQ, &n) < 0)
        n = -1;
#elif defined(SO_NWRITE)
    socklen_t length = sizeof n;
    if (getsockopt(fd, SOL_SOCKET, SO_NWRITE, &n, &length) < 0)
        n = -1;
#else
    (void)fd;
#endif
    return n;
}

/* --idle-timeout: give the wait on FD (to receive or to send) a
 * deadline, when FD is a connected client (never the listener, nor the
 * signal pipe: they have no peer; nor stdout or stderr, even when they
 * are sockets: they are not clients).  A wait that begins means the last
 * one ended, so the client sent or took bytes: a slow but steady reader
 * is never idle.  The heap holds one entry per fd, moved on when it
 * expires. */
static void start_idle_clock(int fd, enum task_status status)
{
    if (idle_timeout_seconds == 0 || fd <= STDERR_FILENO)
        return;
    struct fd_state *s = &state[fd];
    if (s->client == 0) {
        struct sockaddr_storage peer;
        socklen_t length = sizeof peer;
        s->client = getpeername(fd, (struct sockaddr *)&peer, &length) == 0 ? 1 : 2;
    }
    if (s->client != 1)
        return;
    s->idle_until = clock_ms() + 1000 * (int64_t)idle_timeout_seconds;
    s->queued = status == TASK_SEND ? queued_bytes(fd) : -1;
    if (!s->timed) {
        s->timed = 1;
        deadline_push(&deadlines, s->idle_until, NULL, fd);
    }
}

/* Put T, which returned STATUS (TASK_RECV or TASK_SEND), where it waits
 * for t->wait_fd, and tell the backend if its interest changed. */
static void park(struct task *t, enum task_status status)
{
    int fd = t->wait_fd;
    const char *reason = status == TASK_RECV ? "recv" : "send";

    open_backend();
    if (fd < 0 || fd >= io_backend_fd_limit()) {
        print_error("scheduler: task %u (%s) waits to %s on fd %d, but the %s backend can "
                    "only watch fds 0 to %d; ending that task",
                    t->id, t->name, reason, fd, io_backend_name, io_backend_fd_limit() - 1);
        task_done(t);
        return;
    }
    make_room(fd);
    struct fd_state *s = &state[fd];
    struct task **table = status == TASK_RECV ? recv_wait : send_wait;
    if (table[fd] != NULL) {
        print_error("scheduler: task %u (%s) waits to %s on fd %d, where task %u (%s) "
                    "already waits; ending the newcomer",
                    t->id, t->name, reason, fd, table[fd]->id, table[fd]->name);
        task_done(t);
        return;
    }
    if (status == TASK_SEND) {
        s->woken = 0; /* the task still talks to the same peer */
        if (s->tried_send != t->id) {
            s->tried_send = t->id;
            trace("task %u (%s) sends on fd %d without asking first", t->id, t->name, fd);
            task_queue_push(&tasks, t);
            return;
        }
    }
    s->tried_send = 0;
    int old = s->watched;
    /* Maybe a new fd under an old number: tell the backend again, even
     * if nothing changed (OLD == NOW).  Another task's fd most likely
     * is new (IO_UNKNOWN: epoll tries adding first); the same task's,
     * most likely is not (epoll tries modifying first). */
    bool again = status == TASK_RECV && s->woken;
    if (s->owner != t->id) {
        old = IO_UNKNOWN;
        s->client = 0;
        s->listener = 0;
        s->owner = t->id;
    }
    /* Except a listening socket: its task accepts and waits again, turn
     * after turn, and does not close it in between; telling epoll again
     * each time would cost a call per connection.  (Asked once per
     * owner, and only of an fd that would be told again.) */
    if (again && old != IO_UNKNOWN && s->listener == 0) {
        int listening = 0;
        socklen_t length = sizeof listening;
        s->listener = getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0
                      && listening ? 1 : 2;
    }
    if (s->listener == 1)
        again = false;
    s->woken = 0;
    table[fd] = t;
    int want = wanted(fd);
    if (want != old || again) {
        if (io_backend_watch(fd, old, want) < 0) {
            print_error("scheduler: the %s backend cannot watch fd %d for task %u (%s): "
                        "%s; ending that task",
                        io_backend_name, fd, t->id, t->name, strerror(errno));
            table[fd] = NULL;
            s->watched = (unsigned char)wanted(fd);
            task_done(t);
            return;
        }
        s->watched = (unsigned char)want;
    }
    start_idle_clock(fd, status);
    waiting++;
    trace("park task %u (%s) on fd %d for %s", t->id, t->name, fd, reason);
}

/* Move the task parked in TABLE[FD] back to the ready queue. */
static void wake(struct task **table, int fd, const char *reason)
{
    struct task *t = table[fd];
    table[fd] = NULL;
    waiting--;
    trace("%s woke fd %d for %s: task %u (%s) is ready",
          io_backend_name, fd, reason, t->id, t->name);
    task_queue_push(&tasks, t);
}

/* An idle check of FD is due at NOW: close the client's stream if its
 * wait has outlived the deadline.  Waiting to receive, shutdown(SHUT_RD)
 * makes the task's recv() return 0, so the task ends as if the client
 * had gone.  Waiting to send (a client that sends and never reads),
 * shutdown(SHUT_RDWR) makes its send() fail (EPIPE), and the task ends
 * as on any lost client.  The handler is not changed, and the fd is
 * closed by its owner. */
static void idle_check(int fd, int64_t now)
{
    struct fd_state *s = &state[fd];
    if ((recv_wait[fd] == NULL && send_wait[fd] == NULL) || s->client != 1) {
        s->timed = 0; /* not waiting: the next wait sets a new entry */
        return;
    }
    if (s->idle_until > now) {
        deadline_push(&deadlines, s->idle_until, NULL, fd); /* it moved since: check again later */
        return;
    }
    bool receiving = recv_wait[fd] != NULL;
    if (!receiving && s->queued > 0) {
        /* Waiting to send all along: did the client take bytes meanwhile? */
        int queued = queued_bytes(fd);
        if (queued >= 0 && queued < s->queued) {
            s->queued = queued;
            s->idle_until = now + 1000 * (int64_t)idle_timeout_seconds;
            deadline_push(&deadlines, s->idle_until, NULL, fd);
            return;
        }
    }
    s->timed = 0;
    print_line("Idle timeout: the client on fd %d %s for %u s; closing it", fd,
               receiving ? "sent nothing" : "took nothing of its replies", idle_timeout_seconds);
    if (shutdown(fd, receiving ? SHUT_RD : SHUT_RDWR) < 0 && errno != ENOTCONN)
        print_error("scheduler: shutdown() of idle fd %d failed: %s", fd, strerror(errno));
    if (receiving) {
        wake(recv_wait, fd, "idle timeout");
        s->woken = 1;
    } else {
        wake(send_wait, fd, "idle timeout");
    }
}

/* Wake the sleepers and run the idle checks whose deadline has come. */
static void expire_timers(void)
{
    const struct deadline *first;
    int64_t now = clock_ms();
    while ((first = deadline_first(&deadlines)) != NULL && first->at <= now) {
        struct deadline timer = deadline_pop(&deadlines);
        if (timer.task == NULL) {
            idle_check(timer.fd, now);
            continue;
        }
        sleeping--;
        trace("task %u (%s) wakes from its sleep", timer.task->id, timer.task->name);
        task_queue_push(&tasks, timer.task);
    }
}

/* How long the backend may block: until the nearest deadline. */
static int wait_limit(void)
{
    const struct deadline *first = deadline_first(&deadlines);
    if (first == NULL)
        return -1;
    int64_t left = first->at - clock_ms();
    return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/* Block in the backend until a parked task can go on or a deadline
 * comes, then make every such task ready: first the readable ones, then
 * the writable ones, as the course's loop does, then the timers. */
static void wait_for_io(void)
{
    open_backend();
    trace("%s: %d task(s) waiting, %d sleeping, nothing else to run",
          io_backend_name, waiting, sleeping);
    struct io_event *events;
    /* Log lines wait a little (common/output.c, at most
     * OUTPUT_LINGER_MS), so that the lines of several turns leave in one
     * write: the wait is no longer than that, and when it is over they
     * go before the next. */
    int limit = wait_limit();
    int linger = output_linger();
    if (linger == 0) {
        output_end_of_turn();
        linger = -1;
    }
    if (linger >= 0 && (limit < 0 || linger < limit))
        limit = linger;
    int count = io_backend_wait(&events, limit);
    if (count < 0) {
        if (errno == EINTR)
            return; /* a signal: run() looks at its flags, then we wait again */
        fail_errno("this is a bug in the scheduler, not in a task",
                   "waiting with the %s backend failed", io_backend_name);
    }
    for (int i = 0; i < count; i++) {
        int fd = events[i].fd;
        if (fd >= table_size)
            continue;
        if (recv_wait[fd] == NULL && send_wait[fd] == NULL) {
            /* Reported with nobody waiting: an fd whose task ended and
             * left it open (or closed it, for select and poll).  Stop
             * watching it, or a level-triggered wait would spin. */
            io_backend_watch(fd, IO_UNKNOWN, 0);
            state[fd].watched = 0;
            state[fd].owner = 0;
            continue;
        }
        if ((events[i].ready & IO_READ) && recv_wait[fd] != NULL) {
            wake(recv_wait, fd, "recv");
            state[fd].woken = 1;
        }
    }
    for (int i = 0; i < count; i++) {
        int fd = events[i].fd;
        if (fd < table_size && (events[i].ready & IO_WRITE) && send_wait[fd] != NULL)
            wake(send_wait, fd, "send");
    }
    expire_timers();
}

void run(void)
{
    stop_requested = false;
    output_defer(true);
    while (!stop_requested && (!task_queue_empty(&tasks) || waiting > 0 || sleeping > 0)) {
        if (task_queue_empty(&tasks)) {
            wait_for_io();
            continue;
        }
        struct task *t = task_queue_pop(&tasks);
        trace("resume task %u (%s)", t->id, t->name);
        enum task_status status = t->step(t);
        if (sleep_task != NULL) {
            struct task *asked = sleep_task;
            sleep_task = NULL;
            if (asked == t && status == TASK_READY) {
                deadline_push(&deadlines, sleep_until, t, -1);
                sleeping++;
                trace("task %u (%s) sleeps", t->id, t->name);
                continue;
            }
        }
        switch (status) {
        case TASK_READY:
            task_queue_push(&tasks, t);
            break;
        case TASK_RECV:
        case TASK_SEND:
            park(t, status);
            break;
        case TASK_DONE:
            task_done(t);
            break;
        default:
            print_error("scheduler: task %u (%s) returned unknown status %d; ending it",
                        t->id, t->name, (int)status);
            task_done(t);
        }
    }
    output_defer(false);
}
