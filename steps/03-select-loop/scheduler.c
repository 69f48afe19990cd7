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
    /* BEGIN EXERCISE 3.1: parking a task in recv_wait or send_wait by its reason */
    /* Exercise 3.1: put t in recv_wait[t->wait_fd] (TASK_RECV) or
     * send_wait[t->wait_fd] (TASK_SEND), count it in `waiting`, and keep
     * `highest_fd` up to date.  Refuse, with a message on stderr
     * (print_error) naming the task and the fd, a wait on an fd below 0 or at or above
     * SCHEDULER_FD_LIMIT, or on an fd where a task already waits for the
     * same reason; end such a task with task_done(). */
    exercise_todo("3.1", "park in scheduler.c");
    (void)status;
    task_done(t);
    /* END EXERCISE 3.1 */
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
    /* BEGIN EXERCISE 3.2: building the fd sets, select(), waking the ready tasks */
    /* Exercise 3.2: build one fd_set of the fds in recv_wait and one of
     * those in send_wait, call select() with no timeout, and wake() every
     * task whose fd is ready: the readable ones first, then the writable.
     * On EINTR just return; on EBADF call wake_closed_fds(). */
    exercise_todo("3.2", "wait_for_io in scheduler.c");
    (void)wake_closed_fds;
    scheduler_stop();
    /* END EXERCISE 3.2 */
}

void run(void)
{
    stop_requested = false;
    /* BEGIN EXERCISE 3.3: the run loop: select only when nothing is ready, end when nothing is left */
    /* Exercise 3.3: loop while no stop was requested and a task is ready
     * or waiting.  With nothing ready, wait_for_io(); else resume the
     * next task and act on what it returns: TASK_READY back to the
     * queue, TASK_RECV or TASK_SEND to park(), TASK_DONE to task_done(),
     * anything else ends the task with a message on stderr. */
    exercise_todo("3.3", "run in scheduler.c");
    (void)park;
    (void)wait_for_io;
    /* END EXERCISE 3.3 */
}
