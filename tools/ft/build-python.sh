#!/bin/sh
# Build a free-threaded CPython (./configure --disable-gil) from Debian's source archive and
# cache it, for `make test-ft` (docs/FREE_THREADING.md).  A second run is instant.
#
# Debian is the only source this workplace reaches (python.org and GitHub are not), so the
# tarball is found through Debian's Sources index and checked against its sha256 there.
# Candidates, newest first: python3.14 (unstable) then python3.13 (trixie).  Prefer 3.14t:
# cffi 2.x supports free-threading there; on 3.13t the C core loads through the fallback
# loader (redistill/_core_loader.py).  Override with FT_CANDIDATES="suite:package ...".
#
# Prints the interpreter's path as its last line.
set -eu
CACHE=${REDISTILL_FT_CACHE:-$HOME/.cache/redistill}
PREFIX=${REDISTILL_FT_PREFIX:-$CACHE/py-ft}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
FT_CANDIDATES=${FT_CANDIDATES:-"sid:python3.14 trixie:python3.13"}
PY=$PREFIX/bin/python-ft

is_ft() {   # the cached interpreter exists and really is a free-threaded build
    [ -x "$PY" ] && "$PY" -c 'import sys, sysconfig; sys.exit(not sysconfig.get_config_var("Py_GIL_DISABLED"))'
}
if is_ft; then echo "$PY"; exit 0; fi

# Only what the interpreter needs for pip, venv, ssl, ctypes and the stdlib modules we use.
DEPS="build-essential pkg-config libssl-dev zlib1g-dev libffi-dev libbz2-dev liblzma-dev \
libsqlite3-dev libreadline-dev uuid-dev xz-utils curl"
missing=$(for p in $DEPS; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi

mkdir -p "$CACHE/src"
cd "$CACHE/src"
# orig_of SUITE PACKAGE -> "NAME SHA256" of the newest orig tarball the Sources index lists.
orig_of() {
    [ -s "Sources-$1" ] || curl -fsS -m 300 "$MIRROR/dists/$1/main/source/Sources.xz" | xz -dc > "Sources-$1"
    awk -v pkg="$2" '
        /^Package: / { inpkg = ($2 == pkg); insha = 0 }
        inpkg && /^Checksums-Sha256:/ { insha = 1; next }
        inpkg && insha && /^ / && $3 ~ /\.orig\.tar\.xz$/ { print $3, $1 }
        inpkg && insha && !/^ / { insha = 0 }' "Sources-$1" | sort -V | tail -1
}
TARBALL=
for cand in $FT_CANDIDATES; do
    suite=${cand%%:*}; pkg=${cand#*:}
    set -- $(orig_of "$suite" "$pkg") ""
    name=$1; sha=${2:-}
    [ -n "$name" ] || continue
    if [ ! -s "$name" ]; then
        echo "fetching $name ($suite)" >&2
        curl -fsS -m 600 -o "$name.part" "$MIRROR/pool/main/p/$pkg/$name" || { rm -f "$name.part"; continue; }
        mv "$name.part" "$name"
    fi
    if echo "$sha  $name" | sha256sum -c --quiet; then TARBALL=$name; break; fi
    rm -f "$name"
done
[ -n "$TARBALL" ] || { echo "no CPython source tarball could be fetched" >&2; exit 1; }

tar tJf "$TARBALL" >/dev/null    # unpacks cleanly (truncated downloads fail here)
VER=$(echo "$TARBALL" | sed 's/^python[0-9.]*_\(.*\)\.orig\.tar\.xz$/\1/')
rm -rf "Python-$VER" && tar xJf "$TARBALL"
cd "Python-$VER"
# No PGO/LTO: the machine has 2 shared cores; this build is for correctness, not speed numbers.
./configure -q --disable-gil --prefix="$PREFIX" --with-ensurepip=install >../configure.log 2>&1
nice -n 10 make -s -j2 >../make.log 2>&1
make -s install >../install.log 2>&1
ln -sf "$(basename "$(ls "$PREFIX"/bin/python3.*t | head -1)")" "$PY"
is_ft || { echo "built interpreter is not free-threaded" >&2; exit 1; }
echo "$PY"
