/*
 * scheduler.c (backends) - stage 5's run(), with the wait for I/O
 * delegated to io_backend.h.  Every task is the stage's own.
 *
 * What changes from the course's select loop:
 *  - recv_wait and send_wait grow with the highest fd: no FD_SETSIZE.
 *  - The backend is told of changes only, never the whole picture:
 *    select() and poll() keep their sets from one wait to the next,
 *    epoll keeps them in the kernel.  A server with 990 idle clients
 *    then pays for its 10 busy ones, not for all 1000 (with epoll).
 *  - Interest is dropped lazily.  A task woken for an fd usually parks
 *    on that same fd again at once (the echo handler: recv, then send,
 *    then recv), so its fd stays watched until the next wait; only fds
 *    nobody parked on again are then dropped.  With epoll that saves
 *    one epoll_ctl() per wake.
 *
 * An fd woken and not yet parked on again is "dirty": its task may
 * close it and another may open the same number, unknown to the
 * kernel's interest list, so the next park on it always re-registers.
 */
#include "scheduler.h"

#include "fail.h"
#include "output.h"
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct task_queue tasks = TASK_QUEUE_EMPTY;
struct task **recv_wait;
struct task **send_wait;

static int table_size;         /* entries in each per-fd table */
static unsigned char *watched; /* what the backend watches, per fd */
static unsigned char *dirty;   /* woken since the backend was last told */
static int *dirty_list;        /* the dirty fds, in the order they woke */
static int dirty_count;
static int waiting;            /* tasks in recv_wait or send_wait */
static bool backend_open;
static bool stop_requested;

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
    watched = grow_table(watched, 1, table_size, size);
    dirty = grow_table(dirty, 1, table_size, size);
    /* An fd is listed once per wait, plus once more if flush_dirty()
     * wakes its task: twice the table at most. */
    dirty_list = grow_table(dirty_list, sizeof *dirty_list, 2 * table_size, 2 * size);
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

/* What FD should be watched for now: the waits parked on it. */
static int wanted(int fd)
{
    return (recv_wait[fd] != NULL ? IO_READ : 0) | (send_wait[fd] != NULL ? IO_WRITE : 0);
}

static void mark_dirty(int fd)
{
    if (!dirty[fd]) {
        dirty[fd] = 1;
        dirty_list[dirty_count++] = fd;
    }
}

void spawn(struct task *t)
{
    trace("spawn task %u (%s)", t->id, t->name);
    task_queue_push(&tasks, t);
}

void task_done(struct task *t)
{
    trace("task %u (%s) finished", t->id, t->name);
    print_line("Task done");
    if (t->cleanup != NULL)
        t->cleanup(t);
    free(t);
}

void scheduler_stop(void)
{
    stop_requested = true;
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
    /* Nothing is watched any more: give back the backend (an epoll fd)
     * and the tables, so that a clean exit leaves nothing behind. */
    if (backend_open)
        io_backend_close();
    backend_open = false;
    free(recv_wait);
    free(send_wait);
    free(watched);
    free(dirty);
    free(dirty_list);
    recv_wait = send_wait = NULL;
    watched = dirty = NULL;
    dirty_list = NULL;
    table_size = 0;
    dirty_count = 0;
    waiting = 0;
}

/* Put T, which returned STATUS (TASK_RECV or TASK_SEND), where it waits
 * for t->wait_fd, and tell the backend if its interest changed. */
static void park(struct task *t, enum task_status status)
{
    int fd = t->wait_fd;
    const char *reason = status == TASK_RECV ? "recv" : "send";

    open_backend();
    if (fd < 0 || fd >= io_backend_fd_limit()) {
        fprintf(stderr, "scheduler: task %u (%s) waits to %s on fd %d, but the %s backend can "
                "only watch fds 0 to %d; ending that task\n",
                t->id, t->name, reason, fd, io_backend_name, io_backend_fd_limit() - 1);
        task_done(t);
        return;
    }
    make_room(fd);
    struct task **table = status == TASK_RECV ? recv_wait : send_wait;
    if (table[fd] != NULL) {
        fprintf(stderr, "scheduler: task %u (%s) waits to %s on fd %d, where task %u (%s) "
                "already waits; ending the newcomer\n",
                t->id, t->name, reason, fd, table[fd]->id, table[fd]->name);
        task_done(t);
        return;
    }
    table[fd] = t;
    int want = wanted(fd);
    if (want != watched[fd] || dirty[fd]) {
        if (io_backend_watch(fd, watched[fd], want) < 0) {
            fprintf(stderr, "scheduler: the %s backend cannot watch fd %d for task %u (%s): "
                    "%s; ending that task\n",
                    io_backend_name, fd, t->id, t->name, strerror(errno));
            table[fd] = NULL;
            task_done(t);
            return;
        }
        watched[fd] = (unsigned char)want;
        dirty[fd] = 0; /* still listed; flush_dirty() skips it */
    }
    waiting++;
    trace("park task %u (%s) on fd %d for %s", t->id, t->name, fd, reason);
}

/* Move the task parked in TABLE[FD] back to the ready queue. */
static void wake(struct task **table, int fd, const char *reason)
{
    struct task *t = table[fd];
    table[fd] = NULL;
    waiting--;
    mark_dirty(fd);
    trace("%s woke fd %d for %s: task %u (%s) is ready",
          io_backend_name, fd, reason, t->id, t->name);
    task_queue_push(&tasks, t);
}

/* Tell the backend about the fds woken since the last wait that nobody
 * parked on again: stop watching them (their tasks may have closed them,
 * so a failure here means nothing).  A fd still wanted by the task of
 * the other direction keeps that interest; if the backend refuses it,
 * the fd is gone, and that task is woken to find out. */
static void flush_dirty(void)
{
    /* dirty_count is read on every turn: a task woken here lists its
     * fd again, and that entry is settled in this same loop. */
    for (int i = 0; i < dirty_count; i++) {
        int fd = dirty_list[i];
        if (!dirty[fd])
            continue;
        dirty[fd] = 0;
        int want = wanted(fd);
        if (want == watched[fd])
            continue;
        if (io_backend_watch(fd, watched[fd], want) < 0 && want != 0) {
            watched[fd] = 0;
            if (recv_wait[fd] != NULL)
                wake(recv_wait, fd, "recv");
            if (send_wait[fd] != NULL)
                wake(send_wait, fd, "send");
            continue;
        }
        watched[fd] = (unsigned char)want;
    }
    dirty_count = 0;
}

/* Block in the backend until a parked task can go on, then make every
 * such task ready: first the readable ones, then the writable ones, as
 * the course's loop does. */
static void wait_for_io(void)
{
    flush_dirty();
    if (!task_queue_empty(&tasks))
        return; /* flush_dirty() woke a task: run it first */

    trace("%s: %d task(s) waiting, nothing else to run", io_backend_name, waiting);
    struct io_event *events;
    int count = io_backend_wait(&events);
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
        if ((events[i].ready & IO_READ) && recv_wait[fd] != NULL)
            wake(recv_wait, fd, "recv");
    }
    for (int i = 0; i < count; i++) {
        int fd = events[i].fd;
        if (fd >= table_size)
            continue;
        if ((events[i].ready & IO_WRITE) && send_wait[fd] != NULL)
            wake(send_wait, fd, "send");
        if (watched[fd] & ~wanted(fd))
            mark_dirty(fd); /* watched for nobody (lazily): dropped before the next wait */
    }
}

void run(void)
{
    stop_requested = false;
    while (!stop_requested && (!task_queue_empty(&tasks) || waiting > 0)) {
        if (task_queue_empty(&tasks)) {
            wait_for_io();
            continue;
        }
        struct task *t = task_queue_pop(&tasks);
        trace("resume task %u (%s)", t->id, t->name);
        enum task_status status = t->step(t);
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
            fprintf(stderr, "scheduler: task %u (%s) returned unknown status %d; ending it\n",
                    t->id, t->name, (int)status);
            task_done(t);
        }
    }
}
