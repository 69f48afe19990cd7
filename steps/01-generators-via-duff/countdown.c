/*
 * countdown.c - a generator written with the CO_ macros.
 */
#include "countdown.h"

#include "todo.h"

struct countdown countdown(int n)
{
    return (struct countdown){ .co = CO_START, .n = n };
}

bool countdown_next(struct countdown *g, int *value)
{
    /* BEGIN EXERCISE 1.2: countdown_next, yielding n, n-1, ..., 1 */
    /* Exercise 1.2: yield g->n, g->n - 1, ..., 1 with CO_BEGIN, CO_YIELD
     * and CO_END, storing each value in *value before yielding true;
     * end by returning false.  Python:
     *     while n > 0:
     *         yield n
     *         n -= 1
     */
    exercise_todo("1.2", "countdown_next in countdown.c");
    (void)g;
    (void)value;
    return false;
    /* END EXERCISE 1.2 */
}
