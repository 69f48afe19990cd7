/*
 * tatham.c - the resume point, spelled out.
 *
 * `state` remembers which return we left by; the switch jumps back to
 * the case label just after it, which sits inside the for loop.  The
 * CO_ macros in coroutine.h write exactly this, with __LINE__ as the
 * number so that nobody has to count.
 */
#include "tatham.h"

int tatham_next(void)
{
    static int state = 0;
    static int i;

    switch (state) {
    case 0:
        for (i = 1; i <= 3; i++) {
            state = 1;
            return i;
    case 1:;
        }
    }
    state = 2;
    return -1;
}
