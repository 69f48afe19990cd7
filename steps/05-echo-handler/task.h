/*
 * task.h - a task is a generator the scheduler owns; since stage 3 it
 * can also say what it waits for.
 *
 *     yield 'recv', sock     YIELD_RECV(self, fd);  wait until fd is readable
 *     yield 'send', sock     YIELD_SEND(self, fd);  wait until fd is writable
 *     yield                  TASK_YIELD(self);      just let the others run
 *
 * A concrete task puts struct task first and its own state after it:
 *
 *     struct echo_handler {
 *         struct task task;      <- what the scheduler sees
 *         int client;            <- what only this task's step sees
 *         ...
 *     };
 */
#ifndef TASK_H
#define TASK_H

#include "coroutine.h"
#include "trace.h"

#include <stddef.h>

/* What a step returns: why it stopped. */
enum task_status {
    TASK_READY, /* run me again later */
    TASK_RECV,  /* run me again once wait_fd is readable */
    TASK_SEND,  /* run me again once wait_fd is writable */
    TASK_DONE,  /* I am finished */
};

struct task;
typedef enum task_status task_step(struct task *self);

struct task {
    struct coroutine co;                  /* where step() resumes */
    task_step *step;                      /* the generator's body */
    void (*cleanup)(struct task *self);   /* NULL, or releases what the task owns */
    const char *name;                     /* for traces: "echo_handler" */
    unsigned id;                          /* for traces: 1, 2, 3, ... */
    int wait_fd;                          /* the fd of TASK_RECV or TASK_SEND */
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

#define YIELD_RECV(t, fd)                                                     \
    do {                                                                      \
        (t)->wait_fd = (fd);                                                  \
        TRACE_YIELD(t, "recv", (t)->wait_fd);                                 \
        CO_YIELD(&(t)->co, TASK_RECV);                                        \
    } while (0)

#define YIELD_SEND(t, fd)                                                     \
    do {                                                                      \
        (t)->wait_fd = (fd);                                                  \
        TRACE_YIELD(t, "send", (t)->wait_fd);                                 \
        CO_YIELD(&(t)->co, TASK_SEND);                                        \
    } while (0)

#endif
