/*
 * stop_signals.h - Ctrl-C (SIGINT), SIGTERM and SIGHUP stop the server cleanly.
 */
#ifndef STOP_SIGNALS_H
#define STOP_SIGNALS_H

#include "task.h"

/* Ignore SIGPIPE, catch SIGINT, SIGTERM and SIGHUP, and return a task that
 * calls scheduler_stop() when one of them arrives. */
struct task *stop_on_signals(void);

/* The signal that stopped the server, or 0. */
int stop_signal_received(void);

#endif
