/*
 * scheduler.h - run many tasks in one thread, each until its next yield.
 *
 *     tasks = deque()               struct task_queue tasks;
 *     tasks.append(countdown(10))   spawn(countdown_task(10));
 *     run()                         run();
 */
#ifndef SCHEDULER_H
#define SCHEDULER_H

#include "task.h"
#include "task_queue.h"

/* The ready queue: tasks that can run now, in the order they will. */
extern struct task_queue tasks;

/* Make T ready to run; the scheduler owns it from now on. */
void spawn(struct task *t);

/* Resume ready tasks round-robin until none is left. */
void run(void);

/* T has finished: say "Task done", release what it owns, free it. */
void task_done(struct task *t);

#endif
