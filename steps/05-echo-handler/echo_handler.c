/*
 * echo_handler.c - one task per client, all its state in one struct.
 *
 * The reply is built in place: "GOT:" sits at the start of the buffer
 * for good and recv() writes just after it, so prefix and data leave in
 * one send() (a prefix sent alone would wait on Nagle's algorithm).
 * The handler reads the next chunk only after the whole reply is out: a
 * client that sends but never reads stalls itself, not the server, and
 * its memory stays one buffer.
 */
#include "echo_handler.h"

#include "address.h"
#include "output.h"
#include "todo.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE is set on the socket instead */
#endif

#define PREFIX_LENGTH (sizeof ECHO_PREFIX - 1)

struct echo_handler {
    struct task task;
    int client;                  /* -1 once closed */
    size_t length;               /* bytes of the reply in `reply` */
    size_t sent;                 /* bytes of the reply sent so far */
    char peer[ADDRESS_TEXT_SIZE];
    char reply[PREFIX_LENGTH + ECHO_CHUNK];
};

/* A failed call ends this client only; say which and why. */
static void report(const struct echo_handler *h, const char *call)
{
    print_error("echo_handler: %s: %s failed: %s", h->peer, call, strerror(errno));
}

static enum task_status echo_handler_step(struct task *self)
{
    struct echo_handler *h = (struct echo_handler *)self;
    TASK_BEGIN(self);
    print_line("Connection from %s", h->peer);
    for (;;) {
        /* BEGIN EXERCISE 5.1: the handler's loop: wait, receive up to 1000 bytes, stop at end of stream */
        /* Exercise 5.1: wait until h->client is readable, receive up to
         * ECHO_CHUNK bytes just after the prefix in h->reply, leave the
         * loop at end of stream or on an error (report() it), wait again
         * on EAGAIN or EINTR, and set h->length and h->sent for the reply. */
        exercise_todo("5.1", "the receiving half of echo_handler_step");
        (void)report;
        break;
        /* END EXERCISE 5.1 */

        /* BEGIN EXERCISE 5.2: a reply that survives partial sends */
        /* Exercise 5.2: until all h->length bytes of h->reply are sent,
         * wait until h->client is writable and send what is left (with
         * MSG_NOSIGNAL); a short send is normal, EAGAIN or EINTR means
         * wait again, another error ends the connection (report() it and
         * leave this loop with the reply unsent). */
        exercise_todo("5.2", "sending the reply in echo_handler_step");
        /* END EXERCISE 5.2 */
        if (h->sent < h->length)
            break; /* the reply could not be sent: the connection is lost */
    }
    /* BEGIN EXERCISE 5.3: the cleanup: say so, close the socket, mark it closed */
    /* Exercise 5.3: print "Connection closed" (print_line), close the
     * socket, and set h->client to -1 so that the cleanup function does
     * not close it twice. */
    exercise_todo("5.3", "the end of echo_handler_step");
    /* END EXERCISE 5.3 */
    TASK_END(self);
}

/* Runs when the task is freed: after its step has ended (the socket is
 * closed already, client is -1), or when the server stops with the
 * handler unfinished (then the socket is still open). */
static void echo_handler_cleanup(struct task *self)
{
    struct echo_handler *h = (struct echo_handler *)self;
    if (h->client >= 0)
        close(h->client);
}

struct task *echo_handler(int client, const struct sockaddr *address, socklen_t length)
{
    struct echo_handler *h = (struct echo_handler *)
        task_new(sizeof *h, "echo_handler", echo_handler_step);
    h->task.cleanup = echo_handler_cleanup;
    h->client = client;
    memcpy(h->reply, ECHO_PREFIX, PREFIX_LENGTH);
    format_address(address, length, h->peer);
    return &h->task;
}
