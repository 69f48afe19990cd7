/*
 * messages_probe.c - proves that the grader finds the Korean of each
 * suite text (tests/grader/messages.c, localized()): for every x.* entry
 * of the catalogue, its English filled with sample values must come out
 * as its Korean filled with the same values.  A new pattern that another
 * one swallows fails here, not in a learner's report.
 *
 *   python3 tests/maint/messages.py samples | COURSE_LANG=ko ./messages_probe
 *
 * stdin: records separated by \x1e, each the English text, \x1f, the
 * Korean expected.  Exit status 1 if any comes out otherwise.
 */
#include "messages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    size_t size = 1 << 22, length = 0;
    char *input = malloc(size);
    if (input == NULL)
        return 2;
    length = fread(input, 1, size - 1, stdin);
    input[length] = '\0';
    int total = 0, wrong = 0;
    char *next = input;
    while (next != NULL && *next != '\0') {
        char *record = next;
        next = strchr(record, '\x1e');
        if (next != NULL)
            *next++ = '\0';
        char *korean = strchr(record, '\x1f');
        if (korean == NULL)
            continue;
        *korean++ = '\0';
        total++;
        const char *got = localized(record);
        if (strcmp(got, korean) != 0 && ++wrong <= 10)
            printf("not localized as expected:\n  English:  %s\n  expected: %s\n  got:      %s\n",
                   record, korean, got);
    }
    printf("%d of %d suite texts localized as expected\n", total - wrong, total);
    free(input);
    return wrong == 0 && total > 0 ? 0 : 1;
}
