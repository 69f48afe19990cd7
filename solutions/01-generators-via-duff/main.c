/*
 * Stage 1: generators via Duff's device.
 *
 * Shows, in order, Duff's device, a hand-written Tatham coroutine, and
 * two generators made with the CO_ macros taking turns, like the
 * original course's countdown/countup example:
 *
 *     c, u = countdown(5), countup(5)
 *     for each turn: next(c), next(u)   # until both are exhausted
 */
#include "countdown.h"
#include "countup.h"
#include "course_text.h"
#include "duff_device.h"
#include "fail.h"
#include "options.h"
#include "tatham.h"

#include <stdio.h>
#include <string.h>

/* A stub that never finishes must not hang the demonstration. */
#define MAX_TURNS 20

int main(int argc, char **argv)
{
    bool trace;
    program_name = "01-generators-via-duff";
    parse_demo_options(argc, argv,
                       course_text("summary.stage1"),
                       &trace);

    const char message[] = "Duff's device copies this.";
    char copy[sizeof message];
    memset(copy, 0, sizeof copy);
    duff_copy(copy, message, sizeof message);
    printf("duff_copy: \"%s\"\n", copy);

    printf("tatham_next:");
    for (int value; (value = tatham_next()) != -1;)
        printf(" %d", value);
    printf("\n\n");

    struct countdown down = countdown(5);
    struct countup up = countup(5);
    bool down_more = true, up_more = true;
    int values = 0;
    for (int turn = 0; (down_more || up_more) && turn < MAX_TURNS; turn++) {
        int value;
        if (down_more && (down_more = countdown_next(&down, &value))) {
            printf("T-minus %d\n", value);
            values++;
        }
        if (up_more && (up_more = countup_next(&up, &value))) {
            printf("Up we go %d\n", value);
            values++;
        }
    }
    if (down_more || up_more)
        printf(course_text("stage1.stopped"), MAX_TURNS), printf("\n");
    else if (values == 0)
        printf("%s\n", course_text("stage1.nothing"));
    else
        printf("%s\n", course_text("stage1.finished"));
    return 0;
}
