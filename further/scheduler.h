/*
 * scheduler.h (backends) - the stage 5 scheduler's API, unchanged, with
 * the wait for I/O behind io_backend.h: BACKEND=select, poll or epoll.
 *
 * Built only with BACKEND=... (tests/stage.mk), in place of the stage's
 * scheduler.h and scheduler.c; every task compiles against it as it is.
 * The differences a task could notice:
 *  - recv_wait and send_wait are tables that grow with the highest fd
 *    waited on, not arrays of FD_SETSIZE;
 *  - SCHEDULER_FD_LIMIT is what the backend can watch: FD_SETSIZE with
 *    select(), INT_MAX with poll() and epoll (then the process's fd limit,
 *    `ulimit -n`, is the only cap);
 *  - a task may sleep (YIELD_SLEEP), and with --idle-timeout a client
 *    that sends nothing for that long sees its recv() return 0.
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include "io_backend.h"
#include "task.h"
#include "task_queue.h"

#include <stdbool.h>
#include <sys/select.h>

/* The ready queue: tasks that can run now, in the order they will. */
extern struct task_queue tasks;

/* The scheduler can watch fds 0 to SCHEDULER_FD_LIMIT - 1. */
#define SCHEDULER_FD_LIMIT (io_backend_fd_limit())

/* Parked tasks, indexed by the fd they wait on (NULL: nobody waits);
 * valid indexes are 0 to scheduler_table_size() - 1, and the tables may
 * move when they grow (when a task parks on a higher fd). */
extern struct task **recv_wait;
extern struct task **send_wait;
int scheduler_table_size(void);

/* Make T ready to run; the scheduler owns it from now on. */
void spawn(struct task *t);

/* Resume ready tasks round-robin; when none is ready, ask the backend
 * until a parked one can go on.  Returns when nothing is ready or
 * waiting, or after scheduler_stop(). */
void run(void);

/* T has finished: say "Task done", release what it owns, free it. */
void task_done(struct task *t);

/* Time, asyncio.sleep's counterpart: inside a task's step,
 *     YIELD_SLEEP(self, 250);
 * parks the task for 250 ms (at least), while the others run.  The
 * deadline goes into the scheduler's heap; tasks whose deadlines are
 * equal wake in the order they went to sleep. */
#define YIELD_SLEEP(t, milliseconds)                                          \
    do {                                                                      \
        scheduler_sleep((t), (milliseconds));                                 \
        CO_YIELD(&(t)->co, TASK_READY);                                       \
    } while (0)

/* YIELD_SLEEP's first half: T asks to sleep when its step returns. */
void scheduler_sleep(struct task *t, long milliseconds);

/* Make run() return before it resumes another task (a stop signal). */
void scheduler_stop(void);

/* Release and free every task still ready or parked, without running it
 * (for a clean exit after scheduler_stop()). */
void scheduler_drop_all(void);

#endif
