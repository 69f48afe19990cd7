/*
 * fd_flags.h - the two flags every descriptor in a select() loop wants.
 *
 * O_NONBLOCK: select() says "ready", but readiness can vanish before the
 * call (a client resets between select and accept); a blocking call
 * would then stall every task.  FD_CLOEXEC: a program we start must not
 * inherit our sockets.  And the three standard fds must be taken before
 * any socket is made.
 */
#ifndef FD_FLAGS_H
#define FD_FLAGS_H

/* Both return 0, or -1 with errno set. */
int set_nonblocking(int fd);
int set_cloexec(int fd);

/* pipe() with both ends non-blocking and close-on-exec: 0, or -1 with
 * errno set (and nothing left open). */
int open_pipe(int ends[2]);

/* Make sure fds 0, 1 and 2 are open (on /dev/null if they were closed),
 * so that no pipe or socket of ours gets one of those numbers, where a
 * stray printf() would write into it.  Call it first thing in main(). */
void open_standard_fds(void);

#endif
