/*
 * Stage 2: the scheduler.
 *
 * The original's multitasking example: three tasks in one thread, each
 * running until its next yield, then going to the back of the queue.
 *
 *     tasks.extend([countdown(3), countdown(2), countup(4)])
 *     run()
 */
#include "course_text.h"
#include "demo_tasks.h"
#include "fail.h"
#include "options.h"
#include "scheduler.h"

int main(int argc, char **argv)
{
    bool trace;
    program_name = "02-scheduler";
    parse_demo_options(argc, argv,
                       course_text("summary.stage2"),
                       &trace);

    spawn(countdown_task(3));
    spawn(countdown_task(2));
    spawn(countup_task(4));
    run();
    return 0;
}
