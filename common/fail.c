/*
 * fail.c - fatal errors that name the problem and the way out.
 */
#include "fail.h"

#include "output.h"

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
    char message[OUTPUT_LINE_MAX];
    vsnprintf(message, sizeof message, format, args);
    print_error("%s: %s%s%s", program_name, message, saved_errno != 0 ? ": " : "",
                saved_errno != 0 ? strerror(saved_errno) : "");
    if (hint != NULL && hint[0] != '\0')
        print_error("%s: %s", program_name, hint);
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
