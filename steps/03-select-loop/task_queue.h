/*
 * task_queue.h - a FIFO of tasks, Python's collections.deque for us.
 *
 * Tasks link through their own `next` field, so the queue never
 * allocates and has no capacity but memory: push and pop are O(1).
 *
 *     head                      tail
 *      |                         |
 *      v                         v
 *    [task 1] -> [task 2] -> [task 3] -> NULL
 *    pop here                push here
 */
#ifndef TASK_QUEUE_H
#define TASK_QUEUE_H

#include "task.h"

#include <stdbool.h>

struct task_queue {
    struct task *head; /* the next task to pop, or NULL */
    struct task *tail; /* the last task pushed, or NULL */
};

#define TASK_QUEUE_EMPTY { NULL, NULL }

bool task_queue_empty(const struct task_queue *q);

/* Add T at the tail (tasks.append(t)).  T must be in no queue. */
void task_queue_push(struct task_queue *q, struct task *t);

/* Remove and return the head (tasks.popleft()), or NULL if empty. */
struct task *task_queue_pop(struct task_queue *q);

#endif
