/* exposes: echo_handler.c
 *
 * expose_05.c - stage 5's echo_handler.c, compiled here in place of the
 * library's copy (tests/stage.mk), so that the grader can stand in for
 * an exercise that is still its stub.  A stub calls exercise_todo()
 * first; here that call also does, when the suite asks for it
 * (grader_fills), what the finished exercise does: the tests of 5.1 then
 * pass as soon as receiving is right, before 5.2 and 5.3 are written,
 * and they judge receiving alone.  An exercise the learner has started
 * no longer calls exercise_todo(): the grader never replaces written code.
 */
#include "todo.h"

#include <stdbool.h>
#include <string.h>

struct task;
#include <unistd.h>

void grader_todo(const char *exercise, const char *what, struct task *self);
int grader_close(int fd);
#define exercise_todo(exercise, what) grader_todo((exercise), (what), self)
#define close(fd) grader_close(fd)

#include "echo_handler.c"

#undef exercise_todo
#undef close

/* How often the handler's code closed grader_watched_fd. */
int grader_watched_fd = -1;
int grader_closes;

int grader_close(int fd)
{
    if (fd >= 0 && fd == grader_watched_fd)
        grader_closes++;
    return close(fd);
}

#include <poll.h>

/* The exercises the grader does in place of their stubs ("5.2 5.3"),
 * and the stubs that ran in this process. */
const char *grader_fills = "";
char grader_stubs_seen[32];

void grader_todo(const char *exercise, const char *what, struct task *self)
{
    /* A stub the grader does is not the learner's to answer for in
     * this test: only one it leaves undone is told to the grader. */
    if (strstr(grader_fills, exercise) == NULL)
        exercise_todo(exercise, what);
    if (strstr(grader_stubs_seen, exercise) == NULL
        && strlen(grader_stubs_seen) + strlen(exercise) + 2 < sizeof grader_stubs_seen) {
        strcat(grader_stubs_seen, exercise);
        strcat(grader_stubs_seen, " ");
    }
    if (strstr(grader_fills, exercise) == NULL)
        return;
    struct echo_handler *h = (struct echo_handler *)self;
    if (strcmp(exercise, "5.2") == 0) {
        /* The whole reply, waiting (in this step: the grader's own
         * stand-in, not a task) while the socket is full. */
        while (h->sent < h->length) {
            struct pollfd p = { .fd = h->client, .events = POLLOUT };
            if (poll(&p, 1, 5000) <= 0)
                return;
            ssize_t sent = send(h->client, h->reply + h->sent, h->length - h->sent, MSG_NOSIGNAL);
            if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                continue;
            if (sent < 0)
                return;
            h->sent += (size_t)sent;
        }
    } else if (strcmp(exercise, "5.3") == 0) {
        print_line("Connection closed");
        close(h->client);
        h->client = -1;
    }
}

/* What one handler holds, for the tests that step it by hand. */
void grader_echo_state(struct task *t, int *client, size_t *length, size_t *sent,
                       const char **reply);

void grader_echo_state(struct task *t, int *client, size_t *length, size_t *sent,
                       const char **reply)
{
    struct echo_handler *h = (struct echo_handler *)t;
    *client = h->client;
    *length = h->length;
    *sent = h->sent;
    *reply = h->reply;
}
