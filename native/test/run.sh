#!/bin/bash
# Native tests of haco-launch: hand-written launch specs, run as root against a
# busybox rootfs, checked against what the kernel shows (/proc, cgroupfs, exit
# statuses). Usage: native/test/run.sh path/to/haco-launch
#
# Everything is created under one temp dir and one cgroup name per run, and
# removed by the EXIT trap, even when a check fails or the run is interrupted.
set -u

BIN=$(readlink -f "${1:?usage: run.sh path/to/haco-launch}")
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (namespaces, mounts, cgroups)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "run.sh: $BIN is not executable" >&2; exit 2; }
BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || { echo "run.sh: needs a static busybox at $BUSYBOX (apt-get install busybox-static)" >&2; exit 2; }

# The asan build needs no ASAN_OPTIONS: LeakSanitizer only runs at exit(), and the
# only process that calls exit() is the launcher on the host side. The child (and
# the reaper, hooks, cleanup commands) always leave through execve() or _exit(),
# so LSan never tries to stop the world from inside a new pid/user namespace.

T=$(mktemp -d /tmp/haco-native-test.XXXXXX)
chmod 755 "$T" # a uid-mapped "root" (host uid 100000) must be able to walk into it
ROOT=$T/rootfs
ID=native-test-$$-$RANDOM
CTRLS="cpu memory pids"
PASS=0
FAIL=0
BG=()
MADE_HACO_CG=()
ESCAPE_NAME=haco-escape-$ID

cleanup() {
	for p in "${BG[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	# our mounts only: the ones under $T, deepest first
	local m
	for m in $(awk -v t="$T" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	for c in $CTRLS; do
		[ -d /sys/fs/cgroup/$c/haco/$ID ] && rmdir /sys/fs/cgroup/$c/haco/$ID 2>/dev/null
	done
	for d in "${MADE_HACO_CG[@]}"; do rmdir "$d" 2>/dev/null; done
	# leftovers of a failed symlink-escape check would be on the host: remove them
	rmdir "/etc/$ESCAPE_NAME" "/$ESCAPE_NAME" 2>/dev/null
	if awk -v t="$T" 'index($5, t) == 1 { f = 1 } END { exit !f }' /proc/self/mountinfo; then
		echo "run.sh: mounts remain under $T, not removing it" >&2
	else
		[ -n "${KEEP:-}" ] && echo "kept $T" || rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
bad() {
	FAIL=$((FAIL + 1))
	echo "FAIL $1"
	shift
	[ $# -gt 0 ] && printf '     %s\n' "$@"
	return 0
}
# check DESC COMMAND...: passes when COMMAND succeeds
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d" "[${NAME:-}] rc=${RC:-} out: $(head -c 600 "$T/${NAME:-x}.out" 2>/dev/null)" "err: $(head -c 600 "$T/${NAME:-x}.err" 2>/dev/null)"; fi
}
has() { grep -q -- "$2" "$T/$1"; }     # has FILE PATTERN
hasline() { grep -qxF -- "$2" "$T/$1"; } # hasline FILE EXACT-LINE
hasnt() { ! grep -q -- "$2" "$T/$1"; } # hasnt FILE PATTERN
eq() { [ "$1" = "$2" ]; }

# Percent-encode one field (docs/launch-spec.md, Encoding).
enc() {
	local s=$1 out='' ch i
	[ -z "$s" ] && { printf '%%-'; return; }
	for ((i = 0; i < ${#s}; i++)); do
		ch=${s:i:1}
		case $ch in
		'%') out+='%25' ;; ' ') out+='%20' ;; $'\n') out+='%0A' ;; $'\t') out+='%09' ;;
		*) out+=$ch ;;
		esac
	done
	printf '%s' "$out"
}

# Spec building blocks. Phase 1 / 2 / pre-switch / post-switch extra lines in
# P1 P2 PRE POST (newline separated), set before calling mkspec.
STDROOT="propagation / rprivate
bind-root $ROOT
mount proc /proc proc nosuid,nodev,noexec -
mount tmpfs /dev tmpfs nosuid mode=755
mknod-bind null /dev/null
mknod-bind zero /dev/zero"

# mkspec NAME SPAWN-KINDS SCRIPT: a spec running `sh -c SCRIPT` in the busybox rootfs
mkspec() {
	local name=$1 kinds=$2 script=$3
	{
		echo "haco-launch 1"
		echo "# test $name"
		echo "name $name"
		[ -n "${P1:-}" ] && echo "$P1"
		echo "spawn $kinds"
		[ -n "${P2:-}" ] && echo "$P2"
		echo "release"
		[ -n "${EARLY:-}" ] && echo "$EARLY"
		if [ "${NOROOT:-}" != 1 ]; then
			echo "$STDROOT"
			[ -n "${PRE:-}" ] && echo "$PRE"
			case ",$kinds," in *,uts,*) echo "hostname $name" ;; esac
			echo "pivot-root $ROOT"
		fi
		echo "env-clear"
		echo "env PATH /bin"
		[ -n "${POST:-}" ] && echo "$POST"
		echo "exec /bin/sh -c $(enc "$script")"
	} >"$T/$name.spec"
	P1='' P2='' EARLY='' PRE='' POST='' NOROOT=''
}

# run NAME [launcher args]: foreground, output in NAME.out / NAME.err, status in RC
run() {
	NAME=$1
	shift
	timeout -s KILL 30 "$BIN" "$@" --spec "$T/$NAME.spec" >"$T/$NAME.out" 2>"$T/$NAME.err" </dev/null
	RC=$?
}
# start NAME: in the background (pid in LPID); waits for $ROOT/ready-NAME
start() {
	NAME=$1
	rm -f "$ROOT/ready-$NAME"
	"$BIN" --spec "$T/$NAME.spec" >"$T/$NAME.out" 2>"$T/$NAME.err" </dev/null &
	LPID=$!
	BG+=("$LPID")
	for _ in $(seq 100); do [ -e "$ROOT/ready-$NAME" ] && return 0; sleep 0.05; done
	return 1
}
finish() { # finish: wait for the background launcher, status in RC
	local i
	for i in $(seq 200); do kill -0 "$LPID" 2>/dev/null || break; sleep 0.05; done
	kill -0 "$LPID" 2>/dev/null && kill -9 "$LPID"
	{ wait "$LPID"; } 2>/dev/null
	RC=$?
}

# ---- the rootfs -----------------------------------------------------------------
mkdir -p "$ROOT/bin" "$ROOT/etc" "$ROOT/secret" "$ROOT/data" "$ROOT/work" "$ROOT/tmp"
cp "$BUSYBOX" "$ROOT/bin/busybox"
# chroot: the links must say /bin/busybox, not the host path of the rootfs
chroot "$ROOT" /bin/busybox --install -s /bin
[ -e "$ROOT/bin/sh" ] || { echo "run.sh: busybox --install failed" >&2; exit 2; }
echo 'root:x:0:0:root:/:/bin/sh' >"$ROOT/etc/passwd"
echo 'top secret' >"$ROOT/secret/file"
echo 'some data' >"$ROOT/data/file"
echo 'not a program' >"$ROOT/notexec"
chmod 644 "$ROOT/notexec"
ln -s /etc "$ROOT/escape"                # absolute: must mean ROOT/etc, not the host's /etc
ln -s ../../../../../../.. "$ROOT/up"    # climbing: must stop at ROOT
touch "$T/outside-marker"

echo "# haco-launch native tests: $BIN"

# ---- namespaces, hostname, PID 1, exit status -------------------------------------
mkspec ns mount,uts,ipc,pid,net 'for n in mnt uts ipc pid net user cgroup time; do echo "$n=$(readlink /proc/self/ns/$n)"; done; echo "pid=$$"; echo "host=$(hostname)"; exit 3'
run ns
check "exit status of the container is the launcher's (3)" eq "$RC" 3
for n in mnt uts ipc pid net; do
	check "ns $n differs from the host" bash -c "! grep -qxF '$n=$(readlink /proc/self/ns/$n)' '$T/ns.out'"
done
for n in user cgroup time; do
	check "ns $n equals the host" hasline ns.out "$n=$(readlink /proc/self/ns/$n)"
done
check "PID 1 in a new pid namespace" has ns.out '^pid=1$'
check "hostname set inside" has ns.out '^host=ns$'
check "host hostname unchanged" bash -c '[ "$(hostname)" != ns ]'

# ---- --spec-fd and stdin ----------------------------------------------------------------------
NAME=ns
timeout -s KILL 30 "$BIN" --spec-fd 7 7<"$T/ns.spec" >"$T/ns.out" 2>"$T/ns.err" </dev/null
RC=$?
check "--spec-fd 7 reads the spec from fd 7" eq "$RC" 3
timeout -s KILL 30 "$BIN" --spec - <"$T/ns.spec" >"$T/ns.out" 2>"$T/ns.err"
RC=$?
check "--spec - reads the spec from stdin" eq "$RC" 3

# ---- --trace ---------------------------------------------------------------------------
run ns --trace
check "trace: clone flags" has ns.err '^\[haco\] clone(CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWPID|CLONE_NEWNET|SIGCHLD) = [0-9]'
check "trace: sethostname" has ns.err '^\[haco\] sethostname("ns") = 0'
check "trace: pivot_root" has ns.err '^\[haco\] pivot_root(".", ".") = 0'
check "trace: execvp" has ns.err '^\[haco\] execvp("/bin/sh", \["/bin/sh", "-c"'

# ---- file descriptors: only 0-2 (and preserve-fds) reach the container and the hooks ------------
# The caller has a host directory open on fd 7 (runc's CVE-2024-21626: /proc/self/fd/7/.. is the host).
P1="hook /bin/sh -c $(enc "ls /proc/self/fd | tr '\n' ' ' >$T/hook.fds")" mkspec fds mount,uts,ipc,pid 'ls /proc/self/fd | tr "\n" " "; echo; cat /proc/self/fd/7/outside-marker 2>/dev/null && echo LEAK; echo "listen=${LISTEN_FDS:-}:${LISTEN_PID:-}"'
NAME=fds
timeout -s KILL 30 "$BIN" --spec "$T/fds.spec" >"$T/fds.out" 2>"$T/fds.err" </dev/null 7<"$T"
RC=$?
check "fds: the container sees 0 1 2 (3 is ls's own)" hasline fds.out "0 1 2 3 "
check "fds: fd 7 of the caller did not reach it" hasnt fds.out LEAK
check "fds: no LISTEN_* without preserve-fds" hasline fds.out "listen=:"
check "fds: a host hook sees 0 1 2 (3 is ls's own)" eq "$(cat "$T/hook.fds" 2>/dev/null)" "0 1 2 3 "
P1="preserve-fds 1" POST="env LISTEN_FDS 1" mkspec fdp mount,uts,ipc,pid 'ls /proc/self/fd | tr "\n" " "; echo; cat <&3; echo "listen=${LISTEN_FDS:-}:${LISTEN_PID:-}:$$"'
NAME=fdp
timeout -s KILL 30 "$BIN" --spec "$T/fdp.spec" >"$T/fdp.out" 2>"$T/fdp.err" </dev/null 3<"$ROOT/data/file" 7<"$T"
RC=$?
check "preserve-fds 1: fd 3 passes, 7 does not (4 is ls's own)" hasline fdp.out "0 1 2 3 4 "
check "preserve-fds 1: fd 3 is the caller's file" hasline fdp.out "some data"
check "preserve-fds 1: LISTEN_PID is the command's pid" hasline fdp.out "listen=1:1:1"
# A filter that kills on close_range: the fds are marked before it is loaded, not at exec.
POST="seccomp allow
seccomp-rule kill_process close_range -
seccomp-load" mkspec fdsec mount,uts,ipc,pid 'ls /proc/self/fd | tr "\n" " "'
NAME=fdsec
timeout -s KILL 30 "$BIN" --spec "$T/fdsec.spec" >"$T/fdsec.out" 2>"$T/fdsec.err" </dev/null 7<"$T"
RC=$?
check "fds with a filter that kills on close_range: runs (0), sees 0 1 2 (3 is ls's own)" bash -c "[ $RC = 0 ] && [ \"\$(cat '$T/fdsec.out')\" = '0 1 2 3 ' ]"
P1="preserve-fds 1001" mkspec fdbad mount 'true'
run fdbad
check "preserve-fds over 1000 is refused before anything runs (125)" eq "$RC" 125
check "preserve-fds: the message says the range" has fdbad.err 'preserve-fds takes a number of fds, 0 to 1000'

# ---- plain fork, no namespaces ---------------------------------------------------------
NOROOT=1 mkspec plain - 'echo "mnt=$(readlink /proc/self/ns/mnt)"; exit 7'
run plain
check "spawn - : plain fork, exit 7" eq "$RC" 7
check "spawn - : same mount namespace" hasline plain.out "mnt=$(readlink /proc/self/ns/mnt)"

# ---- report-oom: read after the exit, reported only when the count is not 0 -------------
printf 'low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\n' >"$T/oom.events"
printf 'oom_kill_disable 0\nunder_oom 0\noom_kill 0\n' >"$T/oom.none"
P1="report-oom $T/oom.events
report-oom $T/oom.none
report-oom $T/oom.missing" NOROOT=1 mkspec oom - 'exit 0'
run oom
check "report-oom: the container's status is unchanged" eq "$RC" 0
check "report-oom: a count names the OOM killer and the file" has oom.err "^haco-launch: the kernel's OOM killer killed 2 processes in this container: .*(oom_kill 2 in $T/oom.events)\$"
check "report-oom: a zero count and a missing file say nothing" eq "$(wc -l <"$T/oom.err")" 1

# ---- mounts stay inside; host invisible after pivot_root ------------------------------------
PRE="mount tmpfs /mnt/inner tmpfs nosuid size=1m" mkspec mnt mount,pid 'grep -c " /mnt/inner " /proc/self/mountinfo; touch /ready-mnt; sleep 1'
if start mnt; then
	check "a mount inside never shows on the host" bash -c "! grep -q '$T' /proc/self/mountinfo"
else
	bad "container mnt did not start" "$(cat "$T/mnt.err")"
fi
finish
check "the mount shows inside" has mnt.out '^1$'

mkspec hidden mount,pid "ls /; [ -e $T/outside-marker ] && echo LEAK; echo lines=\$(wc -l < /proc/self/mountinfo); grep -c cgroup /proc/self/mountinfo"
run hidden
check "host files invisible after pivot_root" hasnt hidden.out LEAK
check "only the container's mounts (5) are left" has hidden.out '^lines=5$'

# ---- target resolution never leaves the rootfs -----------------------------------------------
PRE="mount tmpfs /escape/$ESCAPE_NAME tmpfs - -
mount tmpfs /up/$ESCAPE_NAME tmpfs - -" mkspec escape mount,pid "grep -c $ESCAPE_NAME /proc/self/mountinfo; ls -d /etc/$ESCAPE_NAME /$ESCAPE_NAME"
run escape
check "symlinked targets resolved inside the rootfs (rc 0)" eq "$RC" 0
check "both mounts landed in the rootfs" has escape.out '^2$'
check "absolute symlink did not reach the host's /etc" test ! -e "/etc/$ESCAPE_NAME"
check "../.. symlink did not reach the host's /" test ! -e "/$ESCAPE_NAME"

# ---- capabilities -----------------------------------------------------------------------------
POST="caps 0,1,2 0,1,2 0,1,2 - -" mkspec caps mount,pid 'grep -E "^Cap(Eff|Prm|Bnd|Amb)" /proc/self/status'
run caps
check "CapBnd = chown,dac_override,dac_read_search" has caps.out 'CapBnd:.*0000000000000007$'
check "CapEff = the same" has caps.out 'CapEff:.*0000000000000007$'
check "CapPrm = the same" has caps.out 'CapPrm:.*0000000000000007$'
run caps --trace
check "trace: capset" has caps.err '^\[haco\] capset({_LINUX_CAPABILITY_VERSION_3, 0}, {effective=0x7, permitted=0x7, inheritable=0}) = 0$'

POST="user 1000 1000 -
caps 10 10 10 10 10" mkspec ambient mount,pid 'id -u; grep -E "^Cap(Eff|Bnd|Amb)" /proc/self/status'
run ambient
check "non-root user: uid 1000" has ambient.out '^1000$'
check "non-root user keeps net_bind_service via ambient (CapEff)" has ambient.out 'CapEff:.*0000000000000400$'
check "CapAmb = net_bind_service" has ambient.out 'CapAmb:.*0000000000000400$'
check "CapBnd = net_bind_service" has ambient.out 'CapBnd:.*0000000000000400$'

# ---- rlimits -----------------------------------------------------------------------------------
POST="rlimit NOFILE 123 456" mkspec rlimit mount,pid 'echo "soft=$(ulimit -n) hard=$(ulimit -Hn)"'
run rlimit
check "ulimit -n matches the rlimit (123/456)" has rlimit.out '^soft=123 hard=456$'

# ---- user namespace --------------------------------------------------------------------------------
# `user 0 0 -` first: the child still has the host credentials it was cloned
# with, unmapped in the new namespace (files it creates would get EOVERFLOW).
P2="setgroups deny
uid-map 0:100000:65536
gid-map 0:100000:65536" EARLY="user 0 0 -" mkspec userns user,mount,pid,uts 'echo "uid=$(id -u) gid=$(id -g)"; cat /proc/self/uid_map; readlink /proc/self/ns/user'
run userns
check "uid map: id -u is 0 inside" has userns.out '^uid=0 gid=0$'
check "uid_map as written" bash -c "grep -Eq '^ +0 +100000 +65536\$' '$T/userns.out'"
run userns --trace
check "trace: uid_map written by the parent" has userns.err '^\[haco\] write("/proc/[0-9]*/uid_map", "0 100000 65536") = 0$'
check "user ns differs from the host" bash -c "! grep -qxF '$(readlink /proc/self/ns/user)' '$T/userns.out'"

# ---- seccomp -------------------------------------------------------------------------------------------
POST="no-new-privs
seccomp allow
seccomp-rule errno:1 sethostname -
seccomp-rule errno:13 mkdir -
seccomp-rule errno:13 mkdirat -
seccomp-rule errno:1 kill 1:eq:10
seccomp-rule allow getpid -
seccomp-load" mkspec seccomp mount,uts,pid 'hostname other 2>&1; echo "h=$?"; mkdir /newdir 2>&1; echo "m=$?"; kill -0 $$; echo "k0=$?"; kill -USR1 $$ 2>&1; echo "k10=$?"; hostname'
run seccomp
check "seccomp errno rule: sethostname fails" has seccomp.out '^h=1$'
check "  ... with EPERM" has seccomp.out 'not permitted'
check "seccomp errno rule: mkdir fails with EACCES" has seccomp.out 'ermission denied'
check "seccomp arg rule: kill(pid, 0) allowed" has seccomp.out '^k0=0$'
check "seccomp arg rule: kill(pid, SIGUSR1) denied" has seccomp.out '^k10=1$'
check "hostname unchanged by the denied call" has seccomp.out '^seccomp$'

POST="seccomp allow
seccomp-rule errno:1 no_such_syscall_xyz -
seccomp-load" mkspec secbad mount,pid 'echo should-not-run'
run secbad
check "unknown syscall name: 125" eq "$RC" 125
check "  ... named in the message" has secbad.err 'unknown system call "no_such_syscall_xyz"'

POST="seccomp allow
seccomp-rule errno:1 no_such_syscall_xyz - optional
seccomp-rule errno:1 sethostname - optional
seccomp-load" mkspec secopt mount,uts,pid 'hostname other 2>&1; echo "h=$?"'
run secopt
check "optional unknown syscall name: skipped, not an error" eq "$RC" 0
check "  ... the other optional rules still apply" has secopt.out '^h=1$'

POST="seccomp errno:1
seccomp-rule allow getpid - maybe
seccomp-load" mkspec secflag mount,pid 'echo should-not-run'
run secflag
check "unknown seccomp-rule flag: 125" eq "$RC" 125
check "  ... named in the message" has secflag.err 'unknown flag "maybe"'

# ---- failures and their exit statuses ----------------------------------------------------------------
P1="hint mount ENODEV no%20such%20filesystem%20type" PRE="mount none /x nosuchfs - -" mkspec badmount mount,pid 'echo should-not-run'
run badmount
check "bad mount: 125" eq "$RC" 125
check "  ... step and errno named" has badmount.err '^haco-launch: mount none on /x: ENODEV (No such device)$'
check "  ... hint printed" has badmount.err '^hint: no such filesystem type$'
check "  ... the command did not run" hasnt badmount.out should-not-run

NOROOT=1 mkspec missing mount 'true'
sed -i 's|^exec .*|exec /no/such/command|' "$T/missing.spec"
run missing
check "missing command: 127" eq "$RC" 127
check "  ... exec ENOENT reported" has missing.err '^haco-launch: exec /no/such/command: ENOENT'

mkspec notexec mount,pid 'true'
sed -i 's|^exec .*|exec /notexec|' "$T/notexec.spec"
run notexec
check "not executable: 126" eq "$RC" 126

printf 'haco-launch 1\nspawn -\nrelease\nfrobnicate x\nexec /bin/true\n' >"$T/unknown.spec"
run unknown
check "unknown step: 125 before anything runs" eq "$RC" 125
check "  ... with the line number" has unknown.err 'line 4: unknown step "frobnicate"'
# A namespace typo is caught before phase 1 runs: the hook never fires.
printf 'haco-launch 1\nhook /bin/touch %s\nspawn mount,pdi\nrelease\nexec /bin/true\n' "$T/kind-hook-ran" >"$T/badkind.spec"
run badkind
check "unknown namespace kind: 125, named, before any step runs" eq "$RC:$(grep -c 'unknown namespace "pdi"' "$T/badkind.err"):$([ -e "$T/kind-hook-ran" ] && echo ran || echo not-run)" "125:1:not-run"

printf 'haco-launch 2\n' >"$T/version.spec"
run version
check "other spec version refused (125)" eq "$RC" 125

# ---- supervision: signals ----------------------------------------------------------------------------
mkspec sigterm mount,pid 'trap "exit 42" TERM; touch /ready-sigterm; while :; do sleep 0.1; done'
if start sigterm; then kill -TERM "$LPID"; fi
finish
check "SIGTERM forwarded to the container (trap exits 42)" eq "$RC" 42

mkspec sigkilled mount 'touch /ready-sigkilled; exec sleep 30'
if start sigkilled; then kill -TERM "$LPID"; fi
finish
check "container killed by SIGTERM: 128+15" eq "$RC" 143

mkspec kill9 mount,pid 'touch /ready-kill9; sleep 100'
CPID=
if start kill9; then
	CPID=$(pgrep -P "$LPID" | head -1)
	disown "$LPID" # no "Killed" job report from bash
	kill -9 "$LPID"
	for _ in $(seq 40); do [ -e "/proc/$CPID" ] || break; sleep 0.05; done
fi
check "kill -9 of the launcher takes the container down" bash -c "[ -n '$CPID' ] && [ ! -e /proc/$CPID ]"

# ---- reaper ------------------------------------------------------------------------------------------
POST="reaper" mkspec reaper mount,pid '(sleep 0.1 &); sleep 0.5; echo "pid=$$"; echo "zombies=$(cat /proc/[0-9]*/stat 2>/dev/null | grep -c ") Z ")"; exit 5'
run reaper
check "reaper: the command is PID 2" has reaper.out '^pid=2$'
check "reaper: orphans reaped" has reaper.out '^zombies=0$'
check "reaper: exit status passed through (5)" eq "$RC" 5

# ---- mask, readonly, read-only root ----------------------------------------------------------------------
POST="mask /secret
mask /data/file
mask /no/such/path
readonly /etc" mkspec mask mount,pid 'echo "secret=$(ls /secret | wc -l)"; echo "data=$(cat /data/file | wc -c)"; touch /etc/new 2>&1; echo "etc=$?"; touch /work/new; echo "work=$?"'
run mask
check "mask: directory shows empty" has mask.out '^secret=0$'
check "mask: file reads empty" has mask.out '^data=0$'
check "readonly: /etc is read-only" has mask.out '^etc=1$'
check "readonly: the rest is writable" has mask.out '^work=0$'
rm -f "$ROOT/work/new"

POST="remount-root-ro" mkspec rootro mount,pid 'touch /x 2>&1; echo "rc=$?"'
run rootro
check "remount-root-ro: / is read-only" has rootro.out 'Read-only file system'

# ---- environment, cwd, stdio --------------------------------------------------------------------------
P1="stdio 1 host $T/stdout.txt w" POST="chdir /work
env FOO $(enc 'a b%c')" mkspec env mount,pid 'env | sort; pwd'
run env
check "stdio host: output went to the file" grep -q '^FOO=a b%c$' "$T/stdout.txt"
check "  ... and not to the launcher's stdout" test ! -s "$T/env.out"
check "env-clear: nothing else inherited" bash -c "! grep -q '^HOME=' '$T/stdout.txt'"
check "chdir" grep -q '^/work$' "$T/stdout.txt"

# ---- net: lo up --------------------------------------------------------------------------------------
POST="lo-up" mkspec net mount,net,pid 'ip -o link show lo'
run net
check "lo-up: loopback is UP in the new net namespace" has net.out 'UP'

# ---- time namespace ------------------------------------------------------------------------------------
P1="unshare time
timens-offset boottime 100000" mkspec timens mount,pid 'echo "up=$(cut -d. -f1 /proc/uptime)"; readlink /proc/self/ns/time'
run timens
check "time ns: boottime offset shows in /proc/uptime" bash -c "[ \"\$(sed -n 's/^up=//p' '$T/timens.out')\" -ge 100000 ]"
check "time ns differs from the host" bash -c "! grep -qxF '$(readlink /proc/self/ns/time)' '$T/timens.out'"

# ---- setns, persist-ns, hooks, cleanup-cmd --------------------------------------------------------------
unshare --uts sh -c 'hostname joined-uts; exec sleep 60' &
UPID=$!
BG+=("$UPID")
for _ in $(seq 100); do [ "$(nsenter -t "$UPID" -u hostname 2>/dev/null)" = joined-uts ] && break; sleep 0.05; done
P1="setns uts /proc/$UPID/ns/uts" mkspec setns mount,pid 'hostname'
run setns
check "setns: joined an existing uts namespace" has setns.out '^joined-uts$'
kill -9 "$UPID" 2>/dev/null; wait "$UPID" 2>/dev/null

P1="cleanup-cmd /bin/sh -c $(enc "touch $T/cleaned")
hook /bin/sh -c $(enc "echo \$HACO_NAME > $T/hook1")" \
P2="persist-ns uts $T/utsns
hook /bin/sh -c $(enc "echo \$HACO_PID > $T/hook2")" mkspec persist mount,uts,pid 'true'
run persist
check "hook in phase 1 sees HACO_NAME" grep -qx persist "$T/hook1"
check "hook in phase 2 sees HACO_PID" grep -qE '^[0-9]+$' "$T/hook2"
check "persist-ns: the uts ns outlives the container" bash -c "[ \"\$(nsenter --uts='$T/utsns' hostname)\" = persist ]"
# A second run (a restart) replaces the earlier namespace instead of stacking a mount on it.
run persist
check "persist-ns again: one mount on the file, not two" eq "$(awk -v t="$T/utsns" '$5 == t' /proc/self/mountinfo | wc -l)" 1
umount "$T/utsns" 2>/dev/null
check "cleanup-cmd ran" test -e "$T/cleaned"

P1="hook /bin/false" mkspec hookfail mount 'echo should-not-run'
run hookfail
check "failing hook: 125" eq "$RC" 125
check "  ... reported" has hookfail.err 'hook /bin/false: exited with status 1'

# ---- overlay rootfs ------------------------------------------------------------------------------------
mkdir -p "$T/upper" "$T/work" "$T/merged"
STDROOT_SAVED=$STDROOT
STDROOT="propagation / rprivate
overlay-root $ROOT $T/upper $T/work $T/merged
mount proc /proc proc nosuid,nodev,noexec -"
mkspec overlay mount,pid 'echo hello > /overlay-file; ls /bin/busybox'
sed -i "s|^pivot-root .*|pivot-root $T/merged|" "$T/overlay.spec"
run overlay
STDROOT=$STDROOT_SAVED
check "overlay: rootfs works (rc 0)" eq "$RC" 0
check "overlay: writes go to the upper layer" test -e "$T/upper/overlay-file"
check "overlay: the lower layer is untouched" test ! -e "$ROOT/overlay-file"

# ---- cgroup v1 ---------------------------------------------------------------------------------------------
if [ -d /sys/fs/cgroup/pids ] && [ -d /sys/fs/cgroup/memory ] && [ -d /sys/fs/cgroup/cpu ]; then
	CG1=''
	CG2=''
	CGM=''
	for c in $CTRLS; do
		if [ ! -d "/sys/fs/cgroup/$c/haco" ]; then
			mkdir "/sys/fs/cgroup/$c/haco" && MADE_HACO_CG+=("/sys/fs/cgroup/$c/haco")
		fi
		CG1+="cgroup-mkdir /sys/fs/cgroup/$c/haco/$ID"$'\n'
		CG2+="cgroup-join /sys/fs/cgroup/$c/haco/$ID"$'\n'
		CGM+="cleanup-cgroup /sys/fs/cgroup/$c/haco/$ID"$'\n'
	done
	CG1+="cgroup-write /sys/fs/cgroup/cpu/haco/$ID/cpu.cfs_quota_us 50000
cgroup-write /sys/fs/cgroup/memory/haco/$ID/memory.limit_in_bytes 67108864
cgroup-write /sys/fs/cgroup/pids/haco/$ID/pids.max 20"
	P1="$CGM$CG1" P2="${CG2%$'\n'}" mkspec cgroup mount,pid 'grep -E "^[0-9]+:(pids|memory|cpu,cpuacct):" /proc/self/cgroup; touch /ready-cgroup; sleep 1'
	if start cgroup; then
		G=/sys/fs/cgroup/pids/haco/$ID
		check "cgroup created (pids)" test -d "$G"
		check "pids.max written" grep -qx 20 "$G/pids.max"
		check "memory.limit_in_bytes written" grep -qx 67108864 "/sys/fs/cgroup/memory/haco/$ID/memory.limit_in_bytes"
		check "cpu.cfs_quota_us written" grep -qx 50000 "/sys/fs/cgroup/cpu/haco/$ID/cpu.cfs_quota_us"
		check "the container is in the cgroup" grep -q . "$G/cgroup.procs"
	else
		bad "container cgroup did not start" "$(cat "$T/cgroup.err")"
	fi
	finish
	check "container exited 0" eq "$RC" 0
	check "/proc/self/cgroup shows the pids group" has cgroup.out "pids:/haco/$ID\$"
	for c in $CTRLS; do
		check "cgroup $c/haco/$ID removed after exit" test ! -d "/sys/fs/cgroup/$c/haco/$ID"
	done

	# cleanup listed parent-last on purpose: the launcher removes the deepest first anyway
	POST="unshare cgroup" P1="cleanup-cgroup /sys/fs/cgroup/pids/haco/$ID/sub
cleanup-cgroup /sys/fs/cgroup/pids/haco/$ID
cgroup-mkdir /sys/fs/cgroup/pids/haco/$ID
cgroup-mkdir /sys/fs/cgroup/pids/haco/$ID/sub" P2="cgroup-join /sys/fs/cgroup/pids/haco/$ID/sub" mkspec cgns mount,pid 'grep ":pids:" /proc/self/cgroup'
	run cgns
	check "unshare cgroup after join: the cgroup is the ns root" has cgns.out ':pids:/$'
	check "nested cgroups removed after exit, deepest first" test ! -d "/sys/fs/cgroup/pids/haco/$ID"
	check "  ... without a warning" hasnt cgns.err warning
else
	echo "skip: cgroup v1 controllers not mounted at /sys/fs/cgroup/{cpu,memory,pids}"
fi

# ---- spawn KINDS CGROUP: clone3(CLONE_INTO_CGROUP) on a cgroup v2 hierarchy -------------------------------
V2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
if [ -n "$V2" ]; then
	CG2="$V2/haco-native-$ID"
	MADE_HACO_CG+=("$CG2")
	P1="cleanup-cgroup $CG2
cgroup-mkdir $CG2" mkspec into "mount,pid $CG2" 'cat /proc/self/cgroup'
	run into --trace
	check "spawn into a v2 cgroup: exit 0" eq "$RC" 0
	check "  ... the container is born in it" has into.out "^0::/haco-native-$ID\$"
	check "  ... trace: clone3 with CLONE_INTO_CGROUP" has into.err '^\[haco\] clone3({flags=CLONE_NEWNS|CLONE_NEWPID|CLONE_INTO_CGROUP, cgroup=[0-9]*, exit_signal=SIGCHLD}) = [0-9]'
	check "  ... no cgroup.procs write" hasnt into.err 'cgroup.procs'
	check "  ... removed after exit" test ! -d "$CG2"
	mkspec intomissing "mount,pid $CG2-missing" 'true'
	run intomissing
	check "spawn into a missing cgroup: 125, the path and errno" eq "$RC:$(grep -c "spawn into cgroup $CG2-missing: open: ENOENT" "$T/intomissing.err")" "125:1"
else
	echo "skip: no cgroup2 mount here for the CLONE_INTO_CGROUP checks"
fi

# ---- cgroup-devices: a BPF device program on a cgroup v2 group (hybrid hosts have one too) ----------------
if [ -n "$V2" ]; then
	CGD="$V2/haco-native-dev-$ID"
	MADE_HACO_CG+=("$CGD")
	# null rw, zero read-only, mknod of anything; kmsg (1:11) made with mknod must not open.
	P1="cleanup-cgroup $CGD
cgroup-mkdir $CGD
cgroup-devices $CGD c:1:3:rwm,c:1:5:r,c:*:*:m,b:*:*:m" P2="cgroup-join $CGD" mkspec devs mount,pid \
		'echo x > /dev/null && echo null=ok; echo "zero=$(head -c 2 /dev/zero | wc -c)"; { echo x > /dev/zero; } 2>/dev/null || echo zero-write=refused; mknod /tmp/k c 1 11 && echo mknod=ok; { echo x > /tmp/k; } 2>/dev/null || echo kmsg-write=refused; rm -f /tmp/k'
	run devs --trace
	check "cgroup-devices: exit 0" eq "$RC" 0
	check "  ... /dev/null rw, /dev/zero readable" bash -c "grep -qx null=ok '$T/devs.out' && grep -qx zero=2 '$T/devs.out'"
	check "  ... /dev/zero write refused (r only)" hasline devs.out zero-write=refused
	check "  ... mknod of c 1 11 allowed, opening it refused" bash -c "grep -qx mknod=ok '$T/devs.out' && grep -qx kmsg-write=refused '$T/devs.out'"
	check "  ... trace: the rules" has devs.err '^\[haco\]   allow c 1:5 r$'
	check "  ... trace: BPF_PROG_LOAD" has devs.err '^\[haco\] bpf(BPF_PROG_LOAD, {prog_type=BPF_PROG_TYPE_CGROUP_DEVICE, insn_cnt=[0-9]*, prog_name="haco_devices"}) = [0-9]'
	check "  ... trace: BPF_PROG_ATTACH" has devs.err '^\[haco\] bpf(BPF_PROG_ATTACH, {target_fd=[0-9]*, attach_bpf_fd=[0-9]*, attach_type=BPF_CGROUP_DEVICE, attach_flags=0}) = 0'
	check "  ... removed after exit" test ! -d "$CGD"
	P1="cleanup-cgroup $CGD
cgroup-mkdir $CGD
cgroup-devices $CGD c:1:3:rwx" mkspec devbad mount 'echo RAN'
	run devbad
	check "cgroup-devices with a bad rule: 125 before spawn, the rule named" eq "$RC:$(grep -c 'cgroup-devices .*bad device rule "c:1:3:rwx"' "$T/devbad.err")" "125:1"
	check "  ... the command never ran, the group is gone" bash -c "! grep -q RAN '$T/devbad.out' && [ ! -d '$CGD' ]"
	P1="cgroup-devices $CGD-missing c:1:3:rwm" mkspec devmissing mount 'true'
	run devmissing
	check "cgroup-devices on a missing cgroup: 125, the path and errno" eq "$RC:$(grep -c "cgroup-devices $CGD-missing: open: ENOENT" "$T/devmissing.err")" "125:1"
else
	echo "skip: no cgroup2 mount here for the cgroup-devices checks"
fi

# ---- the shared parent: removed by the last container out, never under a launch in progress -------------
if [ -d /sys/fs/cgroup/pids ]; then
	PG=/sys/fs/cgroup/pids/hacotest-$ID-parent # a private stand-in for the shared haco parent
	MADE_HACO_CG+=("$PG/a" "$PG/b" "$PG")
	pspec() { # pspec NAME SCRIPT: a container in PG/NAME that removes PG when it is the last
		P1="cleanup-cgroup $PG/$1
cleanup-cgroup-parent $PG
cgroup-lock $T/cg.lock 5000
cgroup-mkdir $PG
cgroup-mkdir $PG/$1" P2="cgroup-join $PG/$1" mkspec "$1" mount,pid "$2"
	}
	pspec a 'touch /ready-a; sleep 1'
	pspec b 'true'
	if start a; then
		run b --trace
		check "parent: kept while another container is inside it" test -d "$PG"
		check "  ... the trace says why" has b.err "rmdir(\"$PG\") = -1 EBUSY"
		finish
		check "  ... removed by the last container out" test ! -d "$PG"
	else
		bad "parent: container a did not start" "$(cat "$T/a.err")"
	fi
	# A launch between cgroup-lock and release holds the lock: the parent must stay even if empty.
	flock -s "$T/cg.lock" sleep 1.5 &
	BG+=("$!")
	sleep 0.2
	run b --trace
	check "parent: kept while a launch holds the cgroup lock" test -d "$PG"
	check "  ... exit status still the container's (0)" eq "$RC" 0
	wait "${BG[-1]}" 2>/dev/null
	rmdir "$PG" 2>/dev/null
fi

# ---- lifecycle: state dir, lock, --detach, the cleanup watcher, restart, failure-cmd, phase-3 setns -------------
SD=$T/state
mkdir -p "$SD"
LCG=/sys/fs/cgroup/pids/haco/$ID-lc
if [ -d /sys/fs/cgroup/pids ]; then
	if [ ! -d /sys/fs/cgroup/pids/haco ]; then
		mkdir /sys/fs/cgroup/pids/haco && MADE_HACO_CG+=("/sys/fs/cgroup/pids/haco")
	fi
	P1="state-dir $SD/lc keep 0700
state-meta plan_hash abc123
state-file plan.json {}
hook-env HACO_STATE_DIR $SD/lc
cleanup-cgroup $LCG
cgroup-mkdir $LCG
stdio 1 host $SD/lc/stdout.log a 0600" P2="cgroup-join $LCG" mkspec lc mount,uts,pid 'echo up; hostname; exec sleep 100'
	timeout -s KILL 20 "$BIN" --detach --spec "$T/lc.spec" >"$T/lc.out" 2>"$T/lc.err" </dev/null
	RC=$?
	NAME=lc
	check "detach: returns 0 once the command runs" eq "$RC" 0
	check "  ... and says which pids" has lc.out 'lc started: pid [0-9]*, supervisor [0-9]*'
	SUP=$(sed -n 's/^supervisor=//p' "$SD/lc/state")
	CPID=$(sed -n 's/^pid=//p' "$SD/lc/state")
	[ -n "$SUP" ] && BG+=("$SUP")
	check "state: status=running" grep -qx status=running "$SD/lc/state"
	check "state: state-meta line written" grep -qx plan_hash=abc123 "$SD/lc/state"
	check "state: pid start time recorded (field 22 of /proc/PID/stat)" eq "$(sed -n 's/^pid_start=//p' "$SD/lc/state")" "$(awk '{print $22}' /proc/$CPID/stat 2>/dev/null)"
	check "state-file written" grep -qx '{}' "$SD/lc/plan.json"
	check "state-dir MODE: the dir is 0700, its files 0600" eq "$(stat -c %a "$SD/lc") $(stat -c %a "$SD/lc/state" "$SD/lc/plan.json" "$SD/lc/lock" "$SD/lc/supervisor.log" "$SD/lc/stdout.log" | sort -u)" "700 600"
	check "container stdout in the host-side log" grep -qx up "$SD/lc/stdout.log"
	check "the supervisor is in a session of its own, without a terminal" test "$(awk '{print $6, $7}' /proc/$SUP/stat 2>/dev/null)" != "$(awk '{print $6}' /proc/$$/stat) 0" -a "$(awk '{print $7}' /proc/$SUP/stat 2>/dev/null)" = 0
	flock -n -E 99 "$SD/lc/lock" true
	check "the supervisor holds the lock (flock -n conflicts)" eq "$?" 99
	timeout -s KILL 20 "$BIN" --detach --spec "$T/lc.spec" >"$T/lc2.out" 2>"$T/lc2.err" </dev/null
	RC=$?
	NAME=lc2
	check "second start of the same name: 125" eq "$RC" 125
	check "  ... already running" has lc2.err 'container lc is already running'
	check "  ... the first one is untouched" grep -q . "$LCG/cgroup.procs"
	# phase-3 setns: join the running container's uts namespace (files opened on the host before clone)
	NOROOT=1 POST="setns uts /proc/$CPID/ns/uts
setns mount /proc/$CPID/ns/mnt" mkspec join - 'hostname; cat /proc/1/cmdline | tr "\0" " "'
	sed -i "s|^spawn -|setns pid /proc/$CPID/ns/pid\nspawn -|" "$T/join.spec"
	run join
	check "attach-style spec: joins uts, mount, pid of a running container" hasline join.out lc
	check "  ... sees its pid 1" has join.out 'sleep 100'
	kill -9 "$SUP"
	for _ in $(seq 100); do grep -qx status=exited "$SD/lc/state" && [ ! -d "$LCG" ] && break; sleep 0.05; done
	check "kill -9 of the supervisor: the watcher removes the cgroup" test ! -d "$LCG"
	check "  ... and records the exit" grep -qx 'reason=supervisor killed' "$SD/lc/state"
	check "  ... the container is gone" test ! -e "/proc/$CPID/cmdline" -o -z "$(cat /proc/$CPID/cmdline 2>/dev/null)"
fi

# host-dir: made with its mode, a looser one tightened, a symlink refused (not followed)
mkdir -m 0755 "$T/hd-loose"
ln -s "$T/hd-loose" "$T/hd-link"
P1="host-dir $T/hd-new 0711
host-dir $T/hd-loose 0700" mkspec hd mount 'true'
run hd
check "host-dir: a new dir gets MODE, a looser one is tightened" eq "$(stat -c %a "$T/hd-new") $(stat -c %a "$T/hd-loose")" "711 700"
P1="host-dir $T/hd-link 0700" mkspec hdl mount 'true'
run hdl
check "host-dir: a symlink is refused (125, ELOOP)" eq "$RC" 125
check "  ... and says so" has hdl.err 'host-dir .*hd-link: open (a symlink'
# cgroup-lock: a symlink at the lock path is refused; a held lock times out instead of hanging
ln -s "$T/cg-victim" "$T/cg-link.lock"
P1="cgroup-lock $T/cg-link.lock 200" mkspec cgl mount 'true'
run cgl
check "cgroup-lock: a symlink is not followed (125, ELOOP)" has cgl.err "cgroup-lock $T/cg-link.lock: open (a symlink"
check "  ... nothing created where it pointed" test ! -e "$T/cg-victim"
flock -x "$T/cg-held.lock" sleep 5 &
BG+=("$!")
sleep 0.2
P1="cgroup-lock $T/cg-held.lock 300" mkspec cgh mount 'true'
run cgh
check "cgroup-lock: a held lock is ETIMEDOUT after TIMEOUT_MS" has cgh.err "another process has held it for [0-9]* ms: ETIMEDOUT"

# restart on-failure: 2 retries, then the state records 3 runs' last status; failure-cmd sees it
P1="state-dir $SD/rs keep 0700
restart on-failure 2 10
hook-env HACO_X from-hook-env
failure-cmd /bin/sh -c echo%20\$HACO_X%20\$HACO_EXIT_CODE%20>%20$SD/failed" mkspec rs mount,pid 'echo run >> /ran; exit 3'
sed -i 's|^exec /bin/sh -c .*|exec /bin/sh -c '"$(enc "echo run >> /ran; exit 3")"'|' "$T/rs.spec"
rm -f "$ROOT/ran"
run rs
check "restart: the foreground status is the last run's (3)" eq "$RC" 3
check "  ... ran 3 times (1 + 2 retries)" eq "$(wc -l <"$ROOT/ran" 2>/dev/null)" 3
check "  ... state: restarts=2, exit_code=3" grep -qx restarts=2 "$SD/rs/state"
check "failure-cmd: runs with HACO_EXIT_CODE and hook-env" grep -qx 'from-hook-env 3' "$SD/failed"
rm -f "$ROOT/ran"

# state-dir remove: a foreground run leaves no state dir; a failed first launch neither
P1="state-dir $SD/fg remove 0700" mkspec fg mount 'grep -qx status=running /proc/1/root'"$SD"'/fg/state 2>/dev/null; exit 0'
run fg
check "state-dir remove: gone after the exit" test ! -e "$SD/fg"
P1="state-dir $SD/bad keep 0700
hook /bin/false" mkspec bad mount 'true'
run bad --detach
check "detach, failing hook before start: 125 and the message" eq "$RC" 125
check "  ... reported by the caller's process" has bad.err 'hook /bin/false: exited with status 1'
check "  ... nothing left (no state dir)" test ! -e "$SD/bad"

# ---- host-only specs (haco reload, the stale-cgroup sweep) ----------------------------------------
sleep 300 &
HP=$!
BG+=("$HP")
mkdir -p "$T/gone/sub"
: >"$T/host.value"
{
	echo "haco-launch 1"
	echo "name host"
	echo "host-only"
	echo "prlimit $HP NOFILE 100 200"
	echo "prlimit 999999 NOFILE 100 200 optional"
	echo "cgroup-write $T/host.value 42"
	echo "cgroup-rmdir $T/gone/sub"
	echo "cgroup-rmdir $T/gone/sub"
} >"$T/host.spec"
run host --trace
check "host-only: runs its steps, status 0" eq "$RC" 0
check "  ... prlimit changed the running process's limits" grep -Eq '^Max open files +100 +200 ' "/proc/$HP/limits"
check "  ... traced as prlimit(PID, RLIMIT_NOFILE, ...)" has host.err "^\[haco\] prlimit($HP, RLIMIT_NOFILE, {rlim_cur=100, rlim_max=200}, NULL) = 0"
check "  ... an optional pid that is gone is skipped" has host.err 'pid 999999 has exited'
check "  ... cgroup-write wrote" eq "$(cat "$T/host.value")" 42
check "  ... cgroup-rmdir removed, then found it gone (not a failure)" test ! -e "$T/gone/sub"
check "  ... no container: no clone" hasnt host.err 'clone'
printf 'haco-launch 1\nhost-only\nhint prlimit ESRCH the%%20init%%20is%%20gone\nprlimit 999999 NOFILE 1 1\ncgroup-write %s 43\n' "$T/host.value" >"$T/hostfail.spec"
run hostfail
check "host-only: a failing step stops it with 125" eq "$RC" 125
check "  ... with step, errno" has hostfail.err '^haco-launch: prlimit 999999 NOFILE 1 1: ESRCH'
check "  ... and hint" has hostfail.err '^hint: the init is gone'
check "  ... the steps after it did not run" eq "$(cat "$T/host.value")" 42
printf 'haco-launch 1\nhost-only\ncgroup-write %s 44\nspawn -\n' "$T/host.value" >"$T/hostbad.spec"
run hostbad
check "host-only: a launch step is refused before anything runs" has hostbad.err 'spawn is not allowed in a host-only spec'
check "  ... nothing written" eq "$(cat "$T/host.value")" 42
P1="prlimit 1 NOFILE 1 1" mkspec hostinlaunch - 'true'
run hostinlaunch
check "prlimit in a launch spec is refused" has hostinlaunch.err 'prlimit belongs in a host-only spec'
# haco rm: the container's groups, then the shared parent if it was the last one, under the cgroup lock
mkdir -p "$T/rmpar/c1/sub" "$T/rmpar2/c2" "$T/rmpar2/other"
printf 'haco-launch 1\nhost-only\ncgroup-lock %s 500\ncgroup-rmdir %s\ncgroup-rmdir %s\ncgroup-rmdir %s\ncleanup-cgroup-parent %s\ncleanup-cgroup-parent %s\n' \
	"$T/rm.lock" "$T/rmpar/c1/sub" "$T/rmpar/c1" "$T/rmpar2/c2" "$T/rmpar" "$T/rmpar2" >"$T/hostrm.spec"
run hostrm --trace
check "host-only rm: cgroup-lock and cleanup-cgroup-parent allowed, status 0" eq "$RC" 0
check "  ... the groups are gone" test ! -e "$T/rmpar/c1"
check "  ... the parent left empty is removed, under the exclusive lock" has hostrm.err 'flock([0-9]*, LOCK_EX|LOCK_NB) = 0'
check "  ... (gone)" test ! -e "$T/rmpar"
check "  ... a parent still holding another group stays" test -d "$T/rmpar2/other"
mkdir -p "$T/rmpar/c1"
flock -s "$T/rm.lock" sleep 30 &
LP=$!
BG+=("$LP")
sleep 0.2
run hostrm
check "host-only rm with a launch holding the lock: still status 0" eq "$RC" 0
check "  ... the parent stays (never waited for)" test -d "$T/rmpar"
{ kill "$LP"; wait "$LP"; } 2>/dev/null
{ kill -9 "$HP"; wait "$HP"; } 2>/dev/null

# ---- an interactive shell on a terminal -------------------------------------------------------------
if command -v script >/dev/null; then
	mkspec tty mount,uts,pid 'exec /bin/sh -i'
	printf 'echo tty-$((20+22)); exit 4\n' | timeout -s KILL 20 script -qec "$BIN --spec $T/tty.spec" /dev/null >"$T/tty.out" 2>&1
	RC=$?
	NAME=tty
	check "interactive shell on a terminal runs commands" has tty.out 'tty-42'
	check "  ... and its exit status comes back (4)" eq "$RC" 4
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
