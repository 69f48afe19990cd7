/*
 * test_04.c - grades stage 4: open_listener, the accept loop,
 * start_handler.
 *
 * Most tests run the stage's program as a real server on 127.0.0.1 (on
 * a port the system picks, read from its "Listening on" line) and talk
 * to it as clients.  The others run the library in this process:
 * open_listener() alone, or tcp_server() with a handler written here (a
 * "keeper", which holds its client until the client leaves), so that a
 * test can see what the handler is given and can run the process out of
 * file descriptors on purpose.  There, a driver task stops run() once
 * the test has seen what it waits for (or at a deadline), and run()'s
 * output goes through capture_stdout()/capture_stderr().
 */
#include "grade.h"
#include "report_text.h"
#include "support.h"

#include "address.h"
#include "greeter.h"
#include "output_writer.h"
#include "scheduler.h"
#include "stop_signals.h"
#include "tcp_server.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* glibc names RTLD_NEXT only under _GNU_SOURCE, which would also change
 * accept()'s prototype; its value is fixed by the ABI. */
#if !defined(RTLD_NEXT) && defined(__GLIBC__)
#define RTLD_NEXT ((void *)-1L)
#endif

/* ---- accept(), as the stage's code sees it -------------------------- */

/* This file defines accept(): the stage's code, linked into this
 * program, calls it.  It passes each call on to the real accept(),
 * except while accept_failures holds errno values: each call then fails
 * with the next one, as the kernel does when a client vanishes between
 * its connection and the accept (ECONNABORTED, EPROTO), at moments no
 * test can choose. */
static int accept_failures[4];
static int accept_failures_left;

/* The last client accept() returned, and the address it filled: for the
 * grader's stand-in for start_handler() (expose_04.c). */
int grader_last_client = -1;
struct sockaddr *grader_last_address;

/* Calls whose room for the address (*length) could not hold an IPv6
 * one, and the smallest such room: the accept loop must give accept()
 * the whole of s->peer each time (4.2, hint 2). */
static int accept_short_rooms;
static socklen_t accept_smallest_room;

/* The errors to inject start after accept_passes calls that work; the
 * scheduler round of the last injected error (the driver counts them),
 * and whether the call after it came in that same round (a retry) or
 * after a wait. */
static int accept_passes;

/* What accept() wrote for each client it returned: the address is the
 * accept loop's to get right (4.2), handing it on start_handler()'s. */
#define ACCEPTED_MAX 16
static int accepted_count;
static int accepted_family[ACCEPTED_MAX], accepted_port[ACCEPTED_MAX];
static socklen_t accepted_length[ACCEPTED_MAX];
static int driver_rounds, injected_round = -1;
static bool retried_at_once;

int accept(int fd, struct sockaddr *address, socklen_t *length)
{
    static int (*real_accept)(int, struct sockaddr *, socklen_t *);
    if (injected_round >= 0) {
        retried_at_once = driver_rounds == injected_round;
        injected_round = -1;
    }
    if (accept_failures_left > 0 && accept_passes > 0) {
        accept_passes--;
    } else if (accept_failures_left > 0) {
        errno = accept_failures[--accept_failures_left];
        injected_round = driver_rounds;
        return -1;
    }
    if (real_accept == NULL) {
        void *found = dlsym(RTLD_NEXT, "accept");
        memcpy(&real_accept, &found, sizeof found);
    }
    if (real_accept == NULL) {
        errno = ENOSYS;
        return -1;
    }
    if (address != NULL && length != NULL && *length < (socklen_t)sizeof (struct sockaddr_in6)) {
        if (accept_short_rooms++ == 0 || *length < accept_smallest_room)
            accept_smallest_room = *length;
    }
    int client = real_accept(fd, address, length);
    if (client >= 0 && accepted_count < ACCEPTED_MAX) {
        int i = accepted_count;
        accepted_family[i] = address != NULL ? address->sa_family : -1;
        accepted_length[i] = length != NULL ? *length : 0;
        accepted_port[i] = address == NULL || length == NULL ? -1
                         : address->sa_family == AF_INET && *length >= (socklen_t)sizeof (struct sockaddr_in)
                         ? ntohs(((const struct sockaddr_in *)(const void *)address)->sin_port)
                         : address->sa_family == AF_INET6 && *length >= (socklen_t)sizeof (struct sockaddr_in6)
                         ? ntohs(((const struct sockaddr_in6 *)(const void *)address)->sin6_port)
                         : -1;
    }
    if (client >= 0)
        accepted_count++;
    if (client >= 0) {
        grader_last_client = client;
        grader_last_address = address;
    }
    return client;
}

/* ---- small helpers -------------------------------------------------- */

/* tests/grader/expose_04.c: the exercises the grader does in place of
 * their stubs, and the stubs that ran in this process. */
extern const char *grader_fills;
extern char grader_stubs_seen[];

/* The stage's server as main() builds it, in a child of this process:
 * the test's own build of the stage's code, where the grader stands in
 * for the stubs of grader_fills. */
static void serve_in_process(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sockaddr_storage address;
    socklen_t length;
    resolve_listen_address("127.0.0.1", 0, &address, &length);
    spawn(stop_on_signals());
    spawn(output_writer(STDOUT_FILENO));
    spawn(output_writer(STDERR_FILENO));
    spawn(tcp_server((struct sockaddr *)&address, length, greeter));
    run();
    scheduler_drop_all();
}

/* Set for a test of 4.2 while start_handler() (4.3) is its stub: the
 * server is then the test's own build, the grader starting handlers. */
static bool grader_serves;

/* Start the stage's server (its program, or as above), with NOFILE fds. */
static void start_stage_server(struct server *s, long nofile)
{
    if (grader_serves)
        server_start_serving(s, serve_in_process, nofile);
    else
        server_start(s, NULL, nofile);
}



/* Read FD until the peer ends the stream (or resets it), LENGTH bytes
 * at most, within TIMEOUT_MS; *ended says whether the end came. */
static size_t read_to_end(int fd, char *buffer, size_t length, int timeout_ms, bool *ended)
{
    size_t got = 0;
    long long deadline = now_ms() + timeout_ms;
    *ended = false;
    for (;;) {
        long long left = deadline - now_ms();
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            return got;
        char scratch[256];
        char *into = got < length ? buffer + got : scratch;
        size_t room = got < length ? length - got : sizeof scratch;
        ssize_t n = recv(fd, into, room, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            *ended = true;
            return got;
        }
        if (n < 0)
            return got;
        got += (size_t)n; /* past LENGTH: counted, not kept */
    }
}

/* The client on FD must receive exactly GREETING, then end of stream. */
static void expect_greeting(int fd, const char *who)
{
    char got[256];
    bool ended;
    size_t n = read_to_end(fd, got, sizeof got, 3000, &ended);
    size_t want = strlen(GREETING);
    ck_assert_msg(n == want && memcmp(got, GREETING, want) == 0,
                  "%s: expected to receive exactly the greeting\n"
                  "    expected: \"%s\"\n    got:      \"%s\" (%zu bytes%s)",
                  who, shown_bytes(GREETING, want), shown_bytes(got, n < sizeof got ? n : sizeof got), n,
                  n == 0 && !ended ? ", nothing within 3 s: was the client ever accepted "
                                     "and handed to a greeter?" : "");
    ck_assert_msg(ended, "%s: after the greeting the server must close the connection "
                  "(end of stream), but it stayed open for 3 s", who);
}

enum outcome { GREETED, TURNED_AWAY, NEITHER };

/* What happened to a client that may have been refused: greeted (the
 * greeting, then end of stream), turned away (end of stream, no byte),
 * or neither within TIMEOUT_MS. */
static enum outcome greeted_or_turned_away(int fd, int timeout_ms)
{
    char got[256];
    bool ended;
    size_t n = read_to_end(fd, got, sizeof got, timeout_ms, &ended);
    if (ended && n == 0)
        return TURNED_AWAY;
    if (ended && n == strlen(GREETING) && memcmp(got, GREETING, n) == 0)
        return GREETED;
    return NEITHER;
}

static void send_signal(const struct server *s, int signal_number)
{
    ck_assert_msg(kill(s->pid, signal_number) == 0, "cannot signal the server: %s",
                  strerror(errno));
}

/* A client socket whose connect() to PORT is under way (non-blocking). */
static int start_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_msg(fd >= 0, "cannot create a client socket: %s", strerror(errno));
    ck_assert_msg(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0,
                  "cannot make a client socket non-blocking: %s", strerror(errno));
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(fd, (struct sockaddr *)&address, sizeof address);
    ck_assert_msg(rc == 0 || errno == EINPROGRESS, "cannot connect to 127.0.0.1:%d: %s",
                  port, strerror(errno));
    return fd;
}

/* ---- in-process: tcp_server() with a handler written here ----------- */

/* What keeper(), the handler_fn, was given; kept by the test. */
#define KEPT_MAX 16
static int handed_count;          /* how many times the server called keeper() */
static int handed_fd[KEPT_MAX];
static int handed_status_flags[KEPT_MAX];
static int handed_fd_flags[KEPT_MAX];
static int handed_port[KEPT_MAX];
static int handed_family[KEPT_MAX];
static socklen_t handed_length[KEPT_MAX];
static int keepers_ended;         /* keepers whose client left */

struct keeper {
    struct task task;
    int client;
};

/* Unlike the greeter, a keeper holds its client's fd until the client
 * leaves, as stage 5's echo handler does: so clients use up fds. */
static enum task_status keeper_step(struct task *self)
{
    struct keeper *k = (struct keeper *)self;
    TASK_BEGIN(self);
    for (;;) {
        YIELD_RECV(self, k->client);
        char bytes[64];
        ssize_t n = recv(k->client, bytes, sizeof bytes, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            break;
    }
    close(k->client);
    k->client = -1;
    keepers_ended++;
    TASK_END(self);
}

static void keeper_cleanup(struct task *self)
{
    struct keeper *k = (struct keeper *)self;
    if (k->client >= 0)
        close(k->client);
}

static struct task *keeper(int client, const struct sockaddr *address, socklen_t length)
{
    if (handed_count < KEPT_MAX) {
        int i = handed_count;
        handed_fd[i] = client;
        handed_status_flags[i] = fcntl(client, F_GETFL);
        handed_fd_flags[i] = fcntl(client, F_GETFD);
        handed_family[i] = address != NULL ? address->sa_family : -1;
        handed_length[i] = length;
        handed_port[i] = address != NULL && address->sa_family == AF_INET
                             && length >= (socklen_t)sizeof(struct sockaddr_in)
                         ? ntohs(((const struct sockaddr_in *)(const void *)address)->sin_port)
                         : address != NULL && address->sa_family == AF_INET6
                             && length >= (socklen_t)sizeof(struct sockaddr_in6)
                         ? ntohs(((const struct sockaddr_in6 *)(const void *)address)->sin6_port)
                         : -1;
    }
    handed_count++;
    struct keeper *k = (struct keeper *)task_new(sizeof *k, "keeper", keeper_step);
    k->task.cleanup = keeper_cleanup;
    k->client = client;
    return &k->task;
}

/* The driver: parks on an fd that is always writable, so select()
 * returns at once and the driver looks at the test's condition after
 * every round; it stops run() when the condition holds or time is up. */
static bool (*driver_until)(void);
static long long driver_deadline;
static int driver_fds[2] = { -1, -1 };

static enum task_status driver_step(struct task *self)
{
    TASK_BEGIN(self);
    for (;;) {
        driver_rounds++;
        if (driver_until() || now_ms() >= driver_deadline)
            scheduler_stop();
        YIELD_SEND(self, driver_fds[0]);
    }
    TASK_END(self);
}

static void start_driver(void)
{
    ck_assert_msg(socketpair(AF_UNIX, SOCK_STREAM, 0, driver_fds) == 0,
                  "cannot create a socket pair: %s", strerror(errno));
    spawn(task_new(sizeof(struct task), "test driver", driver_step));
}

/* Run the scheduler until UNTIL() holds, TIMEOUT_MS at most. */
static bool run_until(bool (*until)(void), int timeout_ms)
{
    driver_until = until;
    driver_deadline = now_ms() + timeout_ms;
    run();
    return until();
}

/* A phase of a test runs with its stdout and stderr kept here. */
static char printed[16384], complaints[16384];

struct phase {
    void (*body)(void);
    char *err;
};

static void phase_body(void *arg)
{
    ((struct phase *)arg)->body();
}

static void phase_with_stderr(void *arg)
{
    struct phase *p = arg;
    p->err = capture_stderr(phase_body, p);
}

static void append(char *to, size_t size, const char *text)
{
    size_t used = strlen(to);
    snprintf(to + used, size - used, "%s", text);
}

static void quietly(void (*body)(void))
{
    struct phase p = { body, NULL };
    char *out = capture_stdout(phase_with_stderr, &p);
    append(printed, sizeof printed, out);
    append(complaints, sizeof complaints, p.err ? p.err : "");
    free(out);
    free(p.err);
}

/* The local port of the IPv6 socket FD. */
static int local_port6(int fd)
{
    struct sockaddr_in6 address;
    socklen_t length = sizeof address;
    ck_assert_msg(getsockname(fd, (struct sockaddr *)&address, &length) == 0,
                  "getsockname() failed: %s", strerror(errno));
    return ntohs(address.sin6_port);
}

/* The port of the one listening socket in this process. */
static int listening_port(void)
{
    for (int fd = 0; fd < FD_SETSIZE; fd++) {
        int listening = 0;
        socklen_t length = sizeof listening;
        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0 && listening)
            return local_port(fd);
    }
    ck_abort_msg("tcp_server() returned, but this process has no listening socket");
    return -1;
}

static struct task *loopback_server(void)
{
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = 0;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return tcp_server((struct sockaddr *)&address, sizeof address, keeper);
}

/* True (and then for good) once the client on FD has seen its stream
 * end; never blocks. */
static bool client_ended(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    if (poll(&p, 1, 0) <= 0)
        return false;
    char byte;
    ssize_t n = recv(fd, &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* ---- what each test relies on ---------------------------------------- */

/* The accept loop (4.2) needs the listener (4.1); start_handler (4.3)
 * needs both.  Before its own checks, a test checks in a child process
 * the pieces it relies on but does not grade, and names the first one
 * that is broken (grade_needs()): its failure is that exercise's. */
static int listener_works(void *arg)
{
    (void)arg;
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = open_listener((struct sockaddr *)&address, sizeof address);
    int listening = 0, reuse = 0;
    socklen_t length = sizeof listening;
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0)
        return 0;
    length = sizeof reuse;
    getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, &length);
    return listening && reuse && (fcntl(fd, F_GETFL) & O_NONBLOCK)
        && (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? 42 : 0;
}

static void one_client_comes(void);
static int lone_client = -1;

/* 42: the handler got the client's own socket, open, non-blocking;
 * 2: it got something else; 3: no handler was started at all. */
static int handler_start_works(void *arg)
{
    (void)arg;
    grader_fills = "4.3"; /* a stub is seen (grader_stubs_seen), not reported */
    one_client_comes();
    if (strstr(grader_stubs_seen, "4.3") != NULL)
        return 5; /* its stub: the grader can stand in for it */
    if (handed_count == 0)
        return 3;
    struct sockaddr_in peer;
    socklen_t length = sizeof peer;
    bool own = getpeername(handed_fd[0], (struct sockaddr *)&peer, &length) == 0
            && peer.sin_family == AF_INET && ntohs(peer.sin_port) == local_port(lone_client);
    bool nonblocking = (fcntl(handed_fd[0], F_GETFL) & O_NONBLOCK) != 0;
    return own && nonblocking ? 42 : 2;
}

/* 4.2, the address accept() fills: 42 when it did; 2 when the handler
 * got the server's untouched peer (family 0), as when accept() was told
 * it has no room (peer_length not reset); 1: cannot tell. */
static int accept_fills_address(void *arg)
{
    (void)arg;
    one_client_comes();
    if (handed_count == 0 || handed_family[0] == -1)
        return 1;
    return handed_family[0] == AF_UNSPEC ? 2 : 42;
}

static void require_others(const char *own)
{
    if (probe(listener_works, NULL, 2000) != 42) {
        grade_needs("4.1");
        return;
    }
    if (strcmp(own, "4.3") == 0 && probe(accept_fills_address, NULL, 2000) == 2) {
        grade_blame("4.2", "accept() wrote no client address: set s->peer_length to "
                    "sizeof s->peer before each accept(), which reads it as the room it has");
        return;
    }
    if (strcmp(own, "4.2") != 0)
        return;
    /* While start_handler() is its stub, the grader does it (expose_04.c). */
    int handler = probe(handler_start_works, NULL, 2000);
    grader_fills = "4.3";
    grader_serves = handler == 5;
    if (handler == 5)
        grade_covers("4.3");
    if (handler == 2)
        grade_needs("4.3");
}

/* ---- 4.1: open_listener --------------------------------------------- */

static int open_loopback_listener(void)
{
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = 0;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = open_listener((struct sockaddr *)&address, sizeof address);
    ck_assert_msg(fd >= 0, "open_listener(127.0.0.1:0) returned %d, not a file descriptor", fd);
    return fd;
}

START_TEST(listener_listens_on_the_address)
{
    int fd = open_loopback_listener();
    int type = 0, listening = 0;
    socklen_t length = sizeof type;
    EXPECT(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0,
           "open_listener() returned fd %d, which is not a socket (%s)", fd, strerror(errno));
    EXPECT(type == SOCK_STREAM, "open_listener()'s socket must be a TCP socket (SOCK_STREAM)");

    struct sockaddr_in bound;
    length = sizeof bound;
    EXPECT(getsockname(fd, (struct sockaddr *)&bound, &length) == 0 && bound.sin_family == AF_INET,
           "open_listener()'s socket must be bound to the IPv4 address it was given");
    EXPECT(bound.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && bound.sin_port != 0,
           "open_listener(127.0.0.1:0) must bind to 127.0.0.1 and a port the system picks;\n"
           "got %s:%d (was bind() called with ADDRESS and LENGTH?)",
           inet_ntoa(bound.sin_addr), ntohs(bound.sin_port));

    length = sizeof listening;
    EXPECT(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0 && listening,
           "open_listener()'s socket is not listening: call listen(fd, SOMAXCONN)");

    int client = connect_to(ntohs(bound.sin_port));
    struct pollfd p = { .fd = fd, .events = POLLIN };
    EXPECT(poll(&p, 1, 2000) == 1, "a client connected, but the listener did not become readable");
    int accepted = accept(fd, NULL, NULL);
    EXPECT(accepted >= 0, "accept() on open_listener()'s socket failed: %s", strerror(errno));
    close(accepted);
    close(client);
    close(fd);
}
END_TEST

START_TEST(listener_is_nonblocking)
{
    int fd = open_loopback_listener();
    int flags = fcntl(fd, F_GETFL);
    EXPECT(flags >= 0 && (flags & O_NONBLOCK),
           "open_listener()'s socket must be non-blocking (set_nonblocking()): select() may say\n"
           "it is readable for a client that is gone by the time accept() runs, and a blocking\n"
           "accept() would then freeze every task");
    long long start = now_ms();
    int client = accept(fd, NULL, NULL);
    int saved = errno;
    EXPECT(client < 0 && (saved == EAGAIN || saved == EWOULDBLOCK),
           "accept() with no client waiting must fail at once with EAGAIN; got %d (%s)",
           client, client < 0 ? strerror(saved) : "a client?");
    EXPECT(now_ms() - start < 1000, "accept() with no client waiting took %lld ms",
           now_ms() - start);
    close(fd);
}
END_TEST

START_TEST(listener_is_close_on_exec)
{
    int fd = open_loopback_listener();
    int flags = fcntl(fd, F_GETFD);
    EXPECT(flags >= 0 && (flags & FD_CLOEXEC),
           "open_listener()'s socket must be close-on-exec (set_cloexec()), so that a program\n"
           "the server starts does not inherit it");
    close(fd);
}
END_TEST

START_TEST(listener_reuses_address)
{
    int fd = open_loopback_listener();
    int reuse = 0;
    socklen_t length = sizeof reuse;
    EXPECT(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, &length) == 0 && reuse != 0,
           "open_listener()'s socket must have SO_REUSEADDR set (to 1), before bind(): without it\n"
           "the server cannot restart on a port whose old connections are in TIME_WAIT");
    close(fd);
}
END_TEST

/* A TCP socket bound to 127.0.0.1 on a port the system picks. */
static int bound_loopback_socket(bool reuse)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_msg(fd >= 0, "cannot create a socket: %s", strerror(errno));
    int one = 1;
    if (reuse)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_msg(bind(fd, (struct sockaddr *)&address, sizeof address) == 0,
                  "cannot bind a socket to 127.0.0.1: %s", strerror(errno));
    return fd;
}

/* Leave a connection in TIME_WAIT on 127.0.0.1:PORT, as a server that
 * hung up on a client leaves it when it stops, and return PORT. */
static int port_with_time_wait(void)
{
    int listener = bound_loopback_socket(true);
    ck_assert_msg(listen(listener, 1) == 0, "cannot listen: %s", strerror(errno));
    int port = local_port(listener);
    int client = connect_to(port);
    int accepted = accept(listener, NULL, NULL);
    ck_assert_msg(accepted >= 0, "cannot accept: %s", strerror(errno));
    close(accepted); /* the server's side hangs up first... */
    ck_assert_msg(wait_for_eof(client, 2000), "the client did not see the end of stream");
    close(client);   /* ...so once the client closes too, it waits in TIME_WAIT */
    close(listener);
    return port;
}

START_TEST(restarts_on_the_same_port)
{
    /* The server only starts here: no client, so no accept loop or
     * handler of 4.2 or 4.3 is at fault, stubs or not. */
    grade_covers("4.2");
    grade_covers("4.3");
    int port = port_with_time_wait();
    char port_text[16], output[4096];
    snprintf(port_text, sizeof port_text, "%d", port);
    const char *args[] = { STAGE_BINARY, "-b", "127.0.0.1", "-p", port_text, NULL };
    /* A server that starts keeps running: run_program() stops it. */
    run_program(args, output, sizeof output, 700);
    EXPECT(strstr(output, "Listening on ") != NULL,
           "a server started on port %d, where a connection just ended (it is in TIME_WAIT),\n"
           "must start at once; it printed:\n%s"
           "(set SO_REUSEADDR on the socket before bind())", port, excerpt(output));
}
END_TEST

START_TEST(port_in_use_is_reported)
{
    /* A server that cannot listen never reaches its accept loop. */
    grade_covers("4.2");
    grade_covers("4.3");
    int holder = bound_loopback_socket(false);
    ck_assert_msg(listen(holder, 1) == 0, "cannot listen: %s", strerror(errno));
    int port = local_port(holder);
    char port_text[16], output[4096], address[64];
    snprintf(port_text, sizeof port_text, "%d", port);
    snprintf(address, sizeof address, "127.0.0.1:%d", port);
    const char *args[] = { STAGE_BINARY, "-b", "127.0.0.1", "-p", port_text, NULL };
    int status = run_program(args, output, sizeof output, 5000);
    close(holder);

    EXPECT(status != -1, "a server started on port %d, which another program listens on, was\n"
           "still running after 5 s; it must end with a message. It printed:\n%s",
           port, excerpt(output));
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) != 0,
           "a server started on a port in use must exit with a non-zero status; it printed:\n%s",
           excerpt(output));
    EXPECT(strstr(output, "Listening on") == NULL,
           "a server started on a port in use must not say it is listening; it printed:\n%s",
           excerpt(output));
    EXPECT(strstr(output, address) != NULL,
           "the message must name the address, %s; the server printed:\n%s", address,
           excerpt(output));
    EXPECT(strstr(output, strerror(EADDRINUSE)) != NULL,
           "the message must give the system's reason, \"%s\" (fail_errno() adds it);\n"
           "the server printed:\n%s", strerror(EADDRINUSE), excerpt(output));
    EXPECT(strstr(output, "-p") != NULL,
           "for EADDRINUSE the hint must say how to pick another port (with -p);\n"
           "the server printed:\n%s", excerpt(output));
}
END_TEST

START_TEST(backlog_holds_a_burst)
{
    enum { BURST = 50 };
    int fd = open_loopback_listener();
    int port = local_port(fd);
    /* Nobody accepts here: a connection completes only if the kernel's
     * queue of waiting clients (listen's backlog) has room for it. */
    int clients[BURST];
    for (int i = 0; i < BURST; i++)
        clients[i] = start_connect(port);
    int connected = 0;
    long long deadline = now_ms() + 1500;
    for (int i = 0; i < BURST; i++) {
        struct pollfd p = { .fd = clients[i], .events = POLLOUT };
        long long left = deadline - now_ms();
        int error = -1;
        socklen_t length = sizeof error;
        if (poll(&p, 1, left > 0 ? (int)left : 0) == 1
            && getsockopt(clients[i], SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0)
            connected++;
    }
    EXPECT(connected == BURST,
           "while nobody accepted, only %d of %d clients could connect to open_listener()'s\n"
           "socket: a busy server would turn the others away. Listen with a backlog of\n"
           "SOMAXCONN, not 5", connected, BURST);
    for (int i = 0; i < BURST; i++)
        close(clients[i]);
    close(fd);
}
END_TEST

START_TEST(bad_arguments_are_refused)
{
    static const char *const cases[][3] = {
        { "-p", "abc", "abc" },
        { "-p", "70000", "70000" },
        { "--colour", NULL, "--colour" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[] = { STAGE_BINARY, cases[i][0], cases[i][1], NULL };
        char output[4096];
        int status = run_program(args, output, sizeof output, 5000);
        const char *given = cases[i][1] ? cases[i][1] : "";
        EXPECT(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) != 0,
               "'%s %s' must make the server exit with a non-zero status at once; it printed:\n%s",
               cases[i][0], given, excerpt(output));
        EXPECT(strstr(output, cases[i][2]) != NULL && strstr(output, "Listening on") == NULL,
               "'%s %s' must be refused with a message naming '%s'; the server printed:\n%s",
               cases[i][0], given, cases[i][2], excerpt(output));
    }
}
END_TEST

START_TEST(help_prints_usage)
{
    const char *args[] = { STAGE_BINARY, "--help", NULL };
    char output[4096];
    int status = run_program(args, output, sizeof output, 5000);
    EXPECT(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "'--help' must print the usage and exit with status 0; it printed:\n%s",
           excerpt(output));
    EXPECT(strncmp(output, "usage: ", 7) == 0 && strstr(output, "--port") != NULL
           && strstr(output, "--bind") != NULL,
           "'--help' must print a usage naming --port and --bind; it printed:\n%s",
           excerpt(output));
}
END_TEST

/* ---- 4.2: the accept loop ------------------------------------------- */

START_TEST(client_gets_greeting_then_end)
{
    require_others("4.2");
    struct server s;
    start_stage_server(&s, 0);
    int client = connect_to(s.port);
    expect_greeting(client, "a client of the stage 4 server");
    close(client);
    server_stop(&s);
}
END_TEST

START_TEST(fifty_clients_at_once)
{
    require_others("4.2");
    enum { CLIENTS = 50 };
    struct server s;
    start_stage_server(&s, 0);
    int clients[CLIENTS];
    for (int i = 0; i < CLIENTS; i++)
        clients[i] = connect_to(s.port);
    for (int i = 0; i < CLIENTS; i++) {
        char who[64];
        snprintf(who, sizeof who, "client %d of %d connected at once", i + 1, CLIENTS);
        expect_greeting(clients[i], who);
        close(clients[i]);
    }
    EXPECT(server_wait_for(&s, "Task done", CLIENTS, 3000),
           "50 clients were greeted, so 50 greeter tasks ended, but the server printed "
           "\"Task done\" %d times", server_count(&s, "Task done"));
    server_stop(&s);
}
END_TEST

START_TEST(keeps_accepting)
{
    require_others("4.2");
    struct server s;
    start_stage_server(&s, 0);
    for (int round = 1; round <= 4; round++) {
        int clients[5];
        for (int i = 0; i < 5; i++)
            clients[i] = connect_to(s.port);
        for (int i = 0; i < 5; i++) {
            char who[96];
            snprintf(who, sizeof who, "client %d of round %d (the server must accept "
                     "again and again, forever)", i + 1, round);
            expect_greeting(clients[i], who);
            close(clients[i]);
        }
    }
    server_stop(&s);
}
END_TEST

START_TEST(client_gone_before_accept)
{
    require_others("4.2");
    struct server s;
    start_stage_server(&s, 0);
    /* Stopped, the server cannot accept this client before it resets
     * its connection: accept() then meets a client already gone. */
    send_signal(&s, SIGSTOP);
    int gone = start_connect(s.port);
    struct pollfd p = { .fd = gone, .events = POLLOUT };
    poll(&p, 1, 1000);
    struct linger abort_now = { 1, 0 };
    setsockopt(gone, SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now);
    close(gone);
    send_signal(&s, SIGCONT);

    int client = connect_to(s.port);
    expect_greeting(client, "a client after one that left before it was accepted");
    close(client);
    EXPECT(kill(s.pid, 0) == 0, "the server died after a client left before being accepted");
    server_stop(&s);
}
END_TEST

START_TEST(low_fd_limit_end_to_end)
{
    require_others("4.2");
    enum { CLIENTS = 60 };
    struct server s;
    start_stage_server(&s, 32);
    int clients[CLIENTS];
    for (int i = 0; i < CLIENTS; i++)
        clients[i] = connect_to(s.port);
    int greeted = 0, turned_away = 0;
    long long deadline = now_ms() + 5000;
    for (int i = 0; i < CLIENTS; i++) {
        long long left = deadline - now_ms();
        enum outcome o = greeted_or_turned_away(clients[i], left > 0 ? (int)left : 0);
        greeted += o == GREETED;
        turned_away += o == TURNED_AWAY;
        close(clients[i]);
    }
    EXPECT(kill(s.pid, 0) == 0,
           "with only 32 file descriptors, 60 clients at once killed the server. Running out\n"
           "of fds (accept() fails with EMFILE) is no reason to stop: refuse_one_client()");
    EXPECT(greeted + turned_away == CLIENTS,
           "with only 32 file descriptors and 60 clients at once, each client must be greeted or\n"
           "turned away (end of stream) within 5 s; %d were greeted, %d turned away, %d neither.\n"
           "On EMFILE or ENFILE, call refuse_one_client() and wait again",
           greeted, turned_away, CLIENTS - greeted - turned_away);
    EXPECT(greeted > 0, "with only 32 file descriptors, not one of 60 clients was greeted");

    int late = connect_to(s.port);
    expect_greeting(late, "a client after the server ran out of fds");
    close(late);
    int status = server_stop(&s);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "the server must still stop cleanly (exit status 0) after running out of fds");
}
END_TEST

/* In-process: the crowd of clients beyond the fds left. */
#define CROWD 10
static int crowd[CROWD];
static bool crowd_ended[CROWD];
static int late_client = -1;
static int late_port;
static struct rlimit normal_limit, low_limit;

static int crowd_settled_count(void)
{
    int ended = 0;
    for (int i = 0; i < CROWD; i++) {
        if (!crowd_ended[i])
            crowd_ended[i] = client_ended(crowd[i]);
        ended += crowd_ended[i];
    }
    return ended;
}

static bool crowd_settled(void)
{
    return crowd_settled_count() + handed_count >= CROWD;
}

static bool one_keeper_ended(void)
{
    return keepers_ended >= 1;
}

static int handed_before_late;

static bool late_client_settled(void)
{
    return handed_count > handed_before_late || client_ended(late_client);
}

/* Out of this process's way: a client socket on an fd far above the
 * ones the server will use, so the limit can be set just above those. */
static int moved_high(int fd)
{
    int high = fcntl(fd, F_DUPFD, 900);
    ck_assert_msg(high >= 0, "cannot move a socket to fd 900 or above: %s", strerror(errno));
    close(fd);
    return high;
}

static void crowd_arrives(void)
{
    start_driver();
    spawn(loopback_server());
    late_port = listening_port();
    /* Not connect_to(): with too small a backlog (exercise 4.1), a
     * blocking connect() would wait here for the server to accept. */
    for (int i = 0; i < CROWD; i++)
        crowd[i] = moved_high(start_connect(late_port));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_msg(fd >= 0, "cannot create a socket: %s", strerror(errno));
    late_client = moved_high(fd);

    /* Leave the server three free fds. */
    int lowest_free = dup(driver_fds[1]);
    close(lowest_free);
    low_limit = normal_limit;
    low_limit.rlim_cur = (rlim_t)lowest_free + 3;
    setrlimit(RLIMIT_NOFILE, &low_limit);
    run_until(crowd_settled, 3000);
    setrlimit(RLIMIT_NOFILE, &normal_limit);
}

static void one_leaves_and_another_comes(void)
{
    setrlimit(RLIMIT_NOFILE, &low_limit);
    for (int i = 0; i < CROWD; i++)
        if (!crowd_ended[i]) {
            close(crowd[i]);
            crowd_ended[i] = true; /* gone, so no longer counted as held */
            break;
        }
    run_until(one_keeper_ended, 3000);
    handed_before_late = handed_count;
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)late_port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(late_client, (struct sockaddr *)&address, sizeof address);
    run_until(late_client_settled, 3000);
    setrlimit(RLIMIT_NOFILE, &normal_limit);
}

START_TEST(out_of_fds_turns_clients_away)
{
    require_others("4.2");
    ck_assert_msg(raise_fd_limit(1024) >= 1024,
                  "this test needs 1024 file descriptors: raise the limit with 'ulimit -n 1024'");
    getrlimit(RLIMIT_NOFILE, &normal_limit);
    quietly(crowd_arrives);
    int turned_away = 0;
    for (int i = 0; i < CROWD; i++)
        turned_away += crowd_ended[i];
    EXPECT(handed_count > 0, "with three fds free, the server handed no client to its handler");
    EXPECT(handed_count + turned_away == CROWD,
           "%d clients waited and the server had three free fds: it handed %d to the handler and\n"
           "turned away %d, so %d were left waiting for ever. When accept() fails with EMFILE,\n"
           "the client stays in the backlog and select() wakes the server again and again:\n"
           "call refuse_one_client(), then wait again. Its messages:\n%s",
           CROWD, handed_count, turned_away, CROWD - handed_count - turned_away,
           excerpt(complaints));

    int handed_before = handed_count;
    quietly(one_leaves_and_another_comes);
    EXPECT(keepers_ended == 1, "a held client left, but its handler did not end");
    EXPECT(handed_count == handed_before + 1,
           "once a client left and freed an fd, the next client must be accepted and handed\n"
           "to the handler (the accept loop goes on after EMFILE); it was %s",
           client_ended(late_client) ? "turned away" : "not accepted within 3 s");
    quietly(scheduler_drop_all); /* its cleanups may print: not into the report */
}
END_TEST

/* ---- 4.3: start_handler --------------------------------------------- */

START_TEST(log_names_the_client)
{
    require_others("4.3");
    struct server s;
    server_start(&s, NULL, 0);
    int client = connect_to(s.port);
    int port = local_port(client);
    expect_greeting(client, "the client");
    close(client);
    server_wait_for(&s, "Task done", 1, 3000);
    server_stop(&s);

    char expected[256];
    snprintf(expected, sizeof expected,
             "Connection from 127.0.0.1:%d\nConnection closed\nTask done\n", port);
    const char *got = after_listening(&s);
    const char *stop = strstr(got, "Stopped by signal");
    size_t length = stop ? (size_t)(stop - got) : strlen(got);
    ck_assert_msg(length == strlen(expected) && memcmp(got, expected, length) == 0,
                  "what the server printed after \"Listening on\" for one client:\n"
                  "    expected: \"%s\"\n    got:      \"%s\"\n"
                  "(the greeter prints the address start_handler() passes it: s->peer and "
                  "s->peer_length, as accept() filled them)",
                  shown_bytes(expected, strlen(expected)), shown_bytes(got, length));
}
END_TEST

START_TEST(connections_are_counted)
{
    require_others("4.3");
    struct server s;
    server_start(&s, NULL, 0);
    for (int i = 0; i < 3; i++) {
        int client = connect_to(s.port);
        expect_greeting(client, "a client");
        close(client);
    }
    server_wait_for(&s, "Task done", 3, 3000);
    server_stop(&s);
    EXPECT(strstr(s.log, "after 3 connection(s)") != NULL,
           "after 3 clients, the server stopped by SIGTERM must say \"... after 3 "
           "connection(s)\":\ncount each client handed to a handler in `connections`. It "
           "printed:\n%s", excerpt(s.log));
}
END_TEST

static bool one_handed(void)
{
    return handed_count >= 1 || client_ended(lone_client);
}

static void one_client_comes(void)
{
    start_driver();
    spawn(loopback_server());
    lone_client = connect_to(listening_port());
    run_until(one_handed, 3000);
}

START_TEST(handler_gets_nonblocking_socket_and_address)
{
    require_others("4.3");
    quietly(one_client_comes);
    EXPECT(handed_count == 1, "one client connected, but the handler was called %d times\n"
           "(start_handler() must spawn s->handler(client, peer address, its length))",
           handed_count);
    EXPECT(handed_status_flags[0] >= 0 && (handed_status_flags[0] & O_NONBLOCK),
           "the handler must get a non-blocking client socket (set_nonblocking()): a blocking\n"
           "recv() or send() in one task would freeze all the others");
    EXPECT(handed_fd_flags[0] >= 0 && (handed_fd_flags[0] & FD_CLOEXEC),
           "the handler must get a close-on-exec client socket (set_cloexec())");
    EXPECT(handed_family[0] == AF_INET && handed_port[0] == local_port(lone_client),
           "the handler must get the client's address (family %d, port %d expected; got family "
           "%d, port %d):\npass (struct sockaddr *)&s->peer and s->peer_length (4.3), and set\n"
           "s->peer_length to sizeof s->peer before each accept() (4.2, hint 2)",
           AF_INET, local_port(lone_client), handed_family[0], handed_port[0]);
    EXPECT_INT(tcp_server_connections(), 1, "tcp_server_connections() after one client");
    EXPECT(handed_length[0] == (socklen_t)sizeof (struct sockaddr_in),
           "the handler was given an address length of %d for an IPv4 client, whose address is %d\n"
           "bytes: pass s->peer_length, the length accept() wrote, not the size of s->peer",
           (int)handed_length[0], (int)sizeof (struct sockaddr_in));
    quietly(scheduler_drop_all); /* its cleanups may print: not into the report */
}
END_TEST

/* In-process: clients whose fds land on FD_SETSIZE - 1 and FD_SETSIZE. */
static int last_watchable_client = -1, beyond_client = -1;
static int fillers[FD_SETSIZE];
static int filler_count;

static bool both_settled(void)
{
    return handed_count >= 2 || (handed_count >= 1 && client_ended(beyond_client));
}

static void clients_at_the_fd_limit(void)
{
    start_driver();
    spawn(loopback_server());
    int port = listening_port();
    last_watchable_client = connect_to(port);
    beyond_client = connect_to(port);
    /* Take every free fd below FD_SETSIZE - 1: the server's next two
     * accept() calls then return FD_SETSIZE - 1 and FD_SETSIZE. */
    int fd;
    while ((fd = dup(driver_fds[1])) >= 0 && fd < FD_SETSIZE - 1)
        fillers[filler_count++] = fd;
    ck_assert_msg(fd == FD_SETSIZE - 1, "cannot fill the fds below %d: %s", FD_SETSIZE - 1,
                  strerror(errno));
    close(fd);
    run_until(both_settled, 3000);
    while (filler_count > 0)
        close(fillers[--filler_count]);
}

START_TEST(fd_at_fd_setsize_is_refused)
{
    require_others("4.3");
    ck_assert_msg(raise_fd_limit(FD_SETSIZE + 64) >= FD_SETSIZE + 64,
                  "this test needs %d file descriptors: raise the limit with 'ulimit -n 2048'",
                  FD_SETSIZE + 64);
    quietly(clients_at_the_fd_limit);
    EXPECT(handed_count >= 1 && handed_fd[0] == FD_SETSIZE - 1,
           "the client accepted on fd %d (FD_SETSIZE - 1, the last fd select() can watch) must be\n"
           "handed to the handler; %s", FD_SETSIZE - 1,
           handed_count == 0 ? "no client was" : "the handler got another fd");
    EXPECT(handed_count == 1,
           "the handler was also started for the client on fd %d, which select() cannot watch:\n"
           "start_handler() must refuse (close, with a message) any fd >= SCHEDULER_FD_LIMIT",
           handed_count > 1 ? handed_fd[1] : -1);
    EXPECT(client_ended(beyond_client),
           "the client whose connection got fd %d must be closed at once (end of stream)",
           FD_SETSIZE);
    char fd_text[16];
    snprintf(fd_text, sizeof fd_text, "%d", FD_SETSIZE);
    EXPECT(strstr(complaints, fd_text) != NULL,
           "refusing the client on fd %d, the server must say so on stderr, naming the fd;\n"
           "it printed on stderr: \"%s\"", FD_SETSIZE, excerpt(complaints));
    EXPECT_INT(tcp_server_connections(), 1,
               "tcp_server_connections() when one client was handed over and one refused");
    quietly(scheduler_drop_all); /* its cleanups may print: not into the report */
}
END_TEST


/* ---- tests added for mistakes that used to pass -------------------- */

static int ipv6_listener(void *arg)
{
    (void)arg;
    struct sockaddr_in6 address;
    memset(&address, 0, sizeof address);
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    int fd = open_listener((struct sockaddr *)&address, sizeof address);
    struct sockaddr_storage bound;
    socklen_t length = sizeof bound;
    if (fd < 0 || getsockname(fd, (struct sockaddr *)&bound, &length) != 0)
        return 0;
    return bound.ss_family == AF_INET6 ? 42 : 0;
}

START_TEST(listener_on_ipv6)
{
    /* Skipped where this machine has no IPv6 loopback. */
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 address;
    memset(&address, 0, sizeof address);
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0) {
        if (fd >= 0)
            close(fd);
        return;
    }
    close(fd);
    EXPECT(probe(ipv6_listener, NULL, 2000) == 42,
           "open_listener() with the address [::1]:0 (what -b ::1 gives) must return a socket\n"
           "listening on ::1: create the socket in the address's own family\n"
           "(address->sa_family), not always AF_INET");
}
END_TEST

/* Five clients wait before the server runs at all: one wake-up of the
 * listener must accept the lot (a batch), not one client per select(). */
static int partial_rounds;

static bool five_handed(void)
{
    if (handed_count > 0 && handed_count < 5)
        partial_rounds++;
    return handed_count >= 5;
}

static int batch_clients[5];

static void five_waiting_clients(void)
{
    start_driver();
    spawn(loopback_server());
    int port = listening_port();
    for (int i = 0; i < 5; i++)
        batch_clients[i] = connect_to(port);
    run_until(five_handed, 3000);
}

START_TEST(accepts_a_batch_per_wakeup)
{
    require_others("4.2");
    quietly(five_waiting_clients);
    EXPECT_INT(handed_count, 5, "clients handed to a handler, of 5 waiting");
    EXPECT(partial_rounds <= 1,
           "5 clients were waiting when the listener became readable, but they were accepted\n"
           "over %d rounds of select(): after one wake-up, accept() again and again (a batch,\n"
           "up to ACCEPT_BATCH) until it fails with EAGAIN", partial_rounds + 1);
    quietly(scheduler_drop_all); /* its cleanups may print: not into the report */
}
END_TEST

START_TEST(accept_gets_room_for_each_address)
{
    require_others("4.2");
    quietly(five_waiting_clients);
    EXPECT_INT(handed_count, 5, "clients handed to a handler, of 5 waiting");
    EXPECT(accept_short_rooms == 0,
           "%d of the accept() calls for 5 clients were given room for only %d bytes of address\n"
           "(s->peer_length): accept() reads s->peer_length as the room it has and writes the\n"
           "address's real length back, so set s->peer_length = sizeof s->peer before each\n"
           "accept() (hint 2), or a later client's address (an IPv6 one) is cut short",
           accept_short_rooms, (int)accept_smallest_room);
    for (int i = 0; i < accepted_count && i < 5; i++) {
        bool known = false;
        for (int j = 0; j < 5; j++)
            known = known || accepted_port[i] == local_port(batch_clients[j]);
        EXPECT(accepted_family[i] == AF_INET && known,
               "for client %d of 5, accept() wrote the address family %d and port %d, not the client's\n"
               "(AF_INET, the port of one of the 5 clients): pass accept() &s->peer and &s->peer_length,\n"
               "with the room set (s->peer_length = sizeof s->peer)",
               i + 1, accepted_family[i], accepted_port[i]);
    }
    quietly(scheduler_drop_all); /* its cleanups may print: not into the report */
}
END_TEST

/* Every error accept() can return, once and twice in a row, with one
 * client waiting: what the accept loop must do with each (TUTORIAL.md,
 * exercise 4.2). */
struct accept_case {
    int error;
    const char *name;
    enum { SILENT_RETRY, SILENT_WAIT, SAYS_AND_WAITS, BACKS_OFF, TURNS_AWAY } expect;
};

static const struct accept_case accept_cases[] = {
    { EINTR, "EINTR", SILENT_RETRY },
    { ECONNABORTED, "ECONNABORTED", SILENT_WAIT },
    { EPROTO, "EPROTO", SILENT_WAIT },
    { EAGAIN, "EAGAIN", SILENT_WAIT },
    { EPERM, "EPERM (any other error)", SAYS_AND_WAITS },
    { ENOBUFS, "ENOBUFS", BACKS_OFF }, /* back_off(): its messages are throttled */
    { ENOMEM, "ENOMEM", BACKS_OFF },
    { EMFILE, "EMFILE", TURNS_AWAY },
    { ENFILE, "ENFILE", TURNS_AWAY },
};
static const struct accept_case *accept_case;
static int accept_case_times;

static bool client_handed_or_gone(void)
{
    return handed_count > 0 || client_ended(lone_client);
}

static void client_meets_accept_error(void)
{
    handed_count = 0;
    start_driver();
    spawn(loopback_server());
    lone_client = connect_to(listening_port());
    accept_passes = 0;
    for (int k = 0; k < accept_case_times; k++)
        accept_failures[k] = accept_case->error;
    accept_failures_left = accept_case_times;
    retried_at_once = false;
    injected_round = -1;
    run_until(client_handed_or_gone, 3000);
    accept_failures_left = 0;
    scheduler_drop_all();
    close(driver_fds[0]);
    close(driver_fds[1]);
}

START_TEST(every_accept_error_is_handled)
{
    require_others("4.2");
    for (size_t c = 0; c < sizeof accept_cases / sizeof accept_cases[0]; c++) {
        for (int times = 1; times <= 2; times++) {
            accept_case = &accept_cases[c];
            accept_case_times = times;
            complaints[0] = '\0';
            quietly(client_meets_accept_error);
            bool gone = client_ended(lone_client);
            close(lone_client);
            char when[96];
            snprintf(when, sizeof when, "accept() failed with %s %s, one client waiting", accept_case->name,
                     times == 1 ? "once" : "twice in a row");
            if (accept_case->expect == TURNS_AWAY && times == 1) {
                EXPECT(handed_count == 0 && gone,
                       "%s: the client was %s.\nOut of fds (EMFILE, or ENFILE for the whole system), call "
                       "refuse_one_client(): it frees\nthe spare fd, accepts that client and closes it, "
                       "so the listener is not readable for ever", when,
                       handed_count > 0 ? "handed to the handler" : "left waiting");
                continue;
            }
            EXPECT(handed_count == 1 || (accept_case->expect == TURNS_AWAY && gone),
                   "%s: the client was %s.\n%s", when,
                   handed_count > 1 ? "handed over more than once" : "never handed to the handler",
                   accept_case->expect == BACKS_OFF
                   ? "Short of memory (ENOBUFS, ENOMEM), call back_off(), then wait for the listener again"
                   : accept_case->expect == SAYS_AND_WAITS
                   ? "Another error concerns this attempt only: say so (print_error), then wait for the\n"
                     "listener again; the accept loop never ends"
                   : "That error concerns one attempt only: the accept loop goes on");
            if (accept_case->expect == SILENT_RETRY)
                EXPECT(retried_at_once, "%s: the loop waited for the listener again before retrying:\n"
                       "EINTR (a signal arrived) means call accept() again at once", when);
            if (accept_case->expect == SILENT_RETRY || accept_case->expect == SILENT_WAIT)
                EXPECT(complaints[0] == '\0', "%s: the server printed on stderr:\n%s\n"
                       "%s is no error of the server's: %s, and say nothing", when, excerpt(complaints),
                       accept_case->name, accept_case->error == EINTR ? "retry at once"
                       : accept_case->error == EAGAIN ? "nobody is waiting now: wait for the listener again"
                       : "a client left before it was accepted: wait for the listener again");
            if (accept_case->expect == SAYS_AND_WAITS)
                EXPECT(complaints[0] != '\0', "%s: the server said nothing on stderr; tell why accept() "
                       "failed\n(print_error with strerror(errno)), then wait again", when);
        }
    }
}
END_TEST

/* The same on ::1, where this machine has IPv6: a client of the other
 * family, whose address needs all the room of s->peer. */
static int ipv6_client = -1;

static bool ipv6_client_handed(void)
{
    return handed_count > 0;
}

static void ipv6_client_comes(void)
{
    start_driver();
    struct sockaddr_in6 address;
    memset(&address, 0, sizeof address);
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    spawn(tcp_server((struct sockaddr *)&address, sizeof address, keeper));
    int port = listening_port();
    ipv6_client = socket(AF_INET6, SOCK_STREAM, 0);
    address.sin6_port = htons((unsigned short)port);
    ck_assert_msg(ipv6_client >= 0 && connect(ipv6_client, (struct sockaddr *)&address, sizeof address) == 0,
                  "cannot connect to [::1]:%d: %s", port, strerror(errno));
    run_until(ipv6_client_handed, 3000);
}

START_TEST(ipv6_client_is_accepted)
{
    int probe_fd = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 any;
    memset(&any, 0, sizeof any);
    any.sin6_family = AF_INET6;
    any.sin6_addr = in6addr_loopback;
    if (probe_fd < 0 || bind(probe_fd, (struct sockaddr *)&any, sizeof any) != 0) {
        if (probe_fd >= 0)
            close(probe_fd);
        return; /* no IPv6 loopback here */
    }
    close(probe_fd);
    require_others("4.2");
    quietly(ipv6_client_comes);
    EXPECT_INT(handed_count, 1, "IPv6 clients handed to a handler, of 1 waiting on [::1]");
    EXPECT(accepted_count >= 1 && accepted_family[0] == AF_INET6
           && accepted_length[0] == (socklen_t)sizeof (struct sockaddr_in6)
           && accepted_port[0] == local_port6(ipv6_client),
           "for an IPv6 client, accept() wrote the address family %d, length %d and port %d, not the\n"
           "client's (AF_INET6, %d bytes, port %d): give accept() the whole of s->peer before each\n"
           "call (s->peer_length = sizeof s->peer)",
           accepted_family[0], (int)accepted_length[0], accepted_port[0], (int)sizeof (struct sockaddr_in6),
           local_port6(ipv6_client));
    close(ipv6_client);
    quietly(scheduler_drop_all); /* its cleanups may print: not into the report */
}
END_TEST

/* More clients than a batch wait: the first wake-up of the listener
 * accepts ACCEPT_BATCH of them, no more (the other tasks get their turn
 * between batches), and the next ones take the rest. */
int grader_accept_batch(void);
enum { CROWD_WAITING = 80 };
static int crowd_clients[CROWD_WAITING];
static int first_batch = -1;

static bool crowd_all_handed(void)
{
    if (first_batch < 0 && handed_count > 0)
        first_batch = handed_count;
    return handed_count >= CROWD_WAITING;
}

static void crowd_waits(void)
{
    start_driver();
    spawn(loopback_server());
    int port = listening_port();
    for (int i = 0; i < CROWD_WAITING; i++)
        crowd_clients[i] = connect_to(port);
    run_until(crowd_all_handed, 5000);
}

START_TEST(a_batch_is_bounded)
{
    require_others("4.2");
    raise_fd_limit(4 * CROWD_WAITING + 64);
    quietly(crowd_waits);
    int batch = grader_accept_batch();
    EXPECT_INT(handed_count, CROWD_WAITING, "clients handed to a handler, of 80 waiting");
    EXPECT(first_batch == batch,
           "80 clients were waiting; the first wake-up of the listener handed %d of them over:\n"
           "accept up to ACCEPT_BATCH (%d) clients per wake-up, then wait again, so that the\n"
           "other tasks get their turn between batches", first_batch, batch);
    for (int i = 0; i < CROWD_WAITING; i++)
        close(crowd_clients[i]);
    quietly(scheduler_drop_all); /* its cleanups may print: not into the report */
}
END_TEST

static void client_after_accept_errors(void)
{
    start_driver();
    spawn(loopback_server());
    lone_client = connect_to(listening_port());
    accept_failures[1] = ECONNABORTED;
    accept_failures[0] = EPROTO;
    accept_failures_left = 2;
    run_until(one_handed, 3000);
}

START_TEST(accept_errors_do_not_stop_the_server)
{
    require_others("4.2");
    quietly(client_after_accept_errors);
    EXPECT(handed_count == 1,
           "accept() failed with ECONNABORTED, then with EPROTO (a client gone before it was\n"
           "accepted), then would have worked; but the waiting client was %s\n"
           "those errors concern one client only: wait for the listener again and go on",
           handed_count == 0 ? "never handed to a handler" : "handed more than once");
    quietly(scheduler_drop_all); /* its cleanups may print: not into the report */
}
END_TEST

static const struct graded_test tests[] = {
    GRADED("4.1", listener_listens_on_the_address, "open_listener() returns a TCP socket bound to the address, listening"),
    GRADED("4.1", listener_is_nonblocking, "open_listener()'s socket is non-blocking: accept() with nobody waiting returns at once"),
    GRADED("4.1", listener_is_close_on_exec, "open_listener()'s socket is close-on-exec"),
    GRADED("4.1", listener_reuses_address, "open_listener()'s socket has SO_REUSEADDR"),
    GRADED("4.1", restarts_on_the_same_port, "the server restarts at once on the port it just used"),
    GRADED("4.1", port_in_use_is_reported, "a port in use ends the server with the address, the reason and a hint"),
    GRADED("4.1", backlog_holds_a_burst, "50 clients can connect to open_listener()'s socket before any accept (backlog SOMAXCONN)"),
    GRADED("4.1", listener_on_ipv6, "open_listener() listens on ::1 too (skipped without IPv6)"),
    GRADED("4.1", bad_arguments_are_refused, "-p abc, -p 70000 and an unknown option are refused with a message"),
    GRADED("4.1", help_prints_usage, "--help prints the usage and exits with status 0"),
    GRADED("4.2", client_gets_greeting_then_end, "a client receives exactly the greeting, then end of stream"),
    GRADED("4.2", fifty_clients_at_once, "50 clients connected at once are all greeted"),
    GRADED("4.2", keeps_accepting, "the server accepts again and again: 4 rounds of 5 clients"),
    GRADED("4.2", client_gone_before_accept, "a client that leaves before it is accepted does not stop the server"),
    GRADED("4.2", low_fd_limit_end_to_end, "with 32 fds, 60 clients are greeted or turned away, and the server goes on"),
    GRADED("4.2", out_of_fds_turns_clients_away, "out of fds, waiting clients are turned away, and the next one is accepted later"),
    GRADED("4.2", accepts_a_batch_per_wakeup, "5 waiting clients are accepted in one wake-up of the listener"),
    GRADED("4.2", accept_gets_room_for_each_address, "accept() is given the whole of s->peer for each client, whose address the handler gets"),
    GRADED("4.2", ipv6_client_is_accepted, "an IPv6 client on ::1 is accepted and handed its own address (skipped without IPv6)"),
    GRADED("4.2", a_batch_is_bounded, "with 80 clients waiting, one wake-up accepts ACCEPT_BATCH (64) of them, the next the rest"),
    GRADED("4.2", every_accept_error_is_handled, "each error accept() can return, once and twice, is retried, waited out or refused as it should"),
    GRADED("4.2", accept_errors_do_not_stop_the_server, "accept() failing with ECONNABORTED or EPROTO does not stop the server"),
    GRADED("4.3", log_names_the_client, "the server prints \"Connection from 127.0.0.1:<client port>\", then the end lines"),
    GRADED("4.3", connections_are_counted, "each client handed to a handler is counted"),
    GRADED("4.3", handler_gets_nonblocking_socket_and_address, "the handler gets a non-blocking, close-on-exec socket and the client's address"),
    GRADED("4.3", fd_at_fd_setsize_is_refused, "a client on fd FD_SETSIZE - 1 is served; one on fd FD_SETSIZE is refused"),
};

static const struct stage_info stage = {
    .number = 4,
    .title = "the TCP server",
    .timeout = 5,
    .crash_cause = "a bad pointer handed to accept() or to the handler (s->peer and "
                   "s->peer_length), or FD_SET on an fd >= FD_SETSIZE (start_handler() must "
                   "refuse such a client).",
    .hang_cause = "a blocking call in a task: a listener that is not non-blocking, so accept() "
                  "waits for a client; or an accept loop that never yields (YIELD_RECV at the "
                  "top of the outer loop, break out of the inner one on EAGAIN).",
};

/* From common/fail.h, which cannot be included here: Check has a
 * macro named fail. */
extern const char *program_name;

int main(int argc, char **argv)
{
    /* fail() names the program: here, the stage's code run by a test. */
    program_name = "04-tcp-server (in a test)";
    return grade_stage(argc, argv, &stage, tests, GRADED_COUNT(tests));
}
