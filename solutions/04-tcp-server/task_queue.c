/*
 * task_queue.c - an intrusive singly linked FIFO.
 */
#include "task_queue.h"

#include "todo.h"
#include <stddef.h>

bool task_queue_empty(const struct task_queue *q)
{
    return q->head == NULL;
}

void task_queue_push(struct task_queue *q, struct task *t)
{
    t->next = NULL;
    if (q->tail != NULL)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
}

struct task *task_queue_pop(struct task_queue *q)
{
    struct task *t = q->head;
    if (t == NULL)
        return NULL;
    q->head = t->next;
    if (q->head == NULL)
        q->tail = NULL;
    t->next = NULL;
    return t;
}
