/*
 * thread_server.c - the same echo server written the other usual way:
 * one thread per connection, blocking calls, the kernel's scheduler
 * doing the switching.  For `make bench` to compare with the course's
 * one-thread server.
 *
 *   thread_server [-b HOST] [-p PORT]     (default 127.0.0.1, port 0)
 *
 * Same protocol, same output: "Listening on HOST:PORT", "Connection
 * from HOST:PORT", each recv() of up to 1000 bytes answered with "GOT:"
 * and that chunk in one send, "Connection closed".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

#define CHUNK 1000

static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;

static void say(const char *what, const struct sockaddr_in *peer)
{
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &peer->sin_addr, host, sizeof host);
    pthread_mutex_lock(&output_lock);
    printf("%s%s:%d\n", what, host, ntohs(peer->sin_port));
    pthread_mutex_unlock(&output_lock);
}

struct connection {
    int fd;
    struct sockaddr_in peer;
};

static void *serve(void *arg)
{
    struct connection *c = arg;
    char reply[4 + CHUNK] = "GOT:";
    say("Connection from ", &c->peer);
    for (;;) {
        ssize_t got = recv(c->fd, reply + 4, CHUNK, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        size_t length = 4 + (size_t)got, sent = 0;
        while (sent < length) {
            ssize_t n = send(c->fd, reply + sent, length - sent, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            sent += (size_t)n;
        }
        if (sent < length)
            break;
    }
    pthread_mutex_lock(&output_lock);
    printf("Connection closed\n");
    pthread_mutex_unlock(&output_lock);
    close(c->fd);
    free(c);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-b") == 0)
            host = argv[i + 1];
        else if (strcmp(argv[i], "-p") == 0)
            port = atoi(argv[i + 1]);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) {
        fprintf(stderr, "thread_server: %s is not an IPv4 address\n", host);
        return 2;
    }
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) < 0
        || listen(listener, SOMAXCONN) < 0) {
        perror("thread_server: cannot listen");
        return 1;
    }
    socklen_t length = sizeof address;
    getsockname(listener, (struct sockaddr *)&address, &length);
    printf("Listening on %s:%d\n", host, ntohs(address.sin_port));

    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    for (;;) {
        struct connection *c = malloc(sizeof *c);
        if (c == NULL) {
            fprintf(stderr, "thread_server: out of memory\n");
            return 1;
        }
        socklen_t peer_length = sizeof c->peer;
        c->fd = accept(listener, (struct sockaddr *)&c->peer, &peer_length);
        if (c->fd < 0) {
            free(c);
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("thread_server: accept");
            return 1;
        }
        pthread_t thread;
        int error = pthread_create(&thread, &attributes, serve, c);
        if (error != 0) {
            fprintf(stderr, "thread_server: cannot start a thread: %s\n", strerror(error));
            close(c->fd);
            free(c);
        }
    }
}
