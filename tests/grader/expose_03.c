/* exposes: scheduler.c
 *
 * expose_03.c - stage 3's scheduler.c, compiled here in place of the
 * library's copy (tests/stage.mk), with handles on its static pieces, so
 * that the suite can check each exercise on its own: park() (3.1) and
 * wait_for_io() (3.2) are called directly, or through the grader's own
 * run loop instead of the learner's run() (3.3).  A test of 3.1 or 3.2
 * thus passes as soon as that exercise is right, before 3.3 is written,
 * and fails only for its own exercise's code.
 */
#include "scheduler.c"

void grader_park(struct task *t, enum task_status status);
void grader_wait_for_io(void);
int grader_highest_fd(void);
bool grader_stop_requested(void);
void grader_clear_stop(void);

void grader_park(struct task *t, enum task_status status) { park(t, status); }
void grader_wait_for_io(void) { wait_for_io(); }
int grader_highest_fd(void) { return highest_fd; }
bool grader_stop_requested(void) { return stop_requested; }
void grader_clear_stop(void) { stop_requested = false; }
void grader_wake(struct task **table, int fd, const char *reason);
void grader_wake_closed_fds(void);

void grader_wake(struct task **table, int fd, const char *reason) { wake(table, fd, reason); }
void grader_wake_closed_fds(void) { wake_closed_fds(); }
