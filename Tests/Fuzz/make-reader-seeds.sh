#!/usr/bin/env bash
# Seeds of the fuzz targets added after make-corpus.sh (archive, recipient, seek-table, and .slc files encrypted
# to recipients for the slc target), with a built `sluice`:
#   Tests/Fuzz/make-reader-seeds.sh .build/debug/sluice
# Recipient files use the fuzz identity (Fuzz/Sources/SluiceFuzz/SlcFuzz.swift, fuzzIdentity); archives the fuzz
# key file. Encrypted outputs get fresh salts and shares on every run: the committed files are what the runs used.
set -euo pipefail
sluice=$(realpath "$1")
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
recipient=age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef
other=age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
python3 - "$work" <<'PY'
import os, random, sys
d = sys.argv[1]
random.seed(2)
words = ["sluice", "member", "tar", "index", "footer", "pax"]
text = " ".join(random.choice(words) for _ in range(1500)).encode()[:6000]
open(f"{d}/text", "wb").write(text)
os.makedirs(f"{d}/tree/sub", exist_ok=True)
open(f"{d}/tree/a.txt", "wb").write(text[:3000])
open(f"{d}/tree/sub/b.bin", "wb").write(bytes(random.getrandbits(8) for _ in range(700)))
open(f"{d}/tree/empty", "wb").write(b"")
os.symlink("a.txt", f"{d}/tree/link")
open(f"{d}/fuzz.key", "wb").write(bytes([0x5A]) * 32)
PY
chmod 600 "$work/fuzz.key"

# .slc files encrypted to the fuzz identity (one and two recipients): the slc target opens them.
for cipher in aes-256-gcm chacha20-poly1305; do
    "$sluice" pack -q --chunk-size 4K --cipher "$cipher" -r "$recipient" -o "corpus/container/zstd-$cipher-recipient-text.slc" "$work/text"
done
"$sluice" pack -q --chunk-size 4K --codec lz4 -r "$recipient" -r "$other" -o corpus/container/lz4-two-recipients-text.slc "$work/text"

# The recipient target: the recipient blocks of those files (after the 25-byte fixed header and the
# 52-byte key block: a 2-byte count, then 65 bytes per stanza).
mkdir -p corpus/recipient && rm -f corpus/recipient/*
python3 - corpus/container corpus/recipient <<'PY'
import sys, struct
src, out = sys.argv[1], sys.argv[2]
for name in ["zstd-aes-256-gcm-recipient-text", "lz4-two-recipients-text"]:
    data = open(f"{src}/{name}.slc", "rb").read()
    count = struct.unpack_from("<H", data, 77)[0]
    open(f"{out}/{name}", "wb").write(data[77:77 + 2 + 65 * count])
PY

# The archive target: small archives, plain and with the fuzz key file.
mkdir -p corpus/archive && rm -f corpus/archive/*
(cd "$work" && "$sluice" pack -q --archive --chunk-size 4K -o "$OLDPWD/corpus/archive/plain.tar.slc" tree)
(cd "$work" && "$sluice" pack -q --archive --chunk-size 4K --codec lz4 --checksum sha256 -o "$OLDPWD/corpus/archive/lz4-sha256.tar.slc" tree)
(cd "$work" && "$sluice" pack -q --archive --chunk-size 4K --cipher aes-256-gcm --key-file fuzz.key -o "$OLDPWD/corpus/archive/keyfile.tar.slc" tree)

# The seek-table target: the seekable files Sluice writes, and ones cut to their last frames.
mkdir -p corpus/seek-table && rm -f corpus/seek-table/*
"$sluice" pack -q --format zstd --chunk-size 4K -o "$work/t.zst" "$work/text"
cp "$work/t.zst" corpus/seek-table/sluice-text.zst
cp corpus/zstd/sluice-empty.zst corpus/seek-table/sluice-empty.zst
ls corpus/recipient corpus/archive corpus/seek-table
