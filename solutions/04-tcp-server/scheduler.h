/*
 * scheduler.h - run many tasks in one thread; park the ones that wait
 * for I/O and let select() say when to wake them.
 *
 *     tasks = deque()        struct task_queue tasks;
 *     recv_wait = {}         struct task *recv_wait[FD_SETSIZE];
 *     send_wait = {}         struct task *send_wait[FD_SETSIZE];
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include "task.h"
#include "task_queue.h"

#include <stdbool.h>
#include <sys/select.h>

/* The ready queue: tasks that can run now, in the order they will. */
extern struct task_queue tasks;

/* The scheduler can watch fds 0 to SCHEDULER_FD_LIMIT - 1: select()
 * cannot watch an fd at or above FD_SETSIZE (FD_SET has no bounds check
 * and would write past the set), so neither can the tables below. */
#define SCHEDULER_FD_LIMIT FD_SETSIZE

/* Parked tasks, indexed by the fd they wait on (NULL: nobody waits). */
extern struct task *recv_wait[FD_SETSIZE];
extern struct task *send_wait[FD_SETSIZE];

/* Make T ready to run; the scheduler owns it from now on. */
void spawn(struct task *t);

/* Resume ready tasks round-robin; when none is ready, select() until a
 * parked one can go on.  Returns when nothing is ready or waiting, or
 * after scheduler_stop(). */
void run(void);

/* T has finished: say "Task done", release what it owns, free it. */
void task_done(struct task *t);

/* Make run() return before it resumes another task (a stop signal). */
void scheduler_stop(void);

/* Release and free every task still ready or parked, without running it
 * (for a clean exit after scheduler_stop()). */
void scheduler_drop_all(void);

#endif
