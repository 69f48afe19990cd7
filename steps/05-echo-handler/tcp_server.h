/*
 * tcp_server.h - a task that accepts clients and spawns a handler task
 * for each one.
 *
 *     def tcp_server(address, handler):    spawn(tcp_server(address, length,
 *         ...                                                 echo_handler));
 *         while True:
 *             yield 'recv', sock
 *             client, addr = sock.accept()
 *             tasks.append(handler(client, addr))
 */
#ifndef TCP_SERVER_H
#define TCP_SERVER_H

#include "task.h"

#include <sys/socket.h>

/* Make the task that serves one client, like Python's handler(client,
 * addr).  The task owns CLIENT (non-blocking) and must close it. */
typedef struct task *handler_fn(int client, const struct sockaddr *address,
                                socklen_t length);

/* Open a listening socket on ADDRESS, print "Listening on HOST:PORT",
 * and return the task that accepts clients on it.  Exits with a message
 * if the address cannot be used (a port in use, say). */
struct task *tcp_server(const struct sockaddr *address, socklen_t length,
                        handler_fn *handler);

/* A non-blocking listening socket bound to ADDRESS, or exit with a
 * message naming the problem and what to do. */
int open_listener(const struct sockaddr *address, socklen_t length);

/* How many clients all tcp_server tasks have handed to a handler. */
unsigned long tcp_server_connections(void);

#endif
