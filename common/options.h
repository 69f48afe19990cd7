/*
 * options.h - the command line every course binary understands.
 *
 * Servers (stages 4 and 5):  [-p PORT] [-b ADDR] [--trace] [-h]
 * Demonstrations (1 to 3):   [--trace] [-h]
 *
 * Parsing lives here, not in each main(), so every stage answers a bad
 * argument with the same kind of message and a non-zero exit status.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>

#define DEFAULT_PORT 25000

struct server_options {
    const char *bind_host; /* NULL: all interfaces, like the original's '' */
    unsigned short port;   /* 0: let the system pick a free port */
    bool trace;
};

/* --idle-timeout SECONDS (0: off).  Only the "Going further" builds
 * (BACKEND=..., further/scheduler.c, which reads it) accept the option;
 * the stages' own server refuses it and says where it is. */
extern unsigned idle_timeout_seconds;

/* Fill OPTIONS from argv or exit: 0 after --help, 2 on a bad argument.
 * SUMMARY is the one-line description printed by --help. */
void parse_server_options(int argc, char **argv, const char *summary,
                          struct server_options *options);

/* The same for a demonstration that takes only --trace and --help. */
void parse_demo_options(int argc, char **argv, const char *summary,
                        bool *trace);

#endif
