#!/usr/bin/env bash
# Builds, with Clang 19 and libc++, the libraries the recorder and its tests link that Debian ships
# only for libstdc++ (a library's C++ types differ between the two standard libraries, so they do
# not link together): Abseil, from Debian's own source package of the installed version, and
# GoogleTest, from Debian's /usr/src/googletest. Installs them into PREFIX (once: a second run only
# prints PREFIX). Used by the libc++ cell of scripts/asio-matrix.sh.
#
#   scripts/libcxx-deps.sh PREFIX
set -euo pipefail
cd "$(dirname "$0")/.."

prefix="$(mkdir -p "$1" && cd "$1" && pwd)"
work="$prefix.work"
if [ -f "$prefix/.complete" ]; then
  echo "$prefix"
  exit 0
fi
rm -rf "$work" && mkdir -p "$work"

# Debian's source package, fetched with a source list of our own made from the system's (the same
# archive, as deb-src), so that the system's apt configuration is left as it is.
apt_dir="$work/apt"
mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
for list in /etc/apt/sources.list.d/*.sources; do
  [ -e "$list" ] || continue
  sed 's/^Types: deb$/Types: deb-src/' "$list" >"$apt_dir/parts/$(basename "$list")"
done
if [ -f /etc/apt/sources.list ]; then
  sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >"$apt_dir/parts/system.list"
fi
apt_options=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt_dir/parts"
             -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")
apt-get "${apt_options[@]}" update -qq >&2
version="$(dpkg-query -W -f='${source:Version}' libabsl-dev)"  # the Abseil the system has
(cd "$work" && apt-get "${apt_options[@]}" source -qq "abseil=$version" >/dev/null 2>&1) ||
  { echo "libcxx-deps: could not fetch Debian's source of abseil $version" >&2; exit 1; }
abseil_source="$(find "$work" -maxdepth 1 -type d -name 'abseil-*' | head -n 1)"

common=(-G Ninja -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_CXX_FLAGS=-stdlib=libc++
        -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DNDEBUG"
        -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_INSTALL_PREFIX="$prefix")
if command -v ccache >/dev/null; then
  common+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=true
fi
build() {  # name source [cmake options]: configure, build and install one library, quietly
  local name="$1" source="$2"
  shift 2
  { cmake -S "$source" -B "$work/$name" "${common[@]}" "$@" &&
    cmake --build "$work/$name" --parallel "$(nproc)" &&
    cmake --install "$work/$name"; } >"$work/$name.log" 2>&1 ||
    { tail -n 30 "$work/$name.log" >&2; echo "libcxx-deps: building $name failed" >&2; exit 1; }
}
build abseil "$abseil_source" -DCMAKE_CXX_STANDARD=20 -DABSL_PROPAGATE_CXX_STD=ON -DBUILD_TESTING=OFF
build googletest /usr/src/googletest -DBUILD_GMOCK=OFF

rm -rf "$work"
touch "$prefix/.complete"
echo "$prefix"
