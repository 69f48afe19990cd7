/*
 * grade.c - runs a stage's graded tests and writes the learner's report.
 *
 * Each test is its own Check test case, so each has its own timeout and
 * its own line in the results.  Check's message for a crash ("Received
 * signal 11") or a timeout ("Test timeout expired") is turned into words
 * about what probably went wrong in this stage.
 */
#include "grade.h"

#include <ctype.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT 5.0

static int contains_ignoring_case(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (; *text != '\0'; text++) {
        size_t i = 0;
        while (i < n && text[i] != '\0'
               && tolower((unsigned char)text[i]) == tolower((unsigned char)word[i]))
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

static int selected(const struct graded_test *t, const char *filter)
{
    return filter == NULL || contains_ignoring_case(t->behavior, filter)
        || strcmp(t->exercise, filter) == 0;
}

/* Print MESSAGE indented under a result line, one line at a time. */
static void print_indented(const char *message)
{
    const char *line = message;
    while (*line != '\0') {
        const char *end = strchr(line, '\n');
        int length = end ? (int)(end - line) : (int)strlen(line);
        printf("          %.*s\n", length, line);
        line = end ? end + 1 : line + length;
    }
}

/* Where to look: an exercise's hints, or for a maintainers' check (its
 * "exercise" is a word such as "maint"), the test itself. */
static void print_hint(const char *exercise)
{
    if (isdigit((unsigned char)exercise[0]))
        printf("          hint: TUTORIAL.md, exercise %s (its Hints are folded under it)\n",
               exercise);
    else
        printf("          this is a maintainers' check (%s): read the test in tests/\n", exercise);
}

/* A stage's likely cause of a hang or a crash is the same for every
 * test: say it in full the first time, and point back to it after. */
static bool told_hang, told_crash;

static void explain_error(const char *message, const struct stage_info *stage, double timeout)
{
    int signal_number;
    if (strstr(message, "timeout") != NULL) {
        printf("          the test did not finish within %.0f s, so it was stopped.\n", timeout);
        if (told_hang)
            printf("          likely cause: as for the first TIMEOUT above.\n");
        else
            printf("          likely cause: %s\n", stage->hang_cause);
        told_hang = true;
    } else if (sscanf(message, "Received signal %d", &signal_number) == 1) {
        printf("          the test crashed: signal %d (%s).\n", signal_number,
               strsignal(signal_number));
        if (told_crash)
            printf("          likely cause: as for the first CRASH above.\n");
        else
            printf("          likely cause: %s\n", stage->crash_cause);
        told_crash = true;
    } else if (strstr(message, "Early exit") != NULL) {
        printf("          the test process exited before the test ended (%s).\n", message);
        printf("          likely cause: the code called exit() (its message is above the\n"
               "          results), or a sanitizer found an error (its report is above).\n");
    } else {
        print_indented(message);
    }
}

/* GRADE_RESULTS=file: also write one machine-readable line per test,
 *     test<TAB>STAGE<TAB>EXERCISE<TAB>ok|FAIL|CRASH|TIMEOUT|EXITED<TAB>NAME
 * appended to the file, for the reports (build/report/) and make progress. */
static FILE *open_results(void)
{
    const char *path = getenv("GRADE_RESULTS");
    return path != NULL && *path != '\0' ? fopen(path, "a") : NULL;
}

int grade_stage(int argc, char **argv, const struct stage_info *stage,
                const struct graded_test *tests, size_t count)
{
    const char *filter = argc > 1 ? argv[1] : NULL;
    /* Check reads CK_RUN_CASE and CK_RUN_SUITE: a stale one in the
     * environment would silently skip tests. */
    unsetenv("CK_RUN_CASE");
    unsetenv("CK_RUN_SUITE");
    unsetenv("CK_INCLUDE_TAGS");
    unsetenv("CK_EXCLUDE_TAGS");
    /* Stubs announce themselves on stderr; here the report says it. */
    setenv("COURSE_GRADING", "1", 1);

    size_t wanted = 0;
    for (size_t i = 0; i < count; i++)
        wanted += selected(&tests[i], filter) ? 1 : 0;

    printf("Stage %d: %s\n", stage->number, stage->title);
    fflush(stdout);
    if (wanted == 0) {
        printf("  no test of stage %d matches '%s'; 'make check STEP=%d' lists them all\n",
               stage->number, filter ? filter : "", stage->number);
        printf("Stage %d score: 0/0\n", stage->number);
        return 2;
    }

    Suite *suite = suite_create(stage->title);
    for (size_t i = 0; i < count; i++) {
        if (!selected(&tests[i], filter))
            continue;
        TCase *tc = tcase_create(tests[i].behavior);
        tcase_set_timeout(tc, tests[i].timeout > 0 ? tests[i].timeout
                              : stage->timeout > 0 ? stage->timeout : DEFAULT_TIMEOUT);
        tcase_add_test(tc, *tests[i].test);
        suite_add_tcase(suite, tc);
    }

    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_SILENT);
    fflush(stdout);

    FILE *machine = open_results();
    TestResult **results = srunner_results(runner);
    int run = srunner_ntests_run(runner), passed = 0;
    for (int r = 0; r < run; r++) {
        const char *name = tr_tcname(results[r]);
        const struct graded_test *t = NULL;
        for (size_t i = 0; i < count && t == NULL; i++)
            if (strcmp(tests[i].behavior, name) == 0)
                t = &tests[i];
        double timeout = t && t->timeout > 0 ? t->timeout
                       : stage->timeout > 0 ? stage->timeout : DEFAULT_TIMEOUT;
        const char *exercise = t ? t->exercise : "?";
        const char *message = tr_msg(results[r]) ? tr_msg(results[r]) : "";
        /* "[exercise 1.2]", or "[maint]" for a maintainers' check. */
        const char *tag = isdigit((unsigned char)exercise[0]) ? "exercise " : "";
        const char *verdict = tr_rtype(results[r]) == CK_PASS ? "ok"
                            : tr_rtype(results[r]) == CK_FAILURE ? "FAIL"
                            : strstr(message, "timeout") ? "TIMEOUT"
                            : strstr(message, "Early exit") ? "EXITED" : "CRASH";
        if (machine != NULL)
            fprintf(machine, "test\t%d\t%s\t%s\t%s\n", stage->number, exercise, verdict, name);

        switch (tr_rtype(results[r])) {
        case CK_PASS:
            passed++;
            printf("  ok      %s\n", name);
            break;
        case CK_FAILURE:
            printf("  FAIL    %s   [%s%s]\n", name, tag, exercise);
            print_indented(message);
            print_hint(exercise);
            break;
        default:
            printf("  %-7s %s   [%s%s]\n", verdict, name, tag, exercise);
            explain_error(message, stage, timeout);
            print_hint(exercise);
            break;
        }
    }
    printf("Stage %d score: %d/%d\n", stage->number, passed, run);
    fflush(stdout);
    if (machine != NULL)
        fclose(machine);
    free(results);
    srunner_free(runner);
    return run == 0 ? 2 : passed == run ? 0 : 1;
}
