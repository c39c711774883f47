#ifndef SLUICE_CLINUXIO_SHIM_H
#define SLUICE_CLINUXIO_SHIM_H
/* The Linux page-cache calls Swift's Glibc module does not show: glibc declares `readahead` and
   `sync_file_range` only under _GNU_SOURCE, which that module is not built with. Their prototypes
   (fcntl(2) family, glibc ≥ 2.6) and flags are repeated here; elsewhere they are no-ops. */
#include <sys/types.h>
#include <errno.h>

#if defined(__linux__)
extern ssize_t readahead(int fd, off_t offset, size_t count);
extern int sync_file_range(int fd, off_t offset, off_t nbytes, unsigned int flags);
#endif

/* SYNC_FILE_RANGE_WAIT_BEFORE, _WRITE and _WAIT_AFTER from <fcntl.h> (macros Swift cannot see). */
static const unsigned int sluice_sync_wait_before = 1;
static const unsigned int sluice_sync_write = 2;
static const unsigned int sluice_sync_wait_after = 4;

/* readahead(2): ask the kernel to read [offset, offset+count) into the page cache in the background. */
static inline int sluice_readahead(int fd, off_t offset, size_t count) {
#if defined(__linux__)
    return (int)readahead(fd, offset, count);
#else
    errno = ENOSYS; return -1;
#endif
}

/* sync_file_range(2): start (and with the wait flags, wait for) write-back of a byte range. */
static inline int sluice_sync_file_range(int fd, off_t offset, off_t count, unsigned int flags) {
#if defined(__linux__)
    return sync_file_range(fd, offset, count, flags);
#else
    errno = ENOSYS; return -1;
#endif
}
#endif
