#!/bin/sh
# DOC: permissions as `nobody` with every capability dropped.
#
# The node modes decide what an unprivileged user may do with cat/echo;
# registering tasks or acting for a task PID needs CAP_SYS_ADMIN at open.
. "$(dirname "$0")/tap.subr"
need_module
command -v setpriv >/dev/null || skip_all "setpriv (util-linux) missing"
id nobody >/dev/null 2>&1 || skip_all "no user nobody"
plan 10

T=app:perm$$
NODE=$(node_of "$T")
NOGROUP=$(id -gn nobody)
CAT=
cleanup() {
	[ -z "$CAT" ] || kill "$CAT" 2>/dev/null
	"$HSX" mbox rm --force "$T" >/dev/null 2>&1
}
trap cleanup EXIT

# as_nobody CMD...: run CMD as nobody without any capability.  Call
# setpriv as $AS_NOBODY directly to background it: a backgrounded shell
# function is a subshell, and killing it would leave CMD running.
AS_NOBODY="setpriv --reuid=nobody --regid=$NOGROUP --clear-groups --inh-caps=-all --bounding-set=-all --"
as_nobody() { $AS_NOBODY "$@"; }

# The ioctl numbers of the uapi header, computed like _IOW/_IOWR.
IOC_PY='
import fcntl, os, struct, sys
def ioc(dir, nr, size): return (dir << 30) | (size << 16) | (0xB5 << 8) | nr
TASK_REGISTER = ioc(1, 0x40, 24)
TASK_UNREGISTER = ioc(1, 0x41, 24)
OPEN = ioc(3, 0x30, 40)
fd = os.open("/dev/hsxmbx/control", os.O_RDWR)
def call(req, buf):
    try:
        return fcntl.ioctl(fd, req, buf)
    except OSError as e:
        print(os.strerror(e.errno)); sys.exit(e.errno)
'

# py_register PID: a program that registers and unregisters task PID.
py_register() {
	echo "$IOC_PY
call(TASK_REGISTER, struct.pack('<QIIII', 0, $1, 0, 0, 0))
call(TASK_UNREGISTER, struct.pack('<QIIII', 0, $1, 0, 0, 0))"
}

# py_open_as PID: a program that OPENs app:x claiming to be task PID.
py_open_as() {
	echo "$IOC_PY
import ctypes
t = ctypes.create_string_buffer(b'app:x')
call(OPEN, struct.pack('<QIIQIIII', 0, $1, 0, ctypes.addressof(t), 5, 0, 0, 0))"
}

check "root can register and unregister a task" "$PY" -I -c "$(py_register 4242)"
as_nobody "$PY" -I -c "$(py_register 4243)" >"$TMP/out" 2>&1
st=$?
check "nobody cannot register a task (EPERM, got $st: $(cat "$TMP/out"))" test "$st" -eq 1
as_nobody "$PY" -I -c "$(py_open_as 7)" >"$TMP/out" 2>&1
st=$?
check "nobody cannot act for task PID 7 (EPERM, got $st: $(cat "$TMP/out"))" test "$st" -eq 1
check "nobody can still use the control device as PID 0" as_nobody sh -c "'$HSX' mbox ls >/dev/null"

"$HSX" mbox bind -c 1024 "$T" >/dev/null
wait_for test -c "$NODE"
mode=$(stat -c %a "$NODE")
echo "# $NODE has mode $mode"

# Node modes are honoured: decide from the mode's "other" bits.
other=$(( 0$mode & 7 ))
as_nobody sh -c "echo hi >'$NODE'" 2>/dev/null
st=$?
if [ $((other & 2)) -ne 0 ]; then want=0; else want=1; fi
check "nobody's write to the node follows mode $mode (exit $st)" \
	test "$( [ $st -eq 0 ] && echo 0 || echo 1)" -eq "$want"

chmod 0644 "$NODE"
as_nobody sh -c "echo nope >'$NODE'" 2>/dev/null
check "after chmod 0644, nobody cannot write" test $? -ne 0
$AS_NOBODY cat "$NODE" >"$TMP/cat.out" 2>"$TMP/cat.err" &
CAT=$!
wait_for has_taps "$T" 1
"$HSX" mbox send "$T" after-tap
check "after chmod 0644, nobody can still tap with cat" \
	wait_for grep -q after-tap "$TMP/cat.out"
kill "$CAT" 2>/dev/null
wait "$CAT" 2>/dev/null
CAT=

chmod 0600 "$NODE"
as_nobody sh -c "exec 3<'$NODE'" 2>/dev/null
check "after chmod 0600, nobody cannot even tap" test $? -ne 0
as_nobody sh -c "exec 3<>'$NODE'" 2>/dev/null
check "after chmod 0600, nobody cannot open read-write" test $? -ne 0
echo root >"$NODE"
check "root still writes after chmod 0600" test "$(json_field "$T" queue_depth)" -ge 1

trap - EXIT
cleanup
finish
