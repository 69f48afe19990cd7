/*
 * options.c - a small, strict parser: every mistake is named.
 *
 * getopt_long() is a GNU/BSD extension, and the rules here are few, so
 * the parser is written out by hand and stays portable POSIX C.
 */
#include "options.h"

#include "course_text.h"

#include "fail.h"
#include "output.h"
#include "trace.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned idle_timeout_seconds;

/* What the user typed, quoted in a message of bounded length: at most
 * QUOTED_MAX characters, then "...", unprintable bytes shown as '?'. */
#define QUOTED_MAX 60
static const char *shortened(const char *text, char out[QUOTED_MAX + 4])
{
    size_t i = 0;
    for (; text[i] != '\0' && i < QUOTED_MAX; i++)
        out[i] = isprint((unsigned char)text[i]) ? text[i] : '?';
    if (text[i] != '\0') {
        memcpy(out + i, "...", 3);
        i += 3;
    }
    out[i] = '\0';
    return out;
}

static _Noreturn void usage_error(const char *format, const char *word)
{
    char quoted[QUOTED_MAX + 4];
    char message[256];
    fflush(stdout);
    snprintf(message, sizeof message, format, shortened(word, quoted));
    print_error("%s: %s", program_name, message);
    print_error(course_text("options.try_help"), program_name, program_name);
    exit(2);
}

static unsigned short parse_port(const char *text)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || value > 65535)
        usage_error(course_text("options.bad_port"),
                    text);
    return (unsigned short)value;
}

/* For "-p 80", "-p80", "--port 80" and "--port=80": the option's value,
 * advancing *i past it, or NULL when WORD is not this option. */
static const char *option_value(int argc, char **argv, int *i,
                                const char *short_name, const char *long_name)
{
    const char *word = argv[*i];
    size_t short_len = strlen(short_name), long_len = strlen(long_name);

    if (strcmp(word, short_name) == 0 || strcmp(word, long_name) == 0) {
        if (*i + 1 >= argc)
            usage_error("option '%s' needs a value", word);
        return argv[++*i];
    }
    if (strncmp(word, long_name, long_len) == 0 && word[long_len] == '=')
        return word + long_len + 1;
    if (strncmp(word, short_name, short_len) == 0 && word[short_len] != '\0'
        && word[1] != '-')
        return word + short_len;
    return NULL;
}

void parse_server_options(int argc, char **argv, const char *summary,
                          struct server_options *options)
{
    options->bind_host = NULL;
    options->port = DEFAULT_PORT;
    options->trace = false;

    for (int i = 1; i < argc; i++) {
        const char *value;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf(course_text("options.server_help"),
                   program_name, summary, DEFAULT_PORT);
#ifdef SCHEDULER_HAS_TIMERS
            fputs(course_text("options.idle_help"), stdout);
#endif
            exit(0);
        } else if (strcmp(argv[i], "--trace") == 0) {
            options->trace = true;
        } else if ((value = option_value(argc, argv, &i, "-p", "--port")) != NULL) {
            options->port = parse_port(value);
        } else if ((value = option_value(argc, argv, &i, "-b", "--bind")) != NULL) {
            if (value[0] == '\0')
                usage_error(course_text("options.empty_bind"), "");
            /* A host name has at most 253 characters; longer is a mistake,
             * and would be echoed in full by the resolver's message. */
            if (strlen(value) > 253)
                usage_error(course_text("options.long_bind"),
                            value);
            options->bind_host = value;
        } else if ((value = option_value(argc, argv, &i, "--idle-timeout", "--idle-timeout"))
                   != NULL) {
            /* Going further, "Time": the timers live in further/scheduler.c. */
#ifdef SCHEDULER_HAS_TIMERS
            char *end;
            errno = 0;
            unsigned long seconds = strtoul(value, &end, 10);
            if (value[0] < '0' || value[0] > '9' || *end != '\0' || errno != 0
                || seconds > 86400)
                usage_error(course_text("options.bad_idle"),
                            value);
            idle_timeout_seconds = (unsigned)seconds;
#else
            usage_error(course_text("options.needs_timers"), "--idle-timeout");
#endif
        } else if (argv[i][0] == '-') {
            usage_error(course_text("options.unknown"), argv[i]);
        } else {
            usage_error(course_text("options.unexpected"), argv[i]);
        }
    }
    trace_enabled = options->trace;
    trace_from_environment();
}

void parse_demo_options(int argc, char **argv, const char *summary, bool *trace)
{
    *trace = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf(course_text("options.demo_help"),
                   program_name, summary);
            exit(0);
        } else if (strcmp(argv[i], "--trace") == 0) {
            *trace = true;
        } else if (argv[i][0] == '-') {
            usage_error(course_text("options.unknown"), argv[i]);
        } else {
            usage_error(course_text("options.unexpected"), argv[i]);
        }
    }
    trace_enabled = *trace;
    trace_from_environment();
}
