# sandbox.sh - sourced by tests/teach/submission.sh: runs a submission's
# builds and tests away from everything else, as far as this system
# allows.  TUTORIAL.md, "For teachers", explains the levels and limits.
#
#   sandbox_probe               sets SANDBOX (full, net or none) and
#                               SANDBOX_NOTE (one line saying what is missing)
#   sandboxed UID SECONDS CMD...  run CMD in the sandbox, as UID (full only),
#                               stopped after SECONDS; exit status CMD's
#                               (124 or 137 when stopped)
#
# full: run as root (the teacher's grader, in a container or a VM): a new
#       network namespace with only loopback (no outside address is
#       reachable), a new PID namespace (when the command ends, every
#       process it left is killed), a private /tmp (tmpfs, 64 MB), the
#       folders of SANDBOX_HIDE (the class's submissions and reports, the
#       teacher's solutions/ and git history) hidden under empty ones, and the
#       command runs as UID, a user of its own per submission, without
#       capabilities or a way to gain them.
# net:  not root, but user namespaces work: the namespaces, /tmp and the
#       hidden folders as above, but the command runs as the teacher (it
#       can read and write what the teacher can elsewhere).
# none: neither: only the limits below and the time limit.
# Always: limits on memory (address space), processes of the user, file
# size, CPU time and open files (prlimit or ulimit), and the time limit.
SANDBOX_MEMORY=${SANDBOX_MEMORY:-1073741824}  # bytes of address space per process
SANDBOX_PROCESSES=${SANDBOX_PROCESSES:-256}   # processes of the submission's user
SANDBOX_FILE_SIZE=${SANDBOX_FILE_SIZE:-16777216} # bytes, the largest file it may write
SANDBOX_CPU=${SANDBOX_CPU:-120}               # seconds of CPU per process
SANDBOX_FILES=${SANDBOX_FILES:-2048}          # open files per process
# SANDBOX_TMP=0: keep the machine's /tmp (the grader's own files lie under it)

sandbox_probe() {
    SANDBOX=none
    SANDBOX_NOTE=""
    if [ "${SANDBOX_OFF:-0}" = 1 ]; then
        SANDBOX_NOTE="sandbox: off (SANDBOX_OFF=1): the submissions' code runs with the teacher's rights and network; grade only code you trust this way"
        return
    fi
    if [ "$(uname -s)" != Linux ]; then
        SANDBOX_NOTE="sandbox: not available on $(uname -s) (it needs Linux namespaces): the submissions' code runs with the teacher's rights and network, under time limits only; grade in a Linux container or VM"
        return
    fi
    for tool in unshare setpriv prlimit ip timeout; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            SANDBOX_NOTE="sandbox: '$tool' is missing (Debian: apt-get install util-linux iproute2 coreutils): the submissions' code runs with the teacher's rights and network, under time limits only"
            return
        fi
    done
    if [ "$(id -u)" = 0 ] &&
       unshare --net --pid --fork --kill-child --mount sh -c 'ip link set lo up && mount -t tmpfs tmpfs /tmp' >/dev/null 2>&1; then
        SANDBOX=full
        return
    fi
    if unshare --map-root-user --net --pid --fork --kill-child --mount sh -c 'ip link set lo up && mount -t tmpfs tmpfs /tmp' >/dev/null 2>&1; then
        SANDBOX=net
        SANDBOX_NOTE="sandbox: partial (not root): no network, no process left behind, a private /tmp and the class's folders hidden, but the submissions' code runs as your user (uid $(id -u)) and can read and write what that user can; run the grader as root (in a container) for users of their own"
        return
    fi
    SANDBOX_NOTE="sandbox: not available (not root, and user namespaces are disabled here): the submissions' code runs with the teacher's rights and network, under time limits only; run the grader as root in a container or VM"
}

sandbox_kib() { # SANDBOX_MEMORY for ulimit -v: KiB, or unlimited
    case $SANDBOX_MEMORY in unlimited) echo unlimited ;; *) echo $((SANDBOX_MEMORY / 1024)) ;; esac
}

sandboxed() { # UID SECONDS CMD...
    sandbox_uid=$1
    sandbox_seconds=$2
    shift 2
    case $SANDBOX in
        full)
            timeout -s KILL "$sandbox_seconds" \
            unshare --net --pid --fork --kill-child --mount --propagation private sh -c '
                ip link set lo up || exit 125
                [ "${SANDBOX_TMP:-1}" = 0 ] || mount -t tmpfs -o size=64m,mode=1777 tmpfs /tmp || exit 125
                for hide in $SANDBOX_HIDE; do
                    [ ! -d "$hide" ] || mount -t tmpfs -o size=1m,mode=0755 tmpfs "$hide" || exit 125
                done
                exec "$@"' sandbox \
            setpriv --reuid="$sandbox_uid" --regid="$sandbox_uid" --clear-groups --no-new-privs \
                --inh-caps=-all --bounding-set=-all \
            prlimit --as="$SANDBOX_MEMORY" --nproc="$SANDBOX_PROCESSES" --fsize="$SANDBOX_FILE_SIZE" \
                --cpu="$SANDBOX_CPU" --nofile="$SANDBOX_FILES" --core=0 -- "$@"
            ;;
        net)
            timeout -s KILL "$sandbox_seconds" \
            unshare --map-root-user --net --pid --fork --kill-child --mount sh -c '
                ip link set lo up || exit 125
                [ "${SANDBOX_TMP:-1}" = 0 ] || mount -t tmpfs -o size=64m,mode=1777 tmpfs /tmp || exit 125
                for hide in $SANDBOX_HIDE; do
                    [ ! -d "$hide" ] || mount -t tmpfs -o size=1m,mode=0755 tmpfs "$hide" || exit 125
                done
                exec "$@"' sandbox \
            prlimit --as="$SANDBOX_MEMORY" --nproc="$SANDBOX_PROCESSES" --fsize="$SANDBOX_FILE_SIZE" \
                --cpu="$SANDBOX_CPU" --nofile="$SANDBOX_FILES" --core=0 -- "$@"
            ;;
        *)
            # A session of its own, so that what the command leaves behind
            # (a test's process whose runner was stopped) is stopped too.
            if command -v setsid >/dev/null 2>&1 && command -v pkill >/dev/null 2>&1 &&
               command -v timeout >/dev/null 2>&1 && sandbox_sid=$(mktemp "${TMPDIR:-/tmp}/sandbox-sid.XXXXXX"); then
                setsid -w sh -c 'echo $$ > "$0"; ulimit -v $1 -f $2 -t $3 2>/dev/null; shift 3
                                 exec timeout -s KILL "$@"' "$sandbox_sid" \
                    "$(sandbox_kib)" $((SANDBOX_FILE_SIZE / 512)) "$SANDBOX_CPU" "$sandbox_seconds" "$@"
                sandbox_status=$?
                [ -s "$sandbox_sid" ] && pkill -KILL -s "$(cat "$sandbox_sid")" 2>/dev/null
                rm -f "$sandbox_sid"
                return "$sandbox_status"
            elif command -v timeout >/dev/null 2>&1; then
                (ulimit -v "$(sandbox_kib)" -f $((SANDBOX_FILE_SIZE / 512)) -t "$SANDBOX_CPU" 2>/dev/null
                 exec timeout -s KILL "$sandbox_seconds" "$@")
            else
                (ulimit -v "$(sandbox_kib)" -f $((SANDBOX_FILE_SIZE / 512)) -t "$SANDBOX_CPU" 2>/dev/null
                 exec "$@")
            fi
            ;;
    esac
}
