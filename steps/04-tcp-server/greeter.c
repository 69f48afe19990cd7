/*
 * greeter.c - a handler with its own state: the client's fd and address
 * live in the task, so any number of greeters can wait at once.
 */
#include "greeter.h"

#include "address.h"
#include "output.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE is set on the socket instead */
#endif

struct greeter {
    struct task task;
    int client;
    char peer[ADDRESS_TEXT_SIZE];
};

static enum task_status greeter_step(struct task *self)
{
    struct greeter *g = (struct greeter *)self;
    TASK_BEGIN(self);
    print_line("Connection from %s", g->peer);
    YIELD_SEND(self, g->client);
    /* A fresh socket's send buffer holds far more than one line. */
    if (send(g->client, GREETING, strlen(GREETING), MSG_NOSIGNAL) < 0)
        print_error("greeter: %s: send failed: %s", g->peer, strerror(errno));
    close(g->client);
    g->client = -1;
    print_line("Connection closed");
    TASK_END(self);
}

static void greeter_cleanup(struct task *self)
{
    struct greeter *g = (struct greeter *)self;
    if (g->client >= 0)
        close(g->client);
}

struct task *greeter(int client, const struct sockaddr *address, socklen_t length)
{
    struct greeter *g = (struct greeter *)task_new(sizeof *g, "greeter", greeter_step);
    g->task.cleanup = greeter_cleanup;
    g->client = client;
    format_address(address, length, g->peer);
    return &g->task;
}
