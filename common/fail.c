/*
 * fail.c - fatal errors that name the problem and the way out.
 */
#include "fail.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *program_name = "course";

/* Print the message; the callers end the va_list and exit. */
static void report(int saved_errno, const char *hint, const char *format, va_list args)
{
    /* stdout may hold log lines that belong before this message. */
    fflush(stdout);
    fprintf(stderr, "%s: ", program_name);
    vfprintf(stderr, format, args);
    if (saved_errno != 0)
        fprintf(stderr, ": %s", strerror(saved_errno));
    fputc('\n', stderr);
    if (hint != NULL && hint[0] != '\0')
        fprintf(stderr, "%s: %s\n", program_name, hint);
}

void fail(const char *hint, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    report(0, hint, format, args);
    va_end(args);
    exit(EXIT_FAILURE);
}

void fail_errno(const char *hint, const char *format, ...)
{
    int saved_errno = errno;
    va_list args;
    va_start(args, format);
    report(saved_errno, hint, format, args);
    va_end(args);
    exit(EXIT_FAILURE);
}
