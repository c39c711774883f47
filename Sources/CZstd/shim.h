#ifndef SLUICE_CZSTD_SHIM_H
#define SLUICE_CZSTD_SHIM_H
// The frame-inspection functions (ZSTD_getFrameHeader, ZSTD_decompressBound, ZSTD_isSkippableFrame)
// are in zstd.h's "static linking only" section; Debian's shared libzstd exports them all the same.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>
#endif
