/*
 * demo_tasks.h - the original's countdown and countup, as tasks.
 *
 *     def countdown(n):              def countup(n):
 *         while n > 0:                   x = 0
 *             print('T-minus', n)        while x < n:
 *             yield                          print('Up we go', x)
 *             n -= 1                         yield
 *                                            x += 1
 */
#ifndef DEMO_TASKS_H
#define DEMO_TASKS_H

#include "task.h"

struct task *countdown_task(int n);
struct task *countup_task(int n);

#endif
