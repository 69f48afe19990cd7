/*
 * tcp_server.c - the accepting task.
 *
 * The listening socket is non-blocking: select() may call it readable
 * for a client that is gone by the time accept() runs, and a blocking
 * accept() would then freeze every task.  The backlog is SOMAXCONN,
 * which the kernel caps at its own maximum, not the original's 5, so a
 * burst of clients waits in the kernel instead of being turned away.
 *
 * What keeps the accept step alive under pressure (out of fds, short of
 * memory, fds select() cannot watch, floods of log lines) is given in
 * accept_guard.c, apart from the lesson.
 */
#include "tcp_server.h"

#include "accept_guard.h"
#include "address.h"
#include "fail.h"
#include "fd_flags.h"
#include "output.h"
#include "scheduler.h"
#include "todo.h"
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Clients accepted per wake-up at most, so a flood of connections
 * cannot keep the other tasks waiting for long. */
#define ACCEPT_BATCH 64

struct tcp_server {
    struct task task;
    int listener;
    int spare_fd; /* held in reserve for when the process runs out of fds (accept_guard.h) */
    handler_fn *handler;
    struct sockaddr_storage peer;
    socklen_t peer_length;
};

static unsigned long connections;

unsigned long tcp_server_connections(void)
{
    return connections;
}

int open_listener(const struct sockaddr *address, socklen_t length)
{
    char text[ADDRESS_TEXT_SIZE];
    format_address(address, length, text);

    /* BEGIN EXERCISE 4.1: the listening socket: socket, SO_REUSEADDR, non-blocking, bind, listen */
    /* Exercise 4.1: create a TCP socket for address->sa_family, set
     * SO_REUSEADDR, make it non-blocking and close-on-exec, bind it to
     * ADDRESS and listen with a backlog of SOMAXCONN.  On any failure,
     * fail_errno() with a hint (EADDRINUSE: the port is taken). */
    exercise_todo("4.1", "open_listener in tcp_server.c");
    fail("do exercise 4.1 first (TUTORIAL.md)", "cannot listen on %s: no listening socket yet", text);
    /* END EXERCISE 4.1 */
}

/* Hand CLIENT, just accepted from s->peer, to a new handler task. */
static void start_handler(struct tcp_server *s, int client)
{
    char text[ADDRESS_TEXT_SIZE];
    format_address((struct sockaddr *)&s->peer, s->peer_length, text);

    /* BEGIN EXERCISE 4.3: spawning a handler task for the client */
    /* Exercise 4.3: refuse a client whose fd is at or above
     * SCHEDULER_FD_LIMIT with refuse_unwatchable() (accept_guard.h);
     * make the fd non-blocking and close-on-exec; count it in
     * `connections`; spawn the handler task s->handler(client, peer
     * address, its length). */
    exercise_todo("4.3", "start_handler in tcp_server.c");
    close(client);
    /* END EXERCISE 4.3 */
}

static enum task_status tcp_server_step(struct task *self)
{
    struct tcp_server *s = (struct tcp_server *)self;
    TASK_BEGIN(self);
    /* BEGIN EXERCISE 4.2: the accept loop: wait until readable, accept, hand over */
    /* Exercise 4.2: forever: wait until s->listener is readable, then
     * accept (up to ACCEPT_BATCH clients) and hand each to
     * start_handler().  EAGAIN or a client gone before accept: wait
     * again.  EMFILE or ENFILE: refuse_one_client().  ENOBUFS or
     * ENOMEM: back_off().  EINTR: retry. */
    exercise_todo("4.2", "the accept loop in tcp_server.c");
    (void)s;
    (void)start_handler;
    (void)refuse_one_client;
    (void)back_off;
    /* END EXERCISE 4.2 */
    TASK_END(self);
}

static void tcp_server_cleanup(struct task *self)
{
    struct tcp_server *s = (struct tcp_server *)self;
    close(s->listener);
    accept_guard_finish(s->spare_fd);
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
    s->spare_fd = accept_guard_start(s->listener);

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
