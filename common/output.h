/*
 * output.h - the log lines of a program that must never stall.
 *
 * print_line() is the original's print(): one call, one line on stdout.
 * print_error() is the same for diagnostics on stderr.  Both are
 * printf-like and add the newline.
 *
 * Until an event loop takes the output over (output_attach(), called by
 * the output writer task of stages 4 and 5), they behave exactly like
 * printf and fprintf(stderr, ...).  After it, they never block: a line
 * the stream cannot take now waits in a bounded buffer (OUTPUT_HOLD
 * bytes per stream) that the output writer task writes out once the
 * stream is writable; when the buffer is full, lines are dropped and
 * counted, and one line says how many once the stream flows again.  A
 * terminal that stops reading (Ctrl-S) is a pipe that is not read; a full
 * file (ENOSPC) keeps what it did not take for the next line.  Lines go
 * whole or not at all.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

/* At most this many bytes wait per stream; a longer line is cut. */
#define OUTPUT_HOLD (64 * 1024)
#define OUTPUT_LINE_MAX 2048

void print_line(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

void print_error(const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The event loop's side, for the output writer task.
 *
 * output_attach(FD), FD being 1 or 2: from now on lines to FD never
 * block.  Returns a descriptor that becomes readable when lines are
 * held (wait on it with YIELD_RECV), or -1 with errno set.
 * output_flush(FD): write what FD takes now; true when nothing is held
 * any more (else wait with YIELD_SEND on FD and call it again).
 * output_detach(FD): close the wake descriptor; lines keep never
 * blocking, and one last attempt to write them is made at exit. */
int output_attach(int fd);
bool output_flush(int fd);
void output_detach(int fd);

/* For an event loop that wants its log lines in few writes:
 * output_defer(true) when it starts; before each wait, output_linger():
 * -1 when no line waits, else the milliseconds (at most
 * OUTPUT_LINGER_MS) the lines may still wait: 0 means call
 * output_end_of_turn() now, which writes them (what the stream does not
 * take then waits for the output writer task, as ever); otherwise wait
 * no longer than that.  output_defer(false) when it returns (what is
 * held is written).  Only attached streams are deferred.  A loop that
 * only calls output_end_of_turn() before each wait (the course's select
 * loop) gets the lines of each turn in one write, from its first call
 * on; what its last turn printed is written at exit. */
#define OUTPUT_LINGER_MS 10
void output_defer(bool on);
int output_linger(void);
void output_end_of_turn(void);

/* From now on, never block even on a terminal we have no handle of our
 * own on (one that stopped reading): its lines are kept, not written.
 * Safe to call from a signal handler; the stop signals' handler does. */
void output_stop_blocking(void);

#endif
