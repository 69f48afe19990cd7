/*
 * todo.h - what an unfinished exercise says when it runs.
 *
 * Every stub in steps/ calls exercise_todo() before it does anything,
 * so a learner who runs a stage early reads which exercise is missing
 * instead of guessing why nothing happens.
 */
#ifndef TODO_H
#define TODO_H

/* Print, once per EXERCISE, that it is not done yet (on stderr). */
void exercise_todo(const char *exercise, const char *what);

#endif
