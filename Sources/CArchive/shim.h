#ifndef SLUICE_CARCHIVE_SHIM_H
#define SLUICE_CARCHIVE_SHIM_H
// libarchive (Debian libarchive-dev): writes and reads the POSIX pax tar stream of `--archive`.
#include <archive.h>
#include <archive_entry.h>
// Extended attributes are read from disk beside the entries they go into (Glibc's module leaves sys/xattr.h out).
#include <sys/xattr.h>
#endif
