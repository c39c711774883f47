#ifndef SLUICE_COPENSSL_SHIM_H
#define SLUICE_COPENSSL_SHIM_H
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/crypto.h>

// `OPENSSL_free` is a macro (it passes __FILE__ and __LINE__), which Swift cannot import.
static inline void sluice_openssl_free(void *pointer) { OPENSSL_free(pointer); }

#endif
