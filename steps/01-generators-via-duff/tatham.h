/*
 * tatham.h - a coroutine written by hand, as in Simon Tatham's
 * "Coroutines in C" (2000), before any macro hides the mechanism.
 */
#ifndef TATHAM_H
#define TATHAM_H

/* Return 1, 2, 3 on successive calls, then -1 forever.  Its state is
 * static, so there is only one of it in the whole program: the flaw that
 * struct-held state (countdown.h, countup.h) removes. */
int tatham_next(void);

#endif
