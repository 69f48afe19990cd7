/*
 * enobufs_shim.c - fault injection for one maintainers' check: a
 * library that, preloaded (LD_PRELOAD, Linux), makes accept() fail with
 * ENOBUFS for the first ENOBUFS_FOR_MS milliseconds after its first
 * call, as a kernel short of memory does, then behaves normally.
 * Built and used by tests/maint/selftest.d/30-output.sh for the test
 * "accept() failing with ENOBUFS" in tests/maint/maint_05.c.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int accept(int fd, struct sockaddr *address, socklen_t *length)
{
    static int (*real_accept)(int, struct sockaddr *, socklen_t *);
    static long long failing_until = -1;
    if (real_accept == NULL)
        *(void **)&real_accept = dlsym(RTLD_NEXT, "accept");
    if (failing_until < 0) {
        const char *text = getenv("ENOBUFS_FOR_MS");
        failing_until = now_ms() + (text != NULL ? atoll(text) : 0);
    }
    if (now_ms() < failing_until) {
        errno = ENOBUFS;
        return -1;
    }
    return real_accept(fd, address, length);
}
