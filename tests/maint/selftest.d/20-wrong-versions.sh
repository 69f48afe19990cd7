# 20-wrong-versions.sh - the grader names the right exercise to fix first.
#
# tests/maint/wrong/versions.txt holds plausible wrong versions of the
# solved course, one exercise wrong in each; tests/maint/wrong_versions.sh
# grades each (its stage only, two at a time).  Every one must fail its
# stage, at least 95% must get the right "Fix first:", and no stage grade
# may take more than 15 s on an idle machine (a calibration in the same
# run scales it).  Sourced by tests/maint/selftest.sh.
echo "The grader's Fix first line (plausible wrong versions of the solved course)"
check "every wrong version fails its stage; >= 95% get the right Fix first; each grade within a bound calibrated in the same run" \
    sh tests/maint/wrong_versions.sh "$ROOT/wrong"
# tests/maint/wrong/blind-a.txt: mistakes written from the tutorial's
# exercise text by someone who had not read the tests, pairs of
# neighbouring mistakes included (Fix first names the earlier one).  One
# of them changes nothing the program does: 98% must fail their stage.
check "the blind wrong versions: >= 98% fail their stage; >= 95% get the right Fix first; each grade <= 15 s" \
    env VERSIONS=tests/maint/wrong/blind-a.txt WRONG_MIN_CAUGHT=98 sh tests/maint/wrong_versions.sh "$ROOT/wrong-blind"
