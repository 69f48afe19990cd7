/*
 * task.c - making a task: one allocation holds the task and its state.
 */
#include "task.h"

#include "fail.h"

#include <stdlib.h>

struct task *task_new(size_t size, const char *name, task_step *step)
{
    static unsigned last_id;

    /* calloc: the coroutine starts at resume_line 0, and a task's state
     * starts zeroed like a fresh Python frame's. */
    struct task *t = calloc(1, size < sizeof *t ? sizeof *t : size);
    if (t == NULL)
        fail("free some memory, or serve fewer tasks at once",
             "out of memory for a new %s task", name);
    t->step = step;
    t->name = name;
    t->id = ++last_id;
    return t;
}
