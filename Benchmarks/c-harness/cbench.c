/*
 * cbench: the C baseline for `sluice bench --mode memory --workers 1`.
 *
 * Calls libzstd, liblz4, libbrotli, libcrypto and libxxhash directly, with the same one-shot APIs,
 * the same reused contexts, the same chunking and the same measuring rule as Sluice's memory mode:
 * one warm-up pass each way, then timed passes until at least --runs passes and --min-time seconds
 * per direction; the speed is input bytes / median pass time, in MB/s (10^6 bytes/s); every decoding
 * pass is compared with the input, untimed. Single-threaded.
 *
 *   cbench [--chunk-size 4M] [--runs 5] [--min-time 1] FILE SPEC...
 *   SPEC: memcpy xxh3 zstd:1,3,9 lz4 lz4:8 lz4hc:9 brotli:1,5 aes-256-gcm chacha20-poly1305
 *
 * Prints CSV: name,ratio,compress_mbps,decompress_mbps,compress_runs,decompress_runs,compress_cpu_mbps,decompress_cpu_mbps
 * (the *_cpu_mbps columns divide by the median CPU time of a pass instead of its wall time: on a machine
 * shared with other work they move much less, since waiting for a core is not counted).
 */
#define _POSIX_C_SOURCE 200809L
#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <lz4hc.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>
#include <zstd.h>

static size_t chunk_size = 4 << 20;
static int min_runs = 5;
static double min_time = 1.0;

static unsigned char *input;
static size_t input_size;
static size_t chunks;
static unsigned char **outputs;  /* per chunk, sized by the codec's bound */
static size_t *output_sizes;
static unsigned char *decoded;
static size_t output_capacity;

static void die(const char *message) {
    fprintf(stderr, "cbench: %s\n", message);
    exit(1);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t chunk_length(size_t i) {
    size_t start = i * chunk_size;
    return input_size - start < chunk_size ? input_size - start : chunk_size;
}

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *samples, int count) {
    qsort(samples, (size_t)count, sizeof(double), compare);
    return count % 2 ? samples[count / 2] : (samples[count / 2 - 1] + samples[count / 2]) / 2;
}

/* One stage: encode every chunk, decode every chunk (decode may be NULL). */
typedef struct {
    const char *name;
    int level;
    void (*encode)(size_t chunk, int level);
    void (*decode)(size_t chunk, int level);
    int in_place; /* decode consumes what encode produced: run them in pairs */
} stage;

static void pass(void (*work)(size_t, int), int level) {
    for (size_t i = 0; i < chunks; i++) work(i, level);
}

/* ---- memcpy and xxh3 ---- */
static void copy_encode(size_t i, int level) {
    (void)level;
    memcpy(outputs[i], input + i * chunk_size, chunk_length(i));
    output_sizes[i] = chunk_length(i);
}
static void copy_decode(size_t i, int level) {
    (void)level;
    memcpy(decoded + i * chunk_size, outputs[i], chunk_length(i));
}
static volatile uint64_t hash_sink;
static void xxh3_encode(size_t i, int level) {
    (void)level;
    hash_sink ^= XXH3_64bits(input + i * chunk_size, chunk_length(i));
    output_sizes[i] = chunk_length(i);
}

/* ---- zstd ---- */
static ZSTD_CCtx *zc;
static ZSTD_DCtx *zd;
static void zstd_encode(size_t i, int level) {
    size_t r = ZSTD_compressCCtx(zc, outputs[i], output_capacity, input + i * chunk_size, chunk_length(i), level);
    if (ZSTD_isError(r)) die(ZSTD_getErrorName(r));
    output_sizes[i] = r;
}
static void zstd_decode(size_t i, int level) {
    (void)level;
    size_t r = ZSTD_decompressDCtx(zd, decoded + i * chunk_size, chunk_length(i), outputs[i], output_sizes[i]);
    if (ZSTD_isError(r) || r != chunk_length(i)) die("zstd decompression failed");
}

/* ---- lz4 ---- */
static void *lz4_state;
static void *lz4hc_state;
static void lz4_encode(size_t i, int level) {
    int r = LZ4_compress_fast_extState(lz4_state, (const char *)input + i * chunk_size, (char *)outputs[i],
                                       (int)chunk_length(i), (int)output_capacity, level);
    if (r <= 0) die("lz4 compression failed");
    output_sizes[i] = (size_t)r;
}
static void lz4hc_encode(size_t i, int level) {
    int r = LZ4_compress_HC_extStateHC(lz4hc_state, (const char *)input + i * chunk_size, (char *)outputs[i],
                                       (int)chunk_length(i), (int)output_capacity, level);
    if (r <= 0) die("lz4hc compression failed");
    output_sizes[i] = (size_t)r;
}
static void lz4_decode(size_t i, int level) {
    (void)level;
    int r = LZ4_decompress_safe((const char *)outputs[i], (char *)decoded + i * chunk_size, (int)output_sizes[i],
                                (int)chunk_length(i));
    if (r != (int)chunk_length(i)) die("lz4 decompression failed");
}

/* ---- brotli ---- */
static void brotli_encode(size_t i, int level) {
    size_t size = output_capacity;
    if (!BrotliEncoderCompress(level, 22, BROTLI_MODE_GENERIC, chunk_length(i), input + i * chunk_size, &size, outputs[i]))
        die("brotli compression failed");
    output_sizes[i] = size;
}
static void brotli_decode(size_t i, int level) {
    (void)level;
    size_t size = chunk_length(i);
    if (BrotliDecoderDecompress(output_sizes[i], outputs[i], &size, decoded + i * chunk_size) != BROTLI_DECODER_RESULT_SUCCESS ||
        size != chunk_length(i))
        die("brotli decompression failed");
}

/* ---- AEAD (in place on `decoded`, which starts as a copy of the input) ---- */
static EVP_CIPHER_CTX *seal_ctx, *open_ctx;
static unsigned char key[32], aad[20], *tags;
static void nonce_for(size_t i, unsigned char nonce[12]) {
    uint64_t index = i;
    for (int b = 0; b < 8; b++) nonce[b] = (unsigned char)(index >> (56 - 8 * b));
    nonce[8] = nonce[9] = nonce[10] = 0;
    nonce[11] = i == chunks - 1;
}
static void aead_encode(size_t i, int level) {
    (void)level;
    unsigned char nonce[12];
    int length;
    unsigned char *text = decoded + i * chunk_size;
    nonce_for(i, nonce);
    if (EVP_EncryptInit_ex(seal_ctx, NULL, NULL, NULL, nonce) != 1 ||
        EVP_EncryptUpdate(seal_ctx, NULL, &length, aad, sizeof aad) != 1 ||
        EVP_EncryptUpdate(seal_ctx, text, &length, text, (int)chunk_length(i)) != 1 ||
        EVP_EncryptFinal_ex(seal_ctx, text + chunk_length(i), &length) != 1 ||
        EVP_CIPHER_CTX_ctrl(seal_ctx, EVP_CTRL_AEAD_GET_TAG, 16, tags + 16 * i) != 1)
        die("seal failed");
    output_sizes[i] = chunk_length(i);
}
static void aead_decode(size_t i, int level) {
    (void)level;
    unsigned char nonce[12], scratch[16];
    int length;
    unsigned char *text = decoded + i * chunk_size;
    nonce_for(i, nonce);
    if (EVP_DecryptInit_ex(open_ctx, NULL, NULL, NULL, nonce) != 1 ||
        EVP_DecryptUpdate(open_ctx, NULL, &length, aad, sizeof aad) != 1 ||
        EVP_DecryptUpdate(open_ctx, text, &length, text, (int)chunk_length(i)) != 1 ||
        EVP_CIPHER_CTX_ctrl(open_ctx, EVP_CTRL_AEAD_SET_TAG, 16, tags + 16 * i) != 1 ||
        EVP_DecryptFinal_ex(open_ctx, scratch, &length) != 1)
        die("open failed: authentication");
}

static void measure(stage s) {
    int has_decode = s.decode != NULL;
    if (s.in_place) memcpy(decoded, input, input_size);
    /* warm-up */
    pass(s.encode, s.level);
    if (has_decode) pass(s.decode, s.level);
    int capacity = 64, encodes = 0, decodes = 0;
    double *enc = malloc(sizeof(double) * (size_t)capacity), *dec = malloc(sizeof(double) * (size_t)capacity);
    double *enc_cpu = malloc(sizeof(double) * (size_t)capacity), *dec_cpu = malloc(sizeof(double) * (size_t)capacity);
    double enc_total = 0, dec_total = 0;
    for (;;) {
        int encode_more = encodes < min_runs || enc_total < min_time;
        int decode_more = has_decode && (decodes < min_runs || dec_total < min_time);
        if ((!encode_more && !decode_more) || encodes >= 1000 || decodes >= 1000) break;
        if (encodes >= capacity - 1 || decodes >= capacity - 1) {
            capacity *= 2;
            enc = realloc(enc, sizeof(double) * (size_t)capacity);
            dec = realloc(dec, sizeof(double) * (size_t)capacity);
            enc_cpu = realloc(enc_cpu, sizeof(double) * (size_t)capacity);
            dec_cpu = realloc(dec_cpu, sizeof(double) * (size_t)capacity);
        }
        if (encode_more || s.in_place) {
            double c0 = cpu_now(), t0 = now();
            pass(s.encode, s.level);
            double t = now() - t0, c = cpu_now() - c0;
            if (encode_more) { enc_cpu[encodes] = c; enc[encodes++] = t; enc_total += t; }
        }
        if (has_decode && (decode_more || s.in_place)) {
            double c0 = cpu_now(), t0 = now();
            pass(s.decode, s.level);
            double t = now() - t0, c = cpu_now() - c0;
            if (decode_more) { dec_cpu[decodes] = c; dec[decodes++] = t; dec_total += t; }
            /* Checked after every pass, untimed, as sluice bench does (which also leaves the caches alike). */
            if (memcmp(decoded, input, input_size) != 0) die("round trip mismatch");
        }
    }
    if (has_decode && memcmp(decoded, input, input_size) != 0) die("round trip mismatch");
    size_t out = 0;
    for (size_t i = 0; i < chunks; i++) out += output_sizes[i];
    char name[64];
    if (s.level == 0 || strcmp(s.name, "lz4") == 0) {
        if (strcmp(s.name, "lz4") == 0 && s.level != 1) snprintf(name, sizeof name, "lz4-%d", s.level);
        else snprintf(name, sizeof name, "%s", s.name);
    } else {
        snprintf(name, sizeof name, "%s-%d", s.name, s.level);
    }
    double mb = (double)input_size / 1e6;
    printf("%s,%.4f,%.1f,", name, (double)input_size / (double)out, mb / median(enc, encodes));
    if (has_decode) printf("%.1f,%d,%d,", mb / median(dec, decodes), encodes, decodes);
    else printf(",%d,0,", encodes);
    printf("%.1f,", mb / median(enc_cpu, encodes));
    if (has_decode) printf("%.1f\n", mb / median(dec_cpu, decodes));
    else printf("\n");
    fflush(stdout);
    free(enc);
    free(dec);
    free(enc_cpu);
    free(dec_cpu);
}

static size_t parse_size(const char *text) {
    char *end;
    double value = strtod(text, &end);
    switch (*end) {
    case 'k': case 'K': value *= 1024; break;
    case 'm': case 'M': value *= 1024 * 1024; break;
    case 'g': case 'G': value *= 1024.0 * 1024 * 1024; break;
    default: break;
    }
    return (size_t)value;
}

static void run_spec(char *spec) {
    char *colon = strchr(spec, ':');
    char *levels = colon ? colon + 1 : NULL;
    if (colon) *colon = 0;
    stage s = {spec, 0, NULL, NULL, 0};
    if (!strcmp(spec, "memcpy")) { s.encode = copy_encode; s.decode = copy_decode; }
    else if (!strcmp(spec, "xxh3")) { s.encode = xxh3_encode; }
    else if (!strcmp(spec, "zstd")) { s.encode = zstd_encode; s.decode = zstd_decode; s.level = 3; }
    else if (!strcmp(spec, "lz4")) { s.encode = lz4_encode; s.decode = lz4_decode; s.level = 1; }
    else if (!strcmp(spec, "lz4hc")) { s.encode = lz4hc_encode; s.decode = lz4_decode; s.level = 9; }
    else if (!strcmp(spec, "brotli")) { s.encode = brotli_encode; s.decode = brotli_decode; s.level = 5; }
    else if (!strcmp(spec, "aes-256-gcm") || !strcmp(spec, "chacha20-poly1305")) {
        const EVP_CIPHER *cipher = !strcmp(spec, "aes-256-gcm") ? EVP_aes_256_gcm() : EVP_chacha20_poly1305();
        if (EVP_EncryptInit_ex(seal_ctx, cipher, NULL, key, NULL) != 1 || EVP_DecryptInit_ex(open_ctx, cipher, NULL, key, NULL) != 1)
            die("cipher setup failed");
        s.encode = aead_encode; s.decode = aead_decode; s.in_place = 1;
    } else {
        fprintf(stderr, "cbench: unknown spec '%s'\n", spec);
        exit(2);
    }
    if (!levels) { measure(s); return; }
    for (char *level = strtok(levels, ","); level; level = strtok(NULL, ",")) {
        s.level = atoi(level);
        measure(s);
    }
}

int main(int argc, char **argv) {
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
        if (i + 1 >= argc) die("missing option value");
        if (!strcmp(argv[i], "--chunk-size")) chunk_size = parse_size(argv[i + 1]);
        else if (!strcmp(argv[i], "--runs")) min_runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--min-time")) min_time = atof(argv[i + 1]);
        else die("unknown option (--chunk-size, --runs, --min-time)");
    }
    if (i >= argc) die("usage: cbench [--chunk-size 4M] [--runs 5] [--min-time 1] FILE SPEC...");
    FILE *file = fopen(argv[i], "rb");
    if (!file) die("cannot open the input");
    fseek(file, 0, SEEK_END);
    input_size = (size_t)ftell(file);
    fseek(file, 0, SEEK_SET);
    input = aligned_alloc(64, (input_size + 63) / 64 * 64 + 64);
    decoded = aligned_alloc(64, (input_size + 63) / 64 * 64 + 64);
    if (fread(input, 1, input_size, file) != input_size) die("cannot read the input");
    fclose(file);

    chunks = (input_size + chunk_size - 1) / chunk_size;
    size_t bound = ZSTD_compressBound(chunk_size);
    if ((size_t)LZ4_compressBound((int)chunk_size) > bound) bound = (size_t)LZ4_compressBound((int)chunk_size);
    if (BrotliEncoderMaxCompressedSize(chunk_size) > bound) bound = BrotliEncoderMaxCompressedSize(chunk_size);
    output_capacity = bound;
    outputs = malloc(sizeof(*outputs) * chunks);
    output_sizes = calloc(chunks, sizeof(*output_sizes));
    for (size_t c = 0; c < chunks; c++) outputs[c] = aligned_alloc(64, (bound + 63) / 64 * 64);
    tags = malloc(16 * chunks);
    zc = ZSTD_createCCtx();
    zd = ZSTD_createDCtx();
    lz4_state = aligned_alloc(16, (size_t)(LZ4_sizeofState() + 15) / 16 * 16);
    lz4hc_state = aligned_alloc(16, (size_t)(LZ4_sizeofStateHC() + 15) / 16 * 16);
    seal_ctx = EVP_CIPHER_CTX_new();
    open_ctx = EVP_CIPHER_CTX_new();
    if (RAND_bytes(key, sizeof key) != 1) die("no random key");
    memset(aad, 0x5A, sizeof aad);

    printf("name,ratio,compress_mbps,decompress_mbps,compress_runs,decompress_runs,compress_cpu_mbps,decompress_cpu_mbps\n");
    for (i++; i < argc; i++) {
        char spec[256];
        snprintf(spec, sizeof spec, "%s", argv[i]);
        run_spec(spec);
    }
    return 0;
}
