# 20-wrong-versions.sh - the grader fails mistakes it was never shown,
# and names the right exercise to fix first.
#
# tests/maint/wrong/blind-b.txt is the held-out set: plausible mistakes
# written from the tutorial's exercise text by someone who had not read
# the tests (pairs of neighbouring mistakes included: Fix first must
# name the earlier), and never used to tune the grader.  Its stage must
# fail for at least 98% of them (a mistake may change nothing a test can
# see), and Fix first must be right for at least 95%; no stage grade may
# take more than 15 s on an idle machine (a calibration in the same run
# scales it).  The grader's own sets, tests/maint/wrong/versions.txt and
# blind-a.txt (written blind too, then used to improve the tests), take
# longer than make test may: `make wrong-versions` grades all three.
# Sourced by tests/maint/selftest.sh.
echo "The grader on mistakes it was never shown (the held-out wrong versions)"
check "the held-out wrong versions: >= 98% fail their stage; >= 95% get the right Fix first; each grade within a bound calibrated in the same run" \
    env VERSIONS=tests/maint/wrong/blind-b.txt WRONG_SET=all WRONG_MIN_CAUGHT=98 sh tests/maint/wrong_versions.sh "$ROOT/wrong-held-out"
