/*
 * fd_flags.h - the two flags every descriptor in a select() loop wants.
 *
 * O_NONBLOCK: select() says "ready", but readiness can vanish before the
 * call (a client resets between select and accept); a blocking call
 * would then stall every task.  FD_CLOEXEC: a program we start must not
 * inherit our sockets.
 */
#ifndef FD_FLAGS_H
#define FD_FLAGS_H

/* Both return 0, or -1 with errno set. */
int set_nonblocking(int fd);
int set_cloexec(int fd);

#endif
