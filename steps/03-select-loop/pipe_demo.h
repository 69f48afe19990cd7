/*
 * pipe_demo.h - tasks that wait on real file descriptors (pipes), for
 * the stage 3 demonstration: no network yet, the same waiting.
 */
#ifndef PIPE_DEMO_H
#define PIPE_DEMO_H

#include "task.h"

#include <stddef.h>

/* Write COUNT short lines to FD (non-blocking), waiting until it is
 * writable before each; close FD when done. */
struct task *line_writer(int fd, int count);

/* Print every chunk read from FD until end of file, then close FD. */
struct task *line_reader(int fd);

/* Write TOTAL bytes to FD in 4 KiB pieces; when the pipe is full, wait
 * until a reader drains it.  Close FD when done. */
struct task *flood_writer(int fd, size_t total);

/* Read FD until end of file, then print how many bytes came; close FD. */
struct task *flood_reader(int fd);

#endif
