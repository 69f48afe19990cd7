/*
 * backends.c - checks the "going further" scheduler (further/)
 * with whichever backend this build links: BACKEND=select, poll or epoll.
 *
 * Built by tests/stage.mk's `backend-suite` target against stage 5 built
 * with that backend, so it tests both the scheduler on its own (tasks
 * written here, on pipes) and the real server (on sockets).  The tests
 * that need more fds than select() can watch run only with poll and
 * epoll; with select, a test checks the refusal instead.
 */
#include "grade.h"
#include "support.h"

#include "scheduler.h"
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MANY_CLIENTS 5000
#define CLIENT_BATCH 500   /* connections in flight at once: fits any listen backlog */
#define HIGH_FD 3000       /* well past FD_SETSIZE (1024 on Linux and macOS) */

/* A task that reads one byte each time its fd is readable, COUNT times. */
struct reader {
    struct task task;
    int fd;
    int count;
    int i;
    char got[16];
};

static enum task_status reader_step(struct task *self)
{
    struct reader *r = (struct reader *)self;
    TASK_BEGIN(self);
    for (r->i = 0; r->i < r->count; r->i++) {
        YIELD_RECV(self, r->fd);
        if (read(r->fd, &r->got[r->i], 1) != 1)
            break;
    }
    TASK_END(self);
}

/* The readers here are freed by the scheduler; what they read is copied
 * out by this cleanup, which runs just before the free. */
static char reader_result[16];

static void reader_cleanup(struct task *self)
{
    memcpy(reader_result, ((struct reader *)self)->got, sizeof reader_result);
}

static struct task *new_reader(int fd, int count)
{
    struct reader *r = (struct reader *)task_new(sizeof *r, "reader", reader_step);
    r->task.cleanup = reader_cleanup;
    r->fd = fd;
    r->count = count;
    return &r->task;
}

static void run_scheduler(void *arg)
{
    (void)arg;
    run();
}

/* A pipe whose read end is fd AT (or the lowest free fd when AT < 0). */
static void make_pipe(int ends[2], int at)
{
    EXPECT(pipe(ends) == 0, "cannot create a pipe: %s", strerror(errno));
    if (at >= 0) {
        EXPECT(dup2(ends[0], at) == at, "cannot move a pipe to fd %d: %s", at, strerror(errno));
        close(ends[0]);
        ends[0] = at;
    }
}

START_TEST(wakes_a_task_on_an_fd_past_fd_setsize)
{
    long limit = raise_fd_limit(HIGH_FD + 100);
    EXPECT(limit > HIGH_FD, "this test needs an fd limit above %d, and the hard limit allows "
           "only %ld: raise it (ulimit -Hn) to run it", HIGH_FD, limit);
    int ends[2];
    make_pipe(ends, HIGH_FD);
    spawn(new_reader(HIGH_FD, 1));
    EXPECT(write(ends[1], "x", 1) == 1, "cannot write to the pipe");
    char *output = capture_stdout(run_scheduler, NULL);
    EXPECT_STR(output, "Task done\n", "what run() printed for a task waiting on fd 3000");
    EXPECT(reader_result[0] == 'x', "the task on fd %d did not read the byte written "
           "to it (got 0x%02x): the %s backend must watch fds past FD_SETSIZE",
           HIGH_FD, (unsigned char)reader_result[0], io_backend_name);
    free(output);
}
END_TEST

START_TEST(select_refuses_an_fd_past_fd_setsize)
{
    long limit = raise_fd_limit(HIGH_FD + 100);
    EXPECT(limit > HIGH_FD, "this test needs an fd limit above %d (ulimit -Hn)", HIGH_FD);
    int ends[2];
    make_pipe(ends, HIGH_FD);
    spawn(new_reader(HIGH_FD, 1));
    char *output = capture_stdout(run_scheduler, NULL);
    EXPECT_STR(output, "Task done\n", "run() ends a task select() cannot watch");
    free(output);
}
END_TEST

/* Level-triggered: a task that takes one byte of three is woken again
 * for the two left, with no new write. */
START_TEST(wakes_again_while_bytes_are_left)
{
    int ends[2];
    make_pipe(ends, -1);
    EXPECT(write(ends[1], "abc", 3) == 3, "cannot write to the pipe");
    spawn(new_reader(ends[0], 3));
    char *output = capture_stdout(run_scheduler, NULL);
    EXPECT_STR(output, "Task done\n", "what run() printed");
    EXPECT_STR(reader_result, "abc", "the bytes read one wake at a time");
    free(output);
}
END_TEST

/* A task woken for fd N closes it and opens another pipe that gets the
 * same number N, then waits on it.  epoll forgot N at the close; the
 * scheduler must register it again, or the task sleeps forever. */
struct reopener {
    struct task task;
    int ends[2];
    char got[3];
};

static enum task_status reopener_step(struct task *self)
{
    struct reopener *r = (struct reopener *)self;
    TASK_BEGIN(self);
    YIELD_RECV(self, r->ends[0]);
    if (read(r->ends[0], &r->got[0], 1) != 1)
        r->got[0] = '?';
    int old = r->ends[0];
    close(r->ends[0]);
    close(r->ends[1]);
    if (pipe(r->ends) != 0 || r->ends[0] != old || write(r->ends[1], "2", 1) != 1)
        r->got[1] = '!'; /* the number was not reused: the test says so */
    YIELD_RECV(self, r->ends[0]);
    if (r->got[1] != '!' && read(r->ends[0], &r->got[1], 1) != 1)
        r->got[1] = '?';
    close(r->ends[0]);
    close(r->ends[1]);
    TASK_END(self);
}

static void reopener_cleanup(struct task *self)
{
    memcpy(reader_result, ((struct reopener *)self)->got, 3);
}

START_TEST(watches_a_reused_fd_number_again)
{
    struct reopener *r = (struct reopener *)task_new(sizeof *r, "reopener", reopener_step);
    r->task.cleanup = reopener_cleanup;
    make_pipe(r->ends, -1);
    EXPECT(write(r->ends[1], "1", 1) == 1, "cannot write to the pipe");
    spawn(&r->task);
    memset(reader_result, 0, sizeof reader_result);
    char *output = capture_stdout(run_scheduler, NULL);
    EXPECT_STR(output, "Task done\n", "what run() printed");
    EXPECT(reader_result[1] != '!', "pipe() did not reuse the closed fd's number, so this "
           "test could not check what it is for");
    EXPECT_STR(reader_result, "12", "the bytes read before and after reopening the fd");
    free(output);
}
END_TEST

/* A writer that sends COUNT bytes of 64 KiB into a pipe, yielding SEND
 * before each write, as the echo handler does.  The pipe holds 64 KiB:
 * the first write goes through, the next ones find it full. */
struct writer {
    struct task task;
    int fd;
    int count;
    int i;
    size_t done;
    int failures;
};

static size_t writer_done;

static enum task_status writer_step(struct task *self)
{
    static char chunk[65536];
    struct writer *w = (struct writer *)self;
    TASK_BEGIN(self);
    for (w->i = 0; w->i < w->count;) {
        YIELD_SEND(self, w->fd);
        ssize_t n = write(w->fd, chunk, sizeof chunk);
        if (n > 0) {
            w->done += (size_t)n;
            if (w->done >= (size_t)(w->i + 1) * sizeof chunk)
                w->i++;
        } else if (errno != EAGAIN) {
            w->failures++;
            break;
        }
    }
    writer_done = w->done;
    TASK_END(self);
}

/* Reads the pipe to its end, one wake at a time. */
struct drainer {
    struct task task;
    int fd;
};

static size_t drained;

static enum task_status drainer_step(struct task *self)
{
    static char buffer[65536];
    struct drainer *d = (struct drainer *)self;
    TASK_BEGIN(self);
    for (;;) {
        YIELD_RECV(self, d->fd);
        ssize_t n = read(d->fd, buffer, sizeof buffer);
        if (n == 0)
            break;
        if (n > 0)
            drained += (size_t)n;
    }
    TASK_END(self);
}

static int count_text(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p++)
        n++;
    return n;
}

static struct task *new_writer(int fd, int count)
{
    struct writer *w = (struct writer *)task_new(sizeof *w, "writer", writer_step);
    w->fd = fd;
    w->count = count;
    return &w->task;
}

static void close_on_done(struct task *self)
{
    close(((struct writer *)self)->fd);
}

/* A send into a socket or pipe with room costs no wait: the first
 * YIELD_SEND of a task on an fd is not asked about (the original's
 * `yield 'send'` would cost a select() here). */
START_TEST(a_send_with_room_costs_no_wait)
{
    int ends[2];
    make_pipe(ends, -1);
    fcntl(ends[1], F_SETFL, O_NONBLOCK);
    spawn(new_writer(ends[1], 1));
    trace_enabled = true; /* one trace line per wait in the backend: they are counted */
    char *output = capture_stdout(run_scheduler, NULL);
    trace_enabled = false;
    EXPECT(writer_done == 65536, "the writer wrote %zu bytes of 65536", writer_done);
    EXPECT_INT(count_text(output, "nothing else to run"), 0,
               "waits in the backend for one write into an empty pipe");
    free(output);
}
END_TEST

/* When the send did not go through, the next YIELD_SEND really waits:
 * a writer of 4 x 64 KiB into a 64 KiB pipe finishes only as a reader
 * drains it, every byte arrives, and the writer is not resumed in a
 * loop while the pipe is full (its waits are counted). */
START_TEST(a_full_pipe_makes_the_sender_wait)
{
    int ends[2];
    make_pipe(ends, -1);
    fcntl(ends[1], F_SETFL, O_NONBLOCK);
    struct task *w = new_writer(ends[1], 4);
    w->cleanup = close_on_done;
    struct drainer *d = (struct drainer *)task_new(sizeof *d, "drainer", drainer_step);
    d->fd = ends[0];
    drained = 0;
    spawn(w);
    spawn(&d->task);
    trace_enabled = true;
    char *output = capture_stdout(run_scheduler, NULL);
    trace_enabled = false;
    close(ends[0]);
    EXPECT(writer_done == 4 * 65536 && drained == 4 * 65536,
           "the writer wrote %zu bytes and the reader read %zu, of %d", writer_done, drained,
           4 * 65536);
    int resumes = count_text(output, "resume task 1 (writer)");
    EXPECT(resumes < 200, "the writer was resumed %d times for 4 writes: a full pipe must make "
           "it wait, not spin", resumes);
    EXPECT(count_text(output, "for send: task 1 (writer) is ready") >= 1,
           "the writer never waited for the pipe to be writable; run() printed:\n%.2000s", output);
    free(output);
}
END_TEST

START_TEST(server_echoes_the_transcript)
{
    struct server s;
    server_start(&s, NULL, 0);
    int client = connect_to(s.port);
    EXPECT(send_all(client, "Hello", 5), "cannot send Hello: %s", strerror(errno));
    char reply[16] = { 0 };
    size_t got = read_exactly(client, reply, 9, 2000);
    close(client);
    bool done = server_wait_for(&s, "Task done\n", 1, 2000);
    int status = server_stop(&s);
    EXPECT(got == 9 && memcmp(reply, "GOT:Hello", 9) == 0,
           "sent \"Hello\": expected the reply \"GOT:Hello\", got \"%.*s\" (%zu bytes)",
           (int)got, reply, got);
    EXPECT(done, "after the client closed, the server did not print \"Task done\"; "
           "it printed:\n%s", s.log);
    const char *from = strstr(s.log, "Connection from 127.0.0.1:");
    const char *closed = strstr(s.log, "\nConnection closed\nTask done\n");
    EXPECT(from != NULL && closed != NULL && from < closed,
           "expected \"Connection from 127.0.0.1:PORT\", then \"Connection closed\" and "
           "\"Task done\"; the server printed:\n%s", s.log);
    EXPECT(strstr(s.log, "after 1 connection(s)") != NULL && WIFEXITED(status)
           && WEXITSTATUS(status) == 0,
           "on SIGTERM the server should exit with status 0, counting 1 connection; "
           "status 0x%x, output:\n%s", (unsigned)status, s.log);
}
END_TEST

/* Counts the server's output lines that start with each of WATCH[],
 * and keeps the first line that starts with none of ALLOWED[]. */
struct output_counter {
    char line[256];
    size_t length;
    int counts[3];
    char stray[256];
};

static const char *const watch[3] = { "Connection from ", "Connection closed", "Task done" };

static void count_output(struct output_counter *c, const char *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (bytes[i] != '\n') {
            if (c->length < sizeof c->line - 1)
                c->line[c->length++] = bytes[i];
            continue;
        }
        c->line[c->length] = '\0';
        bool known = false;
        for (int w = 0; w < 3; w++)
            if (strncmp(c->line, watch[w], strlen(watch[w])) == 0) {
                c->counts[w]++;
                known = true;
            }
        if (!known && c->stray[0] == '\0')
            snprintf(c->stray, sizeof c->stray, "%s", c->line);
        c->length = 0;
    }
}

/* Read what the server printed, for up to TIMEOUT_MS or until
 * COUNTS[WHICH] reaches WANT. */
static void read_output_until(struct server *s, struct output_counter *c, int which, int want,
                              int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    char buffer[65536];
    while (c->counts[which] < want && now_ms() < deadline) {
        struct pollfd p = { .fd = s->output, .events = POLLIN };
        if (poll(&p, 1, (int)(deadline - now_ms())) <= 0)
            break;
        ssize_t n = read(s->output, buffer, sizeof buffer);
        if (n <= 0)
            break;
        count_output(c, buffer, (size_t)n);
    }
}

struct client {
    int fd;
    size_t got;
    char message[24];
    char reply[32];
};

/* Connect clients FIRST to LAST-1 (non-blocking), send each its message
 * once connected, and read every reply; the server's output is counted
 * meanwhile so that it never blocks on a full pipe.  Returns the index
 * of a client that failed, or -1. */
static int serve_batch(struct server *s, struct output_counter *out, struct client *clients,
                       int first, int last, struct pollfd *fds, int *who, char *why,
                       size_t why_size)
{
    for (int i = first; i < last; i++) {
        struct client *c = &clients[i];
        c->fd = socket(AF_INET, SOCK_STREAM, 0);
        if (c->fd < 0) {
            snprintf(why, why_size, "socket() failed: %s", strerror(errno));
            return i;
        }
        fcntl(c->fd, F_SETFL, O_NONBLOCK);
        struct sockaddr_in address = { 0 };
        address.sin_family = AF_INET;
        address.sin_port = htons((unsigned short)s->port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(c->fd, (struct sockaddr *)&address, sizeof address) < 0
            && errno != EINPROGRESS) {
            snprintf(why, why_size, "connect() failed: %s", strerror(errno));
            return i;
        }
        snprintf(c->message, sizeof c->message, "client %04d", i);
        c->got = 0;
    }
    char expected[32];
    int left = last - first;
    bool *sent = calloc((size_t)(last - first), sizeof *sent);
    long long deadline = now_ms() + 10000;
    while (left > 0) {
        int n = 0;
        for (int i = first; i < last; i++) {
            size_t want = 4 + strlen(clients[i].message);
            if (clients[i].got < want) {
                who[n] = i;
                fds[n].fd = clients[i].fd;
                fds[n].events = sent[i - first] ? POLLIN : POLLOUT;
                n++;
            }
        }
        fds[n].fd = s->output;
        fds[n].events = POLLIN;
        long long wait = deadline - now_ms();
        if (wait <= 0 || poll(fds, (nfds_t)n + 1, (int)wait) <= 0) {
            free(sent);
            snprintf(why, why_size, "%d of clients %d to %d still had no full reply after 10 s",
                     left, first, last - 1);
            return first;
        }
        if (fds[n].revents != 0) {
            char buffer[65536];
            ssize_t got = read(s->output, buffer, sizeof buffer);
            if (got > 0)
                count_output(out, buffer, (size_t)got);
        }
        for (int k = 0; k < n; k++) {
            struct client *c = &clients[who[k]];
            if (fds[k].revents == 0)
                continue;
            if (!sent[c - clients - first]) {
                int error = 0;
                socklen_t size = sizeof error;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &size);
                if (error != 0 || !send_all(c->fd, c->message, strlen(c->message))) {
                    free(sent);
                    snprintf(why, why_size, "could not connect or send: %s",
                             strerror(error ? error : errno));
                    return (int)(c - clients);
                }
                sent[c - clients - first] = true;
                continue;
            }
            ssize_t got = recv(c->fd, c->reply + c->got, sizeof c->reply - 1 - c->got, 0);
            if (got <= 0) {
                free(sent);
                snprintf(why, why_size, "the connection ended before the reply (%s)",
                         got == 0 ? "end of stream" : strerror(errno));
                return (int)(c - clients);
            }
            c->got += (size_t)got;
            snprintf(expected, sizeof expected, "GOT:%s", c->message);
            if (memcmp(c->reply, expected, c->got) != 0) {
                free(sent);
                c->reply[c->got] = '\0';
                snprintf(why, why_size, "sent \"%s\", expected \"%s\", got \"%s\"",
                         c->message, expected, c->reply);
                return (int)(c - clients);
            }
            if (c->got == strlen(expected))
                left--;
        }
    }
    free(sent);
    return -1;
}

START_TEST(serves_5000_clients_at_once)
{
    long limit = raise_fd_limit(MANY_CLIENTS + 200);
    EXPECT(limit >= MANY_CLIENTS + 100, "this test needs an fd limit of %d, and the hard limit "
           "allows only %ld: raise it (ulimit -Hn)", MANY_CLIENTS + 100, limit);
    struct server s;
    server_start(&s, NULL, MANY_CLIENTS + 100);
    struct output_counter out;
    memset(&out, 0, sizeof out);
    struct client *clients = calloc(MANY_CLIENTS, sizeof *clients);
    struct pollfd *fds = calloc(CLIENT_BATCH + 1, sizeof *fds);
    int who[CLIENT_BATCH]; /* fds[k] belongs to clients[who[k]] */
    char why[256] = "";
    int failed = -1;
    for (int first = 0; first < MANY_CLIENTS && failed < 0; first += CLIENT_BATCH)
        failed = serve_batch(&s, &out, clients, first, first + CLIENT_BATCH, fds, who, why,
                             sizeof why);
    if (failed < 0)
        read_output_until(&s, &out, 0, MANY_CLIENTS, 5000);
    int greeted = out.counts[0], closed_early = out.counts[1];
    for (int i = 0; i < MANY_CLIENTS; i++)
        if (clients[i].fd > 0)
            close(clients[i].fd);
    if (failed < 0)
        read_output_until(&s, &out, 2, MANY_CLIENTS, 10000);
    int status = server_stop(&s);
    free(clients);
    free(fds);
    EXPECT(failed < 0, "client %d of %d: %s (server's first unexpected line: \"%s\")",
           failed, MANY_CLIENTS, why, out.stray);
    EXPECT(greeted == MANY_CLIENTS && closed_early == 0,
           "with all %d clients connected and answered, expected %d \"Connection from\" lines "
           "and no \"Connection closed\"; got %d and %d (first unexpected line: \"%s\")",
           MANY_CLIENTS, MANY_CLIENTS, greeted, closed_early, out.stray);
    EXPECT(out.counts[1] == MANY_CLIENTS && out.counts[2] == MANY_CLIENTS,
           "after the %d clients closed, expected as many \"Connection closed\" and \"Task "
           "done\" lines; got %d and %d", MANY_CLIENTS, out.counts[1], out.counts[2]);
    EXPECT(out.stray[0] == '\0', "the server printed an unexpected line: \"%s\"", out.stray);
    EXPECT(strstr(s.log, "after 5000 connection(s)") != NULL && WIFEXITED(status)
           && WEXITSTATUS(status) == 0,
           "on SIGTERM the server should exit with status 0 after 5000 connections; "
           "status 0x%x, its last output:\n%s", (unsigned)status, s.log);
}
END_TEST

static const struct graded_test wide_tests[] = {
    GRADED("backends", a_send_with_room_costs_no_wait, "a first YIELD_SEND on an fd with room costs no wait in the backend"),
    GRADED("backends", a_full_pipe_makes_the_sender_wait, "a second YIELD_SEND after a send that did not go through waits for room"),
    GRADED("backends", wakes_a_task_on_an_fd_past_fd_setsize, "a task waiting on fd 3000 wakes when it is readable"),
    GRADED("backends", wakes_again_while_bytes_are_left, "a task that reads 1 byte of 3 is woken again for the rest"),
    GRADED("backends", watches_a_reused_fd_number_again, "a task that closes its fd and reopens the same number is woken on the new one"),
    GRADED("backends", server_echoes_the_transcript, "the server answers Hello with GOT:Hello and logs the connection"),
    GRADED_SLOW("backends", serves_5000_clients_at_once, "5000 clients connected at once each get their own reply", 60),
};

static const struct graded_test select_tests[] = {
    GRADED("backends", a_send_with_room_costs_no_wait, "a first YIELD_SEND on an fd with room costs no wait in the backend"),
    GRADED("backends", a_full_pipe_makes_the_sender_wait, "a second YIELD_SEND after a send that did not go through waits for room"),
    GRADED("backends", select_refuses_an_fd_past_fd_setsize, "a task waiting on fd 3000 is ended: select() cannot watch it"),
    GRADED("backends", wakes_again_while_bytes_are_left, "a task that reads 1 byte of 3 is woken again for the rest"),
    GRADED("backends", watches_a_reused_fd_number_again, "a task that closes its fd and reopens the same number is woken on the new one"),
    GRADED("backends", server_echoes_the_transcript, "the server answers Hello with GOT:Hello and logs the connection"),
};

int main(int argc, char **argv)
{
    static char title[64];
    snprintf(title, sizeof title, "going further: the %s backend", io_backend_name);
    const struct stage_info stage = {
        5, title, 10,
        "the backend's scheduler (further/) touched memory it does not own: "
        "a per-fd table not grown, or a task used after task_done()",
        "a task was never woken: the backend lost an fd's interest (see park() in "
        "further/scheduler.c)",
    };
    if (io_backend_fd_limit() > MANY_CLIENTS + 100)
        return grade_stage(argc, argv, &stage, wide_tests, GRADED_COUNT(wide_tests));
    return grade_stage(argc, argv, &stage, select_tests, GRADED_COUNT(select_tests));
}
