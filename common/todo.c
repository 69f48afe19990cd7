/*
 * todo.c - one notice per unfinished exercise, however often it runs.
 */
#include "todo.h"

#include "course_text.h"
#include "trace.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Under the grader, GRADE_NOTES names a file where each test records
 * what it learned; a stub that ran is the surest sign of which exercise
 * a failing test needs (tests/grader/grade.c reads it). */
static void tell_grader(const char *exercise)
{
    const char *path = getenv("GRADE_NOTES");
    if (path == NULL || *path == '\0')
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (fd < 0)
        return;
    char line[64];
    int length = snprintf(line, sizeof line, "todo\t%s\n", exercise);
    if (length > 0 && write(fd, line, (size_t)length) < 0)
        length = 0; /* nothing to do: the grade only loses a hint */
    close(fd);
}

void exercise_todo(const char *exercise, const char *what)
{
    /* Stubs run in loops; a notice per call would bury the output. */
    static char seen[32][8];
    static int seen_count;

    for (int i = 0; i < seen_count; i++)
        if (strcmp(seen[i], exercise) == 0)
            return;
    if (seen_count < 32)
        snprintf(seen[seen_count++], sizeof seen[0], "%s", exercise);
    trace_event("todo %s %s", exercise, what);

    /* The grader names the exercise of every failing test already. */
    if (getenv("COURSE_GRADING") != NULL) {
        tell_grader(exercise);
        return;
    }
    fflush(stdout);
    char id[32];
    snprintf(id, sizeof id, "todo.what.%.16s", exercise);
    const char *said = course_korean() && course_text(id) != NULL ? course_text(id) : what;
    fprintf(stderr, course_text("todo.notice"), exercise, said, exercise);
    fputc('\n', stderr);
}
