#!/usr/bin/env bash
# Writes the `.slc` version-1 fixtures in Tests/Fixtures/v1/ with a built `sluice`:
#   Tests/Fixtures/make-v1-fixtures.sh .build/debug/sluice
# They were written once, by the main branch of 2026-11-27 before the format layer was refactored
# (issue #11), and are committed so that every later build proves it still reads what an earlier one
# wrote, byte for byte (FixtureV1Tests). Do NOT rerun this to "fix" a failing test: a failure means the
# reader changed. Rerun it only to add fixtures, and then only with a build that predates the change.
# Every fixture: 4 KiB chunks, a few KiB of data. MANIFEST lists, per file, the plaintext (in plain/),
# its SHA-256 and size, and the key (none, keyfile = fixture.key, passphrase = "sluice fixture v1").
set -euo pipefail
sluice=$(realpath "$1")
cd "$(dirname "$0")/v1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rm -rf ./*.slc MANIFEST plain

python3 - "$work" <<'PY'
import random, sys, os
d = sys.argv[1]
random.seed(20261127)
words = ["sluice", "chunk", "frame", "zstd", "brotli", "lz4", "trailer", "footer", "nonce", "index"]
text = " ".join(random.choice(words) for _ in range(3000)).encode()[:14000]   # 4 frames of 4 KiB
open(f"{d}/text", "wb").write(text)
open(f"{d}/small", "wb").write(text[:3000])                                  # one frame
open(f"{d}/empty", "wb").write(b"")
open(f"{d}/random", "wb").write(bytes(random.getrandbits(8) for _ in range(9000)))  # raw frames
os.chmod(f"{d}/text", 0o640)
os.utime(f"{d}/text", ns=(1_700_000_000_123_456_789, 1_700_000_000_123_456_789))
PY
cp fixture.key "$work/fixture.key" && chmod 600 "$work/fixture.key"
export SLUICE_FIXTURE_PASSPHRASE="sluice fixture v1"

record() {  # file input key
    printf '%s %s %s %s %s\n' "$1" "$2" "$(sha256sum < "$work/$2" | cut -d' ' -f1)" "$(stat -c %s "$work/$2")" "$3" >> MANIFEST
}
pack() {  # name input key args...
    local name=$1 input=$2 key=$3; shift 3
    "$sluice" pack -q --chunk-size 4K -o "$name.slc" "$@" "$work/$input"
    record "$name.slc" "$input" "$key"
}
for codec in store lz4 lz4hc zstd brotli; do
    pack "$codec-text" text none --codec "$codec"
done
pack zstd-level19-text text none --codec zstd -l 19
pack brotli-window10-text text none --codec brotli --window 10 -l 1
pack lz4hc-aes-keyfile-text text keyfile --codec lz4hc --cipher aes-256-gcm --key-file "$work/fixture.key"
pack zstd-aes-passphrase-text text passphrase --codec zstd --cipher aes-256-gcm \
    --passphrase-env SLUICE_FIXTURE_PASSPHRASE --kdf-cost 10
pack brotli-chacha-keyfile-text text keyfile --codec brotli --cipher chacha20-poly1305 --key-file "$work/fixture.key"
pack lz4-chacha-passphrase-text text passphrase --codec lz4 --cipher chacha20-poly1305 \
    --passphrase-env SLUICE_FIXTURE_PASSPHRASE --kdf-cost 10
pack store-aes-keyfile-sha256-text text keyfile --codec store --cipher aes-256-gcm --key-file "$work/fixture.key" --checksum sha256
pack zstd-sha256-text text none --codec zstd --checksum sha256
pack zstd-chacha-passphrase-sha256-text text passphrase --codec zstd --cipher chacha20-poly1305 \
    --passphrase-env SLUICE_FIXTURE_PASSPHRASE --kdf-cost 10 --checksum sha256
pack zstd-nometa-text text none --codec zstd --no-keep-metadata
pack zstd-small small none --codec zstd
pack zstd-empty empty none --codec zstd
pack zstd-aes-keyfile-empty empty keyfile --codec zstd --cipher aes-256-gcm --key-file "$work/fixture.key"
pack zstd-random random none --codec zstd
pack lz4-chacha-keyfile-random random keyfile --codec lz4 --cipher chacha20-poly1305 --key-file "$work/fixture.key"
# From a pipe: the metadata block records an unknown size and no name.
"$sluice" pack -q --chunk-size 4K --codec zstd -c - < "$work/text" > zstd-stdin-text.slc
record zstd-stdin-text.slc text none
mkdir -p plain && for f in text small empty random; do cp "$work/$f" "plain/$f"; done
ls -l
