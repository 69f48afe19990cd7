/*
 * Stage 3: the select loop.
 *
 * Two pipes, four tasks, one thread.  A writer and a reader pass a few
 * lines through the first pipe; a flood writer pushes 1 MiB through the
 * second, far more than a pipe holds, so it must wait until the flood
 * reader drains it.  Nobody blocks the thread: a task that cannot go on
 * parks, and select() wakes it.  Run with --trace to watch.
 */
#include "course_text.h"
#include "fail.h"
#include "fd_flags.h"
#include "options.h"
#include "pipe_demo.h"
#include "scheduler.h"

#include <unistd.h>

static void make_pipe(int ends[2])
{
    if (open_pipe(ends) < 0)
        fail_errno("close some files, or raise the limit with 'ulimit -n'", "cannot create a pipe");
}

int main(int argc, char **argv)
{
    bool trace;
    /* Started with stdin or stdout closed, pipe() would get fds 0 and 1,
     * and the log would go into the demo's own pipe. */
    open_standard_fds();
    program_name = "03-select-loop";
    parse_demo_options(argc, argv,
                       course_text("summary.stage3"),
                       &trace);

    int lines[2], flood[2];
    make_pipe(lines);
    make_pipe(flood);
    spawn(line_writer(lines[1], 3));
    spawn(line_reader(lines[0]));
    spawn(flood_writer(flood[1], 1 << 20));
    spawn(flood_reader(flood[0]));
    run();
    return 0;
}
