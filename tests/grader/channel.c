/*
 * channel.c - the grader's half of the teachers' trusted channel
 * (channel.h says what it is for).  Kept apart from grade.c: `make
 * check` never opens it, and its output is unchanged.
 */
#include "channel.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int token_fd = -1;
static int out_fd = -1;
static bool opened;
static char current[320];

/* Read GRADE_CHANNEL once, before the first test's process exists, and
 * take it out of the environment: the code under test does not find the
 * descriptors' numbers there.  Close-on-exec: a program a test starts
 * (the stage's server) does not inherit them. */
static void channel_open(void)
{
    if (opened)
        return;
    opened = true;
    const char *spec = getenv("GRADE_CHANNEL");
    int token, out;
    if (spec == NULL || sscanf(spec, "%d,%d", &token, &out) != 2)
        return;
    unsetenv("GRADE_CHANNEL");
    if (fcntl(token, F_SETFD, FD_CLOEXEC) != 0 || fcntl(out, F_SETFD, FD_CLOEXEC) != 0)
        return;
    token_fd = token;
    out_fd = out;
    /* Moved far from the small numbers the code under test uses, so that
     * a slip of its own (a write to a stale descriptor 4) cannot touch
     * the channel; where the limit on descriptors is too low, they stay. */
    int high_token = fcntl(token, F_DUPFD_CLOEXEC, 700);
    int high_out = high_token >= 0 ? fcntl(out, F_DUPFD_CLOEXEC, 700) : -1;
    if (high_out >= 0) {
        close(token);
        close(out);
        token_fd = high_token;
        out_fd = high_out;
    } else if (high_token >= 0) {
        close(high_token);
    }
}

/* One line, one write(): lines from several processes never mix. */
static void say(const char *line)
{
    size_t n = strlen(line);
    if (out_fd >= 0 && write(out_fd, line, n) != (ssize_t)n)
        out_fd = -1; /* the grader counts a missing line as a failure */
}

/* The checked teardown: Check runs it in the test's process only after
 * the body returned, so a failed check or an exit never gets here.  The
 * secret is read now, not before: during the test it is not in this
 * process's memory. */
static void confirm_pass(void)
{
    char token[80] = "", line[512];
    ssize_t n = pread(token_fd, token, sizeof token - 1, 0);
    token[n > 0 ? n : 0] = '\0';
    token[strcspn(token, "\n")] = '\0';
    snprintf(line, sizeof line, "pass\t%s\t%s\n", current, token);
    say(line);
    memset(token, 0, sizeof token);
}

void grade_channel_attach(TCase *tc, const char *exercise, const char *behavior)
{
    channel_open();
    if (out_fd < 0)
        return;
    snprintf(current, sizeof current, "%s\t%s", exercise, behavior);
    char line[400];
    snprintf(line, sizeof line, "start\t%s\n", current);
    say(line);
    tcase_add_checked_fixture(tc, NULL, confirm_pass);
}

void grade_channel_record(const char *format, va_list args)
{
    channel_open();
    if (out_fd < 0)
        return;
    char line[1024];
    vsnprintf(line, sizeof line, format, args);
    say(line);
}

void grade_channel_blame(const char *exercise, const char *behavior, const char *fault)
{
    channel_open();
    if (out_fd < 0)
        return;
    char line[512];
    snprintf(line, sizeof line, "fault\t%s\t%s\t%s\n", exercise, behavior, fault);
    say(line);
}
