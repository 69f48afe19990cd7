/*
 * messages.c - reads tests/grader/messages.txt and speaks the learner's
 * language (see messages.h).
 */
#include "messages.h"

#include "course_text.h"
#include "grade.h"

#include <ctype.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct message {
    char *id;
    char *en;
    char *ko;
};

static struct message *messages;
static size_t message_count;
static bool loaded;

/* "\n", "\t" and "\\" in the catalogue stand for a newline, a TAB and a
 * backslash (a catalogue line holds one message). */
static char *unescape(const char *text)
{
    char *out = malloc(strlen(text) + 1);
    if (out == NULL)
        return NULL;
    size_t n = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (p[0] == '\\' && (p[1] == 'n' || p[1] == 't' || p[1] == '\\')) {
            out[n++] = p[1] == 'n' ? '\n' : p[1] == 't' ? '\t' : '\\';
            p++;
        } else {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
    return out;
}

static void load(void)
{
    if (loaded)
        return;
    loaded = true;
    char path[1024];
    /* grade.sh names it; a suite run by hand runs at the top folder. */
    const char *given = getenv("COURSE_MESSAGES");
    snprintf(path, sizeof path, "%s", given && *given ? given : "tests/grader/messages.txt");
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return;
    size_t capacity = 0;
    char line[4096];
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *en = strchr(line, '\t');
        char *ko = en != NULL ? strchr(en + 1, '\t') : NULL;
        if (ko == NULL)
            continue;
        *en++ = '\0';
        *ko++ = '\0';
        if (message_count == capacity) {
            size_t more = capacity ? capacity * 2 : 256;
            struct message *grown = realloc(messages, more * sizeof *grown);
            if (grown == NULL)
                break;
            messages = grown;
            capacity = more;
        }
        struct message *m = &messages[message_count];
        m->id = unescape(line);
        m->en = unescape(en);
        m->ko = unescape(ko);
        if (m->id != NULL && m->en != NULL && m->ko != NULL)
            message_count++;
    }
    fclose(f);
}

static const struct message *find(const char *id)
{
    load();
    for (size_t i = 0; i < message_count; i++)
        if (strcmp(messages[i].id, id) == 0)
            return &messages[i];
    return NULL;
}

const char *msg(const char *id)
{
    const struct message *m = find(id);
    if (m == NULL)
        return id;
    return course_korean() ? m->ko : m->en;
}

static char *next_buffer(void)
{
    static char buffers[8][2048];
    static int which;
    which = (which + 1) % 8;
    return buffers[which];
}

const char *msgf(const char *id, ...)
{
    char *out = next_buffer();
    va_list args;
    va_start(args, id);
    vsnprintf(out, 2048, msg(id), args);
    va_end(args);
    return out;
}

/* ---- a suite's English text, matched against the catalogue ---------- */

#define MAX_VALUES 12

struct values {
    const char *start[MAX_VALUES];
    size_t length[MAX_VALUES];
    int count;
};

/* Skip a printf conversion's flags, width, precision and length; return
 * its conversion character's place. */
static const char *conversion(const char *f)
{
    f++; /* the % */
    while (*f != '\0' && strchr("-+ #0123456789.hlLqjzt", *f) != NULL)
        f++;
    return f;
}

/* How long the number at S is, as conversion C prints it (0: none). */
static size_t number_length(const char *s, char c)
{
    size_t n = 0;
    while (s[n] == ' ')
        n++;
    if (s[n] == '-' || s[n] == '+')
        n++;
    size_t digits = 0;
    if (c == 'x' || c == 'X' || c == 'p') {
        if (s[n] == '0' && s[n + 1] == 'x')
            n += 2;
        while (isxdigit((unsigned char)s[n + digits]))
            digits++;
    } else {
        while (isdigit((unsigned char)s[n + digits]))
            digits++;
        if ((c == 'f' || c == 'g' || c == 'e') && s[n + digits] == '.') {
            digits++;
            while (isdigit((unsigned char)s[n + digits]))
                digits++;
        }
    }
    return digits > 0 ? n + digits : 0;
}

/* Does TEXT fit the printf format F?  Fill V with the values. */
static bool fits(const char *f, const char *text, struct values *v)
{
    while (*f != '\0') {
        if (f[0] == '%' && f[1] == '%') {
            if (*text != '%')
                return false;
            f += 2;
            text++;
            continue;
        }
        if (f[0] != '%') {
            if (*f != *text)
                return false;
            f++;
            text++;
            continue;
        }
        const char *c = conversion(f);
        if (*c == '\0' || v->count >= MAX_VALUES)
            return false;
        int slot = v->count++;
        v->start[slot] = text;
        if (*c == 's') {
            /* Shortest first: the text after a value is the pattern's. */
            for (size_t n = 0;; n++) {
                v->length[slot] = n;
                if (fits(c + 1, text + n, v))
                    return true;
                v->count = slot + 1;
                if (text[n] == '\0')
                    break;
            }
            v->count = slot;
            return false;
        }
        size_t n = *c == 'c' ? (*text != '\0') : number_length(text, *c);
        if (n == 0) {
            v->count = slot;
            return false;
        }
        v->length[slot] = n;
        f = c + 1;
        text += n;
    }
    return *text == '\0';
}

static const char *localized_at(const char *text, int depth);

/* FORMAT with its conversions replaced, in order, by V's values; a
 * value that is itself a suite's text is localized too (two deep: an
 * EXPECT's "what" may hold a described "what" of its own). */
static const char *refill(const char *format, const struct values *v, int depth)
{
    char *out = next_buffer();
    size_t used = 0;
    int next = 0;
    for (const char *f = format; *f != '\0' && used + 1 < 2048;) {
        if (f[0] == '%' && f[1] == '%') {
            out[used++] = '%';
            f += 2;
        } else if (f[0] == '%') {
            const char *c = conversion(f);
            if (next < v->count) {
                char value[1024];
                size_t length = v->length[next] < sizeof value ? v->length[next] : sizeof value - 1;
                memcpy(value, v->start[next], length);
                value[length] = '\0';
                const char *shown = value;
                if (*c == 's' && depth < 2)
                    shown = localized_at(value, depth + 1);
                used += (size_t)snprintf(out + used, 2048 - used, "%s", shown);
                if (used >= 2048)
                    used = 2047;
                next++;
            }
            f = *c != '\0' ? c + 1 : c;
        } else {
            out[used++] = *f++;
        }
    }
    out[used] = '\0';
    return out;
}

static const char *localized_at(const char *text, int depth)
{
    if (text == NULL || !course_korean())
        return text;
    load();
    /* The pattern that fits with the most text of its own wins: "%s:
     * expected %lld, got %lld" fits many a message a longer one fits. */
    const struct message *best = NULL;
    size_t best_length = 0;
    struct values best_values = { .count = 0 };
    for (size_t i = 0; i < message_count; i++) {
        const struct message *m = &messages[i];
        if (strncmp(m->id, "x.", 2) != 0)
            continue;
        struct values v = { .count = 0 };
        if (!fits(m->en, text, &v))
            continue;
        size_t own = strlen(text);
        for (int k = 0; k < v.count; k++)
            own -= v.length[k];
        if (best == NULL || own > best_length) {
            best = m;
            best_length = own;
            best_values = v;
        }
    }
    if (best != NULL)
        return refill(best->ko, &best_values, depth);
    /* A value that two pieces filled ("%s%s": ", then end of stream" and
     * "; the first 7 are right") is found piece by piece: a known text
     * first, then the rest.  Only short values, which such pieces are. */
    size_t length = strlen(text);
    if (depth < 1 || depth > 2 || length >= 160)
        return text;
    for (size_t cut = 1; cut < length; cut++) {
        char head[160];
        memcpy(head, text, cut);
        head[cut] = '\0';
        const char *first = localized_at(head, 3);
        if (first == head)
            continue;
        char first_copy[1024];
        snprintf(first_copy, sizeof first_copy, "%s", first);
        const char *rest = localized_at(text + cut, depth);
        char *out = next_buffer();
        snprintf(out, 2048, "%s%s", first_copy, rest);
        return out;
    }
    return text;
}

const char *localized(const char *text)
{
    return localized_at(text, 0);
}

const char *test_title(const struct graded_test *test)
{
    /* Two stages may have tests of one name: the stage is in the id. */
    char id[160];
    snprintf(id, sizeof id, "title.%.*s.%s", (int)strcspn(test->exercise, "."), test->exercise,
             (*test->test)->name);
    const struct message *m = course_korean() ? find(id) : NULL;
    return m != NULL ? m->ko : test->behavior;
}

/* The rest of the first line of TUTORIAL.ko.md that starts with HEADING,
 * or ENGLISH; in one of several buffers. */
static const char *korean_heading(const char *heading, const char *english)
{
    static char titles[4][256];
    static int which;
    char *title = titles[which = (which + 1) % 4];
    if (!course_korean())
        return english;
    const char *root = getenv("COURSE_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/TUTORIAL.ko.md", root && *root ? root : ".");
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return english;
    char line[512];
    const char *found = english;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, heading, strlen(heading)) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(title, sizeof titles[0], "%s", line + strlen(heading));
            found = title;
            break;
        }
    }
    fclose(f);
    return found;
}

const char *stage_title(int number, const char *english)
{
    char heading[32];
    snprintf(heading, sizeof heading, "## %d\xec\x9e\xa5: ", number); /* "## N장: " */
    return korean_heading(heading, english);
}

const char *exercise_title(const char *id, const char *english)
{
    char heading[64];
    /* "### 연습 N.M: " */
    snprintf(heading, sizeof heading, "### \xec\x97\xb0\xec\x8a\xb5 %.16s: ", id);
    return korean_heading(heading, english);
}

const char *signal_words(int signal_number)
{
    static const struct { int number; const char *id; } known[] = {
        { SIGSEGV, "signal.SIGSEGV" }, { SIGABRT, "signal.SIGABRT" },
        { SIGBUS, "signal.SIGBUS" },   { SIGFPE, "signal.SIGFPE" },
        { SIGILL, "signal.SIGILL" },   { SIGPIPE, "signal.SIGPIPE" },
        { SIGKILL, "signal.SIGKILL" }, { SIGTERM, "signal.SIGTERM" },
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i].number == signal_number)
            return msg(known[i].id);
    return strsignal(signal_number);
}
