/*
 * trace.c - one line per scheduler decision, in order with the log.
 *
 * The structured trace (COURSE_TRACE_EVENTS=1) reads the same calls: a
 * trace() whose format is one of the scheduler's known sentences
 * becomes an event with its arguments as fields, so the lesson files
 * keep their one readable trace() line and `make trace` gets data.
 */
#include "trace.h"

#include "output.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool trace_enabled = false;
bool trace_events = false;

/* Write one event line "@ev ..." on stdout, now: it must be out before
 * the program's next line, and before a crash that it may explain. */
static void event_line(const char *text)
{
    print_line("@ev %s", text);
    fflush(stdout);
}

void trace_event(const char *format, ...)
{
    if (!trace_events)
        return;
    char text[OUTPUT_LINE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    event_line(text);
}

void trace_resume(unsigned id, int resume_line, const char *file)
{
    trace_event("resume %u %s %d", id, file, resume_line);
}

void trace_yield(unsigned id, const char *reason, int fd, int line)
{
    trace_event("yield %u %s %d %d", id, reason, fd, line);
}

/* Which fds have a task parked, as the park and wake events say: a
 * select event lists them as the sets select() is given. */
#define PARKED_MAX 1024
static unsigned char parked[PARKED_MAX]; /* bit 1: recv, bit 2: send */

static unsigned char reason_bit(const char *reason)
{
    return strcmp(reason, "recv") == 0 ? 1 : strcmp(reason, "send") == 0 ? 2 : 0;
}

static void mark(int fd, const char *reason, bool on)
{
    if (fd < 0 || fd >= PARKED_MAX)
        return;
    if (on)
        parked[fd] |= reason_bit(reason);
    else
        parked[fd] &= (unsigned char)~reason_bit(reason);
}

/* "3,5,9", or "-" for none. */
static void fd_list(unsigned char bit, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (int fd = 0; fd < PARKED_MAX && used + 12 < size; fd++)
        if (parked[fd] & bit)
            used += (size_t)snprintf(out + used, size - used, "%s%d", used ? "," : "", fd);
    if (used == 0)
        snprintf(out, size, "-");
}

/* BACKEND: NULL for the stages' select(), else further/'s backend. */
static void select_event(int waiting, int sleeping, const char *backend)
{
    char recv[512], send[512];
    fd_list(1, recv, sizeof recv);
    fd_list(2, send, sizeof send);
    trace_event("select %s %s %d %d%s%s", recv, send, waiting, sleeping,
                backend ? " " : "", backend ? backend : "");
}

/* The scheduler's sentences (stages 2 to 5, further/), as events. */
static void event_of(const char *format, va_list args)
{
    unsigned id;
    const char *name, *reason, *backend;
    int fd, count;

    if (strcmp(format, "spawn task %u (%s)") == 0) {
        id = va_arg(args, unsigned);
        name = va_arg(args, const char *);
        trace_event("spawn %u %s", id, name);
    } else if (strcmp(format, "task %u (%s) finished") == 0) {
        id = va_arg(args, unsigned);
        trace_event("done %u", id);
    } else if (strcmp(format, "park task %u (%s) on fd %d for %s") == 0) {
        id = va_arg(args, unsigned);
        (void)va_arg(args, const char *);
        fd = va_arg(args, int);
        reason = va_arg(args, const char *);
        mark(fd, reason, true);
        trace_event("park %u %s %d", id, reason, fd);
    } else if (strcmp(format, "select woke fd %d for %s: task %u (%s) is ready") == 0
               || strcmp(format, "%s woke fd %d for %s: task %u (%s) is ready") == 0) {
        if (format[0] == '%')
            (void)va_arg(args, const char *);
        fd = va_arg(args, int);
        reason = va_arg(args, const char *);
        id = va_arg(args, unsigned);
        mark(fd, reason, false);
        trace_event("wake %u %s %d", id, reason, fd);
    } else if (strcmp(format, "select: %d task(s) waiting, nothing else to run") == 0) {
        count = va_arg(args, int);
        select_event(count, 0, NULL);
    } else if (strcmp(format, "%s: %d task(s) waiting, %d sleeping, nothing else to run")
               == 0) {
        backend = va_arg(args, const char *);
        count = va_arg(args, int);
        select_event(count, va_arg(args, int), backend);
    } else if (strcmp(format, "select: interrupted by a signal") == 0) {
        trace_event("interrupted");
    } else if (strcmp(format, "task %u (%s) sleeps") == 0) {
        trace_event("sleep %u", va_arg(args, unsigned));
    } else if (strcmp(format, "task %u (%s) wakes from its sleep") == 0) {
        trace_event("wake %u timer -1", va_arg(args, unsigned));
    } else if (strcmp(format, "resume task %u (%s)") == 0) {
        /* Said by TASK_BEGIN, with the resume point (task.h). */
    } else if (strcmp(format, "listening socket is fd %d") == 0) {
        trace_event("listen %d", va_arg(args, int));
    } else {
        char text[OUTPUT_LINE_MAX];
        vsnprintf(text, sizeof text, format, args);
        trace_event("note %s", text);
    }
}

void trace(const char *format, ...)
{
    va_list args;
    if (trace_events) {
        va_start(args, format);
        event_of(format, args);
        va_end(args);
    }
    if (!trace_enabled)
        return;
    /* stdout, not stderr: trace lines must interleave in order with
     * "Connection from ..." and "Task done". */
    char text[OUTPUT_LINE_MAX];
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    print_line("[trace] %s", text);
    /* Without an event loop print_line() is stdio: a trace line must be
     * out before a crash that it may explain. */
    fflush(stdout);
}

void trace_from_environment(void)
{
    const char *wanted = getenv("COURSE_TRACE_EVENTS");
    trace_events = wanted != NULL && strcmp(wanted, "1") == 0;
    /* Each line of the program out as soon as it is whole, so that
     * stderr's lines (unbuffered) fall in order among stdout's. */
    if (trace_events)
        setvbuf(stdout, NULL, _IOLBF, 0);
}
