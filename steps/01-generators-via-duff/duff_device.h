/*
 * duff_device.h - Tom Duff's loop (1983), the trick every coroutine in
 * this course is built on: case labels may sit inside a loop, and a
 * switch may jump into the middle of it.
 */
#ifndef DUFF_DEVICE_H
#define DUFF_DEVICE_H

#include <stddef.h>

/* Copy COUNT bytes from FROM to TO, eight per loop turn; the switch
 * jumps into the loop to copy the COUNT % 8 leftover bytes first. */
void duff_copy(char *to, const char *from, size_t count);

#endif
