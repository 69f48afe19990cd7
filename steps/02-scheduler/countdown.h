/*
 * countdown.h - the course's first generator: N, N-1, ..., 1.
 *
 *     def countdown(n):          struct countdown g = countdown(3);
 *         while n > 0:           int value;
 *             yield n            while (countdown_next(&g, &value))
 *             n -= 1                 printf("T-minus %d\n", value);
 */
#ifndef COUNTDOWN_H
#define COUNTDOWN_H

#include "coroutine.h"

#include <stdbool.h>

struct countdown {
    struct coroutine co;
    int n;
};

/* A new, not yet started countdown from N. */
struct countdown countdown(int n);

/* Store the next value in *VALUE and return true, or return false (and
 * leave *VALUE alone) once the countdown is over, on every later call. */
bool countdown_next(struct countdown *g, int *value);

#endif
