/*
 * support.h - what the suites need to test real programs on real
 * sockets: start a stage's binary, read its output, talk to it as a
 * client, and capture what a function prints.
 *
 * Everything here waits for real events (poll() on a pipe or a socket)
 * with a deadline; nothing sleeps to "give it time".  A process a test
 * starts stays in the test's process group, so Check kills it with the
 * test even when the test fails or times out; server_stop() ends it
 * explicitly on the normal path.
 */
#ifndef SUPPORT_H
#define SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <netinet/in.h>
#include <sys/types.h>

/* The stage binary under test, set by the build (-DSTAGE_BINARY=...). */
#ifndef STAGE_BINARY
#define STAGE_BINARY "stage-binary-not-set"
#endif

struct server {
    pid_t pid;
    int output;        /* read end of the server's stdout and stderr */
    int port;          /* from its "Listening on HOST:PORT" line */
    char log[65536];   /* everything read from `output` so far */
    size_t log_length;
};

/* Start STAGE_BINARY with "-b 127.0.0.1 -p 0" and EXTRA (NULL-ended, may
 * be NULL), with the fd limit set to NOFILE when it is not 0, and wait
 * for its "Listening on" line; the test fails if it does not come. */
void server_start(struct server *s, const char *const extra[], long nofile);

/* The same, with the server run by SERVE (which must print the
 * "Listening on" line) in a child of this process instead of
 * STAGE_BINARY: the test's own build of the stage's code, where the
 * grader can stand in for an exercise not written yet (expose_NN.c). */
void server_start_serving(struct server *s, void (*serve)(void), long nofile);

/* Read the server's output until it contains TEXT COUNT times in all,
 * or TIMEOUT_MS passes; true if it does. */
bool server_wait_for(struct server *s, const char *text, int count, int timeout_ms);

/* How many times TEXT occurs in what the server has printed so far. */
int server_count(const struct server *s, const char *text);

/* From now on, throw the server's output away (a child process reads
 * it), so that a server printing a lot never blocks on a full pipe. */
void server_discard_output(struct server *s);

/* Send SIGTERM, wait (5 s at most, then SIGKILL) and return the wait
 * status; the rest of its output lands in s->log. */
int server_stop(struct server *s);

/* Run BINARY with ARGS (argv[0] first, NULL-ended) to its end, within
 * TIMEOUT_MS; store stdout and stderr together in OUTPUT (NUL-ended) and
 * return the wait status, or -1 if it had to be killed. */
int run_program(const char *const args[], char *output, size_t size, int timeout_ms);

/* What the server printed after its "Listening on HOST:PORT" line. */
const char *after_listening(const struct server *s);

/* The local port of the TCP socket FD (a client's own port). */
int local_port(int fd);

/* A blocking TCP connection to 127.0.0.1:PORT; the test fails if refused. */
/* 127.0.0.1:PORT, ready for connect() or bind(). */
struct sockaddr_in loopback_address(int port);
int connect_to(int port);

/* Send all of DATA; false on error. */
bool send_all(int fd, const void *data, size_t length);

/* Read exactly LENGTH bytes within TIMEOUT_MS; returns how many came
 * (fewer on end of stream, error or timeout). */
size_t read_exactly(int fd, void *buffer, size_t length, int timeout_ms);

/* True if the peer ends the stream (recv returns 0, or a reset) within
 * TIMEOUT_MS with no more data. */
bool wait_for_eof(int fd, int timeout_ms);

/* Run FN(ARG) with stdout sent to a temporary file; return what it
 * printed (malloc'd, NUL-ended). */
char *capture_stdout(void (*fn)(void *arg), void *arg);

/* The same for stderr. */
char *capture_stderr(void (*fn)(void *arg), void *arg);

/* How many fds process PID has open, from /proc/PID/fd; -1 where there
 * is no /proc (macOS): the caller then skips its check. */
int open_fd_count(pid_t pid);

/* Run FN(ARG) in a child process, with stdout and stderr thrown away
 * and TIMEOUT_MS to finish; its result is FN's return value (0 when it
 * crashed or hung).  How a test checks a piece it relies on without
 * dying of it when that piece is broken. */
int probe_named(const char *name, int (*fn)(void *arg), void *arg, int timeout_ms);
/* Under the grader each probe runs once per stage: the code under test
 * does not change between its tests, so the answer is kept (in a file
 * beside GRADE_NOTES) and reused by the tests after. */
#define probe(fn, arg, timeout_ms) probe_named(#fn, (fn), (arg), (timeout_ms))

/* True if the stub of EXERCISE has run in this test so far, in this
 * process or another (the grader's notes, GRADE_NOTES, say so). */
bool stub_ran(const char *exercise);

/* How many processes of this test have said so (each says it once). */
int stub_runs(const char *exercise);

/* Bytes of heap in use, for counting leaks where LeakSanitizer is not
 * there (macOS, or no sanitizers); -1 when this system cannot tell (the
 * caller skips its check). */
long long heap_in_use(void);

/* Milliseconds on a monotonic clock. */
long long now_ms(void);

/* Raise this process's fd limit to at least WANT (up to the hard limit);
 * returns the new soft limit. */
long raise_fd_limit(long want);

/* tests/maint/memcheck.sh runs the stage 5 suites with the server under
 * Valgrind: everything the server does is many times slower, and its
 * memory and CPU are Valgrind's. */
bool under_valgrind(void);

/* What process PID has used so far: CPU time (user + system, in ms) and
 * voluntary context switches (each one a sleep that ended: a wake-up).
 * Read from /proc; false where there is none (not Linux).  Two readings
 * around a window measure that window alone, not start-up or exit. */
struct process_usage {
    long cpu_ms;
    long wakeups;
};
bool process_usage(pid_t pid, struct process_usage *usage);

#endif
