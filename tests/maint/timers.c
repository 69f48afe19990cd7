/*
 * timers.c - checks time in the "going further" scheduler (further/):
 * sleeping tasks (YIELD_SLEEP) and the server's --idle-timeout, with
 * whichever backend this build links (BACKEND=select, poll or epoll).
 *
 * Built by tests/stage.mk's `timer-suite` target against stage 5 built
 * with that backend.  The sleepers are tasks written here; the idle
 * timeout is tested on the real server, over real sockets.
 */
#include "grade.h"
#include "support.h"

#include "scheduler.h"
#include "trace.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- sleeping tasks ---- */

#define MANY_SLEEPERS 3000

static long long woke_at[MANY_SLEEPERS];
static int wake_order[MANY_SLEEPERS];
static int woken;
static long long started;

struct sleeper {
    struct task task;
    int index;
    long ms;
    int ends_fd;   /* >= 0: write a byte there after the sleep */
};

static enum task_status sleeper_step(struct task *self)
{
    struct sleeper *s = (struct sleeper *)self;
    TASK_BEGIN(self);
    YIELD_SLEEP(self, s->ms);
    woke_at[s->index] = now_ms() - started;
    wake_order[woken++] = s->index;
    if (s->ends_fd >= 0 && write(s->ends_fd, "x", 1) != 1)
        woke_at[s->index] = -1;
    TASK_END(self);
}

static struct task *new_sleeper(int index, long ms, int fd)
{
    struct sleeper *s = (struct sleeper *)task_new(sizeof *s, "sleeper", sleeper_step);
    s->index = index;
    s->ms = ms;
    s->ends_fd = fd;
    return &s->task;
}

static void run_quietly(void *arg)
{
    (void)arg;
    run();
}

static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1000 + (double)t.tv_nsec / 1e6;
}

/* Three sleepers spawned as 60, 20, 40 ms, and two of 20 ms: they wake
 * by deadline, equal deadlines in the order they went to sleep, and
 * not before their time. */
START_TEST(sleepers_wake_in_deadline_order)
{
    static const long ms[] = { 60, 20, 40, 20 };
    woken = 0;
    started = now_ms();
    for (int i = 0; i < 4; i++)
        spawn(new_sleeper(i, ms[i], -1));
    char *output = capture_stdout(run_quietly, NULL);
    EXPECT_INT(woken, 4, "sleepers that woke");
    char order[8];
    for (int i = 0; i < 4; i++)
        order[i] = (char)('0' + wake_order[i]);
    order[4] = '\0';
    EXPECT_STR(order, "1320", "the order the sleepers (0: 60 ms, 1: 20, 2: 40, 3: 20) woke in");
    for (int i = 0; i < 4; i++)
        EXPECT(woke_at[i] >= ms[i], "sleeper %d asked for %ld ms and woke after %lld ms",
               i, ms[i], woke_at[i]);
    EXPECT(woke_at[0] < 60 + 500, "the 60 ms sleeper woke only after %lld ms", woke_at[0]);
    free(output);
}
END_TEST

/* 3000 sleepers with deadlines in a scrambled order: every one wakes,
 * by deadline, and those of equal delay in the order they went to
 * sleep, within a bounded time.  The delays are 20 ms apart, so that
 * the clock moving on while the 3000 first steps run (well under 1 ms)
 * cannot reorder two groups. */
static long scrambled_ms(int i)
{
    return (long)((i * 7919) % 15) * 20;
}

START_TEST(many_sleepers_wake_in_order)
{
    woken = 0;
    started = now_ms();
    for (int i = 0; i < MANY_SLEEPERS; i++)
        spawn(new_sleeper(i, scrambled_ms(i), -1));
    char *output = capture_stdout(run_quietly, NULL);
    EXPECT_INT(woken, MANY_SLEEPERS, "sleepers that woke");
    for (int k = 1; k < MANY_SLEEPERS; k++) {
        int a = wake_order[k - 1], b = wake_order[k];
        EXPECT(scrambled_ms(a) < scrambled_ms(b) || (scrambled_ms(a) == scrambled_ms(b) && a < b),
               "sleeper %d (%ld ms) woke before sleeper %d (%ld ms): expected the order of "
               "the delays, and equal delays in the order of spawning",
               a, scrambled_ms(a), b, scrambled_ms(b));
    }
    for (int i = 0; i < MANY_SLEEPERS; i++)
        EXPECT(woke_at[i] >= scrambled_ms(i), "sleeper %d asked for %ld ms and woke after %lld",
               i, scrambled_ms(i), woke_at[i]);
    EXPECT(woke_at[wake_order[MANY_SLEEPERS - 1]] < 280 + 1000,
           "the last sleeper (280 ms) woke after %lld ms", woke_at[wake_order[MANY_SLEEPERS - 1]]);
    free(output);
}
END_TEST

/* A reader waits on a pipe; a sleeper writes to it after 150 ms.  The
 * reader wakes then, and the process spends (almost) no CPU meanwhile:
 * the deadline is the backend's timeout, not a polling interval. */
struct reader {
    struct task task;
    int fd;
    char got;
};

static char reader_got;
static long long reader_at;

static enum task_status reader_step(struct task *self)
{
    struct reader *r = (struct reader *)self;
    TASK_BEGIN(self);
    YIELD_RECV(self, r->fd);
    if (read(r->fd, &r->got, 1) != 1)
        r->got = '?';
    reader_got = r->got;
    reader_at = now_ms() - started;
    TASK_END(self);
}

START_TEST(sleepers_beside_io_waits)
{
    int ends[2];
    EXPECT(pipe(ends) == 0, "cannot create a pipe: %s", strerror(errno));
    struct reader *r = (struct reader *)task_new(sizeof *r, "reader", reader_step);
    r->fd = ends[0];
    woken = 0;
    reader_got = 0;
    started = now_ms();
    spawn(&r->task);
    spawn(new_sleeper(0, 150, ends[1]));
    spawn(new_sleeper(1, 50, -1));
    double cpu = cpu_ms();
    trace_enabled = true; /* one trace line per wait in the backend: they are counted */
    char *output = capture_stdout(run_quietly, NULL);
    trace_enabled = false;
    cpu = cpu_ms() - cpu;
    int waits = 0, done = 0;
    for (const char *p = output; (p = strstr(p, "nothing else to run")) != NULL; p++)
        waits++;
    for (const char *p = output; (p = strstr(p, "Task done\n")) != NULL; p++)
        done++;
    EXPECT_INT(done, 3, "\"Task done\" lines for the reader and the two sleepers");
    EXPECT(waits <= 4, "run() waited %d times in the backend for two deadlines and a pipe: it "
           "polls instead of giving the backend the nearest deadline as its timeout", waits);
    EXPECT(reader_got == 'x', "the reader did not get the sleeper's byte");
    EXPECT(woke_at[1] >= 50 && woke_at[0] >= 150 && reader_at >= 150,
           "woke too early: the 50 ms sleeper at %lld ms, the 150 ms one at %lld, the reader "
           "at %lld", woke_at[1], woke_at[0], reader_at);
    EXPECT(reader_at < 150 + 500, "the reader woke only after %lld ms", reader_at);
    EXPECT(cpu < 50, "run() used %.1f ms of CPU for 150 ms of waiting: it polls instead of "
           "giving the backend the nearest deadline", cpu);
    free(output);
}
END_TEST

/* ---- --idle-timeout on the server ---- */

static bool echo_once(int fd, const char *message)
{
    char expected[64], reply[64];
    snprintf(expected, sizeof expected, "GOT:%s", message);
    size_t length = strlen(expected);
    return send_all(fd, message, strlen(message))
        && read_exactly(fd, reply, length, 2000) == length && memcmp(reply, expected, length) == 0;
}

/* An idle client is closed after about 1 s, with a log line, while an
 * active one keeps its echo; the idle client's task ends as usual. */
START_TEST(idle_client_is_closed)
{
    static const char *const args[] = { "--idle-timeout", "1", NULL };
    struct server s;
    server_start(&s, args, 0);
    int active = connect_to(s.port);
    int idle = connect_to(s.port);
    long long connected = now_ms();
    EXPECT(echo_once(active, "one"), "the active client got no echo");
    bool active_ok = true;
    bool ended = false;
    while (!ended && now_ms() - connected < 4000) {
        struct pollfd p = { .fd = idle, .events = POLLIN };
        if (poll(&p, 1, 300) > 0)
            ended = wait_for_eof(idle, 100);
        active_ok = active_ok && echo_once(active, "ping");
    }
    long long after = now_ms() - connected;
    bool logged = server_wait_for(&s, "Idle timeout: the client on fd ", 1, 2000);
    bool done = server_wait_for(&s, "Task done\n", 1, 2000);
    EXPECT(echo_once(active, "still"), "the active client lost its echo after the idle one "
           "was closed");
    /* The listener and the signal pipe wait to receive for ever, with no
     * deadline: a newcomer is still accepted, and SIGTERM still heard. */
    int newcomer = connect_to(s.port);
    bool served = echo_once(newcomer, "newcomer");
    close(newcomer);
    close(active);
    close(idle);
    int status = server_stop(&s);
    EXPECT(served, "after more than the idle timeout, a newcomer got no echo: was the "
           "listener timed out? The server printed:\n%s", s.log);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0
           && strstr(s.log, "Stopped by signal") != NULL,
           "on SIGTERM after the idle timeout the server should stop cleanly (was the signal "
           "pipe timed out?); status 0x%x, output:\n%s", (unsigned)status, s.log);
    EXPECT(ended, "with --idle-timeout 1, an idle client was still connected after 4 s; the "
           "server printed:\n%s", s.log);
    EXPECT(after >= 900, "the idle client was closed after %lld ms, before its 1 s", after);
    EXPECT(active_ok, "the active client (a message every 300 ms) lost its echo");
    EXPECT(logged, "no \"Idle timeout: the client on fd N ...\" line; the server printed:\n%s",
           s.log);
    EXPECT(done && server_count(&s, "Connection closed") >= 1,
           "the idle client's task did not end as usual (Connection closed, Task done):\n%s",
           s.log);
}
END_TEST

/* A bad value is refused with a message. */
START_TEST(idle_timeout_needs_a_number)
{
    static const char *const args[] = { STAGE_BINARY, "--idle-timeout", "soon", NULL };
    char output[4096];
    int status = run_program(args, output, sizeof output, 5000);
    EXPECT(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 2,
           "--idle-timeout soon: expected exit status 2, got 0x%x", (unsigned)status);
    EXPECT(strstr(output, "bad idle timeout 'soon'") != NULL,
           "--idle-timeout soon: the message does not name the bad value:\n%s", output);
}
END_TEST

/* The scenario, on select: 1,100 idle clients (about 1,020 fit
 * under FD_SETSIZE, the rest are turned away at once) are closed after
 * about 2 s while an active client keeps its echo; then a newcomer, who
 * would have been turned away while they stayed, is served. */
#define IDLE_CLIENTS 1100

START_TEST(idle_timeout_frees_a_full_select_server)
{
    long limit = raise_fd_limit(IDLE_CLIENTS + 200);
    EXPECT(limit >= IDLE_CLIENTS + 100, "this test needs an fd limit of %d (ulimit -Hn)",
           IDLE_CLIENTS + 100);
    static const char *const args[] = { "--idle-timeout", "2", NULL };
    struct server s;
    server_start(&s, args, IDLE_CLIENTS + 200);
    server_discard_output(&s);
    int active = connect_to(s.port);
    EXPECT(echo_once(active, "first"), "the active client got no echo");
    static int idle[IDLE_CLIENTS];
    static struct pollfd fds[IDLE_CLIENTS];
    for (int i = 0; i < IDLE_CLIENTS; i++)
        idle[i] = connect_to(s.port);
    long long connected = now_ms();
    int open_count = IDLE_CLIENTS, early = 0, active_misses = 0;
    long long last_close = 0;
    while (open_count > 0 && now_ms() - connected < 6000) {
        int n = 0;
        for (int i = 0; i < IDLE_CLIENTS; i++)
            if (idle[i] >= 0) {
                fds[n].fd = idle[i];
                fds[n].events = POLLIN;
                n++;
            }
        if (poll(fds, (nfds_t)n, 250) > 0) {
            for (int k = 0; k < n; k++) {
                if (fds[k].revents == 0)
                    continue;
                char byte;
                if (recv(fds[k].fd, &byte, 1, 0) > 0)
                    continue; /* not an end of stream: the check below counts it open */
                for (int i = 0; i < IDLE_CLIENTS; i++)
                    if (idle[i] == fds[k].fd) {
                        close(idle[i]);
                        idle[i] = -1;
                    }
                open_count--;
                last_close = now_ms() - connected;
                if (last_close < 1500)
                    early++;
            }
        }
        if (!echo_once(active, "ping"))
            active_misses++;
    }
    int newcomer = connect_to(s.port);
    bool served = echo_once(newcomer, "newcomer");
    bool active_ok = echo_once(active, "last");
    close(newcomer);
    close(active);
    for (int i = 0; i < IDLE_CLIENTS; i++)
        if (idle[i] >= 0)
            close(idle[i]);
    server_stop(&s);
    EXPECT(open_count == 0, "%d of %d idle clients were still connected after 6 s "
           "(--idle-timeout 2)", open_count, IDLE_CLIENTS);
    EXPECT(early <= IDLE_CLIENTS - 1000, "%d idle clients were closed within 1.5 s: more than "
           "select() turns away, so the timeout came early", early);
    EXPECT(last_close >= 1900, "the last idle client was closed after %lld ms, before 2 s",
           last_close);
    EXPECT(active_misses == 0 && active_ok, "the active client lost its echo %d time(s)",
           active_misses);
    EXPECT(served, "after the idle clients were closed, a newcomer got no echo");
}
END_TEST

/* Issue 17: a client that sends and never reads leaves its task waiting
 * to send, and must be closed once it has taken nothing for the idle
 * timeout; a client that reads its replies slowly but steadily, its task
 * waiting to send just as long in all, is kept.  Both send first (as
 * much as goes without blocking) and never again: the server's task of
 * each ends up waiting to send, where only the client's reading can
 * move it on. */
static size_t send_until_full(int fd)
{
    static char block[65536];
    memset(block, 'n', sizeof block);
    size_t total = 0;
    for (;;) {
        ssize_t n = send(fd, block, sizeof block, MSG_DONTWAIT);
        if (n <= 0)
            return total;
        total += (size_t)n;
        if (total > (64u << 20))
            return total;
    }
}

/* A client whose receive buffer is small (SO_RCVBUF, set before the
 * connection so that the window is small from the start): a few
 * replies fill it, and the server's task then waits to send to it. */
static int connect_small(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_msg(fd >= 0, "cannot create a socket: %s", strerror(errno));
    int size = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    struct sockaddr_in address = loopback_address(port);
    ck_assert_msg(connect(fd, (struct sockaddr *)&address, sizeof address) == 0,
                  "cannot connect to port %d: %s", port, strerror(errno));
    return fd;
}

/* True once the connection FD was reset or ended by the server. */
static bool connection_gone(int fd, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = 0 };
    return poll(&p, 1, timeout_ms) > 0 && (p.revents & (POLLHUP | POLLERR)) != 0;
}

START_TEST(never_reader_closed_slow_reader_kept)
{
    static const char *const args[] = { "--idle-timeout", "2", NULL };
    struct server s;
    server_start(&s, args, 0);
    int slow = connect_small(s.port);
    int never = connect_small(s.port);
    /* Both fill the server: their tasks wait to send for good. */
    size_t slow_sent = send_until_full(slow);
    size_t never_sent = send_until_full(never);
    long long full = now_ms();
    /* The slow reader takes 16 KiB every 100 ms; the never-reader takes
     * nothing.  6 s in all: three timeouts. */
    size_t slow_read = 0;
    long long never_gone = -1, last_read = 0;
    char buffer[16384];
    while (now_ms() - full < 6000) {
        struct pollfd none;
        poll(&none, 0, 100);
        ssize_t n = recv(slow, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) {
            slow_read += (size_t)n;
            last_read = now_ms() - full;
        }
        if (never_gone < 0 && connection_gone(never, 0))
            never_gone = now_ms() - full;
    }
    bool slow_alive = !connection_gone(slow, 0);
    server_wait_for(&s, "took nothing of its replies", 1, 1000);
    int timeouts = server_count(&s, "Idle timeout: ");
    close(never);
    close(slow);
    int status = server_stop(&s);
    printf("note: the never-reader (%zu bytes sent) was closed after %lld ms; the slow reader "
           "(%zu bytes sent) read %zu bytes, the last at %lld ms\n",
           never_sent, never_gone, slow_sent, slow_read, last_read);
    EXPECT(never_gone >= 0, "with --idle-timeout 2, a client that never reads its replies "
           "was still connected after 6 s; the server printed:\n%s", s.log);
    EXPECT(never_gone < 0 || never_gone >= 1000, "the never-reader was closed after %lld ms, "
           "well before its 2 s", never_gone);
    EXPECT(slow_alive && last_read >= 5000, "a client reading 16 KiB every 100 ms was closed "
           "or starved (last read at %lld ms of 6000); the server printed:\n%s", last_read, s.log);
    EXPECT(timeouts == 1 && strstr(s.log, "took nothing of its replies") != NULL,
           "expected exactly one \"Idle timeout: ... took nothing of its replies\" line (the "
           "never-reader's); the server printed %d idle lines:\n%s", timeouts, s.log);
    EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the server did not stop cleanly "
           "(status 0x%x)", (unsigned)status);
}
END_TEST

static const struct graded_test tests[] = {
    GRADED("time", sleepers_wake_in_deadline_order, "sleepers wake by deadline, equal ones in order"),
    GRADED("time", many_sleepers_wake_in_order, "3000 sleepers all wake, in the order of their deadlines"),
    GRADED("time", sleepers_beside_io_waits, "a sleeper wakes a reader on a pipe; the wait costs no CPU"),
    GRADED("time", idle_timeout_needs_a_number, "--idle-timeout soon is refused, naming the value"),
    GRADED("time", idle_client_is_closed, "--idle-timeout 1 closes an idle client, logs it, keeps the active one, the listener and the signal pipe"),
    GRADED_SLOW("time", never_reader_closed_slow_reader_kept, "--idle-timeout 2 closes a client that never reads its replies, keeps one that reads slowly", 20),
};

static const struct graded_test select_tests[] = {
    GRADED("time", sleepers_wake_in_deadline_order, "sleepers wake by deadline, equal ones in order"),
    GRADED("time", many_sleepers_wake_in_order, "3000 sleepers all wake, in the order of their deadlines"),
    GRADED("time", sleepers_beside_io_waits, "a sleeper wakes a reader on a pipe; the wait costs no CPU"),
    GRADED("time", idle_timeout_needs_a_number, "--idle-timeout soon is refused, naming the value"),
    GRADED("time", idle_client_is_closed, "--idle-timeout 1 closes an idle client, logs it, keeps the active one, the listener and the signal pipe"),
    GRADED_SLOW("time", never_reader_closed_slow_reader_kept, "--idle-timeout 2 closes a client that never reads its replies, keeps one that reads slowly", 20),
    GRADED_SLOW("time", idle_timeout_frees_a_full_select_server, "--idle-timeout 2: 1100 idle clients closed, the active one kept, a newcomer served", 20),
};

int main(int argc, char **argv)
{
    static char title[64];
    snprintf(title, sizeof title, "going further: time, on the %s backend", io_backend_name);
    const struct stage_info stage = {
        5, title, 10,
        "the scheduler's heap of deadlines (further/scheduler.c) touched memory it does not own",
        "a sleeping task was never woken: the backend's timeout is not the nearest deadline",
    };
    if (strcmp(io_backend_name, "select") == 0)
        return grade_stage(argc, argv, &stage, select_tests, GRADED_COUNT(select_tests));
    return grade_stage(argc, argv, &stage, tests, GRADED_COUNT(tests));
}
