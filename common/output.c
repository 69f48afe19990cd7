/*
 * output.c - log lines that never stall the event loop.
 *
 * The original logs with print(), a blocking write.  With stdout a pipe
 * that nobody reads (`server | sleep 600`, a supervisor that reads
 * late), the pipe fills and that write() stops the one thread: no
 * client is served again, and a stop signal cannot help.
 *
 * O_NONBLOCK would avoid the block, but on an inherited stdout it is a
 * flag of the open file description, shared with the shell and every
 * other process writing there: a terminal left non-blocking breaks the
 * shell.  So the fd stays as it is, and each write is one that cannot
 * block:
 *   - a pipe or FIFO is polled with a zero timeout and given at most
 *     PIPE_BUF bytes: Linux and the BSDs call a pipe writable only
 *     with at least PIPE_BUF bytes free, so such a write never waits;
 *   - a socket is written with MSG_DONTWAIT, a flag of this call only;
 *   - a terminal, a file or /dev/null is written as before, blocking:
 *     nothing is held or dropped there.
 * What a pipe or socket cannot take now waits in a buffer of at most
 * OUTPUT_HOLD bytes; the output writer task writes it when the stream
 * is writable.  Lines go whole or not at all.
 */
#include "output.h"

#include "fd_flags.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SIGPIPE is ignored by the servers instead */
#endif

struct stream {
    const char *name;
    bool attached;        /* lines never block: an event loop writes what is held */
    bool poked;           /* a byte waits in the wake pipe */
    int wake[2];          /* readable while lines are held */
    size_t start, length; /* the held bytes: held[start .. start + length) */
    size_t peak;          /* the most bytes ever held, for the drop notice */
    unsigned long dropped;
    char held[OUTPUT_HOLD];
};

/* Set by output_stop_blocking() (from a stop signal's handler): from
 * then on a terminal is written through a private non-blocking handle,
 * so that a terminal that stopped reading (Ctrl-S, a paused tmux pane)
 * cannot keep the server from stopping. */
static volatile sig_atomic_t never_block;
static int private_tty[2] = { -1, -1 };

static struct stream streams[2] = {
    { .name = "stdout", .wake = { -1, -1 } },
    { .name = "stderr", .wake = { -1, -1 } },
};

static struct stream *stream_of(int fd)
{
    return &streams[fd == STDERR_FILENO];
}

static int fd_of(const struct stream *s)
{
    return s == &streams[1] ? STDERR_FILENO : STDOUT_FILENO;
}

enum kind { BLOCKING, PIPE, SOCKET };

/* Looked up at every write: a test (or a program) may dup2() another
 * file onto the fd at any time. */
static enum kind kind_of(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return BLOCKING;
    if (S_ISFIFO(st.st_mode))
        return PIPE;
#ifdef MSG_DONTWAIT
    if (S_ISSOCK(st.st_mode))
        return SOCKET;
#else
    if (S_ISSOCK(st.st_mode))
        return PIPE; /* no MSG_DONTWAIT: poll and write a little at a time */
#endif
    return BLOCKING;
}

/* Write what FD takes now, without blocking.  Returns the bytes written,
 * or -1 when the stream is gone (no reader, an error): then nothing
 * held for it can ever be written. */
/* A handle of our own on the terminal behind FD, opened non-blocking:
 * a new open file description, so the shell's stays as it was. */
static int private_tty_of(int fd)
{
    int *own = &private_tty[fd == STDERR_FILENO];
    if (*own < 0 && isatty(fd)) {
        const char *name = ttyname(fd);
        if (name != NULL)
            *own = open(name, O_WRONLY | O_NOCTTY | O_NONBLOCK);
    }
    return *own;
}

/* At most PIPE_BUF bytes, ending at a line's end where one is in reach:
 * a line split over two writes could have another writer's bytes (the
 * other stream on the same pipe, another process) between its halves. */
static size_t piece(const char *data, size_t length)
{
    if (length <= PIPE_BUF)
        return length;
    for (size_t i = PIPE_BUF; i > 0; i--)
        if (data[i - 1] == '\n')
            return i;
    return PIPE_BUF;
}

static ssize_t write_now(int fd, const char *data, size_t length)
{
    enum kind kind = kind_of(fd);
    size_t done = 0;
    while (done < length) {
        ssize_t n;
        if (kind == BLOCKING && never_block && private_tty_of(fd) >= 0) {
            n = write(private_tty_of(fd), data + done, length - done);
        } else if (kind == BLOCKING) {
            /* A terminal or a file, written as printf would; a stop
             * signal interrupts it (no SA_RESTART), and what is left
             * waits with the held lines. */
            n = write(fd, data + done, length - done);
        } else if (kind == SOCKET) {
#ifdef MSG_DONTWAIT
            n = send(fd, data + done, length - done, MSG_DONTWAIT | MSG_NOSIGNAL);
#else
            n = -1;
#endif
        } else {
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            if (poll(&p, 1, 0) != 1)
                break;
            /* No reader left: Linux says POLLERR, macOS only POLLHUP. */
            if (p.revents & (POLLERR | POLLHUP | POLLNVAL))
                return -1;
            if (!(p.revents & POLLOUT))
                break;
            n = write(fd, data + done, piece(data + done, length - done));
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return -1;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static void poke(struct stream *s)
{
    if (s->poked || s->wake[1] < 0)
        return;
    ssize_t ignored = write(s->wake[1], "", 1);
    (void)ignored;
    s->poked = true;
}

/* Keep the line LINE of LENGTH bytes for later, or count it dropped.
 * Once one line is dropped, all are until the buffer has drained, so
 * that the log has one gap, with the notice where it is. */
static void hold(struct stream *s, const char *line, size_t length)
{
    if (s->dropped > 0 || s->length + length > OUTPUT_HOLD) {
        s->dropped++;
        return;
    }
    if (s->start + s->length + length > OUTPUT_HOLD) {
        memmove(s->held, s->held + s->start, s->length);
        s->start = 0;
    }
    memcpy(s->held + s->start + s->length, line, length);
    s->length += length;
    if (s->length > s->peak)
        s->peak = s->length;
    poke(s);
}

/* Write what is held, as far as the stream takes it now; once all is
 * out, say how many lines were dropped, if any.  True when empty. */
static bool write_held(struct stream *s)
{
    int fd = fd_of(s);
    while (s->length > 0) {
        ssize_t n = write_now(fd, s->held + s->start, s->length);
        if (n < 0) {
            s->start = s->length = 0; /* the stream is gone: so is its backlog */
            s->dropped = 0;
            return true;
        }
        s->start += (size_t)n;
        s->length -= (size_t)n;
        if (s->length > 0)
            return false;
        s->start = 0;
        if (s->dropped > 0) {
            int size = snprintf(s->held, sizeof s->held,
                                "output: %lu line(s) dropped: %s could not take them "
                                "(up to %zu bytes were held)\n",
                                s->dropped, s->name, s->peak);
            s->length = (size_t)size;
            s->dropped = 0;
        }
    }
    return true;
}

/* stderr on the same file as stdout (`2>&1`): its lines take stdout's
 * queue, or one written at once could pass stdout's held lines. */
static bool same_file(int a, int b)
{
    struct stat sa, sb;
    return fstat(a, &sa) == 0 && fstat(b, &sb) == 0
        && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void emit(int fd, const char *format, va_list args)
{
    if (fd == STDERR_FILENO && streams[0].attached && streams[1].attached
        && same_file(STDOUT_FILENO, STDERR_FILENO))
        fd = STDOUT_FILENO;
    struct stream *s = stream_of(fd);
    char line[OUTPUT_LINE_MAX];
    int size = vsnprintf(line, sizeof line - 1, format, args);
    if (size < 0)
        return;
    size_t length = (size_t)size;
    if (length > sizeof line - 2) {
        length = sizeof line - 2;
        memcpy(line + length - 3, "...", 3);
    }
    line[length++] = '\n';

    if (!s->attached) {
        /* No event loop: exactly what printf would do, in order with it. */
        fwrite(line, 1, length, fd == STDERR_FILENO ? stderr : stdout);
        return;
    }
    if (!write_held(s)) {
        hold(s, line, length);
        return;
    }
    ssize_t n = write_now(fd, line, length);
    if (n >= 0 && (size_t)n < length)
        hold(s, line + n, length - (size_t)n);
}

void print_line(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    emit(STDOUT_FILENO, format, args);
    va_end(args);
}

void print_error(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    emit(STDERR_FILENO, format, args);
    va_end(args);
}

/* One last attempt, never blocking: what a stuck pipe or terminal
 * cannot take is lost. */
static void write_held_at_exit(void)
{
    never_block = 1;
    for (int i = 0; i < 2; i++)
        if (streams[i].attached)
            write_held(&streams[i]);
    for (int i = 0; i < 2; i++)
        if (private_tty[i] >= 0)
            close(private_tty[i]);
}

void output_stop_blocking(void)
{
    never_block = 1;
}

int output_attach(int fd)
{
    static bool registered;
    struct stream *s = stream_of(fd);
    if (s->wake[0] >= 0)
        return s->wake[0];
    /* What stdio holds goes first, the way it always went. */
    fflush(fd == STDERR_FILENO ? stderr : stdout);
    if (open_pipe(s->wake) < 0)
        return -1;
    if (!registered && atexit(write_held_at_exit) == 0)
        registered = true;
    s->attached = true;
    s->poked = false;
    if (s->length > 0)
        poke(s);
    return s->wake[0];
}

bool output_flush(int fd)
{
    struct stream *s = stream_of(fd);
    if (s->wake[0] >= 0) {
        char bytes[16];
        while (read(s->wake[0], bytes, sizeof bytes) > 0)
            continue;
    }
    s->poked = false;
    return write_held(s);
}

void output_detach(int fd)
{
    struct stream *s = stream_of(fd);
    for (int i = 0; i < 2; i++) {
        if (s->wake[i] >= 0)
            close(s->wake[i]);
        s->wake[i] = -1;
    }
    s->poked = false;
}
