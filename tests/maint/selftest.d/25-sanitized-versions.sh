# 25-sanitized-versions.sh - a mistake only the sanitizers see is named too.
#
# The sanitize versions of tests/maint/wrong/versions.txt (a leak, an
# out-of-range read) fail no check without the sanitizers; graded as
# make check grades them (SANITIZE=1), each must get the right Fix first,
# its sanitizer finding reduced to one line even where the test
# captured stderr.  Sourced by tests/maint/selftest.sh.
echo "The grader's Fix first line under the sanitizers (wrong versions only they see)"
sanitized_versions=$(sh tests/maint/wrong/apply.sh tests/maint/wrong/versions.txt --list |
                     awk -F '\t' '$4 == "sanitize" { print $1 }')
if [ -n "$sanitizer_cc" ] && [ -n "$sanitized_versions" ]; then
    # shellcheck disable=SC2086 # a list of IDs
    check "each sanitize wrong version fails its stage with the right Fix first ($sanitizer_cc)" \
        env CC="$sanitizer_cc" sh tests/maint/wrong_versions.sh "$ROOT/wrong-sanitized" $sanitized_versions
fi
blind_sanitized=$(sh tests/maint/wrong/apply.sh tests/maint/wrong/blind-a.txt --list |
                  awk -F '\t' '$4 == "sanitize" { print $1 }')
if [ -n "$sanitizer_cc" ] && [ -n "$blind_sanitized" ]; then
    # shellcheck disable=SC2086 # a list of IDs
    check "each sanitize blind wrong version fails its stage with the right Fix first ($sanitizer_cc)" \
        env CC="$sanitizer_cc" VERSIONS=tests/maint/wrong/blind-a.txt sh tests/maint/wrong_versions.sh \
            "$ROOT/wrong-blind-sanitized" $blind_sanitized
fi
