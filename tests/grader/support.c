/*
 * support.c - processes, pipes and sockets for the suites.
 */
#include "support.h"

#include "grade.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#elif defined(__APPLE__)
#include <malloc/malloc.h>
#endif

long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int open_fd_count(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *dir = opendir(path);
    if (dir == NULL)
        return -1;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL)
        count += entry->d_name[0] != '.';
    closedir(dir);
    return count;
}

long raise_fd_limit(long want)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) < 0)
        return -1;
    if ((rlim_t)want > limit.rlim_cur) {
        limit.rlim_cur = (rlim_t)want;
        if (limit.rlim_max != RLIM_INFINITY && limit.rlim_cur > limit.rlim_max)
            limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return (long)limit.rlim_cur;
}

/* Fork and exec ARGS (or, when ARGS is NULL, call SERVE in the child)
 * with stdout+stderr on a pipe; NOFILE as above. */
static pid_t start_child(const char *const args[], void (*serve)(void), long nofile, int *output)
{
    int ends[2];
    ck_assert_msg(pipe(ends) == 0, "cannot create a pipe: %s", strerror(errno));
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "cannot fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(ends[1], STDOUT_FILENO);
        dup2(ends[1], STDERR_FILENO);
        close(ends[0]);
        close(ends[1]);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            dup2(devnull, STDIN_FILENO);
            close(devnull);
        }
        if (nofile > 0) {
            struct rlimit limit;
            getrlimit(RLIMIT_NOFILE, &limit);
            limit.rlim_cur = (rlim_t)nofile;
            if (limit.rlim_max != RLIM_INFINITY && limit.rlim_cur > limit.rlim_max)
                limit.rlim_cur = limit.rlim_max;
            setrlimit(RLIMIT_NOFILE, &limit);
        }
        /* A test may ignore SIGPIPE for itself; the program must meet
         * the default, which kills a server that forgets MSG_NOSIGNAL. */
        signal(SIGPIPE, SIG_DFL);
        /* Close whatever else the test has open, so the program sees
         * only its own fds (tests count them). */
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
        if (args == NULL) {
            serve();
            _exit(0);
        }
        execv(args[0], (char *const *)args);
        fprintf(stderr, "cannot run %s: %s\n", args[0], strerror(errno));
        _exit(127);
    }
    close(ends[1]);
    *output = ends[0];
    return pid;
}

static pid_t start_process(const char *const args[], long nofile, int *output)
{
    return start_child(args, NULL, nofile, output);
}

/* Append what is readable on S->output within TIMEOUT_MS; false at EOF. */
static bool read_more(struct server *s, int timeout_ms)
{
    struct pollfd p = { .fd = s->output, .events = POLLIN };
    if (s->output < 0 || poll(&p, 1, timeout_ms) <= 0)
        return s->output >= 0;
    size_t room = sizeof s->log - 1 - s->log_length;
    if (room == 0) {
        /* Keep the newest output: drop the older half. */
        size_t half = s->log_length / 2;
        memmove(s->log, s->log + half, s->log_length - half);
        s->log_length -= half;
        room = sizeof s->log - 1 - s->log_length;
    }
    ssize_t n = read(s->output, s->log + s->log_length, room);
    if (n <= 0) {
        close(s->output);
        s->output = -1;
        return false;
    }
    s->log_length += (size_t)n;
    s->log[s->log_length] = '\0';
    return true;
}

int server_count(const struct server *s, const char *text)
{
    int count = 0;
    for (const char *p = s->log; (p = strstr(p, text)) != NULL; p += strlen(text))
        count++;
    return count;
}

bool server_wait_for(struct server *s, const char *text, int count, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    while (server_count(s, text) < count) {
        long long left = deadline - now_ms();
        if (left <= 0 || !read_more(s, (int)left))
            return server_count(s, text) >= count;
    }
    return true;
}

static void wait_until_listening(struct server *s);

void server_start(struct server *s, const char *const extra[], long nofile)
{
    const char *args[32] = { STAGE_BINARY, "-b", "127.0.0.1", "-p", "0" };
    int n = 5;
    for (int i = 0; extra != NULL && extra[i] != NULL && n < 31; i++)
        args[n++] = extra[i];
    args[n] = NULL;

    memset(s, 0, sizeof *s);
    s->pid = start_process(args, nofile, &s->output);
    wait_until_listening(s);
}

void server_start_serving(struct server *s, void (*serve)(void), long nofile)
{
    memset(s, 0, sizeof *s);
    s->pid = start_child(NULL, serve, nofile, &s->output);
    wait_until_listening(s);
}

/* Wait for the "Listening on HOST:PORT" line of the server S started,
 * and read its port. */
static void wait_until_listening(struct server *s)
{
    if (!server_wait_for(s, "Listening on ", 1, 5000)) {
        server_stop(s);
        ck_abort_msg("the server did not print its \"Listening on HOST:PORT\" line "
                     "within 5 s; it printed:\n%s", s->log);
    }
    const char *line = strstr(s->log, "Listening on ");
    while (!strchr(line, '\n') && read_more(s, 5000))
        line = strstr(s->log, "Listening on ");
    const char *colon = NULL;
    for (const char *p = line; *p != '\0' && *p != '\n'; p++)
        if (*p == ':')
            colon = p;
    s->port = colon ? atoi(colon + 1) : 0;
    ck_assert_msg(s->port > 0, "cannot read a port in the server's line: %s", line);
}

void server_discard_output(struct server *s)
{
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "cannot fork: %s", strerror(errno));
    if (pid == 0) {
        char buffer[4096];
        while (read(s->output, buffer, sizeof buffer) > 0)
            continue;
        _exit(0);
    }
    close(s->output);
    s->output = -1;
}

int server_stop(struct server *s)
{
    int status = 0;
    if (s->pid <= 0)
        return 0;
    kill(s->pid, SIGTERM);
    long long deadline = now_ms() + 5000;
    for (;;) {
        pid_t done = waitpid(s->pid, &status, WNOHANG);
        if (done == s->pid || (done < 0 && errno != EINTR))
            break;
        if (now_ms() > deadline) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &status, 0);
            break;
        }
        /* Read while waiting: a server blocked on a full pipe would
         * never get to exit. */
        if (!read_more(s, 50) && s->output < 0) {
            struct pollfd none;
            poll(&none, 0, 10);
        }
    }
    while (read_more(s, 0))
        continue;
    s->pid = 0;
    return status;
}

int run_program(const char *const args[], char *output, size_t size, int timeout_ms)
{
    struct server s;
    memset(&s, 0, sizeof s);
    s.pid = start_process(args, 0, &s.output);
    long long deadline = now_ms() + timeout_ms;
    while (s.output >= 0 && now_ms() < deadline)
        read_more(&s, (int)(deadline - now_ms()));
    int status = 0;
    if (s.output >= 0) {
        kill(s.pid, SIGKILL);
        waitpid(s.pid, &status, 0);
        status = -1;
    } else {
        waitpid(s.pid, &status, 0);
    }
    snprintf(output, size, "%s", s.log);
    return status;
}

const char *after_listening(const struct server *s)
{
    const char *line = strstr(s->log, "Listening on ");
    const char *end = line ? strchr(line, '\n') : NULL;
    return end ? end + 1 : "";
}

int local_port(int fd)
{
    struct sockaddr_in address;
    socklen_t length = sizeof address;
    ck_assert_msg(getsockname(fd, (struct sockaddr *)&address, &length) == 0,
                  "getsockname() failed: %s", strerror(errno));
    return ntohs(address.sin_port);
}

struct sockaddr_in loopback_address(int port)
{
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((unsigned short)port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_msg(fd >= 0, "cannot create a client socket: %s", strerror(errno));
    struct sockaddr_in address = loopback_address(port);
    ck_assert_msg(connect(fd, (struct sockaddr *)&address, sizeof address) == 0,
                  "cannot connect to 127.0.0.1:%d: %s", port, strerror(errno));
    return fd;
}

bool send_all(int fd, const void *data, size_t length)
{
    const char *p = data;
    while (length > 0) {
        ssize_t n = send(fd, p, length, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        length -= (size_t)n;
    }
    return true;
}

size_t read_exactly(int fd, void *buffer, size_t length, int timeout_ms)
{
    char *p = buffer;
    size_t got = 0;
    long long deadline = now_ms() + timeout_ms;
    while (got < length) {
        long long left = deadline - now_ms();
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            break;
        ssize_t n = recv(fd, p + got, length - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

bool wait_for_eof(int fd, int timeout_ms)
{
    char byte;
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    if (poll(&pfd, 1, timeout_ms) <= 0)
        return false;
    ssize_t n = recv(fd, &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* Where captured stderr goes: a file in GRADE_SANITIZER_DIR when there
 * is one, so that a sanitizer's report written to stderr (as
 * UndefinedBehaviorSanitizer's may be) outlives a process it stops, and
 * the grader finds it there; a temporary file otherwise. */
static FILE *capture_file(int target, char *path, size_t size)
{
    static int captures;
    const char *dir = getenv("GRADE_SANITIZER_DIR");
    path[0] = '\0';
    if (target != STDERR_FILENO || dir == NULL || *dir == '\0')
        return tmpfile();
    snprintf(path, size, "%s/stderr-%d.%ld", dir, captures++, (long)getpid());
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    FILE *file = fd >= 0 ? fdopen(fd, "w+") : NULL;
    if (file == NULL) {
        if (fd >= 0)
            close(fd);
        path[0] = '\0';
        return tmpfile();
    }
    return file;
}

static char *capture(int target, void (*fn)(void *arg), void *arg)
{
    fflush(NULL);
    char path[1024];
    FILE *file = capture_file(target, path, sizeof path);
    ck_assert_msg(file != NULL, "cannot create a temporary file: %s", strerror(errno));
    int saved = dup(target);
    dup2(fileno(file), target);
    fn(arg);
    fflush(NULL);
    dup2(saved, target);
    close(saved);

    long size = ftell(file) >= 0 ? lseek(fileno(file), 0, SEEK_END) : 0;
    char *text = malloc((size_t)size + 1);
    ck_assert_msg(text != NULL, "out of memory");
    lseek(fileno(file), 0, SEEK_SET);
    size_t got = 0;
    ssize_t n;
    while (got < (size_t)size && (n = read(fileno(file), text + got, (size_t)size - got)) > 0)
        got += (size_t)n;
    text[got] = '\0';
    fclose(file);
    if (path[0] != '\0')
        unlink(path);
    return text;
}

char *capture_stdout(void (*fn)(void *arg), void *arg)
{
    return capture(STDOUT_FILENO, fn, arg);
}

char *capture_stderr(void (*fn)(void *arg), void *arg)
{
    return capture(STDERR_FILENO, fn, arg);
}

static int remembered(const char *path, const char *name)
{
    FILE *f = path[0] != '\0' ? fopen(path, "r") : NULL;
    int result = -1;
    char line[256], key[200];
    int value;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "%199s %d", key, &value) == 2 && strcmp(key, name) == 0)
            result = value;
    if (f != NULL)
        fclose(f);
    return result;
}

static int run_probe(int (*fn)(void *arg), void *arg, int timeout_ms);

int probe_named(const char *name, int (*fn)(void *arg), void *arg, int timeout_ms)
{
    const char *notes = getenv("GRADE_NOTES");
    char path[1024] = "";
    if (notes != NULL && *notes != '\0' && arg == NULL)
        snprintf(path, sizeof path, "%s.probes", notes);
    int known = remembered(path, name);
    if (known >= 0)
        return known;
    int result = run_probe(fn, arg, timeout_ms);
    FILE *f = path[0] != '\0' ? fopen(path, "a") : NULL;
    if (f != NULL) {
        fprintf(f, "%s %d\n", name, result);
        fclose(f);
    }
    return result;
}

static int run_probe(int (*fn)(void *arg), void *arg, int timeout_ms)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        grade_probe_started();
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        /* Check's own SIGALRM handler would kill the whole test. */
        signal(SIGALRM, SIG_DFL);
        alarm((unsigned)(timeout_ms + 999) / 1000);
        int result = fn(arg);
        fflush(stdout);
        _exit(result > 0 && result < 256 ? result : 0);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 0;
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#ifdef UNDER_ASAN
/* AddressSanitizer's own count (sanitizer/allocator_interface.h). */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

long long heap_in_use(void)
{
#ifdef UNDER_ASAN
    return (long long)__sanitizer_get_current_allocated_bytes();
#endif
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    return (long long)mallinfo2().uordblks;
#elif defined(__GLIBC__)
    return (long long)(unsigned)mallinfo().uordblks;
#elif defined(__APPLE__)
    malloc_statistics_t stats;
    malloc_zone_statistics(NULL, &stats);
    return (long long)stats.size_in_use;
#else
    return -1;
#endif
}

int stub_runs(const char *exercise)
{
    const char *path = getenv("GRADE_NOTES");
    FILE *f = path != NULL && *path != '\0' ? fopen(path, "r") : NULL;
    char line[256], want[64];
    snprintf(want, sizeof want, "todo\t%s\n", exercise);
    int runs = 0;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        runs += strcmp(line, want) == 0;
    if (f != NULL)
        fclose(f);
    return runs;
}

bool stub_ran(const char *exercise)
{
    return stub_runs(exercise) > 0;
}

bool under_valgrind(void)
{
    return getenv("STAGE_UNDER_VALGRIND") != NULL;
}

bool process_usage(pid_t pid, struct process_usage *usage)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    /* The command name (field 2) may hold spaces: count from its ')'.
     * After it: state (3), then fields 4..13, utime (14), stime (15). */
    const char *p = strrchr(text, ')');
    unsigned long long utime = 0, stime = 0;
    if (p == NULL || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                            &utime, &stime) != 2)
        return false;
    long ticks = sysconf(_SC_CLK_TCK);
    usage->cpu_ms = (long)((utime + stime) * 1000 / (unsigned long long)(ticks > 0 ? ticks : 100));
    usage->wakeups = -1;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    f = fopen(path, "r");
    if (f != NULL) {
        char line[256];
        while (fgets(line, sizeof line, f) != NULL)
            if (sscanf(line, "voluntary_ctxt_switches: %ld", &usage->wakeups) == 1)
                break;
        fclose(f);
    }
    return true;
}
