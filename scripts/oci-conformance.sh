#!/usr/bin/env bash
# The OCI runtime-tools validation suite against runc and against haco's OCI runtime (bin/haco-oci),
# on the same host in the same run, side by side (issue 16; docs/oci-runtime.md "Conformance").
#
#   bash scripts/oci-conformance.sh [--out DIR] [--timeout SECONDS] [--only NAME,NAME…] [--runtimes runc,haco]
#
# 1. Builds the suite once into a writable copy under the cache dir ($HACO_TEST_CACHE, default
#    /var/cache/haco-test): the sources ($HACO_OCI_TOOLS_SRC, default /work/shared/oci-runtime-tools, the
#    suite's vendored Go dependencies included) are copied there and built offline (GOFLAGS=-mod=vendor,
#    GOCACHE and GOPATH in the cache dir) with Go >= 1.21 (/usr/lib/go-1.22/bin, scripts/setup.sh --dev).
#    A copy whose stamp names the same source commit is reused.
# 2. Runs every validation/NAME/NAME.t from the suite's root with RUNTIME=runc, then RUNTIME=haco-oci,
#    each under `timeout` (default 120 s per binary). Each runtime gets its own state root under DIR
#    (a small wrapper passes --root), so the cleanup after each binary touches only what the suite made:
#    containers left in that root are deleted (--force), mounts it left under /tmp/ocitest* are
#    unmounted (umount -R) and those directories removed.
# 3. Writes DIR/RUNTIME/NAME.{tap,err,rc,seconds} and prints a table (binary, runc ok/not ok/skip,
#    haco ok/not ok/skip), the totals and each runtime's wall time. TAP lines are counted: `ok` (a `# SKIP`
#    directive counts as skip), `not ok`.
# The run must hold the root-test lock (it creates containers and cgroups):
#   flock /tmp/haco-root-tests.lock bash scripts/oci-conformance.sh
# Exit status 0 when both runs completed (the scores are the result, not the status); 2 on a usage or
# build error.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${HACO_TEST_CACHE:-/var/cache/haco-test}/oci-runtime-tools
src=${HACO_OCI_TOOLS_SRC:-/work/shared/oci-runtime-tools}
go_bin=${HACO_GO_BIN:-/usr/lib/go-1.22/bin}
out=
per_binary_timeout=120
only=
runtimes=runc,haco

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --timeout) per_binary_timeout=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --runtimes) runtimes=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "oci-conformance: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "oci-conformance: needs root (the suite creates containers)" >&2; exit 2; }
for tool in timeout make cp umount runc; do
  command -v "$tool" >/dev/null || { echo "oci-conformance: $tool is missing: bash scripts/setup.sh --dev" >&2; exit 2; }
done
[ -x "$go_bin/go" ] || { echo "oci-conformance: no Go at $go_bin/go: bash scripts/setup.sh --dev (golang-1.22-go)" >&2; exit 2; }
[ -f "$src/Makefile" ] || { echo "oci-conformance: no runtime-tools sources at $src (set HACO_OCI_TOOLS_SRC)" >&2; exit 2; }
[ -d "$repo/dist" ] || { echo "oci-conformance: build haco first: node scripts/build.mjs" >&2; exit 2; }

# --- 1. build the suite once --------------------------------------------------------------------------
suite=$cache/src
stamp_want=$( (cd "$src" && git rev-parse HEAD 2>/dev/null) || cat "$src/VERSION")
stamp_want="$stamp_want $(ls -l --time-style=+%s "$src/Makefile" | awk '{print $6}')"
if [ "$(cat "$cache/stamp" 2>/dev/null)" != "$stamp_want" ] || [ ! -x "$suite/runtimetest" ]; then
  echo "oci-conformance: building the suite in $suite" >&2
  rm -rf "$suite" && mkdir -p "$cache/gocache" "$cache/gopath" && cp -a "$src" "$suite" || exit 2
  t0=$(date +%s)
  if ! (cd "$suite" && PATH=$go_bin:$PATH GOFLAGS=-mod=vendor GOPROXY=off GOTOOLCHAIN=local \
        GOCACHE=$cache/gocache GOPATH=$cache/gopath make all >"$cache/build.log" 2>&1); then
    echo "oci-conformance: building the suite failed; $cache/build.log:" >&2
    tail -30 "$cache/build.log" >&2
    exit 2
  fi
  echo "$stamp_want" >"$cache/stamp"
  echo "oci-conformance: suite built in $(($(date +%s) - t0)) s" >&2
fi

mapfile -t binaries < <(cd "$suite/validation" && for d in */; do d=${d%/}; [ -x "$d/$d.t" ] && echo "$d"; done | sort)
if [ -n "$only" ]; then
  IFS=, read -r -a wanted <<<"$only"
  binaries=("${wanted[@]}")
fi

[ -n "$out" ] || out=$cache/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
out=$(cd "$out" && pwd)

# --- 2. run every binary per runtime --------------------------------------------------------------------
ocitest_dirs() { find /tmp -maxdepth 1 -name 'ocitest*' 2>/dev/null | sort; }

# Mounts and directories the binary left under /tmp/ocitest* (only ones that were not there before it).
cleanup_tmp() {
  local before=$1 d
  while read -r d; do
    [ -n "$d" ] || continue
    grep -qxF "$d" <<<"$before" && continue
    if grep -q " $d[/ ]" /proc/self/mountinfo; then umount -R "$d" 2>/dev/null || umount -R -l "$d" 2>/dev/null; fi
    rm -rf --one-file-system "$d" 2>/dev/null
  done < <(ocitest_dirs)
}

# The cgroups the suite's cgroupsPath cases name (runc leaves the relative ones, testdir/cgrouptest, behind
# in every hierarchy): removed after each binary when it made them and they are empty (rmdir, deepest first).
suite_cgroups() {
  local m p
  for m in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
    for p in testdir/cgrouptest/container testdir/cgrouptest testdir cgrouptest/container cgrouptest; do
      [ -d "$m$p" ] && echo "$m$p"
    done
  done
}
cleanup_cgroups() {
  local before=$1 d
  while read -r d; do
    [ -n "$d" ] || continue
    grep -qxF "$d" <<<"$before" && continue
    rmdir "$d" 2>/dev/null
  done < <(suite_cgroups)
}

# Containers left in this runtime's own root.
cleanup_containers() {
  local runtime=$1 root=$2 id
  case $runtime in
    runc) for id in $(runc --root "$root" list -q 2>/dev/null); do runc --root "$root" delete --force "$id" >/dev/null 2>&1; done ;;
    haco) for id in $(ls "$root" 2>/dev/null); do "$repo/bin/haco-oci" --root "$root" delete --force "$id" >/dev/null 2>&1; done ;;
  esac
}

run_runtime() {
  local runtime=$1 dir=$out/$1 root wrapper name t0 t1 before cgroups_before rc start_all
  mkdir -p "$dir"
  root=$dir/state
  mkdir -p "$root"
  wrapper=$dir/runtime
  case $runtime in
    runc) printf '#!/bin/sh\nexec runc --root %s "$@"\n' "$root" >"$wrapper" ;;
    haco) printf '#!/bin/sh\nexec %s --root %s "$@"\n' "$repo/bin/haco-oci" "$root" >"$wrapper" ;;
    *) echo "oci-conformance: unknown runtime $runtime (runc, haco)" >&2; exit 2 ;;
  esac
  chmod 755 "$wrapper"
  start_all=$(date +%s%N)
  for name in "${binaries[@]}"; do
    before=$(ocitest_dirs)
    cgroups_before=$(suite_cgroups)
    t0=$(date +%s%N)
    (cd "$suite" && RUNTIME=$wrapper timeout -k 10 "$per_binary_timeout" "./validation/$name/$name.t" \
      >"$dir/$name.tap" 2>"$dir/$name.err" </dev/null)
    rc=$?
    t1=$(date +%s%N)
    echo "$rc" >"$dir/$name.rc"
    echo $(((t1 - t0) / 1000000)) >"$dir/$name.ms"
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then echo "timeout after ${per_binary_timeout}s" >>"$dir/$name.err"; fi
    cleanup_containers "$runtime" "$root"
    cleanup_tmp "$before"
    cleanup_cgroups "$cgroups_before"
  done
  echo $((($(date +%s%N) - start_all) / 1000000)) >"$dir/total.ms"
  rm -rf "$root" "$wrapper"
}

IFS=, read -r -a runtime_list <<<"$runtimes"
for r in "${runtime_list[@]}"; do
  echo "oci-conformance: ${#binaries[@]} binaries with $r" >&2
  run_runtime "$r"
done

# --- 3. the table -----------------------------------------------------------------------------------------
# ok / not ok / skip counts of one TAP file
counts() {
  local f=$1
  [ -f "$f" ] || { echo "- - -"; return; }
  awk '
    /^not ok/ { n++; next }
    /^ok/ { if (tolower($0) ~ /# *skip/) s++; else o++ }
    END { printf "%d %d %d\n", o, n, s }' "$f"
}
declare -A tot
header=$(printf '%-32s' binary)
for r in "${runtime_list[@]}"; do header+=$(printf ' | %-6s %5s %6s %5s' "$r" ok 'not ok' skip); done
echo "$header"
for name in "${binaries[@]}"; do
  line=$(printf '%-32s' "$name")
  for r in "${runtime_list[@]}"; do
    read -r o n s <<<"$(counts "$out/$r/$name.tap")"
    rc=$(cat "$out/$r/$name.rc" 2>/dev/null || echo -)
    line+=$(printf ' | rc=%-3s %5s %6s %5s' "$rc" "$o" "$n" "$s")
    tot[$r.ok]=$((${tot[$r.ok]:-0} + o)); tot[$r.notok]=$((${tot[$r.notok]:-0} + n)); tot[$r.skip]=$((${tot[$r.skip]:-0} + s))
  done
  echo "$line"
done
line=$(printf '%-32s' total)
for r in "${runtime_list[@]}"; do line+=$(printf ' | %-6s %5s %6s %5s' '' "${tot[$r.ok]}" "${tot[$r.notok]}" "${tot[$r.skip]}"); done
echo "$line"
for r in "${runtime_list[@]}"; do
  printf '%s: %d ok, %d not ok, %d skip over %d binaries in %.1f s\n' "$r" "${tot[$r.ok]}" "${tot[$r.notok]}" "${tot[$r.skip]}" \
    "${#binaries[@]}" "$(awk '{print $1 / 1000}' "$out/$r/total.ms")"
done
echo "results: $out"
