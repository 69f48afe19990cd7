/*
 * greeter.h - the stage 4 handler: greet the client, then hang up.
 */
#ifndef GREETER_H
#define GREETER_H

#include "tcp_server.h"

/* A handler_fn: a task that sends one greeting line to CLIENT and
 * closes it. */
struct task *greeter(int client, const struct sockaddr *address, socklen_t length);

/* What every client of the stage 4 server receives. */
#define GREETING "Hello from the course's stage 4 server. Goodbye!\n"

#endif
