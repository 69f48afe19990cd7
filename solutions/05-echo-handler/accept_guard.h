/*
 * accept_guard.h - what keeps tcp_server's accept step alive under
 * pressure (given: read it after exercise 4.3, like the rest of stage 4's
 * given files).
 *
 * The original accepts and appends a task; a real server meets cases the
 * original never does, and each one, left alone, makes the loop spin or
 * the log flood:
 *
 *   - out of fds (EMFILE, ENFILE): the client stays in the backlog, the
 *     listener stays readable, select() wakes us forever.  A spare fd,
 *     given up for a moment, lets us accept that client and close it.
 *   - short of kernel memory (ENOBUFS, ENOMEM): the same spin, and no fd
 *     to give up; the scheduler has no timers, so pause 10 ms.
 *   - an fd the scheduler cannot watch (>= SCHEDULER_FD_LIMIT, which is
 *     FD_SETSIZE for select): close the client rather than hand it over.
 *   - a flood of refused clients: one log line a second at most for each
 *     kind of refusal, with the count of those refused in between.
 *
 * Redis keeps these chores (anet.c) apart from its event loop (ae.c) for
 * the same reason: the lesson in tcp_server.c stays as short as the
 * original's loop.
 */
#ifndef ACCEPT_GUARD_H
#define ACCEPT_GUARD_H

/* The server starts on LISTENER: exit with a message if that fd is one
 * the scheduler cannot watch; return the spare fd (on /dev/null,
 * close-on-exec), or exit with a message if it cannot be opened. */
int accept_guard_start(int listener);

/* accept() on LISTENER failed with EMFILE or ENFILE (in errno): free
 * *SPARE_FD, accept the waiting client with it and close that
 * connection, with a message (throttled), then reopen *SPARE_FD. */
void refuse_one_client(int listener, int *spare_fd);

/* accept() failed with ERROR, ENOBUFS or ENOMEM: a message (throttled)
 * and a pause of 10 ms. */
void back_off(int error);

/* CLIENT, from PEER (its address as text), got an fd the scheduler
 * cannot watch: a message (throttled), and close it. */
void refuse_unwatchable(int client, const char *peer);

/* The server stops: close SPARE_FD (when open) and tell how many clients
 * were refused since the last message. */
void accept_guard_finish(int spare_fd);

#endif
