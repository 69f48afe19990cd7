/*
 * output_writer.h - the task that writes the log lines held back.
 */
#ifndef OUTPUT_WRITER_H
#define OUTPUT_WRITER_H

#include "task.h"

/* A task that takes FD's output over (1 for stdout, 2 for stderr):
 * from now on print_line() and print_error() never block, and this
 * task writes what they hold once FD is writable. */
struct task *output_writer(int fd);

#endif
