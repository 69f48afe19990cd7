/*
 * test_03.c - grades stage 3: park, wait_for_io, and the run loop that
 * selects only when no task is ready.
 *
 * The tasks here are written in this file and wait on real pipes, made
 * non-blocking as in the stage's demo.  Each one writes what it does into
 * a log ("R:wait W1 W2 W:wrote R:got:hi"), so a test compares the exact
 * order in which run() resumed them.  A "tick" is a wait to send on an
 * empty pipe: always ready, it makes the scheduler go through select()
 * once, which gives a wrongly woken task its chance to show up early.
 * run() prints "Task done" (and, from park(), messages on stderr), so
 * every call to it goes through capture_stdout() or capture_stderr().
 */
#include "grade.h"
#include "report_text.h"
#include "support.h"

#include "fd_flags.h"
#include "pipe_demo.h"
#include "scheduler.h"
#include "task.h"
#include "trace.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- logging and capturing ---------------------------------------- */


/* True if TEXT holds the number N written out, not as part of a longer
 * number ("fd 1034" mentions 1034; "10345" and "-1034" do not). */
static bool mentions_number(const char *text, long n)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%ld", n);
    size_t length = strlen(digits);
    for (const char *p = text; (p = strstr(p, digits)) != NULL; p++) {
        bool starts = p == text || (!isdigit((unsigned char)p[-1]) && (n < 0 || p[-1] != '-'));
        if (starts && !isdigit((unsigned char)p[length]))
            return true;
    }
    return false;
}

/* tests/grader/expose_03.c: scheduler.c's static pieces, on their own. */
void grader_park(struct task *t, enum task_status status);
void grader_wait_for_io(void);
int grader_highest_fd(void);
bool grader_stop_requested(void);
void grader_clear_stop(void);
void grader_wake(struct task **table, int fd, const char *reason);
void grader_wake_closed_fds(void);
extern int waiting; /* scheduler.c's count of parked tasks */

static bool probing; /* in a probe's child process (probe()) */

/* The grader's own wait_for_io() (exercise 3.2 as the tutorial asks
 * for it), for the tests of 3.1: it reads the tables park() filled, up
 * to the highest_fd park() kept.  A task counted in `waiting` that is in
 * no table was lost by park(): say so rather than wait for ever. */
static void reference_wait(void)
{
    fd_set readable, writable;
    FD_ZERO(&readable);
    FD_ZERO(&writable);
    int limit = 0;
    for (int fd = 0; fd <= grader_highest_fd() && fd < FD_SETSIZE; fd++) {
        if (recv_wait[fd] != NULL)
            FD_SET(fd, &readable);
        if (send_wait[fd] != NULL)
            FD_SET(fd, &writable);
        if (recv_wait[fd] != NULL || send_wait[fd] != NULL)
            limit = fd + 1;
    }
    if (limit == 0 && probing)
        _exit(0); /* a probe's answer: park() does not work */
    if (limit == 0)
        ck_abort_msg("park() counted %d waiting task%s in `waiting`, but no task is in recv_wait or\n"
                     "send_wait (up to highest_fd, %d): a parked task was lost, so the scheduler\n"
                     "would wait for ever.  Did park() overwrite a task already waiting on that fd\n"
                     "(a second waiter must be refused), or count a task it did not park?",
                     waiting, waiting == 1 ? "" : "s", grader_highest_fd());
    if (select(limit, &readable, &writable, NULL, NULL) < 0) {
        if (errno == EBADF)
            grader_wake_closed_fds();
        return;
    }
    for (int fd = 0; fd < limit; fd++)
        if (FD_ISSET(fd, &readable))
            grader_wake(recv_wait, fd, "recv");
    for (int fd = 0; fd < limit; fd++)
        if (FD_ISSET(fd, &writable))
            grader_wake(send_wait, fd, "send");
}

/* How reference_run() waits: the grader's way (tests of 3.1) or the
 * learner's wait_for_io() (tests of 3.2). */
static void (*waiter)(void) = reference_wait;

/* The grader's own run loop (exercise 3.3 as the tutorial asks for it),
 * around the learner's park() and wait_for_io(): the tests of 3.1 and
 * 3.2 go through it, so that they judge those two alone, and pass
 * before run() is written. */
static void reference_run(void)
{
    grader_clear_stop();
    while (!grader_stop_requested() && (!task_queue_empty(&tasks) || waiting > 0)) {
        if (task_queue_empty(&tasks)) {
            waiter();
            continue;
        }
        struct task *t = task_queue_pop(&tasks);
        enum task_status status = t->step(t);
        if (status == TASK_READY)
            task_queue_push(&tasks, t);
        else if (status == TASK_RECV || status == TASK_SEND)
            grader_park(t, status);
        else
            task_done(t);
    }
}

/* The loop the test goes through: the learner's run(), or for the
 * tests of 3.1 and 3.2 (require_others()) the grader's. */
static void (*runner)(void) = run;

static void call_run(void *arg)
{
    (void)arg;
    runner();
}

/* run() with its stdout captured; returns what it printed (free it). */
static char *run_captured(void)
{
    return capture_stdout(call_run, NULL);
}

static char *captured_stdout;

static void run_capturing_stdout(void *arg)
{
    (void)arg;
    captured_stdout = capture_stdout(call_run, NULL);
}

/* run() with stdout and stderr captured: *OUT gets stdout; returns
 * stderr.  Free both. */
static char *run_captured_both(char **out)
{
    char *err = capture_stderr(run_capturing_stdout, NULL);
    *out = captured_stdout;
    return err;
}

static void make_pipe(int ends[2])
{
    ck_assert_msg(pipe(ends) == 0, "cannot create a pipe: %s", strerror(errno));
    for (int i = 0; i < 2; i++)
        ck_assert_msg(set_nonblocking(ends[i]) == 0, "cannot make a pipe non-blocking: %s",
                      strerror(errno));
}

static void close_pipe(int ends[2])
{
    close(ends[0]);
    close(ends[1]);
}

static void put(int fd, const char *data)
{
    ck_assert_msg(write(fd, data, strlen(data)) == (ssize_t)strlen(data),
                  "the test could not write to its own pipe: %s", strerror(errno));
}

/* ---- the tasks -------------------------------------------------------- */

/* What every task here starts with: a label for the log, and a counter
 * its cleanup increments (when not NULL). */
struct probe {
    struct task task;
    const char *label;
    int *cleaned;
};

static void probe_cleanup(struct task *self)
{
    struct probe *p = (struct probe *)self;
    if (p->cleaned != NULL)
        (*p->cleaned)++;
}

static struct task *probe_new(size_t size, const char *name, task_step *step,
                              const char *label, int *cleaned)
{
    struct probe *p = (struct probe *)task_new(size, name, step);
    p->label = label;
    p->cleaned = cleaned;
    p->task.cleanup = probe_cleanup;
    return &p->task;
}

/* Logs "A1", "A2", ... yielding (TASK_READY) after each; then "A." */
struct logger {
    struct probe probe;
    int steps, i;
};

static enum task_status logger_step(struct task *self)
{
    struct logger *l = (struct logger *)self;
    TASK_BEGIN(self);
    for (l->i = 1; l->i <= l->steps; l->i++) {
        log_add("%s%d", l->probe.label, l->i);
        TASK_YIELD(self);
    }
    log_add("%s.", l->probe.label);
    TASK_END(self);
}

static struct task *logger(const char *label, int steps)
{
    struct logger *l = (struct logger *)probe_new(sizeof *l, "logger", logger_step, label, NULL);
    l->steps = steps;
    return &l->probe.task;
}

/* Logs "R:wait", waits to recv on FD, reads once: "R:got:DATA", or
 * "R:eof", or "R:error".  A wake with nothing to read logs
 * "R:woke-early" and waits again. */
struct reader {
    struct probe probe;
    int fd;
    ssize_t n;
    char buffer[64];
};

static enum task_status reader_step(struct task *self)
{
    struct reader *r = (struct reader *)self;
    TASK_BEGIN(self);
    log_add("%s:wait", r->probe.label);
    for (;;) {
        YIELD_RECV(self, r->fd);
        r->n = read(r->fd, r->buffer, sizeof r->buffer);
        if (r->n > 0) {
            log_add("%s:got:%.*s", r->probe.label, (int)r->n, r->buffer);
            break;
        }
        if (r->n == 0) {
            log_add("%s:eof", r->probe.label);
            break;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            log_add("%s:error", r->probe.label);
            break;
        }
        log_add("%s:woke-early", r->probe.label);
    }
    TASK_END(self);
}

static struct task *reader(const char *label, int fd, int *cleaned)
{
    struct reader *r = (struct reader *)probe_new(sizeof *r, "reader", reader_step, label, cleaned);
    r->fd = fd;
    return &r->probe.task;
}

/* Logs "W1" .. "Wn" for TICKS turns (a tick on TICK_FD, or a plain
 * yield when TICK_FD is -1); then, when WAIT_SEND is set, logs "W:wait"
 * and waits to send on FD; then writes DATA to FD and logs "W:wrote". */
struct writer {
    struct probe probe;
    int fd, tick_fd, ticks, i;
    bool wait_send;
    const char *data;
};

static enum task_status writer_step(struct task *self)
{
    struct writer *w = (struct writer *)self;
    TASK_BEGIN(self);
    for (w->i = 1; w->i <= w->ticks; w->i++) {
        log_add("%s%d", w->probe.label, w->i);
        if (w->tick_fd >= 0)
            YIELD_SEND(self, w->tick_fd);
        else
            TASK_YIELD(self);
    }
    if (w->wait_send) {
        log_add("%s:wait", w->probe.label);
        YIELD_SEND(self, w->fd);
    }
    if (write(w->fd, w->data, strlen(w->data)) == (ssize_t)strlen(w->data))
        log_add("%s:wrote", w->probe.label);
    else
        log_add("%s:write-failed", w->probe.label);
    TASK_END(self);
}

static struct task *writer(const char *label, int fd, const char *data, int ticks, int tick_fd)
{
    struct writer *w = (struct writer *)probe_new(sizeof *w, "writer", writer_step, label, NULL);
    w->fd = fd;
    w->data = data;
    w->ticks = ticks;
    w->tick_fd = tick_fd;
    return &w->probe.task;
}

/* Writes DATA[k] to FDS[k] for each k, logging "W>LABEL[k]", with a
 * tick after each write. */
struct multi_writer {
    struct probe probe;
    int fds[3], tick_fd, i;
    const char *labels[3];
    const char *data[3];
};

static enum task_status multi_writer_step(struct task *self)
{
    struct multi_writer *m = (struct multi_writer *)self;
    TASK_BEGIN(self);
    for (m->i = 0; m->i < 3; m->i++) {
        if (write(m->fds[m->i], m->data[m->i], strlen(m->data[m->i])) < 0)
            log_add("W:write-failed");
        log_add("W>%s", m->labels[m->i]);
        YIELD_SEND(self, m->tick_fd);
    }
    TASK_END(self);
}

/* Logs "S:wait", waits to send one byte on FD: "S:sent" once it could,
 * "S:woke-early" when woken while FD was still full. */
struct sender {
    struct probe probe;
    int fd;
    ssize_t n;
};

static enum task_status sender_step(struct task *self)
{
    struct sender *s = (struct sender *)self;
    TASK_BEGIN(self);
    log_add("%s:wait", s->probe.label);
    for (;;) {
        YIELD_SEND(self, s->fd);
        s->n = write(s->fd, "!", 1);
        if (s->n == 1) {
            log_add("%s:sent", s->probe.label);
            break;
        }
        if (s->n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            log_add("%s:error", s->probe.label);
            break;
        }
        log_add("%s:woke-early", s->probe.label);
    }
    TASK_END(self);
}

/* Logs "D1" .. "Dn" with a tick after each, then reads FD until it is
 * empty ("D:drained"), adding up the bytes in drained_bytes. */
static size_t drained_bytes;

struct drainer {
    struct probe probe;
    int fd, tick_fd, ticks, i;
};

static enum task_status drainer_step(struct task *self)
{
    struct drainer *d = (struct drainer *)self;
    char buffer[4096];
    ssize_t n;
    TASK_BEGIN(self);
    for (d->i = 1; d->i <= d->ticks; d->i++) {
        log_add("%s%d", d->probe.label, d->i);
        YIELD_SEND(self, d->tick_fd);
    }
    while ((n = read(d->fd, buffer, sizeof buffer)) > 0)
        drained_bytes += (size_t)n;
    log_add("%s:drained", d->probe.label);
    TASK_END(self);
}

/* Logs "C:close" and closes FD. */
struct closer {
    struct probe probe;
    int fd;
};

static enum task_status closer_step(struct task *self)
{
    struct closer *c = (struct closer *)self;
    TASK_BEGIN(self);
    log_add("%s:close", c->probe.label);
    close(c->fd);
    TASK_END(self);
}

/* Logs "X:wait", waits on FD (to send when SEND is set, else to recv),
 * and logs "X:resumed" if it is ever resumed after that. */
struct bad_waiter {
    struct probe probe;
    int fd;
    bool send;
};

static enum task_status bad_waiter_step(struct task *self)
{
    struct bad_waiter *b = (struct bad_waiter *)self;
    TASK_BEGIN(self);
    log_add("%s:wait", b->probe.label);
    if (b->send)
        YIELD_SEND(self, b->fd);
    else
        YIELD_RECV(self, b->fd);
    log_add("%s:resumed", b->probe.label);
    TASK_END(self);
}

static struct task *bad_waiter(const char *label, int fd, bool send, int *cleaned)
{
    struct bad_waiter *b = (struct bad_waiter *)
        probe_new(sizeof *b, "bad_waiter", bad_waiter_step, label, cleaned);
    b->fd = fd;
    b->send = send;
    return &b->probe.task;
}

/* Logs "U:step" and returns a status no scheduler knows; logs
 * "U:resumed" if it is ever resumed after that. */
#define UNKNOWN_STATUS 42

static enum task_status unknown_status_step(struct task *self)
{
    struct probe *u = (struct probe *)self;
    TASK_BEGIN(self);
    log_add("%s:step", u->label);
    CO_YIELD(&self->co, (enum task_status)UNKNOWN_STATUS);
    log_add("%s:resumed", u->label);
    TASK_END(self);
}

/* ---- what each test relies on ---------------------------------------- */

/* Every test here goes through run() (3.3), and most through park()
 * (3.1) and wait_for_io() (3.2) as well.  So that a failure lands on the
 * exercise whose code is wrong, each test first checks, in child
 * processes, the pieces it relies on but does not grade, in the order
 * they build on each other, and names the first broken one. */

/* 3.1, where a parked task goes: once R has returned TASK_RECV, the
 * next ready task finds it in recv_wait[fd] (or, woken by a select()
 * already, back in the queue), never in send_wait. */
static int park_probe_fd;

struct inspector {
    struct probe probe;
    struct task *parked;
};

static enum task_status inspector_step(struct task *self)
{
    struct inspector *i = (struct inspector *)self;
    bool queued = false;
    for (struct task *t = tasks.head; t != NULL; t = t->next)
        queued = queued || t == i->parked;
    bool parked = recv_wait[park_probe_fd] == i->parked;
    bool misplaced = send_wait[park_probe_fd] == i->parked;
    fflush(stdout);
    if (!misplaced && parked != queued && waiting != (parked ? 1 : 0))
        _exit(4); /* in its place, but not counted: run() would end too soon */
    _exit(!misplaced && (parked != queued) ? 1 : 3);
    return TASK_DONE;
}

static int park_works(void *arg)
{
    (void)arg;
    probing = true;
    int p[2];
    make_pipe(p);
    put(p[1], "x");
    park_probe_fd = p[0];
    struct task *r = reader("R", p[0], NULL);
    spawn(r);
    struct inspector *i = (struct inspector *)
        probe_new(sizeof *i, "inspector", inspector_step, "I", NULL);
    i->parked = r;
    spawn(&i->probe.task);
    runner = reference_run;
    waiter = reference_wait;
    free(run_captured());
    return 2; /* run() returned without running the inspector */
}

/* 3.2 at its simplest: one task waits on a pipe that has data. 1: it
 * woke and read; 2: run() returned while it was still parked (a loop
 * that forgets `waiting`: 3.3); 0 or 3: it was never woken. */
static int wake_works(void *arg)
{
    (void)arg;
    probing = true;
    int p[2];
    make_pipe(p);
    put(p[1], "x");
    spawn(reader("R", p[0], NULL));
    runner = reference_run;
    waiter = grader_wait_for_io;
    free(run_captured());
    if (strcmp(log_text, "R:wait R:got:x") == 0)
        return 1;
    return recv_wait[p[0]] != NULL ? 2 : 3;
}

/* 3.1, keeping highest_fd: R1 parks on a high fd, then R2 on a low one;
 * both fds are readable (data, end of file), and both must wake. */
static int highest_fd_kept(void *arg)
{
    (void)arg;
    probing = true;
    int high[2], low[2];
    make_pipe(high);
    make_pipe(low);
    int fd = dup2(high[0], 200);
    if (fd < 0)
        return 1; /* cannot tell: do not blame */
    put(high[1], "x");
    close(low[1]);
    spawn(reader("R1", fd, NULL));
    spawn(reader("R2", low[0], NULL));
    runner = reference_run;
    waiter = reference_wait;
    free(run_captured());
    return strstr(log_text, "R1:got:x") != NULL && strstr(log_text, "R2:eof") != NULL;
}

/* Check what a test of exercise OWN relies on, and name the first piece
 * that is broken (grade_needs()), in the order the pieces build on each
 * other; its own exercise is never blamed here. */
static void require_others(const char *own)
{
    bool is31 = strcmp(own, "3.1") == 0, is33 = strcmp(own, "3.3") == 0;
    /* Each exercise is judged on its own: 3.1 through the grader's loop
     * and wait, 3.2 through the grader's loop and the learner's
     * wait_for_io(), 3.3 through the learner's run(). */
    runner = is33 ? run : reference_run;
    waiter = is31 ? reference_wait : grader_wait_for_io;
    if (is31)
        return;
    int parked = probe(park_works, NULL, 1000);
    if (parked == 4) {
        grade_blame("3.1", "park() puts the task in its table but does not count it in "
                    "waiting (waiting++), so run() ends while the task still waits");
        return;
    }
    if (parked != 1 || probe(highest_fd_kept, NULL, 1000) != 1) {
        grade_needs("3.1");
        return;
    }
    if (is33 && probe(wake_works, NULL, 1000) != 1)
        grade_needs("3.2");
}

/* ---- 3.1: park --------------------------------------------------------- */

/* park() called directly, with its output captured: PARK_TASKS[k] waits
 * for PARK_STATUS[k] on PARK_FDS[k]. */
static struct task *park_tasks[4];
static enum task_status park_status[4];
static int park_fds[4], park_count;
static char *park_stdout;

static void park_each(void *arg)
{
    (void)arg;
    for (int k = 0; k < park_count; k++) {
        park_tasks[k]->wait_fd = park_fds[k];
        grader_park(park_tasks[k], park_status[k]);
    }
}

static void park_each_capturing_stdout(void *arg)
{
    park_stdout = capture_stdout(park_each, arg);
}

START_TEST(park_fills_its_tables)
{
    require_others("3.1");
    /* R1 waits to recv on fd 70, S to send on fd 70 too (another table),
     * L to recv on fd 65 (lower), then R2 to recv on fd 70 again: R2 must
     * be refused. */
    int cleaned[4] = { 0, 0, 0, 0 };
    const int fd = 70, low = 65;
    park_tasks[0] = bad_waiter("R1", fd, false, &cleaned[0]);
    park_tasks[1] = bad_waiter("S", fd, true, &cleaned[1]);
    park_tasks[2] = bad_waiter("L", low, false, &cleaned[2]);
    park_tasks[3] = bad_waiter("R2", fd, false, &cleaned[3]);
    park_status[0] = TASK_RECV;
    park_status[1] = TASK_SEND;
    park_status[2] = TASK_RECV;
    park_status[3] = TASK_RECV;
    park_fds[0] = park_fds[1] = park_fds[3] = fd;
    park_fds[2] = low;
    struct task *all[4] = { park_tasks[0], park_tasks[1], park_tasks[2], park_tasks[3] };
    park_count = 3;
    char *err = capture_stderr(park_each_capturing_stdout, NULL);
    EXPECT(recv_wait[fd] == park_tasks[0] && send_wait[fd] == park_tasks[1],
           "after park() of R1 (TASK_RECV on fd %d) and S (TASK_SEND on fd %d):\n"
           "recv_wait[%d] must hold R1 and send_wait[%d] hold S; they hold %s and %s",
           fd, fd, fd, fd,
           recv_wait[fd] == park_tasks[0] ? "R1" : recv_wait[fd] == park_tasks[1] ? "S"
           : recv_wait[fd] == NULL ? "nothing" : "another task",
           send_wait[fd] == park_tasks[1] ? "S" : send_wait[fd] == park_tasks[0] ? "R1"
           : send_wait[fd] == NULL ? "nothing" : "another task");
    EXPECT(recv_wait[low] == all[2], "after park() of L (TASK_RECV on fd %d), recv_wait[%d] must hold L", low, low);
    EXPECT_INT(waiting, 3, "`waiting` after park() parked three tasks");
    EXPECT(grader_highest_fd() >= fd, "highest_fd after park() parked tasks on fd %d, then one on fd %d: %d\n"
           "(keep highest_fd at least as high as every parked fd: raise it, never lower it\n"
           "in park(); wait_for_io() looks no higher)", fd, low, grader_highest_fd());
    EXPECT(cleaned[0] == 0 && cleaned[1] == 0 && cleaned[2] == 0 && count_of(park_stdout, "Task done") == 0,
           "park() ended a task it should have parked (a recv and a send wait on one fd\n"
           "are two different waits, in two tables)");
    EXPECT(err[0] == '\0', "park() wrote on stderr for three good waits:\n%s", shown_text(err));
    free(err);
    free(park_stdout);

    /* The second waiter, on its own. */
    park_tasks[0] = park_tasks[3];
    park_status[0] = TASK_RECV;
    park_count = 1;
    err = capture_stderr(park_each_capturing_stdout, NULL);
    EXPECT(recv_wait[fd] != all[3],
           "R2 waited to recv on fd %d, where R1 already waits: park() put R2 in\n"
           "recv_wait[%d] in R1's place, so R1 is lost and never woken (a scheduler\n"
           "would wait for it for ever); refuse the second waiter instead", fd, fd);
    EXPECT(recv_wait[fd] != NULL, "recv_wait[%d] is empty after a second waiter came: R1 must keep its place", fd);
    EXPECT_INT(waiting, 3, "`waiting` after a second waiter on fd 70 was refused (it is not parked)");
    EXPECT_INT(cleaned[3], 1, "how often the refused R2 was cleaned up (park() ends it with task_done())");
    EXPECT(mentions_number(err, fd), "R2 waited to recv on fd %d, where R1 already waits: park() must\n"
           "refuse it with a message on stderr that names the fd; stderr was:\n%s", fd, shown_text(err));
    free(err);
    free(park_stdout);
    /* The tasks still parked are the test's to free (no run() here). */
    recv_wait[fd] = send_wait[fd] = recv_wait[low] = NULL;
    waiting = 0;
    for (int k = 0; k < 4; k++)
        if (cleaned[k] == 0)
            free(all[k]);
}
END_TEST

START_TEST(waiter_waits_for_data)
{
    require_others("3.1");
    int p[2];
    make_pipe(p);
    spawn(reader("R", p[0], NULL));
    spawn(writer("W", p[1], "hi", 3, -1));
    char *out = run_captured();
    EXPECT(strcmp(log_text, "R:wait W1 W2 W3 W:wrote") != 0,
           "run() returned while R still waited for its data (the tasks did: %s):\n"
           "does park() count the task in `waiting`, and does run() go on while waiting > 0?",
           log_text);
    EXPECT_STR(log_text, "R:wait W1 W2 W3 W:wrote R:got:hi",
               "what a reader waiting on an empty pipe and a writer that yields 3 times first did\n"
               "(\"R:woke-early\": R was resumed while its pipe was still empty)\n"
               "a task that returns TASK_RECV is parked in recv_wait, not put back in the ready\n"
               "queue: only select() saying its fd is readable brings it back");
    EXPECT_INT(count_of(out, "Task done\n"), 2, "\"Task done\" lines for 2 tasks");
    free(out);
    close_pipe(p);
}
END_TEST

START_TEST(refuses_fd_at_or_above_fd_setsize)
{
    require_others("3.1");
    char cause[300];
    snprintf(cause, sizeof cause, "tasks waited on fd %d (FD_SETSIZE + 10) and fd %d (FD_SETSIZE): park() must "
             "refuse an fd outside 0..%d before it touches recv_wait[fd] or send_wait[fd] (or FD_SET)",
             FD_SETSIZE + 10, FD_SETSIZE, FD_SETSIZE - 1);
    grade_cause(cause);
    int cleaned_x = 0, cleaned_y = 0;
    spawn(bad_waiter("X", FD_SETSIZE + 10, false, &cleaned_x));
    spawn(bad_waiter("Y", FD_SETSIZE, true, &cleaned_y));
    spawn(logger("Z", 2));
    char *out;
    char *err = run_captured_both(&out);
    EXPECT(mentions_number(err, FD_SETSIZE + 10),
           "X waited to recv on fd %d (FD_SETSIZE + 10): park() must refuse it with a message\n"
           "on stderr that names the fd; stderr was:\n%s", FD_SETSIZE + 10, shown_text(err));
    EXPECT(mentions_number(err, FD_SETSIZE),
           "Y waited to send on fd %d (FD_SETSIZE, one too many for select()): park() must\n"
           "refuse it with a message on stderr that names the fd; stderr was:\n%s", FD_SETSIZE, shown_text(err));
    EXPECT_STR(log_text, "X:wait Y:wait Z1 Z2 Z.",
               "what the tasks did (X and Y wait on fds select() cannot watch, Z just runs)\n"
               "a refused task is ended at once, never resumed; the others carry on");
    EXPECT_INT(cleaned_x, 1, "how often the refused task X was cleaned up (park() ends it with task_done())");
    EXPECT_INT(cleaned_y, 1, "how often the refused task Y was cleaned up (park() ends it with task_done())");
    EXPECT_INT(count_of(out, "Task done\n"), 3, "\"Task done\" lines for 3 tasks (2 refused, 1 normal)");
    free(out);
    free(err);
}
END_TEST

START_TEST(refuses_negative_fd)
{
    require_others("3.1");
    grade_cause("a task waited on fd -1: park() must refuse a negative fd before it touches "
                "recv_wait[fd] or send_wait[fd]");
    int cleaned = 0;
    spawn(bad_waiter("X", -1, false, &cleaned));
    spawn(logger("Z", 2));
    char *out;
    char *err = run_captured_both(&out);
    EXPECT(mentions_number(err, -1),
           "X waited to recv on fd -1: park() must refuse it with a message on stderr that\n"
           "names the fd; stderr was:\n%s", shown_text(err));
    EXPECT_STR(log_text, "X:wait Z1 Z2 Z.",
               "what the tasks did (X waits on fd -1, Z just runs)\n"
               "a refused task is ended at once, never resumed; the others carry on");
    EXPECT_INT(cleaned, 1, "how often the refused task X was cleaned up (park() ends it with task_done())");
    EXPECT_INT(count_of(out, "Task done\n"), 2, "\"Task done\" lines for 2 tasks (1 refused, 1 normal)");
    free(out);
    free(err);
}
END_TEST

START_TEST(refuses_second_waiter_on_fd)
{
    require_others("3.1");
    int p[2], cleaned_1 = 0, cleaned_2 = 0;
    make_pipe(p);
    /* A distinctive fd number, so the message cannot name it by chance. */
    int fd = fcntl(p[0], F_DUPFD, 60);
    ck_assert_msg(fd >= 0, "cannot duplicate a pipe's fd: %s", strerror(errno));
    spawn(reader("R1", fd, &cleaned_1));
    spawn(reader("R2", fd, &cleaned_2));
    spawn(writer("W", p[1], "x", 2, -1));
    char *out;
    char *err = run_captured_both(&out);
    EXPECT(mentions_number(err, fd),
           "R1 and then R2 waited to recv on fd %d: park() must refuse R2 with a message on\n"
           "stderr that names the fd; stderr was:\n%s", fd, shown_text(err));
    EXPECT_STR(log_text, "R1:wait R2:wait W1 W2 W:wrote R1:got:x",
               "what two readers on the same fd and a writer did\n"
               "recv_wait[fd] holds one task: the second is refused and ended, the first keeps\n"
               "its place and gets the data");
    EXPECT_INT(cleaned_2, 1, "how often the refused task R2 was cleaned up (park() ends it with task_done())");
    EXPECT_INT(cleaned_1, 1, "how often R1, which waited first and then read, was cleaned up");
    EXPECT_INT(count_of(out, "Task done\n"), 3, "\"Task done\" lines for 3 tasks");
    free(out);
    free(err);
    close(fd);
    close_pipe(p);
}
END_TEST

START_TEST(trace_names_parked_fds)
{
    require_others("3.1");
    int p[2];
    make_pipe(p);
    spawn(reader("R", p[0], NULL));  /* task 1 */
    struct task *w = writer("W", p[1], "hi", 0, -1); /* task 2 */
    ((struct writer *)w)->wait_send = true;
    spawn(w);
    trace_enabled = true;
    char *out = run_captured();
    trace_enabled = false;
    char want[4][128];
    snprintf(want[0], sizeof want[0], "[trace] park task 1 (reader) on fd %d for recv\n", p[0]);
    snprintf(want[1], sizeof want[1], "[trace] park task 2 (writer) on fd %d for send\n", p[1]);
    snprintf(want[2], sizeof want[2], "[trace] select woke fd %d for send: task 2 (writer) is ready\n", p[1]);
    snprintf(want[3], sizeof want[3], "[trace] select woke fd %d for recv: task 1 (reader) is ready\n", p[0]);
    for (int k = 0; k < 4; k++)
        EXPECT(strstr(out, want[k]) != NULL,
               "with trace_enabled, run() must print the line\n    %s"
               "(park() traces each task it parks, wake() each task select() wakes)\n"
               "it printed:\n%s", want[k], shown_text(out));
    EXPECT(strstr(out, want[0]) < strstr(out, want[3]),
           "the trace must show task 1 parked before it is woken; it printed:\n%s", shown_text(out));
    free(out);
    close_pipe(p);
}
END_TEST

/* ---- 3.2: wait_for_io ---------------------------------------------- */

START_TEST(one_select_wakes_every_ready_task)
{
    require_others("3.2");
    /* Three readers whose pipes all have data, and a sender on a pipe
     * with room: one wait_for_io() must make all four ready, readers
     * first in fd order, then the sender, none left behind. */
    enum { READERS = 3 };
    int p[READERS][2], out[2];
    struct task *waiter[READERS + 1];
    for (int k = 0; k < READERS; k++) {
        make_pipe(p[k]);
        put(p[k][1], "x");
        waiter[k] = bad_waiter("R", p[k][0], false, NULL);
        waiter[k]->wait_fd = p[k][0];
        grader_park(waiter[k], TASK_RECV);
    }
    make_pipe(out);
    waiter[READERS] = bad_waiter("S", out[1], true, NULL);
    waiter[READERS]->wait_fd = out[1];
    grader_park(waiter[READERS], TASK_SEND);
    grader_wait_for_io();
    int woken = 0;
    bool in_order = true;
    for (struct task *t = tasks.head; t != NULL && woken <= READERS + 1; t = t->next, woken++)
        in_order = in_order && woken <= READERS && t == waiter[woken];
    EXPECT(woken == READERS + 1 && in_order,
           "3 tasks waited to recv on pipes that all had data, and one to send on a pipe with\n"
           "room: one wait_for_io() put %d of them in the ready queue%s; it must wake every task\n"
           "whose fd select() reports ready, the readable ones first (in fd order), then the\n"
           "writable ones, so that no waiting task is passed over", woken,
           in_order ? "" : ", not in that order");
    EXPECT_INT(waiting, READERS + 1 - woken, "`waiting` after those wakes");
    while (task_queue_pop(&tasks) != NULL)
        continue;
    for (int k = 0; k <= READERS; k++) {
        int fd = waiter[k]->wait_fd;
        if (recv_wait[fd] == waiter[k])
            recv_wait[fd] = NULL;
        if (send_wait[fd] == waiter[k])
            send_wait[fd] = NULL;
        free(waiter[k]);
    }
    waiting = 0;
    for (int k = 0; k < READERS; k++)
        close_pipe(p[k]);
    close_pipe(out);
}
END_TEST

START_TEST(wait_for_io_on_its_own)
{
    require_others("3.2");
    /* H waits on fd 90, which has data; L on fd 65, empty. */
    int hi[2], lo[2];
    make_pipe(hi);
    make_pipe(lo);
    int high = fcntl(hi[0], F_DUPFD, 90), low = fcntl(lo[0], F_DUPFD, 65);
    ck_assert_msg(high >= 90 && low >= 65 && low < high, "test setup: cannot place the pipes' fds");
    put(hi[1], "x");
    struct task *h = bad_waiter("H", high, false, NULL), *l = bad_waiter("L", low, false, NULL);
    h->wait_fd = high;
    l->wait_fd = low;
    grader_park(h, TASK_RECV);
    grader_park(l, TASK_RECV);
    grader_wait_for_io();
    EXPECT(tasks.head == h && tasks.tail == h && recv_wait[high] == NULL && recv_wait[low] == l,
           "H waited to recv on fd %d, which had data, and L on fd %d, which had none: after one\n"
           "wait_for_io(), H must be in the ready queue, alone, and L still in recv_wait[%d]\n"
           "(the ready queue %s; recv_wait[%d] %s; recv_wait[%d] %s)", high, low, low,
           tasks.head == NULL ? "is empty" : tasks.head == h && tasks.tail == h ? "holds H"
           : "holds something else",
           high, recv_wait[high] == NULL ? "is empty" : "still holds a task",
           low, recv_wait[low] == l ? "holds L" : recv_wait[low] == NULL ? "is empty" : "holds another task");
    EXPECT_INT(waiting, 1, "`waiting` after wait_for_io() woke one of two parked tasks");
    task_queue_pop(&tasks);
    put(lo[1], "y");
    grader_wait_for_io();
    EXPECT(tasks.head == l && recv_wait[low] == NULL,
           "then L's fd %d got data: the next wait_for_io() must wake L", low);
    EXPECT(grader_highest_fd() <= low,
           "after a select() with only fd %d parked, highest_fd is still %d: store back the highest\n"
           "parked fd (highest_fd = nfds - 1), so that the next scan stops there", low, grader_highest_fd());
    while (task_queue_pop(&tasks) != NULL)
        continue;
    recv_wait[low] = recv_wait[high] = NULL;
    waiting = 0;
    free(h);
    free(l);
    close(high);
    close(low);
    close_pipe(hi);
    close_pipe(lo);
}
END_TEST

START_TEST(each_waiter_wakes_on_its_own_fd)
{
    require_others("3.2");
    int a[2], b[2], c[2], tick[2];
    make_pipe(a);
    make_pipe(b);
    make_pipe(c);
    make_pipe(tick);
    spawn(reader("a", a[0], NULL));
    spawn(reader("b", b[0], NULL));
    spawn(reader("c", c[0], NULL));
    struct multi_writer *m = (struct multi_writer *)
        probe_new(sizeof *m, "multi_writer", multi_writer_step, "W", NULL);
    const int fds[3] = { b[1], c[1], a[1] };
    const char *labels[3] = { "b", "c", "a" }, *data[3] = { "B", "C", "A" };
    for (int k = 0; k < 3; k++) {
        m->fds[k] = fds[k];
        m->labels[k] = labels[k];
        m->data[k] = data[k];
    }
    m->tick_fd = tick[1];
    spawn(&m->probe.task);
    char *out = run_captured();
    EXPECT_STR(log_text, "a:wait b:wait c:wait W>b b:got:B W>c c:got:C W>a a:got:A",
               "three readers on three pipes, and a writer that writes to b, then c, then a\n"
               "(with a wait on an always-ready fd after each write)\n"
               "(\"a:woke-early\": a was resumed while its pipe was still empty)\n"
               "select() must wake exactly the tasks whose fd it reports ready (FD_ISSET)");
    EXPECT_INT(count_of(out, "Task done\n"), 4, "\"Task done\" lines for 4 tasks");
    free(out);
    close_pipe(a);
    close_pipe(b);
    close_pipe(c);
    close_pipe(tick);
}
END_TEST

START_TEST(readable_wakes_before_writable)
{
    require_others("3.2");
    int b[2], a[2];
    make_pipe(b); /* created first: lower fds */
    make_pipe(a);
    ck_assert_msg(b[1] < a[0], "test setup: expected the send fd below the recv fd");
    put(a[1], "x");
    struct task *s = writer("S", b[1], "s", 0, -1);
    ((struct writer *)s)->wait_send = true;
    spawn(s);
    spawn(reader("R", a[0], NULL));
    char *out = run_captured();
    char what[256];
    snprintf(what, sizeof what,
             "S waits to send on fd %d, then R to recv on fd %d; both are ready in the same\n"
             "select() round\n"
             "like the original, wake the readable fds first (all of them), then the writable",
             b[1], a[0]);
    EXPECT_STR(log_text, "S:wait R:wait R:got:x S:wrote", what);
    free(out);
    close_pipe(a);
    close_pipe(b);
}
END_TEST

START_TEST(sender_waits_for_full_pipe)
{
    require_others("3.2");
    int p[2], tick[2];
    make_pipe(p);
    make_pipe(tick);
    size_t filled = 0;
    static char chunk[1024];
    ssize_t n;
    while ((n = write(p[1], chunk, sizeof chunk)) > 0)
        filled += (size_t)n;
    while ((n = write(p[1], chunk, 1)) > 0)
        filled += (size_t)n;
    ck_assert_msg(errno == EAGAIN || errno == EWOULDBLOCK, "filling a pipe: %s", strerror(errno));
    struct sender *s = (struct sender *)probe_new(sizeof *s, "sender", sender_step, "S", NULL);
    s->fd = p[1];
    spawn(&s->probe.task);
    struct drainer *d = (struct drainer *)
        probe_new(sizeof *d, "drainer", drainer_step, "D", NULL);
    d->fd = p[0];
    d->tick_fd = tick[1];
    d->ticks = 3;
    spawn(&d->probe.task);
    char *out = run_captured();
    EXPECT_STR(log_text, "S:wait D1 D2 D3 D:drained S:sent",
               "S waits to send on a full pipe; D goes through select() 3 times, then drains it\n"
               "(\"S:woke-early\": S was resumed while its pipe was still full)\n"
               "a task waiting in send_wait wakes only when select() says its fd is writable");
    EXPECT_INT((long long)drained_bytes, (long long)filled, "bytes D drained (all the test had written)");
    char last[4] = "";
    EXPECT_INT(read(p[0], last, sizeof last), 1, "bytes S sent after the pipe was drained");
    free(out);
    close_pipe(p);
    close_pipe(tick);
}
END_TEST

START_TEST(waiter_on_highest_fd_wakes)
{
    require_others("3.2");
    int p[2], tick[2];
    make_pipe(p);
    make_pipe(tick);
    long limit = raise_fd_limit(FD_SETSIZE);
    int high = (int)((limit > 0 && limit < FD_SETSIZE ? limit : FD_SETSIZE) - 1);
    ck_assert_msg(high > tick[1] && dup2(p[0], high) == high,
                  "test setup: cannot put a pipe on fd %d: %s", high, strerror(errno));
    spawn(reader("R", high, NULL));
    spawn(writer("W", p[1], "hi", 2, tick[1]));
    char *out = run_captured();
    char what[256];
    snprintf(what, sizeof what, "R waits on fd %d, the highest select() can watch here\n"
             "select()'s first argument is the highest fd in the sets PLUS ONE", high);
    EXPECT_STR(log_text, "R:wait W1 W2 W:wrote R:got:hi", what);
    free(out);
    close(high);
    close_pipe(p);
    close_pipe(tick);
}
END_TEST

START_TEST(waiter_on_closed_fd_is_woken)
{
    require_others("3.2");
    int p[2];
    make_pipe(p);
    spawn(reader("R", p[0], NULL));
    struct closer *c = (struct closer *)probe_new(sizeof *c, "closer", closer_step, "C", NULL);
    c->fd = p[0];
    spawn(&c->probe.task);
    char *out;
    char *err = run_captured_both(&out);
    char what[256];
    snprintf(what, sizeof what, "R waits on fd %d, which C then closes\n"
             "select() fails with EBADF: call wake_closed_fds(), which wakes R, whose read\n"
             "then fails and ends it", p[0]);
    EXPECT_STR(log_text, "R:wait C:close R:error", what);
    EXPECT_INT(count_of(out, "Task done\n"), 2, "\"Task done\" lines for 2 tasks");
    free(out);
    free(err);
    close(p[1]);
}
END_TEST

START_TEST(idle_wait_uses_no_cpu)
{
    require_others("3.2");
    int p[2], verdict[2];
    make_pipe(p);
    ck_assert_msg(pipe(verdict) == 0, "cannot create a pipe: %s", strerror(errno));
    FILE *child_err = tmpfile(); /* what the child's scheduler said, if anything */
    ck_assert_msg(child_err != NULL, "cannot create a temporary file: %s", strerror(errno));
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "cannot fork: %s", strerror(errno));
    if (pid == 0) {
        /* The child runs the scheduler with one task waiting on P. */
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, STDOUT_FILENO);
        dup2(fileno(child_err), STDERR_FILENO);
        close(p[1]);
        close(verdict[0]);
        spawn(reader("R", p[0], NULL));
        runner();
        char got = strstr(log_text, "R:got:wake") != NULL ? 'y' : 'n';
        ssize_t ignored = write(verdict[1], &got, 1);
        (void)ignored;
        _exit(0);
    }
    close(p[0]);
    close(verdict[1]);

    /* The measurement window: the child should sit in select() all along.
     * Watching VERDICT also catches a run() that returns too early.  Its
     * first 50 ms (the child starting its scheduler) are not measured
     * where /proc tells one process's CPU: only the wait itself is. */
    struct pollfd child_done = { .fd = verdict[0], .events = POLLIN };
    int early = poll(&child_done, 1, 50);
    struct process_usage window_start, window_end;
    bool windowed = early == 0 && process_usage(pid, &window_start);
    if (early == 0)
        early = poll(&child_done, 1, 300);
    windowed = windowed && early == 0 && process_usage(pid, &window_end);
    ssize_t ignored = write(p[1], "wake", 4); /* fails if the child is gone: seen below */
    (void)ignored;
    int ready = early > 0 ? 1 : poll(&child_done, 1, 3000);
    char got = '?';
    if (ready > 0 && read(verdict[0], &got, 1) != 1)
        got = '?';
    if (ready <= 0)
        kill(pid, SIGKILL);
    struct rusage before;
    getrusage(RUSAGE_CHILDREN, &before); /* the probes' children are in it already */
    int status;
    waitpid(pid, &status, 0);
    close(p[1]);
    close(verdict[0]);

    EXPECT(early <= 0, "run() returned while its only task still waited on an empty pipe\n"
           "(with nothing ready, run() must block in select() until the fd is ready)");
    EXPECT(ready > 0, "the task waiting on a pipe was not woken within 3 s after data came");
    EXPECT(got == 'y', "the waiting task did not read the data written to its pipe");
    struct rusage usage;
    getrusage(RUSAGE_CHILDREN, &usage);
    long cpu_ms = (long)(usage.ru_utime.tv_sec - before.ru_utime.tv_sec
                         + usage.ru_stime.tv_sec - before.ru_stime.tv_sec) * 1000
                + (long)(usage.ru_utime.tv_usec - before.ru_utime.tv_usec
                         + usage.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1000;
    long wakeups = usage.ru_nvcsw - before.ru_nvcsw;
    if (windowed) {
        cpu_ms = window_end.cpu_ms - window_start.cpu_ms;
        if (window_start.wakeups >= 0 && window_end.wakeups >= 0)
            wakeups = window_end.wakeups - window_start.wakeups;
    }
    /* A select() with a short timeout sleeps and wakes again and again:
     * little CPU, but one context switch per round. */
    EXPECT(wakeups < 40, "a scheduler whose only task waited 300 ms for a pipe went to sleep and\n"
           "woke up %ld times (expected a few): select() must be given no timeout (NULL), so\n"
           "that it wakes only when an fd is ready, not poll every few milliseconds", wakeups);
    EXPECT(cpu_ms < 50, "a scheduler whose only task waited 300 ms for a pipe used %ld ms of CPU\n"
           "(expected under 50 ms): waiting must block in select() with no timeout (NULL),\n"
           "not spin in a loop", cpu_ms);
}
END_TEST

static volatile sig_atomic_t signals_caught;

static void count_signal(int signal_number)
{
    (void)signal_number;
    signals_caught++;
}

/* A signal with a handler interrupts select() while the only task
 * waits; the scheduler must wait again, and the task then read. */
static void check_signal_during_select(void)
{
    int p[2], verdict[2];
    make_pipe(p);
    ck_assert_msg(pipe(verdict) == 0, "cannot create a pipe: %s", strerror(errno));
    FILE *child_err = tmpfile(); /* what the child's scheduler said, if anything */
    ck_assert_msg(child_err != NULL, "cannot create a temporary file: %s", strerror(errno));
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "cannot fork: %s", strerror(errno));
    if (pid == 0) {
        /* The child waits in run() for P; a signal with a handler (no
         * SA_RESTART) interrupts its select() with EINTR. */
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = count_signal;
        sigaction(SIGUSR1, &action, NULL);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, STDOUT_FILENO);
        dup2(fileno(child_err), STDERR_FILENO);
        close(p[1]);
        close(verdict[0]);
        spawn(reader("R", p[0], NULL));
        char ready = 'r';
        ssize_t ignored = write(verdict[1], &ready, 1);
        runner();
        char got = strstr(log_text, "R:got:wake") != NULL && signals_caught > 0 ? 'y' : 'n';
        ignored = write(verdict[1], &got, 1);
        (void)ignored;
        _exit(0);
    }
    close(p[0]);
    close(verdict[1]);
    struct pollfd child = { .fd = verdict[0], .events = POLLIN };
    char c = '?';
    int started = poll(&child, 1, 2000) > 0 && read(verdict[0], &c, 1) == 1 && c == 'r';
    /* Give the child the time to block in select(): the signal must
     * find it there, which no event can tell from outside. */
    int early = poll(&child, 1, 200);
    kill(pid, SIGUSR1);
    int after_signal = poll(&child, 1, 200);
    ssize_t ignored = write(p[1], "wake", 4);
    (void)ignored;
    int ready = after_signal > 0 ? 1 : poll(&child, 1, 2000);
    char got = '?';
    if (ready > 0 && read(verdict[0], &got, 1) != 1)
        got = '?';
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    close(p[1]);
    close(verdict[0]);
    char said[512] = "";
    rewind(child_err);
    size_t said_length = fread(said, 1, sizeof said - 1, child_err);
    said[said_length] = '\0';
    fclose(child_err);
    /* A child that ended on its own with no word from wait_for_io()
     * about select() crashed (a signal, or a sanitizer's exit): run()
     * went on after wait_for_io() returned with no task ready. */
    bool ended_itself = WIFSIGNALED(status) ? WTERMSIG(status) != SIGKILL
                                            : WIFEXITED(status) && WEXITSTATUS(status) != 0;
    if (runner == run && got != 'y' && ended_itself && strstr(said, "select()") == NULL)
        grade_blame("3.3", "when wait_for_io() returns without waking a task (here a signal "
                    "interrupted select()), run() must test its loop's condition again "
                    "(continue), not pop from the empty queue");
    EXPECT(started, "the test's child process did not start its scheduler");
    EXPECT(early <= 0, "run() returned while its only task still waited on an empty pipe");
    EXPECT(got == 'y', "a signal (SIGUSR1, with a handler) arrived while select() waited, and then\n"
           "%s\n"
           "select() fails with EINTR when a signal interrupts it: that is no error, so\n"
           "wait_for_io() just returns and run() goes on waiting",
           got == 'n' ? "the waiting task never read its data"
           : "the scheduler stopped (it exited, or crashed) instead of waiting again");
}

START_TEST(signal_during_select_is_survived)
{
    require_others("3.2");
    check_signal_during_select();
}
END_TEST

START_TEST(run_waits_again_after_a_signal)
{
    require_others("3.3");
    check_signal_during_select();
}
END_TEST

START_TEST(flood_through_small_pipe)
{
    require_others("3.2");
    int p[2];
    make_pipe(p);
    spawn(flood_writer(p[1], 1 << 20));
    spawn(flood_reader(p[0]));
    char *out = run_captured();
    EXPECT_STR(shown_text(out), "flood_writer: wrote 1048576 bytes; the pipe was full at times, so it waited\n"
               "Task done\n"
               "flood_reader: end of file after 1048576 bytes\n"
               "Task done\n",
               "what the demo's flood writer and reader printed, passing 1 MiB through a pipe\n"
               "that holds far less: the writer waits in send_wait each time the pipe is full");
    free(out);
}
END_TEST

/* ---- 3.3: the run loop ------------------------------------------------ */

START_TEST(ready_tasks_round_robin)
{
    require_others("3.3");
    spawn(logger("A", 3));
    spawn(logger("B", 2));
    spawn(logger("C", 3));
    char *out = run_captured();
    EXPECT_STR(log_text, "A1 B1 C1 A2 B2 C2 A3 B. C3 A. C.",
               "what three tasks did under run() (A has 3 steps, B 2, C 3; each logs its step,\n"
               "then yields; \"B.\" means B ended)\n"
               "a task that returns TASK_READY goes back to the tail of the ready queue");
    EXPECT_INT(count_of(out, "Task done\n"), 3, "\"Task done\" lines for 3 tasks");
    free(out);
}
END_TEST

START_TEST(select_only_when_nothing_ready)
{
    require_others("3.3");
    int p[2];
    make_pipe(p);
    put(p[1], "x");
    spawn(reader("R", p[0], NULL));
    spawn(logger("A", 3));
    spawn(logger("B", 2));
    char *out = run_captured();
    EXPECT_STR(log_text, "R:wait A1 B1 A2 B2 A3 B. A. R:got:x",
               "R waits on a pipe that already has data; A and B are ready\n"
               "like the original, run() calls select() only when no task is ready, so R\n"
               "wakes after A and B have ended");
    free(out);
    close_pipe(p);
}
END_TEST

START_TEST(run_returns_when_all_end)
{
    require_others("3.3");
    int p[2], tick[2];
    make_pipe(p);
    make_pipe(tick);
    spawn(reader("R", p[0], NULL));
    spawn(writer("W", p[1], "z", 1, tick[1]));
    spawn(logger("L", 1));
    char *out = run_captured();
    EXPECT_STR(log_text, "R:wait W1 L1 L. W:wrote R:got:z",
               "what the tasks did before run() returned\n"
               "run() must go on while a task is ready or waits, and return once all have ended");
    EXPECT_INT(count_of(out, "Task done\n"), 3, "\"Task done\" lines for 3 tasks");
    free(out);
    EXPECT(recv_wait[p[0]] == NULL && send_wait[tick[1]] == NULL,
           "after run() returns, no task may be left in recv_wait or send_wait");
    log_text[0] = '\0';
    out = run_captured();
    EXPECT_STR(log_text, "", "a second run() with no task left must return at once, running nothing");
    free(out);
    close_pipe(p);
    close_pipe(tick);
}
END_TEST

START_TEST(run_waits_for_other_process)
{
    require_others("3.3");
    int go[2], reply[2];
    ck_assert_msg(pipe(go) == 0 && pipe(reply) == 0, "cannot create a pipe: %s", strerror(errno));
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "cannot fork: %s", strerror(errno));
    if (pid == 0) {
        /* Another process: replies "pong" once the scheduler says "g". */
        close(go[1]);
        close(reply[0]);
        char c;
        if (read(go[0], &c, 1) == 1 && write(reply[1], "pong", 4) == 4)
            _exit(0);
        _exit(1);
    }
    close(go[0]);
    close(reply[1]);
    ck_assert_msg(set_nonblocking(go[1]) == 0 && set_nonblocking(reply[0]) == 0,
                  "cannot make a pipe non-blocking: %s", strerror(errno));
    spawn(writer("W", go[1], "g", 0, -1));
    spawn(reader("R", reply[0], NULL));
    char *out = run_captured();
    close(go[1]); /* a child still waiting for "g" sees the end and exits */
    int status;
    waitpid(pid, &status, 0);
    close(reply[0]);
    EXPECT_STR(log_text, "W:wrote R:wait R:got:pong",
               "W asks another process for a reply, R waits for it; W ends at once\n"
               "(\"R:woke-early\": R was resumed before the reply came)\n"
               "with no task ready but one waiting, run() must block in select(), not return");
    EXPECT_INT(count_of(out, "Task done\n"), 2, "\"Task done\" lines for 2 tasks");
    free(out);
}
END_TEST

static enum task_status stopper_step(struct task *self)
{
    struct probe *p = (struct probe *)self;
    TASK_BEGIN(self);
    log_add("%s:stop", p->label);
    scheduler_stop();
    TASK_YIELD(self);
    log_add("%s:resumed", p->label);
    TASK_END(self);
}

START_TEST(stop_ends_run)
{
    require_others("3.3");
    spawn(probe_new(sizeof (struct probe), "stopper", stopper_step, "S", NULL));
    spawn(logger("A", 2));
    char *out = run_captured();
    EXPECT_STR(log_text, "S:stop",
               "S calls scheduler_stop() and yields; A is ready\n"
               "after scheduler_stop(), run() returns before it resumes another task\n"
               "(a stop signal in stage 5 relies on it)");
    free(out);
    scheduler_drop_all();
}
END_TEST

START_TEST(unknown_status_ends_task)
{
    require_others("3.3");
    int cleaned = 0;
    spawn(probe_new(sizeof (struct probe), "odd", unknown_status_step, "U", &cleaned));
    spawn(logger("A", 2));
    char *out;
    char *err = run_captured_both(&out);
    EXPECT_STR(log_text, "U:step A1 A2 A.",
               "what the tasks did (U's step returns 42, a status that is none of TASK_READY,\n"
               "TASK_RECV, TASK_SEND, TASK_DONE; A just runs)\n"
               "a task that returns an unknown status is ended, never resumed");
    EXPECT_INT(cleaned, 1, "how often U was cleaned up (end it with task_done())");
    EXPECT(err[0] != '\0', "U returned status 42: run() must say so in a message on stderr\n"
           "(it printed nothing there)");
    EXPECT_INT(count_of(out, "Task done\n"), 2, "\"Task done\" lines for 2 tasks");
    free(out);
    free(err);
}
END_TEST

static const struct graded_test tests[] = {
    GRADED("3.1", park_fills_its_tables, "park() files each wait in its own table, counts it, and refuses a second waiter"),
    GRADED("3.1", waiter_waits_for_data, "a task waiting to recv is not resumed before its pipe has data"),
    GRADED("3.1", refuses_fd_at_or_above_fd_setsize, "a wait on an fd >= FD_SETSIZE is refused with a message naming the fd"),
    GRADED("3.1", refuses_negative_fd, "a wait on a negative fd is refused with a message naming the fd"),
    GRADED("3.1", refuses_second_waiter_on_fd, "a second task waiting to recv on the same fd is refused"),
    GRADED("3.1", trace_names_parked_fds, "the trace shows each park and wake with its task and fd"),
    GRADED("3.2", one_select_wakes_every_ready_task, "one wait_for_io() wakes every ready task, readable ones first, none passed over"),
    GRADED("3.2", wait_for_io_on_its_own, "wait_for_io() wakes exactly the ready task and keeps highest_fd at the highest parked fd"),
    GRADED("3.2", each_waiter_wakes_on_its_own_fd, "each waiting task wakes when, and only when, its own fd is ready"),
    GRADED("3.2", readable_wakes_before_writable, "in one select() round, readable fds wake before writable ones"),
    GRADED("3.2", sender_waits_for_full_pipe, "a task waiting to send on a full pipe wakes once it is drained"),
    GRADED("3.2", waiter_on_highest_fd_wakes, "a task waiting on fd FD_SETSIZE - 1 wakes (select's first argument)"),
    GRADED("3.2", waiter_on_closed_fd_is_woken, "a task waiting on an fd another task closes is woken, not stuck"),
    GRADED("3.2", idle_wait_uses_no_cpu, "waiting with nothing ready blocks in select() and uses no CPU"),
    GRADED("3.2", signal_during_select_is_survived, "a signal arriving while select() waits does not stop the scheduler"),
    GRADED("3.2", flood_through_small_pipe, "1 MiB passes through a pipe: the writer waits while it is full"),
    GRADED("3.3", ready_tasks_round_robin, "ready tasks still take turns: A1 B1 C1 A2 B2 C2 ..."),
    GRADED("3.3", select_only_when_nothing_ready, "run() calls select() only when no task is ready"),
    GRADED("3.3", run_returns_when_all_end, "run() returns once every task has ended, waiting ones too"),
    GRADED("3.3", run_waits_for_other_process, "run() does not return while a task still waits"),
    GRADED("3.3", stop_ends_run, "after scheduler_stop(), run() returns before resuming another task"),
    GRADED("3.3", run_waits_again_after_a_signal, "when select() wakes no task (a signal), run() waits again"),
    GRADED("3.3", unknown_status_ends_task, "a task that returns an unknown status is ended with a message"),
};

static const struct stage_info stage = {
    .number = 3,
    .title = "the select loop",
    .timeout = 3,
    .crash_cause = "FD_SET(), recv_wait[fd] or send_wait[fd] with an fd outside 0..FD_SETSIZE-1 "
                   "(park() must refuse such an fd before touching any table or set); or a task "
                   "freed by task_done() while it is still parked in recv_wait or send_wait, or "
                   "still in the ready queue.",
    .hang_cause = "select() on an empty set with no timeout (its first argument must be the "
                  "highest fd in the sets + 1), a run loop that never ends (it must stop when no "
                  "task is ready and none waits), or a parked task that is never woken.",
};

int main(int argc, char **argv)
{
    /* A write to a pipe whose reader is gone (a task ended too early)
     * must fail with EPIPE and show in a test's log, not kill the test. */
    signal(SIGPIPE, SIG_IGN);
    grade_leaks_belong_to("3.3");
    return grade_stage(argc, argv, &stage, tests, GRADED_COUNT(tests));
}
