/*
 * countup.c - a generator whose loop variable must survive each yield.
 */
#include "countup.h"

#include "todo.h"

struct countup countup(int n)
{
    return (struct countup){ .co = CO_START, .n = n };
}

bool countup_next(struct countup *g, int *value)
{
    /* BEGIN EXERCISE 1.3: countup_next, yielding 0, 1, ..., n-1 */
    /* Exercise 1.3: yield 0, 1, ..., g->n - 1, then end by returning
     * false.  The loop variable cannot be a local: the function returns
     * at every yield.  Give struct countup a field for it (countup.h). */
    exercise_todo("1.3", "countup_next in countup.c and its state in countup.h");
    (void)g;
    (void)value;
    return false;
    /* END EXERCISE 1.3 */
}
