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
    CO_BEGIN(&g->co);
    for (g->x = 0; g->x < g->n; g->x++) {
        *value = g->x;
        CO_YIELD(&g->co, true);
    }
    CO_END(&g->co, false);
    /* END EXERCISE 1.3 */
}
