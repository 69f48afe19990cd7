/*
 * demo_tasks.c - a task can drive a generator of stage 1: the task's
 * own coroutine yields to the scheduler, the generator's yields values.
 */
#include "demo_tasks.h"

#include "countdown.h"
#include "countup.h"

#include <stdio.h>

struct countdown_task {
    struct task task;
    struct countdown gen;
    int value;
};

static enum task_status countdown_step(struct task *self)
{
    struct countdown_task *c = (struct countdown_task *)self;
    TASK_BEGIN(self);
    while (countdown_next(&c->gen, &c->value)) {
        printf("T-minus %d\n", c->value);
        TASK_YIELD(self);
    }
    TASK_END(self);
}

struct task *countdown_task(int n)
{
    struct countdown_task *c = (struct countdown_task *)
        task_new(sizeof *c, "countdown", countdown_step);
    c->gen = countdown(n);
    return &c->task;
}

struct countup_task {
    struct task task;
    struct countup gen;
    int value;
};

static enum task_status countup_step(struct task *self)
{
    struct countup_task *c = (struct countup_task *)self;
    TASK_BEGIN(self);
    while (countup_next(&c->gen, &c->value)) {
        printf("Up we go %d\n", c->value);
        TASK_YIELD(self);
    }
    TASK_END(self);
}

struct task *countup_task(int n)
{
    struct countup_task *c = (struct countup_task *)
        task_new(sizeof *c, "countup", countup_step);
    c->gen = countup(n);
    return &c->task;
}
