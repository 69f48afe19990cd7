/*
 * todo.c - one notice per unfinished exercise, however often it runs.
 */
#include "todo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void exercise_todo(const char *exercise, const char *what)
{
    /* Stubs run in loops; a notice per call would bury the output. */
    static char seen[32][8];
    static int seen_count;

    /* The grader names the exercise of every failing test already. */
    if (getenv("COURSE_GRADING") != NULL)
        return;

    for (int i = 0; i < seen_count; i++)
        if (strcmp(seen[i], exercise) == 0)
            return;
    if (seen_count < 32)
        snprintf(seen[seen_count++], sizeof seen[0], "%s", exercise);
    fflush(stdout);
    fprintf(stderr, "TODO: exercise %s (%s) is not done yet: see TUTORIAL.md, exercise %s.\n",
            exercise, what, exercise);
}
