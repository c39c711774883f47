#!/usr/bin/env bash
# Regenerates the fuzz seed corpus in Tests/Fuzz/corpus/ with a built `sluice`:
#   Tests/Fuzz/make-corpus.sh .build/debug/sluice
# Valid .slc files for every codec × cipher (cipher none, and AES-256-GCM and ChaCha20-Poly1305 each
# with the fuzz key file and with the fuzz passphrase at scrypt 2^10), for an empty input, a 9000-byte
# text (three 4 KiB frames) and, for a few, incompressible bytes (raw frames), SHA-256 checksums and no
# metadata. The key and passphrase are the ones Fuzz/Sources/SluiceFuzz hands the decoder. Encrypted
# files get a fresh salt on every run, so the committed files are what the fuzz runs and the regression
# tests used; rerun this only to change the set.
set -euo pipefail
sluice=$(realpath "$1")
cd "$(dirname "$0")"
out=corpus/container
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf "$out" && mkdir -p "$out" corpus/parsers

python3 - "$work" <<'PY'
import random, sys
d = sys.argv[1]
random.seed(1)
words = ["sluice", "chunk", "frame", "zstd", "brotli", "lz4", "trailer", "footer", "nonce", "4096"]
text = " ".join(random.choice(words) for _ in range(2000)).encode()[:9000]
open(f"{d}/text", "wb").write(text)
open(f"{d}/empty", "wb").write(b"")
open(f"{d}/random", "wb").write(bytes(random.getrandbits(8) for _ in range(5000)))
open(f"{d}/fuzz.key", "wb").write(bytes([0x5A]) * 32)
PY
chmod 600 "$work/fuzz.key"
export SLUICE_FUZZ_PASSPHRASE="sluice fuzz"

pack() {  # name input args...
    local name=$1 input=$2; shift 2
    "$sluice" pack -q --chunk-size 4K -o "$out/$name.slc" "$@" "$work/$input"
}
for codec in store lz4 lz4hc zstd brotli; do
    for input in empty text; do
        pack "$codec-none-$input" "$input" --codec "$codec"
        pack "$codec-aes-keyfile-$input" "$input" --codec "$codec" --cipher aes-256-gcm --key-file "$work/fuzz.key"
        pack "$codec-aes-passphrase-$input" "$input" --codec "$codec" --cipher aes-256-gcm \
            --passphrase-env SLUICE_FUZZ_PASSPHRASE --kdf-cost 10
        pack "$codec-chacha-keyfile-$input" "$input" --codec "$codec" --cipher chacha20-poly1305 --key-file "$work/fuzz.key"
        pack "$codec-chacha-passphrase-$input" "$input" --codec "$codec" --cipher chacha20-poly1305 \
            --passphrase-env SLUICE_FUZZ_PASSPHRASE --kdf-cost 10
    done
done
pack zstd-none-random random --codec zstd
pack lz4-aes-keyfile-random random --codec lz4 --cipher aes-256-gcm --key-file "$work/fuzz.key"
pack zstd-sha256-text text --codec zstd --checksum sha256
pack brotli-window10-text text --codec brotli --window 10 -l 1
pack zstd-nometa-text text --codec zstd --no-keep-metadata
pack zstd-chacha-sha256-text text --codec zstd --cipher chacha20-poly1305 --key-file "$work/fuzz.key" --checksum sha256

# The zstd and lz4 targets: standard files as sluice and the tools write them (small frames, so a few
# of each kind fit in 64 KiB).
mkdir -p corpus/zstd corpus/lz4 && rm -f corpus/zstd/* corpus/lz4/*
for input in empty text random; do
    "$sluice" pack -q --format zstd --chunk-size 4K -o "corpus/zstd/sluice-$input.zst" "$work/$input"
    "$sluice" pack -q --format lz4 --chunk-size 4K -o "corpus/lz4/sluice-$input.lz4" "$work/$input"
done
zstd -q -1 -c "$work/text" > corpus/zstd/zstd-1.zst
zstd -q -19 --no-check -c "$work/text" > corpus/zstd/zstd-19-nocheck.zst
cat "$work/text" | zstd -q -c > corpus/zstd/zstd-pipe.zst
cat corpus/zstd/zstd-1.zst corpus/zstd/zstd-pipe.zst > corpus/zstd/concatenated.zst
pzstd -q -p 2 -c "$work/text" > corpus/zstd/pzstd.zst
lz4 -q -c "$work/text" > corpus/lz4/lz4-default.lz4
lz4 -q -c -BD -BX "$work/text" > corpus/lz4/lz4-linked-blockchecksum.lz4
lz4 -q -c -l "$work/text" > corpus/lz4/lz4-legacy.lz4
lz4 -q --content-size -B4 "$work/text" corpus/lz4/lz4-content-size.lz4
cat corpus/lz4/lz4-default.lz4 corpus/lz4/lz4-legacy.lz4 > corpus/lz4/concatenated.lz4

# The parsers target reads its input as text: sizes and OFFSET:LENGTH ranges.
i=0
for text in 4M 64KiB 1.5g 512 2TB 1k 0 1G:4M 0:100 4K:0 1.5M:512 18446744073709551615:1 8E 1P:1P; do
    printf '%s' "$text" > "corpus/parsers/seed-$i"; i=$((i + 1))
done
ls "$out" | wc -l
