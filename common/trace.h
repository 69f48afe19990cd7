/*
 * trace.h - the scheduler narrates its decisions when asked (--trace).
 *
 * A learner watching "resume task 3", "park task 3 on fd 5 for recv",
 * "select woke fd 5" sees one thread serve many clients.  Tracing is
 * off unless a program turns it on.
 *
 * The same narration also comes as a structured trace, one event per
 * line, for `make trace N` to draw: with COURSE_TRACE_EVENTS=1 in the
 * environment, lines "@ev KIND ..." go to stdout, in order with the
 * program's own output (the format: TUTORIAL.md, "The trace format").
 * The scheduler's trace() calls feed it unchanged; the task macros of
 * task.h add where each step resumes and why it stopped.
 */
#ifndef TRACE_H
#define TRACE_H

#include <stdbool.h>

extern bool trace_enabled;
extern bool trace_events; /* COURSE_TRACE_EVENTS=1: the structured trace */

/* Print "[trace] ..." on stdout when tracing is on. */
void trace(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Turn the structured trace on when COURSE_TRACE_EVENTS=1 (the
 * option parsers of common/options.c call it). */
void trace_from_environment(void);

/* The structured trace's own events (they print only with trace_events). */
void trace_resume(unsigned id, int resume_line, const char *file);
void trace_yield(unsigned id, const char *reason, int fd, int line);
void trace_event(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* For task.h: task T resumes at its resume line, in the file of its
 * step function; T stops at this line, for REASON, waiting on FD. */
#define TRACE_RESUME(t)                                                       \
    do {                                                                      \
        if (trace_events)                                                     \
            trace_resume((t)->id, (t)->co.resume_line, __FILE__);             \
    } while (0)
#define TRACE_YIELD(t, reason, fd)                                            \
    do {                                                                      \
        if (trace_events)                                                     \
            trace_yield((t)->id, reason, fd, __LINE__);                       \
    } while (0)

#endif
