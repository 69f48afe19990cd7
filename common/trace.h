/*
 * trace.h - the scheduler narrates its decisions when asked (--trace).
 *
 * A learner watching "resume task 3", "park task 3 on fd 5 for recv",
 * "select woke fd 5" sees one thread serve many clients.  Tracing is
 * off unless a program turns it on.
 */
#ifndef TRACE_H
#define TRACE_H

#include <stdbool.h>

extern bool trace_enabled;

/* Print "[trace] ..." on stdout when tracing is on. */
void trace(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
