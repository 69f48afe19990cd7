/*
 * scheduler.c - the round-robin loop of the original run():
 *
 *     def run():
 *         while tasks:
 *             task = tasks.popleft()
 *             try:
 *                 next(task)
 *                 tasks.append(task)
 *             except StopIteration:
 *                 print('Task done')
 */
#include "scheduler.h"

#include "todo.h"
#include "trace.h"

#include <stdio.h>
#include <stdlib.h>

struct task_queue tasks = TASK_QUEUE_EMPTY;

void spawn(struct task *t)
{
    trace("spawn task %u (%s)", t->id, t->name);
    task_queue_push(&tasks, t);
}

void run(void)
{
    /* BEGIN EXERCISE 2.2: the run loop: resume each ready task in turn */
    /* Exercise 2.2: pop the next task, resume it with t->step(t); if it
     * returns TASK_DONE, hand it to task_done(), else push it back.
     * Stop when the queue is empty. */
    exercise_todo("2.2", "run in scheduler.c");
    /* END EXERCISE 2.2 */
}

void task_done(struct task *t)
{
    /* BEGIN EXERCISE 2.3: finishing a task: report, clean up, free */
    /* Exercise 2.3: print "Task done" (a line of its own), call the
     * task's cleanup function if it has one, and free the task. */
    exercise_todo("2.3", "task_done in scheduler.c");
    (void)t;
    /* END EXERCISE 2.3 */
}
