/*
 * pipe_demo.c - four tasks, two pipes, one thread.
 *
 * Each task waits exactly where a blocking program would block: before
 * a read until the pipe has data, before a write until it has room.
 * Every descriptor is non-blocking, so a call made too early fails with
 * EAGAIN instead of stopping the whole thread; the task just waits again.
 */
#include "pipe_demo.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct line_writer {
    struct task task;
    int fd, count, sent;
    char line[32];
};

static enum task_status line_writer_step(struct task *self)
{
    struct line_writer *w = (struct line_writer *)self;
    TASK_BEGIN(self);
    for (w->sent = 1; w->sent <= w->count; w->sent++) {
        YIELD_SEND(self, w->fd);
        snprintf(w->line, sizeof w->line, "line %d\n", w->sent);
        if (write(w->fd, w->line, strlen(w->line)) < 0)
            perror("line_writer: write");
        printf("line_writer: wrote line %d\n", w->sent);
    }
    close(w->fd);
    printf("line_writer: done, closed its end\n");
    TASK_END(self);
}

struct task *line_writer(int fd, int count)
{
    struct line_writer *w = (struct line_writer *)
        task_new(sizeof *w, "line_writer", line_writer_step);
    w->fd = fd;
    w->count = count;
    return &w->task;
}

struct line_reader {
    struct task task;
    int fd;
    char buffer[256];
};

static enum task_status line_reader_step(struct task *self)
{
    struct line_reader *r = (struct line_reader *)self;
    TASK_BEGIN(self);
    for (;;) {
        YIELD_RECV(self, r->fd);
        ssize_t n = read(r->fd, r->buffer, sizeof r->buffer);
        if (n < 0 && errno == EAGAIN)
            continue;
        if (n <= 0)
            break;
        printf("line_reader: read %d bytes: %.*s", (int)n, (int)n, r->buffer);
    }
    close(r->fd);
    printf("line_reader: end of file\n");
    TASK_END(self);
}

struct task *line_reader(int fd)
{
    struct line_reader *r = (struct line_reader *)
        task_new(sizeof *r, "line_reader", line_reader_step);
    r->fd = fd;
    return &r->task;
}

struct flood_writer {
    struct task task;
    int fd;
    size_t total, written;
    unsigned full; /* how often the pipe was full */
    char piece[4096];
};

static enum task_status flood_writer_step(struct task *self)
{
    struct flood_writer *w = (struct flood_writer *)self;
    TASK_BEGIN(self);
    memset(w->piece, 'x', sizeof w->piece);
    while (w->written < w->total) {
        size_t want = w->total - w->written;
        ssize_t n = write(w->fd, w->piece, want < sizeof w->piece ? want : sizeof w->piece);
        if (n < 0 && errno == EAGAIN) {
            w->full++;
            YIELD_SEND(self, w->fd); /* full: wait until the reader drains it */
            continue;
        }
        if (n < 0) {
            perror("flood_writer: write");
            break;
        }
        w->written += (size_t)n;
    }
    close(w->fd);
    printf("flood_writer: wrote %zu bytes; the pipe was full %s\n",
           w->written, w->full > 0 ? "at times, so it waited" : "never");
    TASK_END(self);
}

struct task *flood_writer(int fd, size_t total)
{
    struct flood_writer *w = (struct flood_writer *)
        task_new(sizeof *w, "flood_writer", flood_writer_step);
    w->fd = fd;
    w->total = total;
    return &w->task;
}

struct flood_reader {
    struct task task;
    int fd;
    size_t received;
    char buffer[4096];
};

static enum task_status flood_reader_step(struct task *self)
{
    struct flood_reader *r = (struct flood_reader *)self;
    TASK_BEGIN(self);
    for (;;) {
        YIELD_RECV(self, r->fd);
        ssize_t n = read(r->fd, r->buffer, sizeof r->buffer);
        if (n < 0 && errno == EAGAIN)
            continue;
        if (n <= 0)
            break;
        r->received += (size_t)n;
    }
    close(r->fd);
    printf("flood_reader: end of file after %zu bytes\n", r->received);
    TASK_END(self);
}

struct task *flood_reader(int fd)
{
    struct flood_reader *r = (struct flood_reader *)
        task_new(sizeof *r, "flood_reader", flood_reader_step);
    r->fd = fd;
    return &r->task;
}
