/*
 * stress.c - many random clients against a running echo server, every
 * byte of every reply checked.
 *
 *     stress PORT [--clients N] [--seconds S] [--seed X]
 *
 * Keeps N connections to 127.0.0.1:PORT open at once for S seconds,
 * replacing each one that ends, then lets the open ones finish and
 * makes one last exchange alone.  Each connection picks a behavior:
 *
 *   echo       send 1 B..64 KB of random bytes in random pieces, read
 *              everything back, close once the reply is complete
 *   half-close the same, but shutdown(SHUT_WR) after the last byte and
 *              read until the server ends the stream
 *   slow       up to 4 KB, read back a few bytes at a time with pauses
 *   reset      send part of its bytes, then close with SO_LINGER 0
 *   unread     send up to 16 KB, close without reading a byte
 *
 * Checking a reply.  The server answers each recv() of at most 1000
 * bytes with "GOT:" and those bytes, so a reply is "GOT:" c1 "GOT:" c2
 * ... where every chunk ci has 1 to 1000 bytes and c1 c2 ... is what was
 * sent, in order.  The payload uses every byte value, 'G' and "GOT:"
 * included, so where a chunk ends cannot be told from one byte: the
 * parser keeps every reading of the reply that is still possible (a set
 * of states: bytes of the sent stream matched, and the position in a
 * prefix or a chunk) and reports an error when none is left.  With
 * random payload the set is almost always one state; an echo is right
 * when, at its end, some state has matched every byte sent and ends
 * inside a chunk.
 *
 * Exits 0 after "stress: N connections, B bytes echoed and verified,
 * 0 errors"; at the first error it names the connection and exits 1.
 * Loopback only, bounded in clients (1000), time (1 h) and sizes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 1000
#define MAX_SECONDS 3600
#define MAX_BYTES (64 * 1024)
#define CHUNK 1000           /* the most the server echoes per "GOT:" */
#define GRACE_MS 30000       /* for the open connections to finish at the end */
#define MAX_STATES 4096      /* readings of one reply kept at once */

static const char PREFIX[] = "GOT:";

enum kind { ECHO, HALF_CLOSE, SLOW, RESET, UNREAD, KINDS };
static const char *const kind_names[KINDS] = { "echo", "half-close", "slow", "reset", "unread" };

/* One reading of the reply so far. */
struct state {
    size_t matched;   /* bytes of the sent stream echoed so far */
    unsigned short at; /* 0..3: prefix bytes seen; 4: inside a chunk */
    unsigned short length; /* bytes in the current chunk */
};

struct connection {
    int fd;                 /* -1: slot free */
    unsigned long id;
    enum kind kind;
    unsigned char *data;    /* what it sends */
    size_t total, sent;
    size_t reset_at;        /* RESET: bytes sent before the reset */
    size_t received;
    size_t read_max;        /* the largest recv() it makes */
    int pause_percent;      /* chance of a pause after a read */
    long long resume_at;    /* no reading before this time (ms) */
    int write_closed;
    struct state *states;
    size_t count;
};

static uint64_t rng_state;

static uint64_t next_random(void)
{
    /* splitmix64: small, fast, and the same sequence everywhere. */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A number from LOW to HIGH, both included. */
static size_t between(size_t low, size_t high)
{
    return low + (size_t)(next_random() % (uint64_t)(high - low + 1));
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int port;
static unsigned long connections, per_kind[KINDS];
static unsigned long long verified_bytes;

static void die(const struct connection *c, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fflush(stdout);
    if (c != NULL)
        fprintf(stderr, "stress: error: connection #%lu (%s, %zu bytes, %zu sent, %zu received): ",
                c->id, kind_names[c->kind], c->total, c->sent, c->received);
    else
        fprintf(stderr, "stress: error: ");
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

static void *checked_malloc(size_t size)
{
    void *p = malloc(size);
    if (p == NULL)
        die(NULL, "out of memory");
    return p;
}

static void add_state(struct connection *c, struct state *next, size_t *count, struct state s)
{
    for (size_t i = 0; i < *count; i++)
        if (next[i].matched == s.matched && next[i].at == s.at && next[i].length == s.length)
            return;
    if (*count == MAX_STATES)
        die(c, "more than %d readings of the reply are possible at once", MAX_STATES);
    next[(*count)++] = s;
}

/* Take N more reply bytes; die when no reading of the reply fits them. */
static void check_reply(struct connection *c, const unsigned char *bytes, size_t n)
{
    static struct state next[MAX_STATES];
    for (size_t i = 0; i < n; i++) {
        unsigned char b = bytes[i];
        size_t count = 0;
        for (size_t j = 0; j < c->count; j++) {
            struct state s = c->states[j];
            if (s.at < 4) {
                if (b == (unsigned char)PREFIX[s.at]) {
                    s.at++;
                    s.length = 0;
                    add_state(c, next, &count, s);
                }
                continue;
            }
            /* Inside a chunk: the next byte sent, if the chunk has room
             * and that byte has been sent, or (after at least one byte)
             * the start of the next "GOT:". */
            if (s.length < CHUNK && s.matched < c->sent && b == c->data[s.matched])
                add_state(c, next, &count,
                          (struct state){ s.matched + 1, 4, (unsigned short)(s.length + 1) });
            if (s.length >= 1 && b == (unsigned char)PREFIX[0])
                add_state(c, next, &count, (struct state){ s.matched, 1, 0 });
        }
        if (count == 0) {
            /* Explain with the first reading left (almost always the only one). */
            struct state s = c->states[0];
            size_t offset = c->received + i;
            c->received = offset;
            if (s.at < 4)
                die(c, "reply byte %zu is 0x%02x where \"GOT:\" goes on with '%c'", offset, b,
                    PREFIX[s.at]);
            if (s.length == CHUNK)
                die(c, "reply byte %zu is 0x%02x, but a chunk has %d bytes already: a \"GOT:\""
                    " must come first (the server echoes at most %d bytes per \"GOT:\")",
                    offset, b, CHUNK, CHUNK);
            if (s.matched >= c->sent)
                die(c, "reply byte %zu is 0x%02x, but all %zu bytes sent so far were echoed"
                    " already", offset, b, c->sent);
            die(c, "reply byte %zu is 0x%02x: expected the next echoed byte (sent byte %zu, 0x%02x)%s",
                offset, b, s.matched, c->data[s.matched],
                s.length >= 1 ? " or the start of \"GOT:\"" : "");
        }
        if (count > c->count)
            c->states = realloc(c->states, count * sizeof *c->states);
        if (c->states == NULL)
            die(c, "out of memory");
        memcpy(c->states, next, count * sizeof *next);
        c->count = count;
    }
    c->received += n;
}

/* The bytes every reading agrees have come back. */
static size_t surely_matched(const struct connection *c)
{
    size_t least = c->count > 0 ? c->states[0].matched : 0;
    for (size_t j = 1; j < c->count; j++)
        if (c->states[j].matched < least)
            least = c->states[j].matched;
    return least;
}

/* True when some reading has every sent byte back and ends in a chunk. */
static int reply_complete(const struct connection *c)
{
    for (size_t j = 0; j < c->count; j++)
        if (c->states[j].at == 4 && c->states[j].length >= 1 && c->states[j].matched == c->total)
            return 1;
    return 0;
}

static int connect_loopback(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die(NULL, "cannot create a socket: %s", strerror(errno));
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    while (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) {
        if (errno != EINTR)
            die(NULL, "cannot connect to 127.0.0.1:%d (connection #%lu): %s", port,
                connections + 1, strerror(errno));
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        die(NULL, "cannot make a socket non-blocking: %s", strerror(errno));
    return fd;
}

static void open_connection(struct connection *c, int force_echo)
{
    memset(c, 0, sizeof *c);
    c->id = ++connections;
    size_t roll = between(1, 100);
    c->kind = force_echo ? HALF_CLOSE
            : roll <= 35 ? ECHO : roll <= 65 ? HALF_CLOSE : roll <= 75 ? SLOW
            : roll <= 90 ? RESET : UNREAD;
    per_kind[c->kind]++;
    size_t most = c->kind == SLOW ? 4096 : c->kind == UNREAD ? 16384 : MAX_BYTES;
    /* Small sizes often: they are where chunks and prefixes meet. */
    c->total = between(0, 3) == 0 ? between(1, 16) : between(1, most);
    c->data = checked_malloc(c->total);
    for (size_t i = 0; i < c->total; i++)
        c->data[i] = (unsigned char)next_random();
    c->reset_at = between(0, c->total);
    /* Only small replies are read slowly, so that every connection
     * ends within seconds. */
    c->read_max = c->kind == SLOW ? between(1, 32) : between(0, 1) ? between(256, 4096) : 65536;
    c->pause_percent = c->kind == SLOW ? 50 : (int)between(0, 5);
    c->states = checked_malloc(sizeof *c->states);
    c->states[0] = (struct state){ 0, 0, 0 };
    c->count = 1;
    c->fd = connect_loopback();
}

static void close_connection(struct connection *c, int reset)
{
    if (reset) {
        struct linger off = { .l_onoff = 1, .l_linger = 0 };
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &off, sizeof off);
    }
    close(c->fd);
    c->fd = -1;
    free(c->data);
    free(c->states);
    c->data = NULL;
    c->states = NULL;
}

/* The connection has done all it meant to: count what it proved. */
static void finish(struct connection *c, int reset)
{
    if (c->kind == ECHO || c->kind == HALF_CLOSE || c->kind == SLOW)
        verified_bytes += c->total;
    else
        verified_bytes += surely_matched(c);
    close_connection(c, reset);
}

static void do_send(struct connection *c)
{
    size_t limit = c->kind == RESET ? c->reset_at : c->total;
    if (c->sent < limit) {
        size_t piece = between(0, 3) == 0 ? between(1, 16) : between(1, 16384);
        if (piece > limit - c->sent)
            piece = limit - c->sent;
        ssize_t n = send(c->fd, c->data + c->sent, piece, 0);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            die(c, "send failed: %s", strerror(errno));
        if (n > 0)
            c->sent += (size_t)n;
    }
    if (c->sent < limit)
        return;
    if (c->kind == RESET) {
        finish(c, 1);
    } else if (c->kind == UNREAD) {
        finish(c, 0);
    } else if ((c->kind == HALF_CLOSE || c->kind == SLOW) && !c->write_closed) {
        if (shutdown(c->fd, SHUT_WR) < 0)
            die(c, "shutdown failed: %s", strerror(errno));
        c->write_closed = 1;
    }
}

static void do_receive(struct connection *c)
{
    unsigned char buffer[65536];
    size_t want = between(1, c->read_max);
    ssize_t n = recv(c->fd, buffer, want, 0);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return;
        die(c, "recv failed: %s (the server reset the connection?)", strerror(errno));
    }
    if (n == 0) {
        if (!reply_complete(c))
            die(c, "the server ended the stream after %zu of the %zu bytes sent were echoed",
                surely_matched(c), c->total);
        if (c->kind == ECHO)
            die(c, "the server ended the stream, but this client never half-closed");
        finish(c, 0);
        return;
    }
    check_reply(c, buffer, (size_t)n);
    if ((int)between(1, 100) <= c->pause_percent)
        c->resume_at = now_ms() + (long long)between(1, 20);
    /* ECHO closes as soon as its reply is complete; the others wait
     * for the end of the stream, which proves nothing more came. */
    if (c->kind == ECHO && c->sent == c->total && reply_complete(c))
        finish(c, 0);
}

static long parse_number(const char *text, const char *what, long low, long high)
{
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (text[0] == '\0' || *end != '\0' || errno != 0 || value < low || value > high) {
        fprintf(stderr, "stress: bad %s '%s': expected a number from %ld to %ld\n", what, text,
                low, high);
        exit(2);
    }
    return value;
}

static void usage(void)
{
    fprintf(stderr, "usage: stress PORT [--clients N] [--seconds S] [--seed X]\n"
                    "  drives N (default 50) random clients at once against 127.0.0.1:PORT\n"
                    "  for S (default 5) seconds and checks every byte of every reply\n");
    exit(2);
}

int main(int argc, char **argv)
{
    long clients = 50, seconds = 5;
    unsigned long long seed = ((unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 16))
                              % 2147483648ULL;
    if (argc < 2)
        usage();
    port = (int)parse_number(argv[1], "port", 1, 65535);
    for (int i = 2; i < argc; i++) {
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--clients") == 0)
            clients = parse_number(argv[++i], "number of clients", 1, MAX_CLIENTS);
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = parse_number(argv[++i], "number of seconds", 1, MAX_SECONDS);
        else if (strcmp(argv[i], "--seed") == 0)
            seed = (unsigned long long)parse_number(argv[++i], "seed", 0, 2147483647L);
        else
            usage();
    }
    rng_state = (uint64_t)seed;

    /* A server that resets us must fail a send(), not kill this process. */
    struct sigaction ignore;
    memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, NULL);

    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < (rlim_t)clients + 32) {
        limit.rlim_cur = (rlim_t)clients + 32;
        if (limit.rlim_max != RLIM_INFINITY && limit.rlim_cur > limit.rlim_max)
            die(NULL, "%ld clients need %ld fds, but the hard limit is %ld", clients,
                clients + 32, (long)limit.rlim_max);
        setrlimit(RLIMIT_NOFILE, &limit);
    }

    printf("stress: 127.0.0.1:%d, %ld clients, %ld s, seed %llu\n", port, clients, seconds, seed);
    fflush(stdout);

    struct connection *slots = checked_malloc((size_t)clients * sizeof *slots);
    struct pollfd *polls = checked_malloc((size_t)clients * sizeof *polls);
    for (long i = 0; i < clients; i++)
        slots[i].fd = -1;

    long long begin = now_ms(), end = begin + seconds * 1000LL;
    for (;;) {
        long long now = now_ms();
        int open_more = now < end;
        if (!open_more && now > end + GRACE_MS) {
            for (long i = 0; i < clients; i++)
                if (slots[i].fd >= 0)
                    die(&slots[i], "still open %d s after the end: the server stopped"
                        " answering it", GRACE_MS / 1000);
        }
        long active = 0;
        long long wake = now + 100;
        for (long i = 0; i < clients; i++) {
            struct connection *c = &slots[i];
            if (c->fd < 0 && open_more)
                open_connection(c, 0);
            polls[i].fd = c->fd;
            polls[i].events = 0;
            polls[i].revents = 0;
            if (c->fd < 0)
                continue;
            active++;
            size_t limit = c->kind == RESET ? c->reset_at : c->total;
            if (c->sent < limit || (c->sent == limit && (c->kind == RESET || c->kind == UNREAD)))
                polls[i].events |= POLLOUT;
            if (c->kind != UNREAD) {
                if (c->resume_at <= now)
                    polls[i].events |= POLLIN;
                else if (c->resume_at < wake)
                    wake = c->resume_at;
            }
        }
        if (active == 0)
            break;
        int ready = poll(polls, (nfds_t)clients, (int)(wake - now > 0 ? wake - now : 0));
        if (ready < 0 && errno != EINTR)
            die(NULL, "poll failed: %s", strerror(errno));
        for (long i = 0; ready > 0 && i < clients; i++) {
            struct connection *c = &slots[i];
            if (c->fd < 0 || polls[i].revents == 0)
                continue;
            if (polls[i].revents & (POLLIN | POLLHUP | POLLERR))
                if (c->kind != UNREAD)
                    do_receive(c);
            if (c->fd >= 0 && (polls[i].revents & (POLLOUT | POLLERR)))
                do_send(c);
        }
    }

    /* Alone now: the server accepts in order, so when this one is
     * echoed, every earlier connection has been accepted as well. */
    struct connection *last = &slots[0];
    open_connection(last, 1);
    long long deadline = now_ms() + GRACE_MS;
    while (last->fd >= 0) {
        struct pollfd p = { .fd = last->fd, .events = POLLIN };
        if (last->sent < last->total)
            p.events |= POLLOUT;
        if (now_ms() > deadline)
            die(last, "the last connection got no complete reply within %d s", GRACE_MS / 1000);
        if (poll(&p, 1, 100) > 0) {
            if (p.revents & (POLLIN | POLLHUP | POLLERR))
                do_receive(last);
            if (last->fd >= 0 && (p.revents & POLLOUT))
                do_send(last);
        }
    }

    printf("stress: by behavior:");
    for (int k = 0; k < KINDS; k++)
        printf(" %lu %s%s", per_kind[k], kind_names[k], k + 1 < KINDS ? "," : "\n");
    printf("stress: %lu connections, %llu bytes echoed and verified, 0 errors\n", connections,
           verified_bytes);
    free(slots);
    free(polls);
    return 0;
}
