/*
 * trace.c - one line per scheduler decision, in order with the log.
 */
#include "trace.h"

#include "output.h"

#include <stdarg.h>
#include <stdio.h>

bool trace_enabled = false;

void trace(const char *format, ...)
{
    if (!trace_enabled)
        return;
    /* stdout, not stderr: trace lines must interleave in order with
     * "Connection from ..." and "Task done". */
    char text[OUTPUT_LINE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    print_line("[trace] %s", text);
    /* Without an event loop print_line() is stdio: a trace line must be
     * out before a crash that it may explain. */
    fflush(stdout);
}
