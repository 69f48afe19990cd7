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
    CO_BEGIN(&g->co);
    for (g->x = 0; g->x < g->n; g->x++) {
        *value = g->x;
        CO_YIELD(&g->co, true);
    }
    CO_END(&g->co, false);
}
