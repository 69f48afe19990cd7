/*
 * accept_guard.c - the accept step's hardening: the spare fd, the pause
 * when the kernel is short of memory, the refusal of fds the scheduler
 * cannot watch, and log lines throttled to one a second.  Why each one
 * is needed: accept_guard.h.
 */
#include "accept_guard.h"

#include "fail.h"
#include "fd_flags.h"
#include "output.h"
#include "scheduler.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A flood of refused clients must not become a flood of log lines: one
 * line a second at most per kind of refusal, with the count of those
 * refused in between.  The count left over is told when the server
 * stops. */
struct throttle {
    struct timespec last;     /* when the last line was printed */
    unsigned long unreported; /* refused since then */
    bool printed;             /* a line was printed already */
};
static struct throttle out_of_fds, beyond_limit, accept_failed;

/* Count one more; true when a line may be printed now, with *EARLIER
 * set to how many were refused since the last line. */
static bool throttle_allows(struct throttle *t, unsigned long *earlier)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long elapsed_ms = (now.tv_sec - t->last.tv_sec) * 1000LL
                           + (now.tv_nsec - t->last.tv_nsec) / 1000000;
    if (t->printed && elapsed_ms < 1000) {
        t->unreported++;
        return false;
    }
    *earlier = t->unreported;
    t->unreported = 0;
    t->last = now;
    t->printed = true;
    return true;
}

/* " (and N more since the last message)", or "" when N is 0. */
static const char *and_more(unsigned long earlier, char text[64])
{
    text[0] = '\0';
    if (earlier > 0)
        snprintf(text, 64, " (and %lu more since the last message)", earlier);
    return text;
}

/* ENOBUFS or ENOMEM (the kernel is short of memory for a connection),
 * or no fd even with the spare given up (ENFILE: the whole system is
 * out): the client stays in the backlog and the listener readable, so
 * retrying at once would spin.  The scheduler has no timers, so pause
 * the thread briefly: at most 100 attempts a second, each one costing
 * the other clients 10 ms. */
static void pause_accepting(int error, const char *why)
{
    unsigned long earlier;
    char more[64];
    if (throttle_allows(&accept_failed, &earlier))
        print_error("tcp_server: accept failed: %s; %s: pausing 10 ms, still listening%s",
                    strerror(error), why, and_more(earlier, more));
    struct timespec pause = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
    nanosleep(&pause, NULL);
}

/* accept() failed with ENOBUFS or ENOMEM. */
void back_off(int error)
{
    pause_accepting(error, "the system is short of memory");
}

/* Out of fds (EMFILE/ENFILE): the waiting client stays in the backlog,
 * the listener stays readable, and select() would wake us forever.  Free
 * the spare fd, accept the client with it, close that connection, and
 * take the spare back: the loop stays quiet, the others stay served. */
void refuse_one_client(int listener, int *spare_fd)
{
    int error = errno;
    if (*spare_fd >= 0)
        close(*spare_fd);
    /* Linux reports EMFILE even when nobody is waiting: only a client
     * really taken from the backlog is refused, and reported. */
    int client = accept(listener, NULL, NULL);
    unsigned long earlier;
    char more[64];
    if (client >= 0) {
        close(client);
        if (throttle_allows(&out_of_fds, &earlier))
            print_error("tcp_server: out of file descriptors (%s): refusing a connection%s; "
                        "raise the limit with 'ulimit -n'", strerror(error),
                        and_more(earlier, more));
    } else if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        pause_accepting(errno, "no file descriptor is free, not even the spare one");
    }
    *spare_fd = open("/dev/null", O_RDONLY);
    if (*spare_fd >= 0)
        set_cloexec(*spare_fd);
}

void refuse_unwatchable(int client, const char *peer)
{
    unsigned long earlier;
    char more[64];
    if (throttle_allows(&beyond_limit, &earlier))
        print_error("tcp_server: connection from %s got fd %d, but the scheduler can only "
                    "watch fds below %d; closing it%s", peer, client, SCHEDULER_FD_LIMIT,
                    and_more(earlier, more));
    close(client);
}

int accept_guard_start(int listener)
{
    if (listener >= SCHEDULER_FD_LIMIT)
        fail("start the server with fewer files open",
             "the listening socket got fd %d, which the scheduler cannot watch", listener);
    /* Without the spare fd, running out of fds would make the loop spin. */
    int spare_fd = open("/dev/null", O_RDONLY);
    if (spare_fd < 0 || set_cloexec(spare_fd) < 0)
        fail_errno("check that /dev/null exists, and raise the limit with 'ulimit -n'",
                   "cannot open the spare file descriptor /dev/null");
    return spare_fd;
}

void accept_guard_finish(int spare_fd)
{
    if (spare_fd >= 0)
        close(spare_fd);
    if (out_of_fds.unreported > 0)
        print_error("tcp_server: %lu more connection(s) refused for want of file descriptors "
                    "since the last message", out_of_fds.unreported);
    if (beyond_limit.unreported > 0)
        print_error("tcp_server: %lu more connection(s) closed for fds the scheduler cannot "
                    "watch since the last message", beyond_limit.unreported);
    out_of_fds.unreported = beyond_limit.unreported = 0;
}
