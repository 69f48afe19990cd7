/*
 * course_text.c - the programs' own sentences, English and Korean (see
 * course_text.h).  One entry per line, `{ "id", "English", "Korean" },`:
 * tests/maint/messages.sh reads this table back and compares it with
 * tests/grader/messages.txt, the catalogue it is copied from.
 */
#include "course_text.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct course_text_entry {
    const char *id;
    const char *en;
    const char *ko;
};

static const struct course_text_entry texts[] = {
    /* BEGIN CATALOGUE COPY */
    { "todo.notice", "TODO: exercise %s (%s) is not done yet: see TUTORIAL.md, exercise %s.", "TODO: 연습 %s(%s): 아직 작성되지 않았습니다. TUTORIAL.ko.md에서 연습 %s 절을 보세요." },
    { "todo.what.1.1", "CO_BEGIN, CO_YIELD and CO_END in coroutine.h", "coroutine.h의 CO_BEGIN, CO_YIELD, CO_END" },
    { "todo.what.1.2", "countdown_next in countdown.c", "countdown.c의 countdown_next" },
    { "todo.what.1.3", "countup_next in countup.c and its state in countup.h", "countup.c의 countup_next와 countup.h의 상태" },
    { "todo.what.2.1", "task_queue_push and task_queue_pop in task_queue.c", "task_queue.c의 task_queue_push와 task_queue_pop" },
    { "todo.what.2.2", "run in scheduler.c", "scheduler.c의 run" },
    { "todo.what.2.3", "task_done in scheduler.c", "scheduler.c의 task_done" },
    { "todo.what.3.1", "park in scheduler.c", "scheduler.c의 park" },
    { "todo.what.3.2", "wait_for_io in scheduler.c", "scheduler.c의 wait_for_io" },
    { "todo.what.3.3", "run in scheduler.c", "scheduler.c의 run" },
    { "todo.what.4.1", "open_listener in tcp_server.c", "tcp_server.c의 open_listener" },
    { "todo.what.4.2", "the accept loop in tcp_server.c", "tcp_server.c의 수락 루프" },
    { "todo.what.4.3", "start_handler in tcp_server.c", "tcp_server.c의 start_handler" },
    { "todo.what.5.1", "the receiving half of echo_handler_step", "echo_handler_step의 받는 부분" },
    { "todo.what.5.2", "sending the reply in echo_handler_step", "echo_handler_step에서 응답 보내기" },
    { "todo.what.5.3", "the end of echo_handler_step", "echo_handler_step의 끝부분" },
    { "stage1.stopped", "(stopped after %d turns: a generator never finished)", "(%d번 차례를 돌고 멈췄습니다: 끝나지 않는 제너레이터가 있습니다)" },
    { "stage1.nothing", "The generators yielded nothing: they are not written yet.", "제너레이터가 아무 값도 내놓지 않았습니다: 아직 작성되지 않았습니다." },
    { "stage1.finished", "Both generators are finished.", "두 제너레이터가 모두 끝났습니다." },
    /* END CATALOGUE COPY */
};

bool course_korean(void)
{
    const char *names[] = { "COURSE_LANG", "LC_ALL", "LANG" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *value = getenv(names[i]);
        if (value != NULL && *value != '\0')
            return strncmp(value, "ko", 2) == 0;
    }
    return false;
}

const char *course_text(const char *id)
{
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp(texts[i].id, id) == 0)
            return course_korean() ? texts[i].ko : texts[i].en;
    return NULL;
}
