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
    CO_BEGIN(&g->co);
    while (g->n > 0) {
        *value = g->n;
        CO_YIELD(&g->co, true);
        g->n--;
    }
    CO_END(&g->co, false);
    /* END EXERCISE 1.2 */
}
