#!/usr/bin/env bash
# Builds the benchmark corpus from files already on a Debian machine: a tar stream of real text
# (C headers, Python sources, documentation) and real binaries (ELF executables and libraries),
# sorted so the same machine gives the same bytes. Nothing generated; nothing committed.
#
#   scripts/corpus.sh OUT [SIZE_MIB]      (default 512 MiB)
set -euo pipefail
out=${1:?usage: corpus.sh OUT [SIZE_MIB]}
size_mib=${2:-512}
[ -s "$out" ] && [ "$(stat -c %s "$out")" -eq $((size_mib << 20)) ] && { echo "corpus: $out exists"; exit 0; }

text=$(mktemp)
binaries=$(mktemp)
trap 'rm -f "$text" "$binaries"' EXIT
find /usr/include /usr/share/doc /usr/share/perl* /usr/lib/python3* /root/.pyenv/versions \
     -type f \( -name '*.h' -o -name '*.py' -o -name '*.pm' -o -name '*.txt' -o -name '*.html' -o -name '*.md' \
     -o -name 'changelog*' -o -name '*.rst' -o -name '*.json' -o -name '*.c' \) -size -2M 2>/dev/null | sort > "$text"
find /opt/swift/usr/bin /usr/lib/x86_64-linux-gnu /usr/bin -type f -size +64k -size -64M 2>/dev/null | sort > "$binaries"
# Half text, half binaries, each a tar stream of real files cut to size.
half=$((size_mib << 19))
{
  tar --no-recursion -cf - -T "$text" 2>/dev/null | head -c "$half" || true
  tar --no-recursion -cf - -T "$binaries" 2>/dev/null | head -c "$half" || true
} > "$out.part"
actual=$(stat -c %s "$out.part")
if [ "$actual" -lt $((size_mib << 20)) ]; then
  echo "corpus: only $actual bytes of files found; using what there is" >&2
fi
mv "$out.part" "$out"
echo "corpus: $out, $(stat -c %s "$out") bytes"
