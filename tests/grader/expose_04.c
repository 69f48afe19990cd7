/* exposes: tcp_server.c
 *
 * expose_04.c - stage 4's tcp_server.c, compiled here in place of the
 * library's copy (tests/stage.mk), so that the grader can stand in for
 * start_handler() (4.3) while it is still its stub: the tests of the
 * accept loop (4.2) then pass as soon as the loop is right, and judge it
 * alone.  The stub calls exercise_todo() first; here that call also
 * does, when the suite asks for it (grader_fills), what start_handler()
 * does, for the client accept() returned last (test_04.c's accept()
 * records it).  The stub's close() of that client is then skipped (its
 * close() here is grader_close()): the handler has it.  Written code no longer calls exercise_todo(): the
 * grader never replaces it.
 */
#include "todo.h"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

void grader_todo(const char *exercise, const char *what);
int grader_close(int fd);
#define exercise_todo(exercise, what) grader_todo((exercise), (what))
#define close(fd) grader_close(fd)

#include "tcp_server.c"

#undef exercise_todo
#undef close

/* The client the grader handed to a handler: the stub's close() of it
 * is skipped. */
static int grader_handed = -1;

int grader_close(int fd)
{
    if (fd >= 0 && fd == grader_handed) {
        grader_handed = -1;
        return 0;
    }
    return close(fd);
}

#include <stddef.h>

/* The exercises the grader does in place of their stubs, and the stubs
 * that ran in this process. */
const char *grader_fills = "";
char grader_stubs_seen[32];

/* test_04.c's accept(): the last client it returned, and where. */
extern int grader_last_client;
extern struct sockaddr *grader_last_address;

void grader_todo(const char *exercise, const char *what)
{
    bool fill = strstr(grader_fills, exercise) != NULL;
    if (!fill)
        exercise_todo(exercise, what);
    if (strstr(grader_stubs_seen, exercise) == NULL
        && strlen(grader_stubs_seen) + strlen(exercise) + 2 < sizeof grader_stubs_seen) {
        strcat(grader_stubs_seen, exercise);
        strcat(grader_stubs_seen, " ");
    }
    if (!fill || strcmp(exercise, "4.3") != 0 || grader_last_client < 0 || grader_last_address == NULL)
        return;
    /* The accept loop passed &s->peer to accept(): S is around it. */
    struct tcp_server *s = (struct tcp_server *)(void *)
        ((char *)grader_last_address - offsetof(struct tcp_server, peer));
    int client = grader_last_client;
    grader_last_client = -1;
    if (client >= SCHEDULER_FD_LIMIT || set_nonblocking(client) < 0 || set_cloexec(client) < 0)
        return; /* the stub closes it */
    grader_handed = client;
    connections++;
    spawn(s->handler(client, (struct sockaddr *)&s->peer, s->peer_length));
}

/* tcp_server.c's ACCEPT_BATCH, for the test of the batch's bound. */
int grader_accept_batch(void);

int grader_accept_batch(void)
{
    return ACCEPT_BATCH;
}
