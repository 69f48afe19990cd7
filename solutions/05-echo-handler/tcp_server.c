/*
 * tcp_server.c - the accepting task.
 *
 * The listening socket is non-blocking: select() may call it readable
 * for a client that is gone by the time accept() runs, and a blocking
 * accept() would then freeze every task.  The backlog is SOMAXCONN,
 * which the kernel caps at its own maximum, not the original's 5, so a
 * burst of clients waits in the kernel instead of being turned away.
 */
#include "tcp_server.h"

#include "address.h"
#include "fail.h"
#include "fd_flags.h"
#include "output.h"
#include "scheduler.h"
#include "todo.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Clients accepted per wake-up at most, so a flood of connections
 * cannot keep the other tasks waiting for long. */
#define ACCEPT_BATCH 64

struct tcp_server {
    struct task task;
    int listener;
    int spare_fd; /* held in reserve for when the process runs out of fds */
    handler_fn *handler;
    struct sockaddr_storage peer;
    socklen_t peer_length;
};

static unsigned long connections;

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

unsigned long tcp_server_connections(void)
{
    return connections;
}

int open_listener(const struct sockaddr *address, socklen_t length)
{
    char text[ADDRESS_TEXT_SIZE];
    format_address(address, length, text);

    int fd = socket(address->sa_family, SOCK_STREAM, 0);
    if (fd < 0)
        fail_errno("check that this machine supports that address family",
                   "cannot create a socket for %s", text);
    /* Restart at once on a port whose old connections linger in TIME_WAIT. */
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        fail_errno("", "cannot set SO_REUSEADDR on %s", text);
    if (set_nonblocking(fd) < 0 || set_cloexec(fd) < 0)
        fail_errno("", "cannot set the flags of the socket for %s", text);
    if (bind(fd, address, length) < 0) {
        if (errno == EADDRINUSE)
            fail_errno("another program (or another copy of this one) uses that port: "
                       "stop it, or choose another port with -p",
                       "cannot listen on %s", text);
        if (errno == EACCES)
            fail_errno("ports below 1024 need privileges: choose a port of 1024 or more with -p",
                       "cannot listen on %s", text);
        fail_errno("choose an address of this machine with -b, such as 127.0.0.1",
                   "cannot listen on %s", text);
    }
    if (listen(fd, SOMAXCONN) < 0)
        fail_errno("", "cannot listen on %s", text);
    return fd;
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
static void back_off(int error)
{
    pause_accepting(error, "the system is short of memory");
}

/* Out of fds (EMFILE/ENFILE): the waiting client stays in the backlog,
 * the listener stays readable, and select() would wake us forever.  Free
 * the spare fd, accept the client with it, close that connection, and
 * take the spare back: the loop stays quiet, the others stay served. */
static void refuse_one_client(struct tcp_server *s)
{
    int error = errno;
    if (s->spare_fd >= 0)
        close(s->spare_fd);
    /* Linux reports EMFILE even when nobody is waiting: only a client
     * really taken from the backlog is refused, and reported. */
    int client = accept(s->listener, NULL, NULL);
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
    s->spare_fd = open("/dev/null", O_RDONLY);
    if (s->spare_fd >= 0)
        set_cloexec(s->spare_fd);
}

/* Hand CLIENT, just accepted from s->peer, to a new handler task. */
static void start_handler(struct tcp_server *s, int client)
{
    char text[ADDRESS_TEXT_SIZE];
    format_address((struct sockaddr *)&s->peer, s->peer_length, text);

    unsigned long earlier;
    char more[64];
    if (client >= SCHEDULER_FD_LIMIT) {
        if (throttle_allows(&beyond_limit, &earlier))
            print_error("tcp_server: connection from %s got fd %d, but the scheduler can only "
                        "watch fds below %d; closing it%s", text, client, SCHEDULER_FD_LIMIT,
                        and_more(earlier, more));
        close(client);
        return;
    }
    if (set_nonblocking(client) < 0 || set_cloexec(client) < 0) {
        print_error("tcp_server: cannot set the flags of the connection from %s: %s; "
                    "closing it", text, strerror(errno));
        close(client);
        return;
    }
#ifdef SO_NOSIGPIPE
    /* macOS and the BSDs: a send to a closed peer fails with EPIPE
     * instead of killing the process (Linux uses MSG_NOSIGNAL). */
    int one = 1;
    setsockopt(client, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    connections++;
    spawn(s->handler(client, (struct sockaddr *)&s->peer, s->peer_length));
}

static enum task_status tcp_server_step(struct task *self)
{
    struct tcp_server *s = (struct tcp_server *)self;
    TASK_BEGIN(self);
    for (;;) {
        YIELD_RECV(self, s->listener);
        /* No yield inside this loop, so its locals are safe to use. */
        for (int accepted = 0; accepted < ACCEPT_BATCH; accepted++) {
            s->peer_length = sizeof s->peer;
            int client = accept(s->listener, (struct sockaddr *)&s->peer, &s->peer_length);
            if (client >= 0) {
                start_handler(s, client);
                continue;
            }
            if (errno == EINTR)
                continue;
            if (errno == EMFILE || errno == ENFILE)
                refuse_one_client(s);
            else if (errno == ENOBUFS || errno == ENOMEM)
                back_off(errno);
            else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED
                     && errno != EPROTO)
                print_error("tcp_server: accept failed: %s; still listening", strerror(errno));
            break; /* nothing more to accept now: wait again */
        }
    }
    TASK_END(self);
}

static void tcp_server_cleanup(struct task *self)
{
    struct tcp_server *s = (struct tcp_server *)self;
    close(s->listener);
    if (s->spare_fd >= 0)
        close(s->spare_fd);
    if (out_of_fds.unreported > 0)
        print_error("tcp_server: %lu more connection(s) refused for want of file descriptors "
                    "since the last message", out_of_fds.unreported);
    if (beyond_limit.unreported > 0)
        print_error("tcp_server: %lu more connection(s) closed for fds the scheduler cannot "
                    "watch since the last message", beyond_limit.unreported);
    out_of_fds.unreported = beyond_limit.unreported = 0;
}

struct task *tcp_server(const struct sockaddr *address, socklen_t length,
                        handler_fn *handler)
{
    struct tcp_server *s = (struct tcp_server *)
        task_new(sizeof *s, "tcp_server", tcp_server_step);
    s->task.cleanup = tcp_server_cleanup;
    s->handler = handler;
    /* Opened here, not in the step, so that a port in use is reported
     * before run() starts, and so that the line below names the real
     * port when the user asked for port 0. */
    s->listener = open_listener(address, length);
    if (s->listener >= SCHEDULER_FD_LIMIT)
        fail("start the server with fewer files open",
             "the listening socket got fd %d, which the scheduler cannot watch", s->listener);
    /* Without the spare fd, running out of fds would make the loop spin. */
    s->spare_fd = open("/dev/null", O_RDONLY);
    if (s->spare_fd < 0 || set_cloexec(s->spare_fd) < 0)
        fail_errno("check that /dev/null exists, and raise the limit with 'ulimit -n'",
                   "cannot open the spare file descriptor /dev/null");

    struct sockaddr_storage bound;
    socklen_t bound_length = sizeof bound;
    char text[ADDRESS_TEXT_SIZE];
    if (getsockname(s->listener, (struct sockaddr *)&bound, &bound_length) < 0)
        fail_errno("", "cannot read the address of the listening socket");
    print_line("Listening on %s", format_address((struct sockaddr *)&bound, bound_length, text));
    fflush(stdout);
    trace("listening socket is fd %d", s->listener);
    return &s->task;
}
