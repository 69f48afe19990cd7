#!/bin/sh
# numbers.sh - the sizes CONTRIBUTING.md quotes, measured: code lines
# (no comments, no blank lines) a learner has per stage, the lesson
# lines of tcp_server.c, the tutorial's lines before chapter 1, and the
# tooling by language.  C is stripped of comments by the compiler's
# preprocessor; sh, awk, make and Perl lose their # lines.
#
#   sh tests/maint/numbers.sh [TREE]     TREE: a copy of the course (default: here)
set -u
cd "${1:-$(dirname "$0")/../..}" || exit 2
CC=${CC:-cc}
c_lines() { # FILE...: code lines of C files
    for f in "$@"; do $CC -fpreprocessed -dD -E -P "$f" 2>/dev/null; done | grep -cv '^[[:space:]]*$'
}
hash_lines() { # FILE...: code lines of files whose comments start with #
    cat "$@" 2>/dev/null | grep -v '^[[:space:]]*#' | grep -cv '^[[:space:]]*$'
}
echo "Code lines a learner has, per stage (steps/):"
for stage in steps/*/; do
    printf '  %-28s %5d\n' "$(basename "$stage")" "$(c_lines "$stage"*.[ch])"
done
printf '  %-28s %5d\n' "common/" "$(c_lines common/*.[ch])"
echo "Lesson file: tcp_server.c (solutions/04-tcp-server): $(c_lines solutions/04-tcp-server/tcp_server.c) code lines"
for t in TUTORIAL.md TUTORIAL.ko.md; do
    echo "$t: $(awk '/^## (Chapter 1|1장)/ { print NR - 1; exit }' "$t") lines before chapter 1"
done
echo "Tooling in tests/, bench/*.sh and the Makefile, by language (code lines, files):"
sh_files=$(find tests bench -name '*.sh' | sort)
c_files=$(find tests -name '*.[ch]' | sort)
awk_files=$(find tests -name '*.awk' | sort)
pl_files=$(find tests bench -name '*.pl' | sort)
mk_files="Makefile $(find tests -name '*.mk' | sort)"
# shellcheck disable=SC2086 # lists of files
{
    printf '  %-6s %6d lines  %3d files\n' sh "$(hash_lines $sh_files)" "$(echo $sh_files | wc -w)"
    printf '  %-6s %6d lines  %3d files\n' C "$(c_lines $c_files)" "$(echo $c_files | wc -w)"
    [ -n "$awk_files" ] && printf '  %-6s %6d lines  %3d files\n' awk "$(hash_lines $awk_files)" "$(echo $awk_files | wc -w)"
    printf '  %-6s %6d lines  %3d files\n' make "$(hash_lines $mk_files)" "$(echo $mk_files | wc -w)"
    [ -n "$pl_files" ] && printf '  %-6s %6d lines  %3d files\n' Perl "$(hash_lines $pl_files)" "$(echo $pl_files | wc -w)"
    echo "  awk programs in sh and make: $(cat $sh_files $mk_files | grep -c 'awk ')  sed: $(cat $sh_files $mk_files | grep -c 'sed ')"
}
