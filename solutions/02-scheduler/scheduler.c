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
    struct task *t;
    while ((t = task_queue_pop(&tasks)) != NULL) {
        trace("resume task %u (%s)", t->id, t->name);
        if (t->step(t) == TASK_DONE)
            task_done(t);
        else
            task_queue_push(&tasks, t);
    }
    /* END EXERCISE 2.2 */
}

void task_done(struct task *t)
{
    /* BEGIN EXERCISE 2.3: finishing a task: report, clean up, free */
    trace("task %u (%s) finished", t->id, t->name);
    printf("Task done\n");
    if (t->cleanup != NULL)
        t->cleanup(t);
    free(t);
    /* END EXERCISE 2.3 */
}
