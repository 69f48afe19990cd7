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

/* Hand CLIENT, just accepted from s->peer, to a new handler task. */
static void start_handler(struct tcp_server *s, int client)
{
    char text[ADDRESS_TEXT_SIZE];
    format_address((struct sockaddr *)&s->peer, s->peer_length, text);

    if (client >= SCHEDULER_FD_LIMIT) {
        refuse_unwatchable(client, text);
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
                refuse_one_client(s->listener, &s->spare_fd);
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
