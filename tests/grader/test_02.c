/*
 * test_02.c - grades stage 2: the task queue, the run loop, task_done.
 *
 * The tasks here are written in this file: each one writes what it does
 * into a log ("A1 B1 C1 A2 ..."), so a test can compare the exact order
 * in which run() resumed them.  run() prints "Task done", so every call
 * to it goes through capture_stdout() and the report stays readable.
 * Each test runs in its own process: the global queue starts empty.
 */
#include "grade.h"
#include "report_text.h"
#include "support.h"

#include "scheduler.h"
#include "task.h"
#include "task_queue.h"
#include "trace.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void call_run(void *arg)
{
    (void)arg;
    run();
}

/* run() with its stdout captured; returns what it printed (free it). */
static char *run_captured(void)
{
    return capture_stdout(call_run, NULL);
}

/* ---- the queue ------------------------------------------------------ */

/* Which of ITEMS (COUNT of them) T is, as a learner reads it. */
static const char *which(const struct task *t, const struct task items[], int count)
{
    static char name[32];
    if (t == NULL)
        return "NULL";
    if (t >= items && t < items + count) {
        snprintf(name, sizeof name, "task %d", (int)(t - items) + 1);
        return name;
    }
    return "a pointer that is none of the pushed tasks";
}

#define EXPECT_POP(queue, items, count, want, what)                           \
    do {                                                                      \
        struct task *popped_ = task_queue_pop(queue);                         \
        struct task *wanted_ = (want);                                        \
        if (popped_ != wanted_) {                                             \
            char wanted_name_[64];                                            \
            snprintf(wanted_name_, sizeof wanted_name_, "%s",                 \
                     which(wanted_, items, count));                           \
            ck_assert_msg(0, "%s: expected %s, got %s", (what), wanted_name_, \
                          which(popped_, items, count));                      \
        }                                                                     \
    } while (0)

START_TEST(queue_is_fifo)
{
    struct task items[5];
    memset(items, 0, sizeof items);
    struct task_queue q = TASK_QUEUE_EMPTY;
    for (int i = 0; i < 5; i++)
        task_queue_push(&q, &items[i]);
    for (int i = 0; i < 5; i++) {
        char what[96];
        snprintf(what, sizeof what, "pop number %d after pushing tasks 1 to 5", i + 1);
        EXPECT_POP(&q, items, 5, &items[i], what);
    }
    EXPECT_POP(&q, items, 5, NULL, "pop number 6 after pushing 5 tasks (the queue is empty now)");
}
END_TEST

START_TEST(queue_empty_state)
{
    struct task items[1];
    memset(items, 0, sizeof items);
    struct task_queue q = TASK_QUEUE_EMPTY;
    EXPECT(task_queue_empty(&q), "a new queue (TASK_QUEUE_EMPTY) must say it is empty");
    EXPECT_POP(&q, items, 1, NULL, "pop on a new, empty queue");
    task_queue_push(&q, &items[0]);
    EXPECT(!task_queue_empty(&q), "after one push, task_queue_empty() must be false");
    EXPECT_POP(&q, items, 1, &items[0], "pop after pushing one task");
    EXPECT(task_queue_empty(&q), "after popping its only task, the queue must be empty again");
    EXPECT_POP(&q, items, 1, NULL, "pop on a queue emptied by popping");
    EXPECT_POP(&q, items, 1, NULL, "a second pop on the empty queue");
    EXPECT(q.head == NULL && q.tail == NULL,
           "an emptied queue must have head and tail both NULL\n"
           "(got head %s, tail %s: the next push relies on them)",
           q.head ? "set" : "NULL", q.tail ? "set" : "NULL");
}
END_TEST

START_TEST(queue_reused_after_empty)
{
    struct task items[4];
    memset(items, 0, sizeof items);
    struct task_queue q = TASK_QUEUE_EMPTY;
    task_queue_push(&q, &items[0]);
    task_queue_push(&q, &items[1]);
    EXPECT_POP(&q, items, 4, &items[0], "pop 1 of 2");
    EXPECT_POP(&q, items, 4, &items[1], "pop 2 of 2");
    bool tail_kept = q.tail != NULL; /* pop's mistake, not push's */
    task_queue_push(&q, &items[2]);
    task_queue_push(&q, &items[3]);
    EXPECT(!task_queue_empty(&q), "after pushing into an emptied queue, it must not say empty\n"
           "%s", tail_kept
           ? "(popping the last task left tail set: pop must set tail to NULL when the queue\n"
             "empties, or the next push links the task after one no longer in the queue)"
           : "(when the queue was empty, push must set head as well as tail)");
    EXPECT_POP(&q, items, 4, &items[2], "the first pop after pushing tasks 3 and 4 into an emptied queue");
    EXPECT_POP(&q, items, 4, &items[3], "the second pop after pushing tasks 3 and 4 into an emptied queue");
    EXPECT_POP(&q, items, 4, NULL, "pop once everything is out again");
}
END_TEST

START_TEST(queue_push_back_popped_task)
{
    /* What run() does to every task that yields: pop it, push it back.
     * A stale `next` left in a popped task would link the queue into a
     * loop here. */
    struct task items[3];
    memset(items, 0, sizeof items);
    struct task_queue q = TASK_QUEUE_EMPTY;
    for (int i = 0; i < 3; i++)
        task_queue_push(&q, &items[i]);
    EXPECT_POP(&q, items, 3, &items[0], "pop 1 after pushing tasks 1, 2, 3");
    task_queue_push(&q, &items[0]);
    const int order[] = { 1, 2, 0 };
    for (int i = 0; i < 3; i++) {
        char what[128];
        snprintf(what, sizeof what, "pop %d after task 1 was popped and pushed back (expected order 2, 3, 1)",
                 i + 1);
        EXPECT_POP(&q, items, 3, &items[order[i]], what);
    }
    EXPECT_POP(&q, items, 3, NULL, "pop after the three tasks are out\n"
               "(a popped task must not keep its old `next`: push sets it to NULL)");
}
END_TEST

#define MANY 10000

START_TEST(queue_ten_thousand)
{
    static struct task items[MANY];
    struct task_queue q = TASK_QUEUE_EMPTY;
    for (int i = 0; i < MANY; i++)
        task_queue_push(&q, &items[i]);
    EXPECT(!task_queue_empty(&q), "after 10 000 pushes the queue must not be empty");
    for (int i = 0; i < MANY; i++) {
        struct task *t = task_queue_pop(&q);
        ck_assert_msg(t == &items[i], "pop number %d of 10 000: expected task %d, got %s",
                      i + 1, i + 1, which(t, items, MANY));
    }
    EXPECT(task_queue_empty(&q), "after 10 000 pushes and 10 000 pops the queue must be empty");
    EXPECT_POP(&q, items, MANY, NULL, "pop number 10 001");

    /* Now push two, pop one, 10 000 times: the queue never empties. */
    int next_out = 0;
    for (int i = 0; i < MANY / 2; i++) {
        task_queue_push(&q, &items[2 * i]);
        task_queue_push(&q, &items[2 * i + 1]);
        struct task *t = task_queue_pop(&q);
        ck_assert_msg(t == &items[next_out], "pushing two, popping one: pop number %d: "
                      "expected task %d, got %s", i + 1, next_out + 1, which(t, items, MANY));
        next_out++;
    }
    for (; next_out < MANY; next_out++) {
        struct task *t = task_queue_pop(&q);
        ck_assert_msg(t == &items[next_out], "draining after pushing two, popping one: "
                      "expected task %d, got %s", next_out + 1, which(t, items, MANY));
    }
    EXPECT(task_queue_empty(&q), "the queue must be empty once every task is out");
}
END_TEST

/* ---- tasks that log --------------------------------------------------- */

/* A task that logs LABEL and its step number ("A1"), or prints it on
 * stdout when PRINT is set, STEPS times, yielding after each; then logs
 * "A." and ends.  It may spawn CHILD at its first step. */
struct logger {
    struct task task;
    const char *label;
    int steps, i;
    bool print;
    struct task *child;
    int *cleaned;   /* counts cleanup calls, when not NULL */
    unsigned magic; /* what cleanup expects to find intact */
};

#define MAGIC 0x5eed1234u

static enum task_status logger_step(struct task *self)
{
    struct logger *l = (struct logger *)self;
    TASK_BEGIN(self);
    for (l->i = 1; l->i <= l->steps; l->i++) {
        if (l->print)
            printf("%s%d\n", l->label, l->i);
        else
            log_add("%s%d", l->label, l->i);
        if (l->child != NULL) {
            spawn(l->child);
            l->child = NULL;
        }
        TASK_YIELD(self);
    }
    if (l->print)
        printf("%s ends\n", l->label);
    else
        log_add("%s.", l->label);
    TASK_END(self);
}

/* Logs "A~" and counts; checks it got its own task, still intact. */
static void logger_cleanup(struct task *self)
{
    struct logger *l = (struct logger *)self;
    if (l->magic != MAGIC || l->task.step != logger_step) {
        log_add("cleanup-got-a-broken-task");
        return;
    }
    if (!l->print)
        log_add("%s~", l->label);
    if (l->cleaned != NULL)
        (*l->cleaned)++;
}

/* Every task a test makes, so that the tests of run() can free those
 * task_done() did not free: until exercise 2.3 is written (its stub
 * frees nothing), run() is still graded, with no leak of 2.3's. */
static struct task *made[MANY + 16];
static int made_count;

static struct task *made_task(struct task *t)
{
    if (made_count < (int)(sizeof made / sizeof made[0]))
        made[made_count++] = t;
    return t;
}

static struct task *logger(const char *label, int steps)
{
    struct logger *l = (struct logger *)made_task(task_new(sizeof *l, "logger", logger_step));
    l->label = label;
    l->steps = steps;
    l->magic = MAGIC;
    return &l->task;
}

static struct task *logger_with_cleanup(const char *label, int steps, int *cleaned)
{
    struct task *t = logger(label, steps);
    ((struct logger *)t)->cleaned = cleaned;
    t->cleanup = logger_cleanup;
    return t;
}

/* ---- the run loop ----------------------------------------------------- */

/* run() goes through the queue of exercise 2.1: with a broken queue,
 * a correct run() or task_done() would fail too and be blamed.  So the
 * tests of 2.2 and 2.3 first check the queue and, if it is broken, say
 * so instead. */
static void require_working_queue(void)
{
    struct task items[3];
    struct task_queue q = TASK_QUEUE_EMPTY;
    memset(items, 0, sizeof items);
    bool works = task_queue_empty(&q);
    for (int round = 0; round < 2 && works; round++) {
        for (int i = 0; i < 3; i++)
            task_queue_push(&q, &items[i]);
        works = !task_queue_empty(&q);
        for (int i = 0; i < 3 && works; i++)
            works = task_queue_pop(&q) == &items[i];
        works = works && task_queue_empty(&q) && task_queue_pop(&q) == NULL;
    }
    if (!works)
        grade_needs("2.1");
    ck_assert_msg(works, "this test runs tasks through your queue, which does not work yet\n"
                  "(first in, first out, and empty again after the last pop):\n"
                  "fix exercise 2.1 first; its tests above say what is wrong");
}

/* task_done() of exercise 2.3, on its own: two tasks, one with a
 * cleanup, one without; each prints "Task done" once, the cleanup runs
 * once.  Run in a child process: a broken task_done() may crash. */
static void call_task_done_twice(void *arg);
static void end_thousand_tasks(void *arg);

static int task_done_on_its_own(void *arg)
{
    (void)arg;
    char *out = capture_stdout(call_task_done_twice, NULL);
    if (stub_ran("2.3")) {
        free(out);
        return 5; /* its stub: the tests of run() do without it */
    }
    int ok = strcmp(out, "Task done\nTask done\n") == 0 && strstr(log_text, "broken") == NULL
          && strcmp(log_text, "P~") == 0;
    free(out);
    /* And it frees: a leak is task_done's, whoever calls it. */
    free(capture_stdout(end_thousand_tasks, NULL));
    long long before = heap_in_use();
    free(capture_stdout(end_thousand_tasks, NULL));
    if (before >= 0 && heap_in_use() - before >= 1000 * (long long)sizeof (struct logger) / 2)
        ok = 0;
    return ok;
}

static bool task_done_works(void)
{
    return probe(task_done_on_its_own, NULL, 2000) == 1;
}

/* 1 when task_done() frees what it ends (1000 plain tasks leave no heap
 * in use), whatever else it does. */
static int task_done_frees_alone(void *arg)
{
    (void)arg;
    free(capture_stdout(end_thousand_tasks, NULL));
    long long before = heap_in_use();
    free(capture_stdout(end_thousand_tasks, NULL));
    return before >= 0 && heap_in_use() - before < 1000 * (long long)sizeof (struct logger) / 2;
}

/* After run() in a test of 2.2: free the tasks the test made if
 * task_done() does not free them (its stub, or a 2.3 that leaks, which
 * 2.3's own tests report): a leak is never run()'s to answer for. */
static void free_what_task_done_kept(void)
{
    if (probe(task_done_frees_alone, NULL, 2000) == 1)
        return;
    for (int k = 0; k < made_count; k++)
        free(made[k]);
    made_count = 0;
}

/* The tests of run() end tasks through task_done(): with a broken one,
 * say so, and the failure is 2.3's. */
static void require_task_done(void)
{
    if (probe(task_done_on_its_own, NULL, 2000) == 5) {
        /* Not written yet: run() is graded all the same (the test frees
         * the tasks, free_what_task_done_kept()). */
        grade_covers("2.3");
        return;
    }
    if (!task_done_works()) {
        grade_needs("2.3");
        grade_cause("task_done() itself goes wrong on its own, even for a plain task (see its "
                    "own tests): it must print \"Task done\", call t->cleanup(t) once and only "
                    "when it is not NULL, then free(t)");
    }
}

/* The tests of 2.3 that go through run(): when task_done() works on its
 * own, what fails is how run() hands finished tasks to it. */
static void blame_run_if_task_done_works(void)
{
    if (task_done_works())
        grade_blame("2.2", "task_done() works on its own, so run() does not hand each finished "
                    "task to it (exactly once, right when its step returns TASK_DONE)");
}

START_TEST(run_round_robin)
{
    require_working_queue();
    require_task_done();
    spawn(logger("A", 3));
    spawn(logger("B", 2));
    spawn(logger("C", 3));
    free(run_captured());
    free_what_task_done_kept();
    EXPECT_STR(log_text, "A1 B1 C1 A2 B2 C2 A3 B. C3 A. C.",
               "what three tasks did under run() (A has 3 steps, B 2, C 3; each logs its step,\n"
               "then yields; \"B.\" means B ended)\n"
               "run() resumes the task at the head of the queue, and puts it back at the tail\n"
               "if it yielded");
}
END_TEST

START_TEST(run_spawned_task_goes_last)
{
    require_working_queue();
    require_task_done();
    struct task *p = logger("P", 2);
    ((struct logger *)p)->child = logger("Q", 1);
    spawn(p);
    spawn(logger("X", 2));
    free(run_captured());
    free_what_task_done_kept();
    EXPECT_STR(log_text, "P1 X1 Q1 P2 X2 Q. P. X.",
               "P spawns Q during its first step, while X is already queued:\n"
               "Q joins the tail, so it runs after X, and P (which yielded) goes after Q");
}
END_TEST

START_TEST(run_returns_when_all_end)
{
    require_working_queue();
    require_task_done();
    spawn(logger("A", 0));
    spawn(logger("B", 2));
    spawn(logger("C", 1));
    free(run_captured());
    free_what_task_done_kept();
    EXPECT_STR(log_text, "A. B1 C1 B2 C. B.",
               "what the tasks did before run() returned (A ends at once, B has 2 steps, C 1)\n"
               "run() must keep going until every task has ended, then return");
    EXPECT(task_queue_empty(&tasks), "after run() returns, the ready queue must be empty");
    log_text[0] = '\0';
    free(run_captured());
    EXPECT_STR(log_text, "", "a second run() with no task left must return at once, running nothing");
}
END_TEST

static int steps_taken, tasks_ended;

static enum task_status counter_step(struct task *self)
{
    TASK_BEGIN(self);
    steps_taken++;
    TASK_YIELD(self);
    steps_taken++;
    TASK_YIELD(self);
    steps_taken++;
    tasks_ended++;
    TASK_END(self);
}

START_TEST(run_traces_each_resume)
{
    require_working_queue();
    require_task_done();
    spawn(logger("A", 1)); /* task ids count from 1 in each test's process */
    trace_enabled = true;
    char *out = run_captured();
    trace_enabled = false;
    free_what_task_done_kept();
    EXPECT(count_of(out, "[trace] resume task ") == 2,
           "with trace_enabled, run() must print \"[trace] resume task ID (NAME)\" before each step\n"
           "(a task of one step is resumed twice); it printed:\n%s", shown_text(out));
    free(out);
}
END_TEST

/* 1 when task_done() calls each task's cleanup once (whatever else it
 * does or prints): then a cleanup count says which tasks run() handed
 * to it. */
static void call_task_done_on(void *arg)
{
    task_done(arg);
}

static int task_done_cleans_up(void *arg)
{
    (void)arg;
    int cleaned = 0;
    struct task *t = logger("P", 1);
    ((struct logger *)t)->cleaned = &cleaned;
    t->cleanup = logger_cleanup;
    free(capture_stdout(call_task_done_on, t));
    return cleaned == 1 && !stub_ran("2.3");
}

START_TEST(run_hands_each_ended_task_to_task_done)
{
    require_working_queue();
    /* Seen through the cleanups that task_done() calls: where it does not
     * call them (its stub), 2.3's own tests tell, and this one cannot. */
    grade_covers("2.3");
    bool cleans = probe(task_done_cleans_up, NULL, 2000) == 1;
    bool stub = !cleans && probe(task_done_on_its_own, NULL, 2000) == 5;
    if (!cleans && !stub)
        require_task_done(); /* a task_done() that crashes or misbehaves is 2.3's */
    int said_before = stub_runs("2.3"); /* the probes' processes */
    int cleaned[3] = { 0, 0, 0 };
    spawn(logger_with_cleanup("A", 0, &cleaned[0]));
    spawn(logger_with_cleanup("B", 2, &cleaned[1]));
    spawn(logger_with_cleanup("C", 1, &cleaned[2]));
    free(run_captured());
    if (!cleans) {
        /* Its stub, at least, says when it runs (in the grader's notes,
         * once per process): tasks ended, so run() must have called it. */
        bool notes = getenv("GRADE_NOTES") != NULL && *getenv("GRADE_NOTES") != '\0';
        bool called = stub_runs("2.3") > said_before;
        free_what_task_done_kept();
        EXPECT(!stub || !notes || called,
               "three tasks ended, and run() never called task_done() (its stub never ran): when a\n"
               "step returns TASK_DONE, run() hands the task to task_done()");
        return;
    }
    /* A task run() never handed over is the test's to free: its leak
     * would be blamed on task_done(). */
    for (int k = 0; k < 3 && k < made_count; k++)
        if (cleaned[k] == 0)
            free(made[k]);
    for (int k = 0; k < 3; k++)
        EXPECT(cleaned[k] == 1, "task %c ended, and its cleanup ran %d times: when a step returns TASK_DONE,\n"
               "run() hands the task to task_done() (which cleans up and frees it), once", 'A' + k,
               cleaned[k]);
}
END_TEST

START_TEST(run_ten_thousand_tasks)
{
    require_working_queue();
    require_task_done();
    for (int i = 0; i < MANY; i++)
        spawn(made_task(task_new(sizeof (struct task), "counter", counter_step)));
    free(run_captured());
    free_what_task_done_kept();
    EXPECT_INT(tasks_ended, MANY, "tasks that reached their end (of 10 000 spawned)");
    EXPECT_INT(steps_taken, 3 * MANY, "steps taken by 10 000 tasks of 3 steps each");
    EXPECT(task_queue_empty(&tasks), "after run() returns, the ready queue must be empty");
}
END_TEST

/* ---- task_done -------------------------------------------------------- */

START_TEST(task_done_line_in_order)
{
    require_working_queue();
    blame_run_if_task_done_works();
    struct task *a = logger("A", 1), *b = logger("B", 3);
    ((struct logger *)a)->print = true;
    ((struct logger *)b)->print = true;
    spawn(a);
    spawn(b);
    char *out = run_captured();
    EXPECT_STR(shown_text(out), "A1\nB1\nA ends\nTask done\nB2\nB3\nB ends\nTask done\n",
               "what run() and two tasks printed (A has 1 step, B 3; each prints its steps,\n"
               "then \"ends\")\n"
               "task_done() prints \"Task done\" and a newline, once, when a task has ended:\n"
               "with printf, so it lands in order with the tasks' own output");
    free(out);
}
END_TEST

static struct task *done_victim;

static void call_task_done(void *arg)
{
    (void)arg;
    /* Forget the pointer first: a task_done() that does not free it
     * must leave a leak for the SANITIZE=1 run to find. */
    struct task *t = done_victim;
    done_victim = NULL;
    task_done(t);
}

/* A cleanup that prints, so that the order of its line and "Task
 * done" shows. */
static void printing_cleanup(struct task *self)
{
    (void)self;
    printf("cleanup\n");
}

static void call_task_done_printing(void *arg)
{
    (void)arg;
    struct task *t = logger("T", 1);
    t->cleanup = printing_cleanup;
    task_done(t);
}

static void call_task_done_twice(void *arg)
{
    (void)arg;
    int cleaned = 0;
    task_done(logger_with_cleanup("P", 1, &cleaned));
    task_done(logger("Q", 1));
    if (cleaned != 1)
        log_add("cleanup-ran-%d-times", cleaned);
}

START_TEST(task_done_cleans_up_once)
{
    int cleaned = 0;
    done_victim = logger_with_cleanup("T", 1, &cleaned);
    char *out = capture_stdout(call_task_done, NULL);
    EXPECT_STR(shown_text(out), "Task done\n", "what task_done(t) printed");
    free(out);
    EXPECT(strstr(log_text, "broken") == NULL,
           "the cleanup function was called with a task that is not intact:\n"
           "call t->cleanup(t) with the task itself, before freeing it");
    EXPECT_INT(cleaned, 1, "how often task_done(t) called t->cleanup(t)");
    /* Whether t was freed is checked by the SANITIZE=1 run (a leak). */
}
END_TEST

START_TEST(task_done_says_done_before_cleanup)
{
    char *out = capture_stdout(call_task_done_printing, NULL);
    EXPECT_STR(shown_text(out), "Task done\ncleanup\n",
               "what task_done(t) printed for a task whose cleanup prints \"cleanup\"\n"
               "(first say \"Task done\", then call t->cleanup(t), then free(t))");
    free(out);
}
END_TEST

START_TEST(task_done_without_cleanup)
{
    done_victim = logger("T", 1);
    EXPECT(done_victim->cleanup == NULL, "a new task has no cleanup function");
    grade_cause("task_done() called t->cleanup although it is NULL: call it only when it is set");
    char *out = capture_stdout(call_task_done, NULL);
    EXPECT_STR(shown_text(out), "Task done\n",
               "what task_done(t) printed for a task whose cleanup is NULL\n"
               "(call t->cleanup only when it is not NULL)");
    free(out);
}
END_TEST

static void end_thousand_tasks(void *arg)
{
    (void)arg;
    /* Half with a cleanup: the task is freed after its cleanup, not
     * instead of it (a cleanup frees what the task owns, not the task). */
    for (int i = 0; i < 1000; i++)
        task_done(i % 2 ? logger_with_cleanup("T", 1, NULL) : logger("T", 1));
}

START_TEST(task_done_frees_the_task)
{
    /* Where LeakSanitizer runs (SANITIZE=1, or by default where it
     * works), it names the leak itself; elsewhere count the heap. */
    free(capture_stdout(end_thousand_tasks, NULL)); /* the first round fills caches */
    long long before = heap_in_use();
    if (before < 0)
        return;
    free(capture_stdout(end_thousand_tasks, NULL));
    long long grown = heap_in_use() - before;
    EXPECT(grown < 1000 * (long long)sizeof (struct logger) / 2,
           "after task_done() ended 1000 tasks, %lld more bytes of heap are in use\n"
           "(each task is %zu bytes, half of them with a cleanup): task_done(t) must\n"
           "free(t) after its cleanup, whether or not it has one",
           grown, sizeof (struct logger));
}
END_TEST

START_TEST(run_cleans_up_each_task)
{
    require_working_queue();
    blame_run_if_task_done_works();
    int cleaned_a = 0, cleaned_b = 0;
    spawn(logger_with_cleanup("A", 1, &cleaned_a));
    spawn(logger_with_cleanup("B", 2, &cleaned_b));
    char *out = run_captured();
    EXPECT_STR(log_text, "A1 B1 A. A~ B2 B. B~",
               "what two tasks with cleanups did under run() (\"A.\": A ended, \"A~\": A's cleanup ran)\n"
               "when a step returns TASK_DONE, run() hands the task to task_done(), which calls\n"
               "its cleanup once, right away");
    EXPECT_INT(cleaned_a, 1, "how often task A's cleanup ran");
    EXPECT_INT(cleaned_b, 1, "how often task B's cleanup ran");
    EXPECT_INT(count_of(out, "Task done\n"), 2, "\"Task done\" lines printed for 2 tasks");
    free(out);
}
END_TEST

START_TEST(run_reports_ten_thousand_tasks)
{
    require_working_queue();
    blame_run_if_task_done_works();
    int cleaned = 0;
    for (int i = 0; i < MANY; i++)
        spawn(logger_with_cleanup("", 1, &cleaned));
    char *out = run_captured();
    EXPECT_INT(count_of(out, "Task done\n"), MANY, "\"Task done\" lines printed for 10 000 tasks");
    EXPECT_INT((long long)strlen(out), MANY * (long long)strlen("Task done\n"),
               "bytes run() printed for 10 000 tasks that print nothing themselves");
    EXPECT_INT(cleaned, MANY, "cleanup calls for 10 000 tasks");
    free(out);
}
END_TEST

static const struct graded_test tests[] = {
    GRADED("2.1", queue_is_fifo, "tasks come out of the queue in the order they went in"),
    GRADED("2.1", queue_empty_state, "an empty queue says so, and popping it gives NULL"),
    GRADED("2.1", queue_reused_after_empty, "a queue emptied by popping works again for new pushes"),
    GRADED("2.1", queue_push_back_popped_task, "a popped task pushed back goes to the tail"),
    GRADED("2.1", queue_ten_thousand, "10 000 tasks go through the queue in order"),
    GRADED("2.2", run_round_robin, "run() resumes three tasks in turn: A1 B1 C1 A2 B2 C2 ..."),
    GRADED("2.2", run_spawned_task_goes_last, "a task spawned during run() waits behind those already queued"),
    GRADED("2.2", run_returns_when_all_end, "run() returns once every task has ended"),
    GRADED("2.2", run_traces_each_resume, "with tracing on, run() traces each resume of a task"),
    GRADED("2.2", run_hands_each_ended_task_to_task_done, "run() hands each ended task to task_done(), once"),
    GRADED("2.2", run_ten_thousand_tasks, "10 000 tasks all run to their end"),
    GRADED("2.3", task_done_line_in_order, "\"Task done\" is printed once per task, in order with its output"),
    GRADED("2.3", task_done_cleans_up_once, "task_done() calls the task's cleanup exactly once"),
    GRADED("2.3", task_done_says_done_before_cleanup, "task_done() says \"Task done\" before it calls the cleanup"),
    GRADED("2.3", task_done_without_cleanup, "task_done() works for a task with no cleanup"),
    GRADED("2.3", task_done_frees_the_task, "task_done() frees the task: 1000 ended tasks leave no heap in use"),
    GRADED("2.3", run_cleans_up_each_task, "each task's cleanup runs once, right when it ends"),
    GRADED("2.3", run_reports_ten_thousand_tasks, "10 000 finished tasks: 10 000 \"Task done\" lines and cleanups"),
};

static const struct stage_info stage = {
    .number = 2,
    .title = "the scheduler",
    .timeout = 3,
    .crash_cause = "a task used after free(): run() must not push back or resume a task that "
                   "task_done() has freed; or a queue whose head or tail still points at a "
                   "popped task.",
    .hang_cause = "a run loop that never ends (does it stop when task_queue_pop() returns "
                  "NULL?), or a queue linked into a loop (push must set t->next to NULL).",
};

int main(int argc, char **argv)
{
    grade_leaks_belong_to("2.3");
    return grade_stage(argc, argv, &stage, tests, GRADED_COUNT(tests));
}
