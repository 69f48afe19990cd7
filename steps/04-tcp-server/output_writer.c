/*
 * output_writer.c - a log line must never stall the server.
 *
 * The original's print() blocks when stdout is a pipe nobody reads;
 * then no client is served again.  Here print_line() writes what the
 * stream takes now and holds the rest (common/output.c).  This task
 * writes what is held, and it waits the way every task waits: for its
 * wake pipe, which output.c makes readable when it starts holding
 * lines, then for the stream to become writable, as an echo handler
 * waits on a slow client.  So it works under any scheduler, with no
 * polling interval.
 */
#include "output_writer.h"

#include "fail.h"
#include "output.h"
#include "scheduler.h"

struct output_writer {
    struct task task;
    int fd;   /* the stream: 1 or 2 */
    int wake; /* readable while lines are held */
};

static enum task_status output_writer_step(struct task *self)
{
    struct output_writer *w = (struct output_writer *)self;
    TASK_BEGIN(self);
    for (;;) {
        YIELD_RECV(self, w->wake);
        while (!output_flush(w->fd))
            YIELD_SEND(self, w->fd);
    }
    TASK_END(self);
}

static void output_writer_cleanup(struct task *self)
{
    output_detach(((struct output_writer *)self)->fd);
}

struct task *output_writer(int fd)
{
    int wake = output_attach(fd);
    if (wake < 0)
        fail_errno("close some files, or raise the limit with 'ulimit -n'",
                   "cannot create the output's wake pipe");
    if (wake >= SCHEDULER_FD_LIMIT)
        fail("start the server with fewer files open",
             "the output's wake pipe got fd %d, which the scheduler cannot watch", wake);
    struct output_writer *w = (struct output_writer *)
        task_new(sizeof *w, "output_writer", output_writer_step);
    w->task.cleanup = output_writer_cleanup;
    w->fd = fd;
    w->wake = wake;
    return &w->task;
}
