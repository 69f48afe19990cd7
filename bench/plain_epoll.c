/*
 * plain_epoll.c - the floor for `make bench`: a hand-written epoll echo
 * server with the course's framing (each recv() answered by "GOT:" and
 * that chunk in one send()), and nothing else: no tasks, no scheduler.
 * One epoll_wait() per batch, then recv() and send() directly; an fd is
 * added when accepted and leaves the list when closed.  A reply that does
 * not fit in the socket's buffer is dropped with the connection: under
 * the bench's ping-pong load it never happens.
 *
 *   plain_epoll -b 127.0.0.1 -p PORT     (0: a free port; prints it)
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int port = 25000;
    const char *host = "127.0.0.1";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-p") == 0)
            port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "-b") == 0)
            host = argv[i + 1];
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = { 0 };
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1
        || bind(listener, (struct sockaddr *)&address, sizeof address) < 0
        || listen(listener, SOMAXCONN) < 0) {
        perror("plain_epoll: cannot listen");
        return 1;
    }
    socklen_t length = sizeof address;
    getsockname(listener, (struct sockaddr *)&address, &length);
    printf("Listening on %s:%d\n", host, ntohs(address.sin_port));
    fflush(stdout);

    int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = { .events = EPOLLIN, .data.fd = listener };
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &event);
    static struct epoll_event ready[1024];
    static char reply[4 + 1000] = "GOT:";
    for (;;) {
        int n = epoll_wait(epoll_fd, ready, 1024, -1);
        if (n < 0 && errno == EINTR)
            continue;
        for (int i = 0; i < n; i++) {
            int fd = ready[i].data.fd;
            if (fd == listener) {
                int client;
                while ((client = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    struct epoll_event add = { .events = EPOLLIN, .data.fd = client };
                    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, client, &add);
                }
                continue;
            }
            ssize_t got = recv(fd, reply + 4, 1000, 0);
            if (got < 0 && (errno == EAGAIN || errno == EINTR))
                continue;
            if (got <= 0 || send(fd, reply, 4 + (size_t)got, MSG_NOSIGNAL) != 4 + got)
                close(fd);
        }
    }
}
