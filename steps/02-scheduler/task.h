/*
 * task.h - a task is a generator the scheduler owns.
 *
 * Python's scheduler holds generator objects; ours holds struct task.
 * A concrete task puts struct task first and its own state after it:
 *
 *     struct countdown_task {
 *         struct task task;      <- what the scheduler sees
 *         struct countdown gen;  <- what only this task's step sees
 *     };
 *
 * step() is the generator's body: the scheduler calls it to resume the
 * task, and it returns at its next yield, saying what it wants next.
 */
#ifndef TASK_H
#define TASK_H

#include "coroutine.h"
#include "trace.h"

#include <stddef.h>

/* What a step returns: run me again later, or I am finished. */
enum task_status {
    TASK_READY,
    TASK_DONE,
};

struct task;
typedef enum task_status task_step(struct task *self);

struct task {
    struct coroutine co;                  /* where step() resumes */
    task_step *step;                      /* the generator's body */
    void (*cleanup)(struct task *self);   /* NULL, or releases what the task owns */
    const char *name;                     /* for traces: "countdown" */
    unsigned id;                          /* for traces: 1, 2, 3, ... */
    struct task *next;                    /* link in a task_queue */
};

/* Allocate a zeroed task of SIZE bytes (the concrete struct's size) with
 * STEP as its body; never returns NULL (exits on out of memory). */
struct task *task_new(size_t size, const char *name, task_step *step);

/* The generator macros, for a task's step function.  The TRACE_ lines
 * tell `make trace` where the task resumes and why it stops (trace.h);
 * they print nothing unless asked. */
#define TASK_BEGIN(t) TRACE_RESUME(t); CO_BEGIN(&(t)->co)
#define TASK_YIELD(t)                                                         \
    do {                                                                      \
        TRACE_YIELD(t, "ready", -1);                                          \
        CO_YIELD(&(t)->co, TASK_READY);                                       \
    } while (0)
#define TASK_END(t)   TRACE_YIELD(t, "done", -1); CO_END(&(t)->co, TASK_DONE)

#endif
