/*
 * output.c - log lines that never stall the event loop.
 *
 * The original logs with print(), a blocking write.  With stdout a pipe
 * that nobody reads (`server | sleep 600`, a supervisor that reads
 * late), the pipe fills and that write() stops the one thread: no
 * client is served again, and a stop signal cannot help.  A terminal
 * paused with Ctrl-S does the same.
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
 *   - a terminal is written through a handle of our own on it, opened
 *     non-blocking: a new open file description, so the shell's stays
 *     as it was (where the terminal cannot be opened by name, it is
 *     written as before, blocking);
 *   - a file or /dev/null is written as before: it never waits, but it
 *     may be full (ENOSPC): then what it did not take is kept and tried
 *     again with the next line, as nothing can say when room comes back.
 * What a stream cannot take now waits in a buffer of at most OUTPUT_HOLD
 * bytes; the output writer task writes it when the stream is writable.
 * Lines go whole or not at all: a line cut by a partial write keeps its
 * rest at the head of the buffer (it is never dropped), and once a line
 * is dropped for want of room, all are until the buffer has drained, then
 * one line says how many.
 *
 * The kind of each stream is learned once, when the event loop takes it
 * over (output_attach()), not at every line.  An event loop that calls
 * output_defer() and output_end_of_turn() (further/scheduler.c) gets the
 * lines of its turns in one write, at most OUTPUT_LINGER_MS after the
 * first of them: a server busy with short connections then writes its
 * log once per batch of connections, not once per connection.
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
#include <time.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SIGPIPE is ignored by the servers instead */
#endif

enum kind { FILE_LIKE, PIPE, SOCKET, TERMINAL };

struct stream {
    const char *name;
    bool attached;        /* lines never block: an event loop writes what is held */
    bool poked;           /* a byte waits in the wake pipe */
    enum kind kind;       /* learned by output_attach() */
    int own;              /* TERMINAL: our non-blocking handle on it, or -1 */
    int wake[2];          /* readable while lines are held */
    size_t start, length; /* the held bytes: held[start .. start + length) */
    size_t peak;          /* the most bytes ever held, for the drop notice */
    unsigned long dropped;
    char held[OUTPUT_HOLD];
};

/* Set by output_stop_blocking() (from a stop signal's handler): from
 * then on a terminal we have no handle of our own on is not written at
 * all, so that one that stopped reading cannot keep us from stopping. */
static volatile sig_atomic_t never_block;
/* stderr is the file stdout is (`2>&1`, one terminal): its lines take
 * stdout's queue, or one written at once could pass stdout's held lines. */
static bool shared;
/* output_defer(): lines wait for output_end_of_turn(), at most
 * OUTPUT_LINGER_MS from the first of them (deferred_since, on the
 * monotonic clock; 0: none waits). */
static bool deferring;
static long long deferred_since;

static long long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

static struct stream streams[2] = {
    { .name = "stdout", .own = -1, .wake = { -1, -1 } },
    { .name = "stderr", .own = -1, .wake = { -1, -1 } },
};

static struct stream *stream_of(int fd)
{
    return &streams[fd == STDERR_FILENO];
}

static int fd_of(const struct stream *s)
{
    return s == &streams[1] ? STDERR_FILENO : STDOUT_FILENO;
}

/* What FD is, once (fstat and isatty are calls: not one per line). */
static enum kind kind_of(int fd)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return FILE_LIKE;
    if (S_ISFIFO(st.st_mode))
        return PIPE;
    if (S_ISSOCK(st.st_mode)) {
#ifdef MSG_DONTWAIT
        return SOCKET;
#else
        return PIPE; /* no MSG_DONTWAIT: poll and write a little at a time */
#endif
    }
    if (S_ISCHR(st.st_mode) && isatty(fd))
        return TERMINAL;
    return FILE_LIKE;
}

/* A handle of our own on the terminal behind FD, opened non-blocking,
 * or -1. */
static int open_own_terminal(int fd)
{
    const char *name = ttyname(fd);
    if (name == NULL)
        return -1;
    int own = open(name, O_WRONLY | O_NOCTTY | O_NONBLOCK);
    if (own >= 0 && set_cloexec(own) < 0) {
        close(own);
        own = -1;
    }
    return own;
}

/* Can the writer task wait for this stream to become writable?  Not a
 * file: it is always "writable", even full. */
static bool waitable(const struct stream *s)
{
    return s->kind != FILE_LIKE;
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

/* Write what S's stream takes now, without blocking.  Returns the bytes
 * written, or -1 when the stream is gone (no reader, an error): then
 * nothing held for it can ever be written. */
static ssize_t write_now(struct stream *s, const char *data, size_t length)
{
    int fd = fd_of(s);
    size_t done = 0;
    while (done < length) {
        ssize_t n;
        if (s->kind == TERMINAL && s->own >= 0) {
            n = write(s->own, data + done, length - done);
        } else if (s->kind == TERMINAL || s->kind == FILE_LIKE) {
            if (s->kind == TERMINAL && never_block)
                break; /* a terminal that may not read: it cannot hold up a stop */
            /* A file (or a terminal we could not open): written as
             * printf would; a stop signal interrupts it (no SA_RESTART),
             * and what is left waits with the held lines. */
            n = write(fd, data + done, length - done);
            if (n < 0 && (errno == ENOSPC || errno == EDQUOT || errno == EFBIG))
                break; /* full: keep what is left, try again with the next line */
        } else if (s->kind == SOCKET) {
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
    if (s->poked || s->wake[1] < 0 || !waitable(s))
        return;
    ssize_t ignored = write(s->wake[1], "", 1);
    (void)ignored;
    s->poked = true;
}

/* Room kept free for the rest of a line cut by a partial write: it is
 * always held, so that no line is left cut. */
#define RESERVE OUTPUT_LINE_MAX

/* Keep LINE of LENGTH bytes for later, or count it dropped.  Once one
 * line is dropped, all are until the buffer has drained, so that the
 * log has one gap, with the notice where it is.  REST: the rest of a
 * line already begun on the stream, which is never dropped. */
static void hold(struct stream *s, const char *line, size_t length, bool rest)
{
    if (!rest && (s->dropped > 0 || s->length + length > OUTPUT_HOLD - RESERVE)) {
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
    if (!deferring)
        poke(s);
}

/* Write what is held, as far as the stream takes it now; once all is
 * out, say how many lines were dropped, if any.  True when empty. */
static bool write_held(struct stream *s)
{
    while (s->length > 0) {
        ssize_t n = write_now(s, s->held + s->start, s->length);
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

/* A and B are one file (`2>&1`, one terminal). */
static bool same_file(int a, int b)
{
    struct stat sa, sb;
    return fstat(a, &sa) == 0 && fstat(b, &sb) == 0
        && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void emit(int fd, const char *format, va_list args)
{
    if (fd == STDERR_FILENO && shared && streams[0].attached && streams[1].attached)
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
    if (deferring) {
        /* The lines leave together at the end of a turn; a turn that
         * prints more than the buffer holds writes what it has first. */
        if (s->dropped == 0 && s->length + length > OUTPUT_HOLD - RESERVE)
            write_held(s);
        if (deferred_since == 0)
            deferred_since = now_ms();
        hold(s, line, length, false);
        return;
    }
    if (!write_held(s)) {
        hold(s, line, length, false);
        return;
    }
    ssize_t n = write_now(s, line, length);
    if (n >= 0 && (size_t)n < length)
        hold(s, line + n, length - (size_t)n, n > 0);
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
    deferring = false;
    for (int i = 0; i < 2; i++)
        if (streams[i].attached)
            write_held(&streams[i]);
    for (int i = 0; i < 2; i++)
        if (streams[i].own >= 0) {
            close(streams[i].own);
            streams[i].own = -1;
        }
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
    /* Learned once: a program that puts another file on this fd later
     * (dup2) must attach it again. */
    s->kind = kind_of(fd);
    if (s->kind == TERMINAL && s->own < 0)
        s->own = open_own_terminal(fd);
    s->attached = true;
    s->poked = false;
    if (streams[0].attached && streams[1].attached)
        shared = same_file(STDOUT_FILENO, STDERR_FILENO);
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
    /* A file that is full cannot be waited for: the next line tries it. */
    return write_held(s) || !waitable(s);
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

void output_defer(bool on)
{
    if (!on)
        output_end_of_turn();
    deferring = on;
}

int output_linger(void)
{
    if (deferred_since == 0)
        return -1;
    long long left = deferred_since + OUTPUT_LINGER_MS - now_ms();
    return left <= 0 ? 0 : left > OUTPUT_LINGER_MS ? OUTPUT_LINGER_MS : (int)left;
}

void output_end_of_turn(void)
{
    /* A loop that calls this before each wait has its lines wait for the
     * next call from now on (the course's scheduler does not call
     * output_defer(): at its end, what is held goes at exit). */
    deferring = true;
    deferred_since = 0;
    for (int i = 0; i < 2; i++) {
        struct stream *s = &streams[i];
        if (s->attached && s->length > 0 && !write_held(s))
            poke(s); /* the writer task waits for the stream to take the rest */
    }
}
