/*
 * loadgen.c - the load generator for `make bench`: many echo clients in
 * one thread, driven by poll(), every reply checked byte by byte.
 *
 *   loadgen -p PORT [-c CLIENTS] [-a ACTIVE] [-s SIZE] [-d SECONDS]
 *           [-r ROUNDS] [-P SERVER_PID] [-w RAMP] [-t] [-g]
 *
 * CLIENTS connections are opened to 127.0.0.1:PORT, RAMP at a time (a
 * server with a short listen backlog, like the original's 5, would drop
 * a burst of SYNs and stall them for a second); each does one round trip
 * so the server has accepted it.  Then, ROUNDS times for SECONDS each,
 * the first ACTIVE clients each send SIZE bytes and wait for the whole
 * echo before sending again (closed loop); the others stay idle, or with
 * -t trickle: each sends one byte a second (spread over the second) and
 * reads its echo, which is checked but not counted.
 *
 * Framing: the server answers each recv() with "GOT:" + that chunk, so a
 * message may come back as several prefixed pieces, and a piece may be
 * split anywhere by TCP.  Messages never contain 'G', so a 'G' always
 * starts a prefix; the payload bytes are counted and compared with what
 * was sent.  Any difference ends the run with a message (exit 1).
 *
 * With -P, the server's CPU time (user + system, all its threads) is
 * read around each round through clock_getcpuclockid(): CPU
 * microseconds per round trip, the figure that stays steady on a shared
 * machine.  Its resident memory (VmRSS, Linux) is read before and after
 * the clients connect: bytes per connection.
 *
 * With -g, it stops itself (SIGSTOP) after connecting and again after the
 * rounds, before closing: bench/run.sh attaches strace while it is
 * stopped, so the counts cover the round trips alone, then sends SIGCONT.
 *
 * With -n CONNECTIONS (churn), the clients are short connections instead,
 * one after the other: connect, one checked round trip of SIZE bytes,
 * close.  -g stops before the first and after the last (once the server
 * has had time to see the last close); -P gives the server's CPU per
 * connection.  The other options do not apply.
 *
 * Prints key=value lines that bench/run.sh reads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PREFIX "GOT:"
#define PREFIX_LENGTH 4
#define MAX_SIZE 4096
#define SETUP_SECONDS 60 /* connecting and the first round trips, at most */

struct client {
    int fd;
    int size;            /* bytes per message */
    unsigned long seq;   /* messages sent */
    char message[MAX_SIZE];
    int sent;            /* bytes of message sent */
    int payload;         /* payload bytes of the reply checked so far */
    int prefix;          /* bytes of a "GOT:" matched, 1 to 3, or 0 */
    bool framed;         /* a whole "GOT:" came for this message */
    bool busy;           /* a message is out and its reply not complete */
    double started;      /* when the message went out, ns */
    double due;          /* -t: when this trickling client sends next, ns */
};

static const char *program = "loadgen";

static void die(const char *what)
{
    fprintf(stderr, "%s: %s\n", program, what);
    exit(1);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The server's CPU time so far in ns (user + system), or -1. */
static double server_cpu_ns(pid_t pid)
{
    clockid_t clock;
    struct timespec ts;
    if (pid <= 0 || clock_getcpuclockid(pid, &clock) != 0 || clock_gettime(clock, &ts) != 0)
        return -1;
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The server's resident memory in kB (Linux /proc), or -1. */
static long server_rss_kb(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *file = pid > 0 ? fopen(path, "r") : NULL;
    long kb = -1;
    while (file != NULL && fgets(line, sizeof line, file) != NULL)
        if (sscanf(line, "VmRSS: %ld", &kb) == 1)
            break;
    if (file != NULL)
        fclose(file);
    return kb;
}

/* The next message of C: SIZE bytes from an alphabet without 'G', which
 * differs per client and per message, so a reply sent to the wrong
 * client or out of order cannot pass. */
static void next_message(struct client *c, int id)
{
    static const char alphabet[] = "abcdefhijklmnopqrstuvwxyz0123456789";
    unsigned long x = (unsigned long)id * 2654435761u + c->seq * 40503u + 1;
    for (int i = 0; i < c->size; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        c->message[i] = alphabet[(x >> 33) % (sizeof alphabet - 1)];
    }
    c->seq++;
    c->sent = 0;
    c->payload = 0;
    c->prefix = 0;
    c->framed = false;
}

static int open_client(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("loadgen: socket");
        exit(1);
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0 && errno != EINPROGRESS) {
        perror("loadgen: connect");
        exit(1);
    }
    return fd;
}

/* Send what is left of C's message; false if the socket is not ready. */
static void send_rest(struct client *c, int id)
{
    while (c->sent < c->size) {
        ssize_t n = send(c->fd, c->message + c->sent, (size_t)(c->size - c->sent), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN))
            return; /* poll() says when to go on */
        if (n < 0) {
            fprintf(stderr, "loadgen: client %d: send: %s\n", id, strerror(errno));
            exit(1);
        }
        c->sent += (int)n;
    }
}

static void start_message(struct client *c, int id)
{
    next_message(c, id);
    c->busy = true;
    c->started = now_ns();
    send_rest(c, id);
}

/* Check the bytes that came for C; true when its reply is complete. */
static bool take_reply(struct client *c, int id, const char *bytes, ssize_t n)
{
    for (ssize_t i = 0; i < n; i++) {
        char b = bytes[i];
        if (c->prefix > 0) {
            if (b != PREFIX[c->prefix]) {
                fprintf(stderr, "loadgen: client %d: expected '%c' of \"GOT:\", got 0x%02x\n",
                        id, PREFIX[c->prefix], (unsigned char)b);
                exit(1);
            }
            if (++c->prefix == PREFIX_LENGTH) {
                c->prefix = 0;
                c->framed = true;
            }
        } else if (b == 'G') {
            c->prefix = 1;
        } else if (!c->busy || !c->framed || c->payload >= c->sent) {
            fprintf(stderr, "loadgen: client %d: byte 0x%02x came %s\n", id, (unsigned char)b,
                    !c->busy ? "while no message was out" : !c->framed ? "before \"GOT:\""
                    : "beyond what was sent");
            exit(1);
        } else if (b != c->message[c->payload]) {
            fprintf(stderr, "loadgen: client %d: payload byte %d is '%c', sent '%c'\n",
                    id, c->payload, b, c->message[c->payload]);
            exit(1);
        } else {
            c->payload++;
        }
    }
    return c->busy && c->payload == c->size && c->prefix == 0;
}

/* Read what is waiting for C; true when its reply is complete. */
static bool receive(struct client *c, int id)
{
    char buffer[8192];
    bool done = false;
    for (;;) {
        ssize_t n = recv(c->fd, buffer, sizeof buffer, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return done;
        if (n <= 0) {
            fprintf(stderr, "loadgen: client %d: the server %s\n", id,
                    n == 0 ? "closed the connection" : strerror(errno));
            exit(1);
        }
        done = take_reply(c, id, buffer, n) || done;
        if (done)
            return true;
    }
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void usage(void)
{
    fprintf(stderr, "usage: loadgen -p PORT [-c CLIENTS] [-a ACTIVE] [-s SIZE] [-d SECONDS] "
            "[-r ROUNDS] [-P SERVER_PID] [-w RAMP] [-t] [-g]\n"
            "       loadgen -p PORT -n CONNECTIONS [-s SIZE] [-P SERVER_PID] [-g]\n");
    exit(2);
}

/* -n: CONNECTIONS short connections in turn, each one checked round trip. */
static void churn(int port, int connections, int size, pid_t server, bool stop_between)
{
    fflush(stdout);
    if (stop_between)
        raise(SIGSTOP);
    double cpu_start = server_cpu_ns(server), start = now_ns();
    struct client c;
    for (int i = 0; i < connections; i++) {
        memset(&c, 0, sizeof c);
        c.fd = open_client(port);
        c.size = size;
        start_message(&c, i);
        while (c.busy) {
            struct pollfd p = { .fd = c.fd, .events = c.sent < size ? POLLOUT : POLLIN };
            if (poll(&p, 1, 5000) <= 0)
                die("a short connection got no reply within 5 s");
            if (c.sent < size)
                send_rest(&c, i);
            else if (receive(&c, i))
                c.busy = false;
        }
        close(c.fd);
    }
    double elapsed = now_ns() - start;
    /* The server sees the last close a moment later: let it finish. */
    struct timespec pause = { 0, 200 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    double cpu_end = server_cpu_ns(server);
    printf("connections=%d cps=%.0f", connections, connections / (elapsed / 1e9));
    if (cpu_start >= 0 && cpu_end >= 0)
        printf(" cpu_us_per_connection=%.2f", (cpu_end - cpu_start) / 1e3 / connections);
    printf("\n");
    fflush(stdout);
    if (stop_between)
        raise(SIGSTOP);
}

int main(int argc, char **argv)
{
    int port = 0, count = 1, active = -1, size = 64, rounds = 1, ramp = 8, connections = 0;
    double seconds = 1;
    pid_t server = 0;
    bool trickle = false, stop_between = false;
    int option;
    while ((option = getopt(argc, argv, "p:c:a:s:d:r:P:w:n:tg")) != -1) {
        switch (option) {
        case 'n': connections = atoi(optarg); break;
        case 'g': stop_between = true; break;
        case 't': trickle = true; break;
        case 'p': port = atoi(optarg); break;
        case 'c': count = atoi(optarg); break;
        case 'a': active = atoi(optarg); break;
        case 's': size = atoi(optarg); break;
        case 'd': seconds = atof(optarg); break;
        case 'r': rounds = atoi(optarg); break;
        case 'P': server = (pid_t)atol(optarg); break;
        case 'w': ramp = atoi(optarg); break;
        default: usage();
        }
    }
    if (active < 0 || active > count)
        active = count;
    if (port <= 0 || count < 1 || size < 1 || size > MAX_SIZE || seconds <= 0 || rounds < 1
        || ramp < 1)
        usage();
    if (connections > 0) {
        churn(port, connections, size, server, stop_between);
        return 0;
    }

    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < (rlim_t)count + 64) {
        limit.rlim_cur = (rlim_t)count + 64;
        if (limit.rlim_max != RLIM_INFINITY && limit.rlim_cur > limit.rlim_max)
            die("the fd limit is too low for that many clients: raise it (ulimit -n)");
        setrlimit(RLIMIT_NOFILE, &limit);
    }

    struct client *clients = calloc((size_t)count, sizeof *clients);
    struct pollfd *fds = calloc((size_t)count, sizeof *fds);
    int *who = calloc((size_t)count, sizeof *who);
    size_t latency_capacity = 1 << 16, latency_count = 0;
    double *latencies = malloc(latency_capacity * sizeof *latencies);
    if (clients == NULL || fds == NULL || who == NULL || latencies == NULL)
        die("out of memory");

    /* Connect, RAMP at a time, each with one checked round trip. */
    long rss_before = server_rss_kb(server);
    double deadline = now_ns() + SETUP_SECONDS * 1e9;
    int opened = 0, ready = 0;
    while (ready < count) {
        while (opened < count && opened - ready < ramp) {
            struct client *c = &clients[opened];
            c->fd = open_client(port);
            c->size = size;
            start_message(c, opened);
            opened++;
        }
        int n = 0;
        for (int i = ready; i < opened; i++)
            if (clients[i].busy) {
                fds[n].fd = clients[i].fd;
                fds[n].events = clients[i].sent < size ? POLLOUT : POLLIN;
                who[n++] = i;
            }
        double left = deadline - now_ns();
        if (left <= 0 || poll(fds, (nfds_t)n, (int)(left / 1e6)) <= 0)
            die("the clients could not all connect and get a first reply within 60 s");
        for (int k = 0; k < n; k++) {
            struct client *c = &clients[who[k]];
            if (fds[k].revents == 0)
                continue;
            if (c->sent < size)
                send_rest(c, who[k]);
            else if (receive(c, who[k]))
                c->busy = false;
        }
        while (ready < opened && !clients[ready].busy)
            ready++;
    }
    long rss_after = server_rss_kb(server);
    printf("clients=%d active=%d size=%d\n", count, active, size);
    if (rss_before > 0 && rss_after > 0)
        printf("rss_bytes_per_client=%.0f\n", (double)(rss_after - rss_before) * 1024 / count);

    fflush(stdout);
    if (stop_between)
        raise(SIGSTOP);
    if (trickle)
        for (int i = active; i < count; i++) {
            clients[i].size = 1;
            clients[i].due = now_ns() + 1e9 * (double)(i - active) / (double)(count - active);
        }

    for (int round = 1; round <= rounds; round++) {
        latency_count = 0;
        long trips = 0;
        double cpu_start = server_cpu_ns(server), start = now_ns();
        double end = start + seconds * 1e9;
        for (int i = 0; i < active; i++)
            start_message(&clients[i], i);
        bool sending = true;
        double cpu_end = -1, stop = end;
        int outstanding = active;
        while (outstanding > 0) {
            int n = 0;
            for (int i = 0; i < active; i++)
                if (clients[i].busy) {
                    fds[n].fd = clients[i].fd;
                    fds[n].events = clients[i].sent < size ? POLLOUT : POLLIN;
                    who[n++] = i;
                }
            int counted = n;
            double next_due = end;
            for (int i = active; trickle && i < count; i++) {
                struct client *c = &clients[i];
                if (!c->busy && c->due <= now_ns()) {
                    start_message(c, i);
                    c->due += 1e9;
                }
                if (c->busy) {
                    fds[n].fd = c->fd;
                    fds[n].events = c->sent < c->size ? POLLOUT : POLLIN;
                    who[n++] = i;
                } else if (c->due < next_due) {
                    next_due = c->due;
                }
            }
            double left = (sending ? next_due : now_ns() + 5e9) - now_ns();
            int got = poll(fds, (nfds_t)n, left > 0 ? (int)(left / 1e6) + 1 : 0);
            if (got < 0 && errno != EINTR)
                die("poll failed");
            double now = now_ns();
            if (sending && now >= end) {
                /* The window closes: what completes after it is not counted. */
                cpu_end = server_cpu_ns(server);
                stop = now;
                sending = false;
            }
            if (got == 0 && !sending && now > end + 5e9)
                die("replies stopped coming for 5 s");
            for (int k = 0; k < n; k++) {
                struct client *c = &clients[who[k]];
                if (fds[k].revents == 0)
                    continue;
                if (c->sent < c->size) {
                    send_rest(c, who[k]);
                    continue;
                }
                if (!receive(c, who[k]))
                    continue;
                c->busy = false;
                if (k >= counted)
                    continue; /* a trickling client's echo: checked, not counted */
                if (!sending) {
                    outstanding--;
                    continue;
                }
                if (latency_count == latency_capacity) {
                    latency_capacity *= 2;
                    latencies = realloc(latencies, latency_capacity * sizeof *latencies);
                    if (latencies == NULL)
                        die("out of memory");
                }
                latencies[latency_count++] = now - c->started;
                trips++;
                start_message(c, who[k]);
            }
        }
        double elapsed = stop - start;
        qsort(latencies, latency_count, sizeof *latencies, compare_doubles);
        double p50 = latency_count ? latencies[latency_count / 2] : 0;
        double p99 = latency_count ? latencies[(size_t)((double)latency_count * 0.99)] : 0;
        printf("round=%d trips=%ld rtps=%.0f p50_us=%.1f p99_us=%.1f", round, trips,
               (double)trips / (elapsed / 1e9), p50 / 1e3, p99 / 1e3);
        if (cpu_start >= 0 && cpu_end >= 0 && trips > 0)
            printf(" cpu_us_per_trip=%.3f server_cpu_pct=%.0f",
                   (cpu_end - cpu_start) / 1e3 / (double)trips,
                   100 * (cpu_end - cpu_start) / elapsed);
        printf("\n");
        fflush(stdout);
    }

    if (stop_between)
        raise(SIGSTOP);
    /* The idle clients must have received nothing all along. */
    for (int i = active; !trickle && i < count; i++) {
        struct pollfd p = { .fd = clients[i].fd, .events = POLLIN };
        if (poll(&p, 1, 0) > 0) {
            fprintf(stderr, "loadgen: idle client %d got bytes or a close it did not ask for\n",
                    i);
            return 1;
        }
    }
    for (int i = 0; i < count; i++)
        close(clients[i].fd);
    free(clients);
    free(fds);
    free(who);
    free(latencies);
    return 0;
}
