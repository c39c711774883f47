// An LD_PRELOAD library that makes one kind of file-system call of the real `sluice` fail, for the
// out-of-process fault tests (Tests/SluiceTests/FaultShimTests.swift). Built by the tests with the C
// compiler at hand; never part of the product. Configured by the environment:
//   SLUICE_FAULT_CALL   tmpfile | open | read | write | fsync | syncfs | link | rename | unlink
//   SLUICE_FAULT_ERRNO  the errno to fail with (a number)
//   SLUICE_FAULT_PATH   only calls whose path, or whose descriptor's path, contains this
//   SLUICE_FAULT_SKIP   let this many matching calls through first (default 0)
// `tmpfile` fails only opens with O_TMPFILE: a file system without it.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static long skipped;

static int matches(const char *call, const char *path, int fd) {
    const char *want = getenv("SLUICE_FAULT_CALL");
    if (!want || strcmp(want, call) != 0) return 0;
    const char *scope = getenv("SLUICE_FAULT_PATH");
    char buffer[4096];
    if (!path) {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, buffer, sizeof buffer - 1);
        if (n < 0) return 0;
        buffer[n] = 0;
        path = buffer;
    }
    if (scope && !strstr(path, scope)) return 0;
    const char *skip = getenv("SLUICE_FAULT_SKIP");
    if (skip && __atomic_fetch_add(&skipped, 1, __ATOMIC_SEQ_CST) < atol(skip)) return 0;
    errno = atoi(getenv("SLUICE_FAULT_ERRNO") ? getenv("SLUICE_FAULT_ERRNO") : "5");
    return 1;
}

#define REAL(name, type) static __typeof__((type)0) real; if (!real) real = (type)dlsym(RTLD_NEXT, name)

static int open_common(const char *name, int dirfd, const char *path, int flags, mode_t mode) {
    if ((flags & O_TMPFILE) == O_TMPFILE ? matches("tmpfile", path, -1) : matches("open", path, -1)) return -1;
    if (dirfd == -100) {
        REAL(name, int (*)(const char *, int, ...));
        return real(path, flags, mode);
    }
    REAL(name, int (*)(int, const char *, int, ...));
    return real(dirfd, path, flags, mode);
}

#define MODE_ARG mode_t mode = 0; if (flags & (O_CREAT | O_TMPFILE)) { va_list ap; va_start(ap, flags); mode = va_arg(ap, mode_t); va_end(ap); }
int open(const char *path, int flags, ...) { MODE_ARG return open_common("open", -100, path, flags, mode); }
int open64(const char *path, int flags, ...) { MODE_ARG return open_common("open64", -100, path, flags, mode); }
int openat(int dirfd, const char *path, int flags, ...) { MODE_ARG return open_common("openat", dirfd, path, flags, mode); }
int openat64(int dirfd, const char *path, int flags, ...) { MODE_ARG return open_common("openat64", dirfd, path, flags, mode); }

ssize_t read(int fd, void *buffer, size_t count) {
    if (matches("read", NULL, fd)) return -1;
    REAL("read", ssize_t (*)(int, void *, size_t));
    return real(fd, buffer, count);
}
ssize_t pread(int fd, void *buffer, size_t count, off_t offset) {
    if (matches("read", NULL, fd)) return -1;
    REAL("pread", ssize_t (*)(int, void *, size_t, off_t));
    return real(fd, buffer, count, offset);
}
ssize_t pread64(int fd, void *buffer, size_t count, off_t offset) { return pread(fd, buffer, count, offset); }
ssize_t write(int fd, const void *buffer, size_t count) {
    if (fd > 2 && matches("write", NULL, fd)) return -1;
    REAL("write", ssize_t (*)(int, const void *, size_t));
    return real(fd, buffer, count);
}
ssize_t pwrite(int fd, const void *buffer, size_t count, off_t offset) {
    if (matches("write", NULL, fd)) return -1;
    REAL("pwrite", ssize_t (*)(int, const void *, size_t, off_t));
    return real(fd, buffer, count, offset);
}
ssize_t pwrite64(int fd, const void *buffer, size_t count, off_t offset) { return pwrite(fd, buffer, count, offset); }
int fsync(int fd) {
    if (matches("fsync", NULL, fd)) return -1;
    REAL("fsync", int (*)(int));
    return real(fd);
}
int syncfs(int fd) {
    if (matches("syncfs", NULL, fd)) return -1;
    REAL("syncfs", int (*)(int));
    return real(fd);
}
int linkat(int olddir, const char *old, int newdir, const char *new, int flags) {
    if (matches("link", new, -1)) return -1;
    REAL("linkat", int (*)(int, const char *, int, const char *, int));
    return real(olddir, old, newdir, new, flags);
}
int link(const char *old, const char *new) {
    if (matches("link", new, -1)) return -1;
    REAL("link", int (*)(const char *, const char *));
    return real(old, new);
}
int rename(const char *old, const char *new) {
    if (matches("rename", new, -1)) return -1;
    REAL("rename", int (*)(const char *, const char *));
    return real(old, new);
}
int renameat2(int olddir, const char *old, int newdir, const char *new, unsigned flags) {
    if (matches("rename", new, -1)) return -1;
    REAL("renameat2", int (*)(int, const char *, int, const char *, unsigned));
    return real(olddir, old, newdir, new, flags);
}
int unlink(const char *path) {
    if (matches("unlink", path, -1)) return -1;
    REAL("unlink", int (*)(const char *));
    return real(path);
}
