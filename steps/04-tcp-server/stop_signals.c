/*
 * stop_signals.c - the self-pipe trick: a signal becomes a readable fd.
 *
 * A signal handler may do almost nothing safely, and a flag it sets is
 * not seen by a thread asleep in select().  So the handler writes one
 * byte to a pipe, and an ordinary task waits on the pipe's other end:
 * select() wakes, the task runs, and it asks the scheduler to stop.
 * SIGPIPE is ignored, so that writing to a client that has gone away
 * fails with EPIPE for that client instead of killing the process.
 * SIGHUP (the terminal closing) stops the server like SIGINT and
 * SIGTERM instead of killing it without a word, unless it was ignored
 * when we started: under nohup it stays ignored, as nohup promises.
 * All three are unblocked at start, whatever mask the parent left us.
 */
#include "stop_signals.h"

#include "fail.h"
#include "fd_flags.h"
#include "output.h"
#include "scheduler.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int wake_pipe[2] = { -1, -1 };
static volatile sig_atomic_t received;

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define STOP_SIGNALS (sizeof stop_signals / sizeof stop_signals[0])
static struct sigaction previous[STOP_SIGNALS];
static bool caught[STOP_SIGNALS];

static void on_stop_signal(int signal_number)
{
    int saved_errno = errno;
    received = signal_number;
    /* A log line blocked on a terminal gets EINTR (no SA_RESTART), and
     * no later line may block again: the stop task must get to run. */
    output_stop_blocking();
    /* If the pipe is full, a byte is already waiting: enough. */
    ssize_t ignored = write(wake_pipe[1], "", 1);
    (void)ignored;
    errno = saved_errno;
}

int stop_signal_received(void)
{
    return received;
}

struct stop_watcher {
    struct task task;
};

static enum task_status stop_watcher_step(struct task *self)
{
    TASK_BEGIN(self);
    for (;;) {
        YIELD_RECV(self, wake_pipe[0]);
        char bytes[16];
        if (read(wake_pipe[0], bytes, sizeof bytes) > 0 && received != 0)
            scheduler_stop();
    }
    TASK_END(self);
}

static void stop_watcher_cleanup(struct task *self)
{
    (void)self;
    /* Restore the actions we found first: no handler may write to a
     * closed (or reused) fd. */
    for (size_t i = 0; i < STOP_SIGNALS; i++)
        if (caught[i])
            sigaction(stop_signals[i], &previous[i], NULL);
    close(wake_pipe[0]);
    close(wake_pipe[1]);
    wake_pipe[0] = wake_pipe[1] = -1;
}

struct task *stop_on_signals(void)
{
    if (open_pipe(wake_pipe) < 0)
        fail_errno("close some files, or raise the limit with 'ulimit -n'",
                   "cannot create the signal pipe");
    if (wake_pipe[0] >= SCHEDULER_FD_LIMIT)
        fail("start the server with fewer files open",
             "the signal pipe got fd %d, which the scheduler cannot watch", wake_pipe[0]);

    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &action, NULL) < 0)
        fail_errno("", "cannot ignore SIGPIPE");
    /* No SA_RESTART: a log line's write() blocked on a terminal that
     * stopped reading must end with EINTR, so that the stop task runs
     * (common/output.c keeps what the write did not take).  A pipe or a
     * socket is never written in a way that blocks, and every other
     * call the tasks make is non-blocking or retried on EINTR. */
    action.sa_flags = 0;
    action.sa_handler = on_stop_signal;
    for (size_t i = 0; i < STOP_SIGNALS; i++) {
        if (sigaction(stop_signals[i], NULL, &previous[i]) < 0)
            fail_errno("", "cannot read the action of signal %d", stop_signals[i]);
        if (stop_signals[i] == SIGHUP && previous[i].sa_handler == SIG_IGN)
            continue; /* nohup */
        if (sigaction(stop_signals[i], &action, NULL) < 0)
            fail_errno("", "cannot catch signal %d (%s)", stop_signals[i],
                       strsignal(stop_signals[i]));
        caught[i] = true;
    }
    /* The signal mask survives exec(): a parent that blocked these
     * (python's pthread_sigmask, a supervisor's worker, a shell script's
     * helper) hands us a process whose stop signals stay pending forever.
     * Servers that supervisors trust clear what they inherit; so do we,
     * once the handlers are in place, so that a stop already pending is
     * obeyed at once. */
    sigset_t stops;
    sigemptyset(&stops);
    for (size_t i = 0; i < STOP_SIGNALS; i++)
        sigaddset(&stops, stop_signals[i]);
    if (sigprocmask(SIG_UNBLOCK, &stops, NULL) < 0)
        fail_errno("", "cannot unblock the stop signals");

    struct task *t = task_new(sizeof(struct stop_watcher), "stop_on_signals", stop_watcher_step);
    t->cleanup = stop_watcher_cleanup;
    return t;
}
