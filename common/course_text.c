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
    { "options.try_help", "%s: try '%s --help'", "%s: 사용법은 '%s --help'로 보세요" },
    { "options.bad_port", "bad port '%s': expected a number from 0 to 65535 (0 picks a free port)", "잘못된 포트 '%s': 0부터 65535까지의 숫자여야 합니다(0이면 빈 포트를 고릅니다)" },
    { "options.empty_bind", "empty bind address%s: give an address such as 127.0.0.1", "바인드 주소가 비어 있습니다%s. 127.0.0.1 같은 주소를 주세요" },
    { "options.long_bind", "bad bind address '%s': too long for a host name or address", "잘못된 바인드 주소 '%s': 호스트 이름이나 주소라기엔 너무 깁니다" },
    { "options.bad_idle", "bad idle timeout '%s': expected seconds, from 0 (off) to 86400", "잘못된 유휴 타임아웃 '%s': 0(끔)부터 86400까지의 초 단위 숫자여야 합니다" },
    { "options.needs_timers", "option '%s' needs the scheduler with timers: build with BACKEND=select, poll or epoll (make run BACKEND=select ARGS='--idle-timeout 2'; TUTORIAL.md, Going further, Time)", "옵션 '%s'에는 타이머가 있는 스케줄러가 필요합니다. BACKEND=select, poll, epoll 중 하나로 빌드하세요(make run BACKEND=select ARGS='--idle-timeout 2'; TUTORIAL.ko.md, 더 나아가기, 시간)" },
    { "options.unknown", "unknown option '%s'", "알 수 없는 옵션 '%s'" },
    { "options.unexpected", "unexpected argument '%s'", "예상하지 못한 인자 '%s'" },
    { "options.server_help", "usage: %s [-p PORT] [-b ADDR] [--trace]\n%s\n\n  -p, --port PORT   TCP port to listen on (default %d; 0 picks a free one)\n  -b, --bind ADDR   address to listen on (default: all IPv4 interfaces;\n                    '::' for IPv6, 127.0.0.1 for this machine only)\n      --trace       print every scheduler decision as it happens\n  -h, --help        show this help and exit\n", "usage: %s [-p PORT] [-b ADDR] [--trace]\n%s\n\n  -p, --port PORT   대기할 TCP 포트(기본값 %d, 0이면 빈 포트를 고름)\n  -b, --bind ADDR   대기할 주소(기본값: 모든 IPv4 인터페이스,\n                    IPv6는 '::', 이 컴퓨터에서만은 127.0.0.1)\n      --trace       스케줄러의 결정을 일어나는 대로 모두 찍음\n  -h, --help        이 도움말을 보이고 끝냄\n" },
    { "options.idle_help", "      --idle-timeout SECONDS  close a client that sends nothing for that long (default 0: never)\n", "      --idle-timeout SECONDS  그 시간 동안 아무것도 보내지 않는 클라이언트를 닫음(기본값 0: 닫지 않음)\n" },
    { "options.demo_help", "usage: %s [--trace]\n%s\n\n      --trace   print every scheduler decision as it happens\n  -h, --help    show this help and exit\n", "usage: %s [--trace]\n%s\n\n      --trace   스케줄러의 결정을 일어나는 대로 모두 찍음\n  -h, --help    이 도움말을 보이고 끝냄\n" },
    { "summary.stage1", "Stage 1: Duff's device, a hand-written coroutine, and two generators taking turns.", "1단계: 더프의 장치, 손으로 짠 코루틴, 그리고 번갈아 도는 두 제너레이터." },
    { "summary.stage2", "Stage 2: three tasks take turns in one thread, round-robin.", "2단계: 스레드 하나에서 세 작업이 라운드 로빈으로 번갈아 돕니다." },
    { "summary.stage3", "Stage 3: four tasks on two pipes; select() wakes whoever can go on.", "3단계: 파이프 두 개 위의 작업 네 개. 진행할 수 있는 작업을 select()가 깨웁니다." },
    { "summary.stage4", "Stage 4: accept clients in a task, greet each one, hang up.", "4단계: 작업 하나가 클라이언트를 받아들이고, 저마다 인사한 뒤 끊습니다." },
    { "summary.stage5", "Stage 5: a TCP echo server; one thread, one task per client.", "5단계: TCP 에코 서버. 스레드 하나에 클라이언트마다 작업 하나." },
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
