/*
 * coroutine.h - generators in C: a switch whose case labels sit inside
 * the function's loops (Duff's device), with __LINE__ as the resume point.
 *
 * A generator is an ordinary function that is called again and again.
 * Each call must continue where the last one stopped.  C cannot save a
 * function's place, so we save it ourselves: before returning, CO_YIELD
 * stores the current line number in the generator's state; on the next
 * call, CO_BEGIN switches on that number and jumps straight to the
 * `case __LINE__:` that CO_YIELD planted just after its return.
 *
 *     int next(struct gen *g)              after expansion (roughly):
 *     {                                    switch (g->co.resume_line) {
 *         CO_BEGIN(&g->co);                case 0:
 *         for (;;) {                           for (;;) {
 *             CO_YIELD(&g->co, 1);   --->          g->co.resume_line = 16;
 *         }                                        return 1;
 *         CO_END(&g->co, 0);                   case 16:;   <-- next call
 *     }                                        }          jumps here
 *                                          }
 *
 * Limits (the price of a coroutine with no stack of its own):
 *  - Local variables do not survive a yield: the function really returns.
 *    Keep everything the generator needs after a yield in its struct.
 *  - One CO_YIELD per line: two on one line make a duplicate case label
 *    (the compiler says so).
 *  - No CO_YIELD inside a switch statement of your own: its case label
 *    would belong to your switch, not to CO_BEGIN's.
 *  - A `break` outside any loop or switch of your own leaves CO_BEGIN's
 *    switch: the generator silently ends.  Use break only inside loops.
 *  - CO_YIELD only between CO_BEGIN and CO_END of the same function.
 *  - Zero the struct coroutine before the first call (CO_START does).
 */
#ifndef COROUTINE_H
#define COROUTINE_H

#include <stdbool.h>

/* Where a generator resumes: 0 before the first call, the line of its
 * last CO_YIELD while suspended, CO_FINISHED once it has ended. */
struct coroutine {
    int resume_line;
};

#define CO_START { 0 }
#define CO_FINISHED (-1)

static inline bool co_finished(const struct coroutine *co)
{
    return co->resume_line == CO_FINISHED;
}


/* Open the generator's body: jump to where the last call left off. */
#define CO_BEGIN(co) switch ((co)->resume_line) { case 0:

/* Return VALUE now; the next call continues on the line after this one.
 * The do/while(0) makes the macro one statement; the case label inside
 * it is the resume point, reachable only through CO_BEGIN's switch. */
#define CO_YIELD(co, value)                                                   \
    do {                                                                      \
        (co)->resume_line = __LINE__;                                         \
        return (value);                                                       \
    case __LINE__:;                                                           \
    } while (0)

/* Close the body: mark the generator finished and return VALUE, now and
 * on every later call (CO_FINISHED matches no case, so the switch
 * jumps straight here). */
#define CO_END(co, value)                                                     \
    }                                                                         \
    (co)->resume_line = CO_FINISHED;                                          \
    return (value)


#endif
