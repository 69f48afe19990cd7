/*
 * echo_handler.h - the final handler: every chunk a client sends comes
 * back prefixed with "GOT:".
 *
 *     def echo_handler(client, address):
 *         print('Connection from', address)
 *         while True:
 *             yield 'recv', client
 *             data = client.recv(1000)
 *             if not data:
 *                 break
 *             yield 'send', client
 *             client.send(b'GOT:' + data)
 *         print('Connection closed')
 *         client.close()
 */
#ifndef ECHO_HANDLER_H
#define ECHO_HANDLER_H

#include "tcp_server.h"

#define ECHO_PREFIX "GOT:"
#define ECHO_CHUNK 1000 /* the most one recv() takes, as in recv(1000) */

/* A handler_fn: the task that echoes CLIENT's bytes back until the
 * client ends the stream, then closes CLIENT. */
struct task *echo_handler(int client, const struct sockaddr *address, socklen_t length);

#endif
