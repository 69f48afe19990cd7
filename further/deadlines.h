/*
 * deadlines.h - "going further", Time: the scheduler's deadlines in a
 * binary heap, nearest first (asyncio keeps its call_later handles the
 * same way, with heapq).  Adding a deadline or taking the nearest costs
 * O(log n), whatever the number of sleeping tasks and timed clients.
 */
#ifndef DEADLINES_H
#define DEADLINES_H

#include "task.h"

#include <stdint.h>

/* A sleeping task (task != NULL), or an idle check of fd (task NULL). */
struct deadline {
    int64_t at;             /* ms on the monotonic clock (clock_ms()) */
    unsigned long order;    /* equal deadlines come out in the order they went in */
    struct task *task;
    int fd;
};

struct deadline_heap {
    struct deadline *items; /* items[0] is the nearest */
    int count, capacity;
    unsigned long pushed;
};

#define DEADLINE_HEAP_EMPTY { NULL, 0, 0, 0 }

/* Milliseconds on the monotonic clock (CLOCK_MONOTONIC). */
int64_t clock_ms(void);

/* Add a deadline AT for T (or for the idle check of FD, T NULL); exits
 * with a message when out of memory. */
void deadline_push(struct deadline_heap *heap, int64_t at, struct task *t, int fd);

/* The nearest deadline, or NULL when there is none. */
const struct deadline *deadline_first(const struct deadline_heap *heap);

/* Take the nearest deadline out (the heap must not be empty). */
struct deadline deadline_pop(struct deadline_heap *heap);

/* Free the heap's array (not the tasks) and make it empty. */
void deadline_free(struct deadline_heap *heap);

#endif
