/*
 * switch_cost.c - what one switch between tasks costs, and what one task
 * weighs.
 *
 * Three ways to leave a piece of work and come back to it, each timed
 * over many rounds (best of several runs, so a busy moment of the
 * machine does not count):
 *  - the course's generators: call the step function through a pointer,
 *    as run() does; CO_BEGIN's switch jumps to the resume point, and
 *    CO_YIELD returns (a resume plus a yield);
 *  - a plain function call through a volatile function pointer (the
 *    floor: no call can be cheaper than this one, which nothing inlines);
 *  - swapcontext() there and back, the classic stackful coroutine (two
 *    full register saves, and on glibc a signal-mask system call each).
 * Then the bytes of state per task: struct task and the echo handler's
 * struct (mirrored from echo_handler.c, which keeps it private), and
 * what malloc really takes for one where the C library can say.
 *
 * Prints key=value lines that bench/run.sh reads.
 *
 * Build: cc -O2 -Isolutions/05-echo-handler -Icommon bench/switch_cost.c
 */
#include "address.h"
#include "coroutine.h"
#include "echo_handler.h"
#include "task.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__GLIBC__) && !defined(__APPLE__)
#define HAVE_UCONTEXT 1 /* obsolescent in POSIX, gone from SUSv4; glibc keeps it */
#include <ucontext.h>
#include <malloc.h> /* malloc_usable_size, a glibc extension */
#endif

#define ROUNDS 50000000L
#define SWAP_ROUNDS 200000L
#define RUNS 5

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* A generator that counts: every call resumes after the yield. */
struct counter {
    struct coroutine co;
    long n;
};

static int counter_step(struct counter *g)
{
    CO_BEGIN(&g->co);
    for (;;) {
        g->n++;
        CO_YIELD(&g->co, 1);
    }
    CO_END(&g->co, 0);
}

/* The same work as a plain function. */
static int plain_step(struct counter *g)
{
    g->n++;
    return 1;
}

/* volatile: the compiler must load the pointer and really call. */
static int (*volatile generator)(struct counter *) = counter_step;
static int (*volatile function)(struct counter *) = plain_step;

static double time_calls(int (*volatile *fn)(struct counter *))
{
    double best = 1e30;
    for (int run = 0; run < RUNS; run++) {
        struct counter g = { CO_START, 0 };
        double start = now_ns();
        for (long i = 0; i < ROUNDS; i++)
            (*fn)(&g);
        double ns = (now_ns() - start) / (double)ROUNDS;
        if (g.n != ROUNDS) {
            fprintf(stderr, "switch_cost: the counter reached %ld, not %ld\n", g.n, ROUNDS);
            exit(1);
        }
        if (ns < best)
            best = ns;
    }
    return best;
}

#ifdef HAVE_UCONTEXT
static ucontext_t main_context, task_context;
static volatile long swaps;

static void task_body(void)
{
    for (;;) {
        swaps++;
        swapcontext(&task_context, &main_context); /* yield */
    }
}

static double time_swapcontext(void)
{
    static char stack[64 * 1024];
    getcontext(&task_context);
    task_context.uc_stack.ss_sp = stack;
    task_context.uc_stack.ss_size = sizeof stack;
    task_context.uc_link = &main_context;
    makecontext(&task_context, task_body, 0);
    double best = 1e30;
    for (int run = 0; run < RUNS; run++) {
        double start = now_ns();
        for (long i = 0; i < SWAP_ROUNDS; i++)
            swapcontext(&main_context, &task_context); /* resume */
        double ns = (now_ns() - start) / (double)SWAP_ROUNDS;
        if (ns < best)
            best = ns;
    }
    return best;
}
#endif

/* The echo handler's state, as echo_handler.c declares it; keep the two
 * in step (bench/run.sh prints the figure, the tutorial quotes it). */
struct echo_handler_mirror {
    struct task task;
    int client;
    size_t length;
    size_t sent;
    char peer[ADDRESS_TEXT_SIZE];
    char reply[sizeof ECHO_PREFIX - 1 + ECHO_CHUNK];
};

int main(void)
{
    printf("generator_ns=%.2f\n", time_calls(&generator));
    printf("call_ns=%.2f\n", time_calls(&function));
#ifdef HAVE_UCONTEXT
    printf("swapcontext_ns=%.1f\n", time_swapcontext());
#else
    printf("swapcontext_ns=n/a\n");
    printf("note=swapcontext skipped: ucontext is obsolescent POSIX (deprecated on macOS)\n");
#endif
    printf("task_bytes=%zu\n", sizeof(struct task));
    printf("coroutine_bytes=%zu\n", sizeof(struct coroutine));
    printf("handler_bytes=%zu\n", sizeof(struct echo_handler_mirror));
#ifdef HAVE_UCONTEXT
    void *one = calloc(1, sizeof(struct echo_handler_mirror));
    /* The usable size plus the chunk header glibc keeps before it. */
    printf("handler_malloc_bytes=%zu\n", malloc_usable_size(one) + sizeof(size_t));
    free(one);
#else
    printf("handler_malloc_bytes=n/a\n");
#endif
    return 0;
}
