# sanitize.sh - sourced by grade.sh, progress.sh and watch.sh: whether a
# grade uses the sanitizers, decided in one place so that every command
# grades the same way.
#
# Sanitizers by default: a tiny program built and run with them once per
# compiler (the answer is cached under $BUILD) says whether they work
# here; clang without its runtime, or musl, falls back with one line.
#
#   choose_sanitize [quiet]   sets and exports SANITIZE: under make
#                             (SANITIZE_FROM=file, undefined or default:
#                             the Makefile's own default stands) 1 where
#                             the sanitizers work, else SANITIZE as given

sanitizers_work() {
    cc=${CC:-cc}
    cache=$BUILD/sanitizers.$(echo "$cc" | tr -c 'A-Za-z0-9.\n' '_')
    if [ ! -f "$cache" ]; then
        mkdir -p "$BUILD"
        printf '#include <stdlib.h>\nint main(void) { char *p = malloc(4); p[0] = 1; free(p); return 0; }\n' \
            > "$BUILD/sanitizers-probe.c"
        if $cc -fsanitize=address,undefined -fno-omit-frame-pointer "$BUILD/sanitizers-probe.c" \
                -o "$BUILD/sanitizers-probe" > "$BUILD/sanitizers-probe.log" 2>&1 &&
           "$BUILD/sanitizers-probe" >> "$BUILD/sanitizers-probe.log" 2>&1; then
            echo yes > "$cache"
        else
            echo no > "$cache"
        fi
    fi
    [ "$(cat "$cache")" = yes ]
}

choose_sanitize() {
    case ${SANITIZE_FROM:-} in
        file | undefined | default)
            if sanitizers_work; then
                SANITIZE=1
            else
                SANITIZE=0
                [ "${1:-}" = quiet ] || msgln check.no_sanitizer "${CC:-cc}" "$BUILD/sanitizers-probe.log"
            fi
            export SANITIZE
            ;;
    esac
}
