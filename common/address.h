/*
 * address.h - socket addresses in and out: parse what the user typed,
 * print what a peer is ("127.0.0.1:54321", "[::1]:54321").
 */
#ifndef ADDRESS_H
#define ADDRESS_H

#include <sys/socket.h>

/* Room for "[" IPv6 "]:" port and a NUL. */
#define ADDRESS_TEXT_SIZE 64

/* Fill ADDRESS for listening on HOST (NULL: every IPv4 interface) and
 * PORT, or exit with a message naming HOST. */
void resolve_listen_address(const char *host, unsigned short port,
                            struct sockaddr_storage *address, socklen_t *length);

/* Write ADDRESS as text into TEXT and return TEXT. */
const char *format_address(const struct sockaddr *address, socklen_t length,
                           char text[ADDRESS_TEXT_SIZE]);

#endif
