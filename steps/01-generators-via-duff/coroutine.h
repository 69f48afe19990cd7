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

/* BEGIN EXERCISE 1.1: the generator macros CO_BEGIN, CO_YIELD, CO_END */
/* Exercise 1.1: write the three generator macros.
 *
 * CO_BEGIN(co) opens the body: a switch on (co)->resume_line whose first
 * case, 0, is the top of the function.  CO_YIELD(co, value) stores
 * __LINE__ in (co)->resume_line, returns value, and plants the label
 * `case __LINE__:` right after the return, inside a do { } while (0).
 * CO_END(co, value) closes the switch, sets (co)->resume_line to
 * CO_FINISHED and returns value.  The stubs below compile but never
 * resume: every call starts again at the top. */
#include "todo.h"
#define CO_BEGIN(co) exercise_todo("1.1", "CO_BEGIN, CO_YIELD and CO_END in coroutine.h"); {
#define CO_YIELD(co, value) do { (void)(co); return (value); } while (0)
#define CO_END(co, value) } (void)(co); return (value)
/* END EXERCISE 1.1 */

#endif
