/*
 * countup.h - a generator with a loop variable: 0, 1, ..., N-1.
 *
 *     def countup(n):            struct countup g = countup(3);
 *         x = 0                  int value;
 *         while x < n:           while (countup_next(&g, &value))
 *             yield x                printf("Up we go %d\n", value);
 *             x += 1
 *
 * In Python, x lives in the generator's frame and survives each yield.
 * In C the function returns at every yield and its locals are gone, so
 * x must live in the struct.
 */
#ifndef COUNTUP_H
#define COUNTUP_H

#include "coroutine.h"

#include <stdbool.h>

struct countup {
    struct coroutine co;
    int n;
    int x;
};

/* A new, not yet started count from 0 up to N-1. */
struct countup countup(int n);

/* Store the next value in *VALUE and return true, or return false (and
 * leave *VALUE alone) once the count is over, on every later call. */
bool countup_next(struct countup *g, int *value);

#endif
