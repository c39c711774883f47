#ifndef SLUICE_CLINUX_SHIM_H
#define SLUICE_CLINUX_SHIM_H
// Linux calls Swift cannot make directly (prctl is variadic). Elsewhere they do nothing.
#ifdef __linux__
#include <sys/prctl.h>
static inline int sluice_set_dumpable(int dumpable) {
    return prctl(PR_SET_DUMPABLE, (unsigned long)dumpable, 0UL, 0UL, 0UL);
}
static inline int sluice_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0UL, 0UL, 0UL, 0UL); }
#else
static inline int sluice_set_dumpable(int dumpable) { (void)dumpable; return 0; }
static inline int sluice_get_dumpable(void) { return -1; }
#endif
#endif
