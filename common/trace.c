/*
 * trace.c - one line per scheduler decision, in order with the log.
 */
#include "trace.h"

#include <stdarg.h>
#include <stdio.h>

bool trace_enabled = false;

void trace(const char *format, ...)
{
    if (!trace_enabled)
        return;
    /* stdout, not stderr: trace lines must interleave in order with
     * "Connection from ..." and "Task done". */
    va_list args;
    va_start(args, format);
    fputs("[trace] ", stdout);
    vprintf(format, args);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(args);
}
