/*
 * run.c - runs a stage for `make trace`, with the structured trace on,
 * and writes how the run ended as the trace's last line.
 *
 *     run SECONDS TRACE none    PROGRAM [ARGS...]   a demonstration
 *     run SECONDS TRACE clients PROGRAM [ARGS...]   a server, with clients
 *
 * The program's stdout and stderr are appended to TRACE, with
 * COURSE_TRACE_EVENTS=1 in its environment (common/trace.h): its events
 * and its output lines arrive in the order it wrote them.  A run that
 * has not ended after SECONDS is stopped (SIGTERM, then SIGKILL) and
 * drawn up to there.  With "clients", once the server's "Listening on
 * HOST:PORT" line is in TRACE, two scripted clients talk to it, as the
 * original page does with two nc windows: each action is one "@ev
 * client" line in TRACE, just before it happens; then SIGINT stops the
 * server.  What was done is also said on stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int trace_fd = -1;
static const char *trace_path;

static void event(const char *format, ...)
{
    char line[512];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(line, sizeof line - 1, format, args);
    va_end(args);
    if (length < 0)
        return;
    if ((size_t)length > sizeof line - 2)
        length = (int)sizeof line - 2;
    line[length++] = '\n';
    if (write(trace_fd, line, (size_t)length) < 0)
        perror("make trace: cannot write the trace");
}

static void pause_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&t, &t) < 0 && errno == EINTR)
        ;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS:  return "SIGBUS";
    case SIGFPE:  return "SIGFPE";
    case SIGILL:  return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT:  return "SIGINT";
    case SIGPIPE: return "SIGPIPE";
    default:      return "signal";
    }
}

/* A page can show some tens of thousands of steps; a task that spins
 * (yields for ever) writes a million a second.  Past this size the run
 * is stopped, and drawn up to there. */
#define TRACE_LIMIT (4L << 20)

static int too_long(void)
{
    struct stat st;
    return fstat(trace_fd, &st) == 0 && st.st_size > TRACE_LIMIT;
}

/* Wait up to SECONDS for CHILD; true when it ended (its status in
 * *status), false after SECONDS or once the trace is too long. */
static int wait_for(pid_t child, double seconds, int *status)
{
    double until = now() + seconds;
    for (;;) {
        pid_t done = waitpid(child, status, WNOHANG);
        if (done == child)
            return 1;
        if (done < 0 && errno != EINTR)
            return 1;
        if (now() >= until || too_long())
            return 0;
        pause_ms(20);
    }
}

/* The end of a run that had to be stopped: too long, or too slow. */
static void say_stopped(double limit)
{
    if (too_long()) {
        event("@ev end limit %ld", TRACE_LIMIT);
        printf("make trace: the trace passed %ld bytes (a task that never stops yielding?): "
               "stopped the program\n", TRACE_LIMIT);
    } else {
        event("@ev end timeout %g", limit);
        printf("make trace: the program was still running after %g s: stopped it "
               "(a task that never wakes?)\n", limit);
    }
}

/* Stop CHILD: SIG, then SIGKILL if it does not go within two seconds. */
static int stop(pid_t child, int sig)
{
    int status = 0;
    kill(child, sig);
    if (!wait_for(child, 2.0, &status)) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
    }
    return status;
}

static void say_end(int status, const char *stopped_by)
{
    if (WIFSIGNALED(status) && !(stopped_by && WTERMSIG(status) == SIGKILL)) {
        event("@ev end signal %d %s", WTERMSIG(status), signal_name(WTERMSIG(status)));
        printf("make trace: the program was killed by signal %d (%s)\n", WTERMSIG(status),
               signal_name(WTERMSIG(status)));
    } else if (stopped_by) {
        event("@ev end stopped %d %s", WIFEXITED(status) ? WEXITSTATUS(status) : -1, stopped_by);
    } else {
        event("@ev end exit %d", WEXITSTATUS(status));
        printf("make trace: the program exited with status %d\n", WEXITSTATUS(status));
    }
}

/* The port of the server's "Listening on HOST:PORT" line, or 0. */
static int listening_port(void)
{
    FILE *f = fopen(trace_path, "r");
    if (f == NULL)
        return 0;
    char line[1024];
    int port = 0;
    while (port == 0 && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "Listening on ", 13) != 0)
            continue;
        char *colon = strrchr(line, ':');
        if (colon != NULL)
            port = atoi(colon + 1);
    }
    fclose(f);
    return port;
}

/* TEXT shown in a trace line: at most 60 bytes, "\n" for a newline. */
static const char *shown(const char *text, size_t length, char out[80])
{
    size_t j = 0;
    for (size_t i = 0; i < length && j < 64; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            out[j++] = '\\';
            out[j++] = 'n';
        } else {
            out[j++] = c >= 32 && c < 127 ? (char)c : '?';
        }
    }
    if (length > 0 && j >= 64)
        out[j++] = '.', out[j++] = '.', out[j++] = '.';
    out[j] = '\0';
    return out;
}

static int client_connect(int n, int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    event("@ev client %d connect 127.0.0.1:%d", n, port);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
        event("@ev client %d failed to connect: %s", n, strerror(errno));
        printf("make trace: client %d could not connect: %s\n", n, strerror(errno));
        if (s >= 0)
            close(s);
        return -1;
    }
    printf("make trace: client %d connected\n", n);
    return s;
}

/* What the server sends within MS milliseconds (up to its first pause). */
static void client_read(int n, int s, long ms)
{
    if (s < 0)
        return;
    char buffer[512], text[80];
    size_t got = 0;
    struct pollfd p = { .fd = s, .events = POLLIN };
    while (got < sizeof buffer && poll(&p, 1, got ? 100 : (int)ms) == 1) {
        ssize_t r = recv(s, buffer + got, sizeof buffer - got, 0);
        if (r <= 0) {
            if (got > 0)
                break;
            event("@ev client %d closed", n);
            printf("make trace: client %d: the server closed the connection\n", n);
            return;
        }
        got += (size_t)r;
    }
    if (got == 0) {
        event("@ev client %d nothing within %ld ms", n, ms);
        printf("make trace: client %d received nothing within %ld ms\n", n, ms);
        return;
    }
    shown(buffer, got, text);
    event("@ev client %d received \"%s\"", n, text);
    printf("make trace: client %d received \"%s\"\n", n, text);
}

static void client_send(int n, int s, const char *line)
{
    char text[80];
    if (s < 0)
        return;
    event("@ev client %d send \"%s\"", n, shown(line, strlen(line), text));
    if (send(s, line, strlen(line), 0) < 0) {
        event("@ev client %d failed to send: %s", n, strerror(errno));
        printf("make trace: client %d could not send: %s\n", n, strerror(errno));
        return;
    }
    printf("make trace: client %d sent \"%s\"\n", n, text);
}

static void client_close(int n, int s)
{
    if (s < 0)
        return;
    event("@ev client %d close", n);
    close(s);
    printf("make trace: client %d closed its connection\n", n);
    pause_ms(150); /* time for the server to see it, before the next step */
}

/* Two clients that arrive at different times, talk, and leave. */
static void scenario(int port)
{
    int one = client_connect(1, port);
    client_read(1, one, 300);
    client_send(1, one, "hello from client 1\n");
    client_read(1, one, 1000);
    int two = client_connect(2, port);
    client_read(2, two, 300);
    client_send(2, two, "hi, client 2 here\n");
    client_read(2, two, 1000);
    client_send(1, one, "bye from client 1\n");
    client_read(1, one, 1000);
    client_close(1, one);
    client_close(2, two);
}

int main(int argc, char **argv)
{
    if (argc < 5 || (strcmp(argv[3], "none") != 0 && strcmp(argv[3], "clients") != 0)) {
        fprintf(stderr, "usage: %s SECONDS TRACE none|clients PROGRAM [ARGS...]\n", argv[0]);
        return 2;
    }
    double limit = atof(argv[1]);
    trace_path = argv[2];
    int clients = strcmp(argv[3], "clients") == 0;
    signal(SIGPIPE, SIG_IGN);
    trace_fd = open(trace_path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (trace_fd < 0) {
        fprintf(stderr, "make trace: cannot open %s: %s\n", trace_path, strerror(errno));
        return 1;
    }
    fflush(stdout);
    pid_t child = fork();
    if (child < 0) {
        perror("make trace: fork");
        return 1;
    }
    if (child == 0) {
        dup2(trace_fd, STDOUT_FILENO);
        dup2(trace_fd, STDERR_FILENO);
        close(trace_fd);
        setenv("COURSE_TRACE_EVENTS", "1", 1);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[4], argv + 4);
        fprintf(stderr, "make trace: cannot run %s: %s\n", argv[4], strerror(errno));
        _exit(127);
    }

    int status = 0;
    if (!clients) {
        if (!wait_for(child, limit, &status)) {
            stop(child, SIGTERM);
            say_stopped(limit);
            return 0;
        }
        say_end(status, NULL);
        return 0;
    }

    /* A server: wait for its "Listening on" line. */
    double until = now() + limit;
    int port = 0;
    while ((port = listening_port()) == 0 && now() < until && !too_long()) {
        if (waitpid(child, &status, WNOHANG) == child) {
            printf("make trace: the server ended before it listened; no clients were started\n");
            say_end(status, NULL);
            return 0;
        }
        pause_ms(20);
    }
    if (port == 0) {
        printf("make trace: no \"Listening on\" line; no clients were started\n");
        stop(child, SIGTERM);
        say_stopped(limit);
        return 0;
    }
    printf("make trace: the server listens on port %d; two clients talk to it\n", port);
    scenario(port);
    if (waitpid(child, &status, WNOHANG) == child) {
        printf("make trace: the server ended during the scenario\n");
        say_end(status, NULL);
        return 0;
    }
    if (too_long()) {
        stop(child, SIGTERM);
        say_stopped(limit);
        return 0;
    }
    printf("make trace: stopping the server with SIGINT, as Ctrl-C would\n");
    kill(child, SIGINT);
    if (!wait_for(child, 3.0, &status)) {
        stop(child, SIGKILL);
        say_stopped(3.0);
        return 0;
    }
    say_end(status, "SIGINT");
    return 0;
}
