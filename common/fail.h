/*
 * fail.h - ending the program with a message a person can act on.
 *
 * Every fatal error in the course goes through here, so each one reads
 * the same way: what went wrong, why (the system's words), and what to
 * do about it.  The process then exits with status 1.
 */
#ifndef FAIL_H
#define FAIL_H

/* The name printed before every message; main() sets it from argv[0]. */
extern const char *program_name;

/* Print "program: MESSAGE" and a hint line, then exit(1). */
_Noreturn void fail(const char *hint, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Like fail(), with ": strerror(errno)" appended to MESSAGE. */
_Noreturn void fail_errno(const char *hint, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
