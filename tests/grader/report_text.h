/*
 * report_text.h - text for failure messages: what the suites show a
 * learner when a test fails.
 *
 * Check refuses a long failure message (the test then dies instead of
 * failing), and raw bytes make poor reading, so every piece of program
 * output or data that goes into a message passes through here.
 */
#ifndef REPORT_TEXT_H
#define REPORT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* What the tasks of a test did, as space-separated words, in order;
 * cut short with " ..." so that a runaway task cannot flood a message.
 * A test starts with it empty (each test runs in its own process). */
#define LOG_LIMIT 600
extern char log_text[LOG_LIMIT + 8];

/* Append one word, printf-style, to log_text. */
void log_add(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* TEXT as a message shows it: "(nothing)" when empty, cut past 1 KiB. */
const char *shown_text(const char *text);

/* LENGTH bytes of DATA with control bytes escaped (\n, \xNN), cut past
 * about 500 characters; two buffers, so one message can show two. */
const char *shown_bytes(const char *data, size_t length);

/* TEXT in double quotes, escaped as shown_bytes() does; nothing at all
 * (an empty TEXT, or one shown_text() made "(nothing)") as (nothing),
 * unquoted, so that it never reads as those nine characters. */
const char *shown_quoted(const char *text);

/* The start of TEXT: 8 lines or 1000 bytes at most, then how much more. */
const char *excerpt(const char *text);

/* How many times TEXT occurs in HAYSTACK. */
int count_of(const char *haystack, const char *text);

#endif
