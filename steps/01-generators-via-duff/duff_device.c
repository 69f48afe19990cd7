/*
 * duff_device.c - the switch jumps into the middle of the do/while.
 *
 * With count = 11: 11 % 8 = 3, so the switch enters at `case 3`, copies
 * three bytes, falls to the loop test, and goes round once more for the
 * remaining eight.  The labels are only entry points; once inside, the
 * loop runs as any loop does.  Coroutines reuse exactly this: the label
 * to enter at is the line where the function last left off.
 */
#include "duff_device.h"

void duff_copy(char *to, const char *from, size_t count)
{
    if (count == 0)
        return;
    size_t turns = (count + 7) / 8;
    switch (count % 8) {
    case 0: do { *to++ = *from++;
    /* fall through */ case 7: *to++ = *from++;
    /* fall through */ case 6: *to++ = *from++;
    /* fall through */ case 5: *to++ = *from++;
    /* fall through */ case 4: *to++ = *from++;
    /* fall through */ case 3: *to++ = *from++;
    /* fall through */ case 2: *to++ = *from++;
    /* fall through */ case 1: *to++ = *from++;
            } while (--turns > 0);
    }
}
