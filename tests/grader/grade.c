/*
 * grade.c - runs a stage's graded tests and writes the learner's report.
 *
 * Each test runs on its own (its own Check runner, its own process, its
 * own timeout), so that between two tests the grader can read what the
 * test left in the notes file (GRADE_NOTES): the stubs that ran, and
 * what the test found out about whose code failed.  From that it tags
 * each failure with the exercise at fault and, at the end of the stage,
 * names the one exercise to fix first.  Check's message for a crash
 * ("Received signal 11") or a timeout is turned into words about what
 * probably went wrong.
 */
#include "grade.h"
#include "channel.h"
#include "messages.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* common/fail.h's, declared here: that header's fail() clashes with
 * Check's macro of the same name. */
extern const char *program_name;

#define DEFAULT_TIMEOUT 5.0
/* Fail-fast: once failing tests have cost this many seconds, the
 * stage's other tests are skipped (most would fail as slowly, the same
 * way); after a first hang, the other tests of its exercise are skipped
 * and those of other exercises get a short timeout. */
#define HANG_BUDGET 5.0
#define AFTER_HANG_TIMEOUT 2.0


/* ---- what a test tells the grader ---------------------------------- */

static void note(const char *kind, const char *exercise, const char *text)
{
    const char *path = getenv("GRADE_NOTES");
    if (path == NULL || *path == '\0')
        return;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (fd < 0)
        return;
    char line[512];
    int length = snprintf(line, sizeof line, "%s\t%s\t%s\n", kind, exercise, text ? text : "");
    if (length > (int)sizeof line - 1) {
        length = (int)sizeof line - 1;
        line[length - 1] = '\n';
    }
    if (length > 0 && write(fd, line, (size_t)length) < 0)
        length = 0; /* the report only loses a hint */
    close(fd);
}

void grade_needs(const char *exercise) { note("needs", exercise, ""); }
void grade_blame(const char *exercise, const char *cause) { note("blame", exercise, cause); }
void grade_cause(const char *cause) { note("cause", "-", cause); }
void grade_covers(const char *exercise) { note("covers", exercise, ""); }

static const char *leak_exercise;

void grade_leaks_belong_to(const char *exercise) { leak_exercise = exercise; }

void grade_probe_started(void)
{
    char pid[32];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    note("probe", pid, "");
}

/* Copy SRC into DST of SIZE bytes, cut if it must be. */
static void copy(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ---- the course manifest (tests/course.txt) -------------------------- */

#define MAX_EXERCISES 16

struct exercise_info {
    char id[8];
    char title[96];
    char section[128];
};

static struct exercise_info course[MAX_EXERCISES];
static int course_count;

static void read_manifest(int stage)
{
    const char *path = getenv("COURSE_MANIFEST");
    FILE *f = fopen(path && *path ? path : "tests/course.txt", "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, f) != NULL && course_count < MAX_EXERCISES) {
        line[strcspn(line, "\n")] = '\0';
        char *fields[5] = { 0 };
        int n = 0;
        for (char *p = line; n < 5; n++) {
            fields[n] = p;
            p = strchr(p, '\t');
            if (p == NULL) {
                n++;
                break;
            }
            *p++ = '\0';
        }
        if (n < 5 || strcmp(fields[0], "exercise") != 0 || atoi(fields[1]) != stage)
            continue;
        struct exercise_info *e = &course[course_count++];
        copy(e->id, sizeof e->id, fields[1]);
        copy(e->title, sizeof e->title, fields[3]);
        copy(e->section, sizeof e->section, fields[4]);
    }
    fclose(f);
}

/* The exercise's place in the tutorial's order, which is also the order
 * in which the pieces depend on each other; unknown ones come last. */
static int order_of(const char *exercise)
{
    for (int i = 0; i < course_count; i++)
        if (strcmp(course[i].id, exercise) == 0)
            return i;
    return MAX_EXERCISES;
}

static const char *title_of(const char *exercise)
{
    int i = order_of(exercise);
    return i < course_count ? exercise_title(course[i].id, course[i].title) : exercise;
}

/* ---- hints: TUTORIAL.md, or TUTORIAL.ko.md for a Korean reader -------- */

static bool korean(void)
{
    /* The first of COURSE_LANG, LC_ALL, LANG that is set and not empty
     * decides, as in tests/grader/hint.sh: COURSE_LANG=en means English. */
    const char *lang = getenv("COURSE_LANG");
    if (lang != NULL && *lang != '\0')
        return strncmp(lang, "ko", 2) == 0;
    lang = getenv("LC_ALL");
    if (lang != NULL && *lang != '\0')
        return strncmp(lang, "ko", 2) == 0;
    lang = getenv("LANG");
    return lang != NULL && strncmp(lang, "ko", 2) == 0;
}

static char tutorial_ko_heading[MAX_EXERCISES][192];
static bool tutorial_ko;

/* Find each exercise's heading "### 연습 N.M: ..." in TUTORIAL.ko.md. */
static void read_korean_tutorial(void)
{
    const char *root = getenv("COURSE_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/TUTORIAL.ko.md", root && *root ? root : ".");
    FILE *f = korean() ? fopen(path, "r") : NULL;
    if (f == NULL)
        return;
    tutorial_ko = true;
    char line[512];
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        const char *prefix = "### \xec\x97\xb0\xec\x8a\xb5 "; /* "### 연습 " */
        if (strncmp(line, prefix, strlen(prefix)) != 0)
            continue;
        const char *id = line + strlen(prefix);
        for (int i = 0; i < course_count; i++) {
            size_t n = strlen(course[i].id);
            if (strncmp(id, course[i].id, n) == 0 && id[n] == ':')
                copy(tutorial_ko_heading[i], sizeof tutorial_ko_heading[i], line + 4);
        }
    }
    fclose(f);
}

/* Where to look: an exercise's hints, or for a maintainers' check (its
 * "exercise" is a word such as "maint"), the test itself. */
static void print_hint(const char *exercise)
{
    int i = order_of(exercise);
    if (!isdigit((unsigned char)exercise[0]))
        printf("          %s\n", msgf("grade.maint_hint", exercise));
    else if (tutorial_ko && i < course_count && tutorial_ko_heading[i][0] != '\0')
        printf("          %s\n", msgf("grade.hint_ko", tutorial_ko_heading[i]));
    else if (i < course_count)
        printf("          %s\n",
               msgf("grade.hint_section", course[i].section));
    else
        printf("          %s\n",
               msgf("grade.hint_exercise", exercise));
}

/* ---- selecting and running tests ----------------------------------- */

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

/* "3.2" names an exercise: exactly its tests.  A tag of the maintainers'
 * suites ("stall", "final") names its tests too.  Anything else is a word
 * to find in the tests' names. */
static bool names_exercise(const char *filter)
{
    const char *p = filter;
    if (!isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p++ != '.' || !isdigit((unsigned char)*p))
        return false;
    while (isdigit((unsigned char)*p))
        p++;
    return *p == '\0';
}

static int selected(const struct graded_test *t, const char *filter)
{
    if (filter == NULL)
        return 1;
    if (names_exercise(filter))
        return strcmp(t->exercise, filter) == 0;
    return strcmp(t->exercise, filter) == 0 || contains_ignoring_case(t->behavior, filter)
           || contains_ignoring_case(test_title(t), filter);
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

/* What the test's processes wrote on stderr and nobody captured: the
 * code's own messages, kept out of the report and shown only when they
 * explain a failure (an exit()).  The file lies in GRADE_SANITIZER_DIR
 * when there is one, so that a sanitizer's report written to stderr is
 * read from it too (read_sanitizer_reports()). */
static char test_stderr[1024];

/* The first LINES lines of TEXT, indented, each cut to 100 bytes. */
static void print_excerpt(const char *text, int lines)
{
    const char *line = text;
    for (int n = 0; n < lines && *line != '\0'; n++) {
        const char *end = strchr(line, '\n');
        int length = end ? (int)(end - line) : (int)strlen(line);
        printf("              %.*s%s\n", length > 100 ? 100 : length, line, length > 100 ? "..." : "");
        line = end ? end + 1 : line + length;
    }
    if (*line != '\0')
        printf("              ...\n");
}

/* What one test left in the notes file. */
struct evidence {
    char todo[MAX_EXERCISES][8]; /* stubs that ran, in the order they ran */
    int todo_count;
    char needs[8];               /* an exercise the test found broken */
    char blame[8];
    char blame_cause[400];
    char cause[400];             /* the likely cause of a crash or hang */
    long probes[64];             /* processes that checked a piece (probe()) */
    int probe_count;
    char sanitizer[600];         /* a sanitizer's finding, reduced */
    char said[512];              /* stderr a test captured from code that exited */
};

static void read_notes(const char *path, struct evidence *e)
{
    char covered[MAX_EXERCISES][8];
    int covered_count = 0;
    memset(e, 0, sizeof *e);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        char *kind = line, *exercise = strchr(line, '\t'), *text = NULL;
        if (exercise == NULL)
            continue;
        *exercise++ = '\0';
        text = strchr(exercise, '\t');
        if (text != NULL)
            *text++ = '\0';
        if (strcmp(kind, "todo") == 0) {
            bool seen = false;
            for (int i = 0; i < e->todo_count; i++)
                seen = seen || strcmp(e->todo[i], exercise) == 0;
            if (!seen && e->todo_count < MAX_EXERCISES)
                copy(e->todo[e->todo_count++], sizeof e->todo[0], exercise);
        } else if (strcmp(kind, "needs") == 0 && e->needs[0] == '\0') {
            copy(e->needs, sizeof e->needs, exercise);
        } else if (strcmp(kind, "blame") == 0 && e->blame[0] == '\0') {
            copy(e->blame, sizeof e->blame, exercise);
            copy(e->blame_cause, sizeof e->blame_cause, text ? text : "");
        } else if (strcmp(kind, "probe") == 0) {
            if (e->probe_count < 64)
                e->probes[e->probe_count++] = atol(exercise);
        } else if (strcmp(kind, "cause") == 0 && text != NULL) {
            copy(e->cause, sizeof e->cause, text);
        } else if (strcmp(kind, "covers") == 0 && covered_count < MAX_EXERCISES) {
            copy(covered[covered_count++], sizeof covered[0], exercise);
        }
    }
    fclose(f);
    /* A stub the test did without is no evidence (grade_covers()). */
    for (int c = 0; c < covered_count; c++)
        for (int i = 0; i < e->todo_count; i++)
            if (strcmp(e->todo[i], covered[c]) == 0) {
                memmove(e->todo[i], e->todo[i + 1], (size_t)(e->todo_count - i - 1) * sizeof e->todo[0]);
                e->todo_count--;
                i--;
            }
}


/* ---- sanitizer reports (GRADE_SANITIZER_DIR, set by grade.sh) -------- */

/* The exercise whose region holds LINE of PATH, or "" (given code). */
static void exercise_at(const char *path, int line, char *id, size_t size)
{
    id[0] = '\0';
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    char text[512], open_id[16] = "";
    for (int n = 1; fgets(text, sizeof text, f) != NULL && n <= line; n++) {
        const char *begin = strstr(text, "BEGIN EXERCISE ");
        if (begin != NULL)
            sscanf(begin + strlen("BEGIN EXERCISE "), "%15[0-9.]", open_id);
        if (n == line)
            copy(id, size, open_id);
        if (strstr(text, "END EXERCISE ") != NULL)
            open_id[0] = '\0';
    }
    fclose(f);
}

/* A stack frame "#1 0x... in FUNCTION PATH:LINE[:COL]" in the learner's
 * code: not the grader's, not the sanitizer's or the C library's. */
static bool learner_frame(const char *line, char *function, char *path, int *number)
{
    const char *in = strstr(line, " in ");
    if (strstr(line, "#") == NULL || in == NULL)
        return false;
    char where[400];
    if (sscanf(in + 4, "%127s %399s", function, where) != 2)
        return false;
    char *colon = strchr(where, ':');
    if (colon == NULL || strstr(where, "tests/") != NULL || strstr(where, "sanitizer") != NULL
        || strncmp(where, "/usr/", 5) == 0 || strstr(where, "/check") != NULL)
        return false;
    *colon = '\0';
    *number = atoi(colon + 1);
    copy(path, 400, where);
    return *number > 0;
}

static const char *in_words(const char *kind)
{
    if (strstr(kind, "use-after-free"))
        return msg("grade.uaf");
    if (strstr(kind, "double-free"))
        return msg("grade.double_free");
    if (strstr(kind, "overflow"))
        return msg("grade.overflow");
    if (strstr(kind, "SEGV"))
        return msg("grade.segv");
    if (strstr(kind, "leak"))
        return msg("grade.leak");
    return msg("grade.memory_error");
}

/* Reduce the reports the test's processes left (not the probes') to one
 * line each; fill E->sanitizer, and E->blame from the report's place. */
static void read_sanitizer_reports(struct evidence *e)
{
    const char *dir_path = getenv("GRADE_SANITIZER_DIR");
    DIR *dir = dir_path && *dir_path ? opendir(dir_path) : NULL;
    if (dir == NULL)
        return;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        const char *name = entry->d_name;
        /* stderr-N.PID: stderr a test captured, left by a process that
         * a sanitizer stopped before the test could read it. */
        if (strncmp(name, "asan.", 5) != 0 && strncmp(name, "ubsan.", 6) != 0
            && strncmp(name, "stderr-", 7) != 0)
            continue;
        char path[1024], kept[1100];
        snprintf(path, sizeof path, "%s/%s", dir_path, name);
        long pid = atol(strrchr(name, '.') + 1);
        bool from_probe = false;
        for (int i = 0; i < e->probe_count; i++)
            from_probe = from_probe || e->probes[i] == pid;
        snprintf(kept, sizeof kept, "%s/seen-%s", dir_path, name);
        rename(path, kept); /* read once, kept for the learner */
        if (from_probe || e->sanitizer[0] != '\0')
            continue;
        FILE *f = fopen(kept, "r");
        if (f == NULL)
            continue;
        char line[1024], kind[128] = "", function[128] = "", where[400] = "", ub[400] = "";
        int number = 0;
        while (fgets(line, sizeof line, f) != NULL) {
            line[strcspn(line, "\n")] = '\0';
            const char *error = strstr(line, "ERROR: AddressSanitizer: ");
            if (kind[0] == '\0' && error != NULL)
                sscanf(error + strlen("ERROR: AddressSanitizer: "), "%127s", kind);
            if (kind[0] == '\0' && strstr(line, "ERROR: LeakSanitizer") != NULL)
                copy(kind, sizeof kind, "leak");
            const char *runtime = strstr(line, ": runtime error: ");
            if (ub[0] == '\0' && runtime != NULL) {
                copy(ub, sizeof ub, runtime + strlen(": runtime error: "));
                char at[400];
                copy(at, sizeof at, line);
                at[runtime - line] = '\0';
                char *colon = strchr(at, ':');
                if (colon != NULL && strstr(at, "tests/") == NULL) {
                    *colon = '\0';
                    number = atoi(colon + 1);
                    copy(where, sizeof where, at);
                }
            }
            if (where[0] == '\0' && (kind[0] != '\0' || ub[0] != '\0'))
                learner_frame(line, function, where, &number);
        }
        if (kind[0] == '\0' && ub[0] == '\0') {
            if (strncmp(name, "stderr-", 7) == 0 && e->said[0] == '\0') {
                rewind(f);
                size_t n = fread(e->said, 1, sizeof e->said - 1, f);
                e->said[n] = '\0';
            }
            fclose(f);
            continue;
        }
        fclose(f);
        char place[600] = "", cwd[512];
        size_t root = getcwd(cwd, sizeof cwd) != NULL ? strlen(cwd) : 0;
        if (root > 0 && strncmp(where, cwd, root) == 0 && where[root] == '/')
            memmove(where, where + root + 1, strlen(where + root + 1) + 1);
        if (where[0] != '\0')
            snprintf(place, sizeof place, "%.590s", function[0] ? msgf("grade.place_function",
                     where, number, function) : msgf("grade.place", where, number));
        if (ub[0] != '\0')
            snprintf(e->sanitizer, sizeof e->sanitizer, "UndefinedBehaviorSanitizer%.250s: %.250s",
                     place, ub);
        else
            snprintf(e->sanitizer, sizeof e->sanitizer, "%s: %.60s%.250s: %s",
                     strcmp(kind, "leak") == 0 ? "LeakSanitizer" : "AddressSanitizer",
                     kind, place, in_words(kind));
        /* A use after free shows where the pointer was used, not where
         * the mistake is (a caller kept it): no blame from the place. */
        char id[16] = "";
        if (strstr(kind, "free") == NULL)
            exercise_at(where, number, id, sizeof id);
        if (strcmp(kind, "leak") == 0 && leak_exercise != NULL)
            copy(id, sizeof id, leak_exercise);
        if (e->blame[0] == '\0' && id[0] != '\0')
            copy(e->blame, sizeof e->blame, id);
        size_t used = strlen(e->sanitizer);
        snprintf(e->sanitizer + used, sizeof e->sanitizer - used, "\n%.300s", msgf("grade.full_report", kept));
    }
    closedir(dir);
}

/* The earliest stub (in the tutorial's order) that ran, or NULL. */
static const char *earliest_todo(const struct evidence *e)
{
    const char *best = NULL;
    for (int i = 0; i < e->todo_count; i++)
        if (best == NULL || order_of(e->todo[i]) < order_of(best))
            best = e->todo[i];
    return best;
}

static bool ran_stub(const struct evidence *e, const char *exercise)
{
    for (int i = 0; i < e->todo_count; i++)
        if (strcmp(e->todo[i], exercise) == 0)
            return true;
    return false;
}

/* The exercise whose code most likely made the test fail: whose code
 * the test blamed, else an unfinished exercise it ran (its own first),
 * else a piece it relies on and found broken, else its own. */
static const char *at_fault(const struct graded_test *t, const struct evidence *e)
{
    if (e->blame[0] != '\0')
        return e->blame;
    if (ran_stub(e, t->exercise))
        return t->exercise;
    const char *stub = earliest_todo(e);
    if (stub != NULL)
        return stub;
    return e->needs[0] != '\0' ? e->needs : t->exercise;
}

/* A stage's general cause of a hang or a crash is the same for every
 * test: say it in full the first time, and point back to it after. */
static bool told_hang, told_crash;

/* The likely cause of a crash or hang in a test whose failure is
 * another exercise's: that exercise, not the stage's general cause. */
static char fault_cause[200];

static void explain_error(const char *message, const struct stage_info *stage,
                          double timeout, const struct evidence *e)
{
    int signal_number;
    if (e->cause[0] == '\0' && fault_cause[0] != '\0') {
        struct evidence with_cause = *e;
        copy(with_cause.cause, sizeof with_cause.cause, fault_cause);
        fault_cause[0] = '\0';
        explain_error(message, stage, timeout, &with_cause);
        return;
    }
    if (strstr(message, "timeout") != NULL) {
        printf("          %s\n", msgf("grade.timeout", timeout));
        if (e->cause[0] != '\0')
            printf("          %s\n", msgf("grade.likely", localized(e->cause)));
        else if (told_hang)
            printf("          %s\n", msg("grade.likely_first_timeout"));
        else
            printf("          %s\n", msgf("grade.likely", localized(stage->hang_cause)));
        told_hang = told_hang || e->cause[0] == '\0';
    } else if (sscanf(message, "Received signal %d", &signal_number) == 1) {
        printf("          %s\n", msgf("grade.crashed", signal_number,
               signal_words(signal_number)));
        if (e->cause[0] != '\0')
            printf("          %s\n", msgf("grade.likely", localized(e->cause)));
        else if (told_crash)
            printf("          %s\n", msg("grade.likely_first_crash"));
        else
            printf("          %s\n", msgf("grade.likely", localized(stage->crash_cause)));
        told_crash = told_crash || e->cause[0] == '\0';
        if (!SANITIZED)
            print_indented(
                   msgf("grade.sanitize_hint",
                   stage->number));
    } else if (strstr(message, "Early exit") != NULL) {
        printf("          %s\n", msgf("grade.exited", localized(message)));
        if (e->sanitizer[0] != '\0') {
            if (e->cause[0] != '\0')
                printf("          %s\n", msgf("grade.likely", e->cause));
            printf("          %s\n", msg("grade.sanitizer_stopped"));
        } else if (test_stderr[0] != '\0' || e->said[0] != '\0') {
            printf("          %s\n", msg("grade.exit_said"));
            print_excerpt(test_stderr[0] != '\0' ? test_stderr : e->said, 4);
        } else {
            print_indented(
                   msg("grade.exit_silent"));
        }
    } else {
        print_indented(localized(message));
    }
}

/* GRADE_RESULTS=file: also write machine-readable lines, appended:
 *     test<TAB>STAGE<TAB>EXERCISE<TAB>ok|FAIL|CRASH|TIMEOUT|EXITED|SKIPPED<TAB>NAME
 *     fixfirst<TAB>STAGE<TAB>EXERCISE<TAB>REASON     (once, when any failed)
 * for the reports (build/report/) and make progress. */
/* Opened for each line and closed at once: a FILE buffer left open
 * would be copied into every test's process and written again there. */
static void record(const char *format, ...)
{
    va_list channel_args; /* the teachers' grader: tests/grader/channel.c */
    va_start(channel_args, format);
    grade_channel_record(format, channel_args);
    va_end(channel_args);
    const char *path = getenv("GRADE_RESULTS");
    FILE *f = path != NULL && *path != '\0' ? fopen(path, "a") : NULL;
    if (f == NULL)
        return;
    va_list args;
    va_start(args, format);
    vfprintf(f, format, args);
    va_end(args);
    fclose(f);
}


static int stderr_to_file(char *path, size_t size)
{
    const char *dir = getenv("GRADE_SANITIZER_DIR");
    static int tests_run;
    if (dir != NULL && *dir != '\0') {
        snprintf(path, size, "%s/stderr-test%d.%ld", dir, tests_run++, (long)getpid());
        int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0)
            return fd;
    }
    snprintf(path, size, "/tmp/grade-stderr-XXXXXX");
    int fd = mkstemp(path);
    if (fd >= 0)
        unlink(path);
    path[0] = '\0';
    return fd;
}

/* One test in its own runner; returns Check's result type and fills
 * MESSAGE (Check frees its own copy with the runner). */
static int run_one(const struct graded_test *t, double timeout, char *message, size_t size)
{
    fflush(stderr);
    char err_path[1100];
    int err_fd = stderr_to_file(err_path, sizeof err_path);
    int saved_stderr = err_fd >= 0 ? dup(STDERR_FILENO) : -1;
    if (saved_stderr >= 0)
        dup2(err_fd, STDERR_FILENO);
    Suite *suite = suite_create("stage");
    TCase *tc = tcase_create(t->behavior);
    tcase_set_timeout(tc, timeout);
    tcase_add_test(tc, *t->test);
    grade_channel_attach(tc, t->exercise, t->behavior);
    suite_add_tcase(suite, tc);
    SRunner *runner = srunner_create(suite);
    srunner_set_fork_status(runner, CK_FORK);
    srunner_run_all(runner, CK_SILENT);
    fflush(stdout);
    TestResult **results = srunner_results(runner);
    int type = CK_ERROR;
    message[0] = '\0';
    if (srunner_ntests_run(runner) > 0) {
        type = tr_rtype(results[0]);
        snprintf(message, size, "%s", tr_msg(results[0]) ? tr_msg(results[0]) : "");
    }
    free(results);
    srunner_free(runner);
    test_stderr[0] = '\0';
    if (saved_stderr >= 0) {
        fflush(stderr);
        dup2(saved_stderr, STDERR_FILENO);
        close(saved_stderr);
        ssize_t n = pread(err_fd, test_stderr, sizeof test_stderr - 1, 0);
        test_stderr[n > 0 ? n : 0] = '\0';
    }
    if (err_fd >= 0)
        close(err_fd);
    return type;
}

/* What the stage's failures say about the exercise to fix first. */
struct verdicts {
    char fix[8];
    char reason[400];
};

/* A test's name in quotes, or in single quotes if it holds quotes. */
static const char *quoted(const char *name, char *out, size_t size)
{
    char mark = strchr(name, '"') != NULL ? '\'' : '"';
    snprintf(out, size, "%c%s%c", mark, name, mark);
    return out;
}

static void choose_fix_first(const struct graded_test *tests, const bool *failed,
                             const bool *skipped, const struct evidence *evidence,
                             const size_t *order, size_t run, struct verdicts *v)
{
    /* The earliest exercise at fault: the later ones build on it.  A
     * test that ran a stub is at fault of the stub (at_fault()), so an
     * unfinished exercise comes first only where nothing before it in
     * the tutorial's order is broken: a learner who wrote 1.2 wrong and
     * has not started 1.3 is sent to 1.2. */
    const char *fix = NULL;
    size_t first = 0;
    for (size_t k = 0; k < run; k++) {
        size_t i = order[k];
        if (!failed[i])
            continue;
        const char *e = at_fault(&tests[i], &evidence[i]);
        if (fix == NULL || order_of(e) < order_of(fix)) {
            fix = e;
            first = i;
        }
    }
    if (fix == NULL)
        return;
    const char *stub = NULL;
    int stub_tests = 0;
    for (size_t k = 0; k < run; k++) {
        size_t i = order[k];
        const char *s = failed[i] ? earliest_todo(&evidence[i]) : NULL;
        if (s != NULL && (stub == NULL || order_of(s) < order_of(stub)))
            stub = s;
    }
    if (stub != NULL && order_of(stub) <= order_of(fix)) {
        for (size_t k = 0; k < run; k++)
            stub_tests += failed[order[k]] && ran_stub(&evidence[order[k]], stub);
        copy(v->fix, sizeof v->fix, stub);
        /* Which other exercises' tests wait for it: a learner who did
         * those first (the tutorial's order) reads why they still fail. */
        char others[64] = "";
        int other_count = 0;
        for (size_t k = 0; k < run; k++) {
            const char *own = tests[order[k]].exercise;
            if (!failed[order[k]] || strcmp(own, stub) == 0 || strstr(others, own) != NULL
                || !ran_stub(&evidence[order[k]], stub) || strlen(others) + strlen(own) + 6 > sizeof others)
                continue;
            snprintf(others + strlen(others), sizeof others - strlen(others), "%s%s",
                     others[0] ? ", " : "", own);
            other_count++;
        }
        snprintf(v->reason, sizeof v->reason,
                 "%s", msgf(stub_tests == 1 ? "grade.stub_ran_1" : "grade.stub_ran_n", stub_tests,
                 !others[0] ? "" : msgf(strchr(others, ',') ? "grade.stub_others_n" : "grade.stub_others_1",
                 others)));
        return;
    }
    /* Name a failing test of the exercise itself, when there is one. */
    int own = 0, own_failed = 0, own_skipped = 0;
    bool own_named = false;
    for (size_t k = 0; k < run; k++) {
        size_t i = order[k];
        if (strcmp(tests[i].exercise, fix) == 0 && skipped[i]) {
            own_skipped++;
        } else if (strcmp(tests[i].exercise, fix) == 0) {
            own++;
            own_failed += failed[i];
            if (failed[i] && !own_named && evidence[first].blame_cause[0] == '\0') {
                first = i;
                own_named = true;
            }
        }
    }
    copy(v->fix, sizeof v->fix, fix);
    char name[300];
    if (evidence[first].blame[0] != '\0' && evidence[first].blame_cause[0] != '\0')
        copy(v->reason, sizeof v->reason, localized(evidence[first].blame_cause));
    else if (own_failed > 0 && own_skipped > 0)
        snprintf(v->reason, sizeof v->reason, "%s", msgf(own_skipped == 1 ? "grade.own_skipped_1"
                 : "grade.own_skipped_n", quoted(test_title(&tests[first]), name, sizeof name),
                 own_failed, own, own_skipped));
    else if (own_failed > 0)
        snprintf(v->reason, sizeof v->reason, "%s", msgf("grade.own_failed",
                 quoted(test_title(&tests[first]), name, sizeof name), own_failed, own));
    else
        snprintf(v->reason, sizeof v->reason, "%s", msgf("grade.fails_because",
                 quoted(test_title(&tests[first]), name, sizeof name)));
}

static double seconds_now(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void list_tests(const struct graded_test *tests, size_t count)
{
    for (size_t i = 0; i < count; i++)
        printf("%s\t%s\t%s\n", tests[i].exercise, test_title(&tests[i]), tests[i].behavior);
}

int grade_stage(int argc, char **argv, const struct stage_info *stage,
                const struct graded_test *tests, size_t count)
{
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        list_tests(tests, count);
        return 0;
    }
    const char *filter = argc > 1 && argv[1][0] != '\0' ? argv[1] : NULL;
    /* Check reads CK_RUN_CASE and CK_RUN_SUITE: a stale one in the
     * environment would silently skip tests. */
    unsetenv("CK_RUN_CASE");
    unsetenv("CK_RUN_SUITE");
    unsetenv("CK_INCLUDE_TAGS");
    unsetenv("CK_EXCLUDE_TAGS");
    /* Stubs announce themselves on stderr; here the report says it. */
    setenv("COURSE_GRADING", "1", 1);
#ifdef STAGE_BINARY
    /* The stage's messages (fail.c) name the stage, as its program does. */
    const char *slash = strrchr(STAGE_BINARY, '/');
    program_name = slash != NULL ? slash + 1 : STAGE_BINARY;
#endif
    read_manifest(stage->number);
    read_korean_tutorial();
    const char *keep_going_env = getenv("KEEP_GOING");
    bool keep_going = keep_going_env != NULL && strcmp(keep_going_env, "1") == 0;

    char notes[] = "/tmp/grade-notes-XXXXXX";
    int notes_fd = mkstemp(notes);
    if (notes_fd >= 0) {
        close(notes_fd);
        setenv("GRADE_NOTES", notes, 1);
    }

    size_t wanted = 0;
    for (size_t i = 0; i < count; i++)
        wanted += selected(&tests[i], filter) ? 1 : 0;

    printf("%s\n", msgf("grade.header", stage->number, stage_title(stage->number, stage->title)));
    fflush(stdout);
    if (wanted == 0) {
        printf("  %s\n", msgf("grade.no_match",
               stage->number, filter ? filter : "", stage->number));
        printf("%s\n", msgf("grade.score", stage->number, 0, 0));
        if (notes_fd >= 0)
            unlink(notes);
        return 2;
    }

    bool *failed = calloc(count, sizeof *failed);
    bool *skipped_tests = calloc(count, sizeof *skipped_tests);
    size_t *order = calloc(count, sizeof *order);
    struct evidence *evidence = calloc(count, sizeof *evidence);
    if (failed == NULL || skipped_tests == NULL || order == NULL || evidence == NULL) {
        fprintf(stderr, "%s\n", msg("grade.oom"));
        return 2;
    }
    int run = 0, passed = 0, skipped = 0;
    double hang_seconds = 0;
    char hung[MAX_EXERCISES][8];
    int hung_count = 0;
    static char message[4096];

    for (size_t i = 0; i < count; i++) {
        const struct graded_test *t = &tests[i];
        if (!selected(t, filter))
            continue;
        order[run++] = i;
        double timeout = t->timeout > 0 ? t->timeout
                       : stage->timeout > 0 ? stage->timeout : DEFAULT_TIMEOUT;
        bool same_hang = false;
        for (int h = 0; h < hung_count; h++)
            same_hang = same_hang || strcmp(hung[h], t->exercise) == 0;
        if (!keep_going && (same_hang || hang_seconds >= HANG_BUDGET)) {
            /* Counted as not passed, but no evidence for Fix first. */
            skipped++;
            skipped_tests[i] = true;
            record("test\t%d\t%s\tSKIPPED\t%s\n", stage->number, t->exercise, t->behavior);
            continue;
        }
        if (!keep_going && hung_count > 0 && timeout > AFTER_HANG_TIMEOUT)
            timeout = AFTER_HANG_TIMEOUT;
        /* Whatever happens, the stage's failures stay within the budget. */
        if (!keep_going && hang_seconds > 0 && timeout > HANG_BUDGET + 1 - hang_seconds)
            timeout = HANG_BUDGET + 1 - hang_seconds > 1 ? HANG_BUDGET + 1 - hang_seconds : 1;

        if (notes_fd >= 0 && truncate(notes, 0) != 0)
            unsetenv("GRADE_NOTES"); /* stale notes would mislead: do without */
        double started = seconds_now();
        int type = run_one(t, timeout, message, sizeof message);
        double took = seconds_now() - started;
        read_notes(notes, &evidence[i]);
        read_sanitizer_reports(&evidence[i]);
        /* A sanitizer's finding fails a test that passed by luck. */
        if (type == CK_PASS && evidence[i].sanitizer[0] != '\0') {
            type = CK_FAILURE;
            copy(message, sizeof message, msg("grade.sanitizer_found"));
        }

        const char *verdict = type == CK_PASS ? "ok"
                            : type == CK_FAILURE ? "FAIL"
                            : strstr(message, "timeout") ? "TIMEOUT"
                            : strstr(message, "Early exit") ? "EXITED" : "CRASH";
        record("test\t%d\t%s\t%s\t%s\n", stage->number, t->exercise, verdict, t->behavior);
        if (type == CK_PASS) {
            passed++;
            printf("  ok      %s\n", test_title(t));
            fflush(stdout);
            continue;
        }
        failed[i] = true;
        hang_seconds += took;
        const char *fault = at_fault(t, &evidence[i]);
        grade_channel_blame(t->exercise, t->behavior, fault);
        /* "[exercise 1.2]", or "[maint]" for a maintainers' check. */
        const char *tag = isdigit((unsigned char)fault[0]) ? msg("grade.tag") : "";
        printf("  %-7s %s   [%s%s]\n", verdict, test_title(t), tag, fault);
        if (strcmp(fault, t->exercise) != 0) {
            if (ran_stub(&evidence[i], fault))
                print_indented(msgf("grade.needs",
                       fault, title_of(fault), t->exercise));
            else
                printf("          %s\n", msgf("grade.other_fault",
                       t->exercise, fault, title_of(fault)));
        }
        if (evidence[i].blame[0] != '\0' && evidence[i].blame_cause[0] != '\0')
            printf("          %s\n", msgf("grade.likely", localized(evidence[i].blame_cause)));
        fault_cause[0] = '\0';
        if (strcmp(fault, t->exercise) != 0)
            snprintf(fault_cause, sizeof fault_cause, "%s",
                     msgf("grade.fault_cause", fault, title_of(fault)));
        if (type == CK_FAILURE)
            print_indented(localized(message));
        else
            explain_error(message, stage, timeout, &evidence[i]);
        if (evidence[i].sanitizer[0] != '\0')
            print_indented(evidence[i].sanitizer);
        print_hint(fault);
        fflush(stdout);
        if (strcmp(verdict, "TIMEOUT") == 0) {
            if (hung_count < MAX_EXERCISES)
                copy(hung[hung_count++], sizeof hung[0], t->exercise);
        }
    }
    if (skipped > 0) {
        const char *skip_text = msgf(skipped == 1 ? "grade.skipped_1" : "grade.skipped_n",
               skipped,
               hung_count > 0 ? "TIMEOUT" : msg("grade.slow_failures"),
               stage->number);
        printf("  %.*s\n", (int)strcspn(skip_text, "\n"), skip_text);
        print_indented(skip_text + strcspn(skip_text, "\n") + (strchr(skip_text, '\n') != NULL));
    }
    if (passed < run) {
        struct verdicts v = { "", "" };
        choose_fix_first(tests, failed, skipped_tests, evidence, order, (size_t)run, &v);
        if (v.fix[0] != '\0') {
            printf("%s\n", msgf("grade.fix_first", v.fix, title_of(v.fix), v.reason));
            record("fixfirst\t%d\t%s\t%s\n", stage->number, v.fix, v.reason);
        }
    }
    printf("%s\n", msgf("grade.score", stage->number, passed, run));
    fflush(stdout);
    if (notes_fd >= 0) {
        char probes[sizeof notes + 8];
        snprintf(probes, sizeof probes, "%s.probes", notes);
        unlink(notes);
        unlink(probes);
    }
    free(failed);
    free(skipped_tests);
    free(order);
    free(evidence);
    return run == 0 ? 2 : passed == run ? 0 : 1;
}
