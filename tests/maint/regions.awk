# regions.awk - reads and rewrites exercise regions.
#
# A region starts at a line containing "BEGIN EXERCISE N.M" and ends at
# the next line containing "END EXERCISE N.M"; both marker lines belong
# to it.  Modes (awk -v mode=...):
#
#   ids      print the id of every region, one per line; exit 1 on a
#            marker without its partner or on nested regions
#   outside  print the file with every region's body left out (marker
#            lines kept): what steps/ and solutions/ must share exactly
#   strip    print the file without its marker lines (bodies kept): a
#            solved file carried into the next stage
#   splice   awk -v mode=splice -v id=N.M -v donor=FILE: print the file
#            with the bodies of region N.M taken from FILE, in order
#            (a solution with one exercise put back to its stub)

function region_id(line, word,    rest) {
    rest = substr(line, index(line, word) + length(word))
    sub(/^[ \t]+/, "", rest)
    sub(/[^0-9.].*$/, "", rest)
    sub(/\.$/, "", rest)
    return rest
}

BEGIN {
    open_id = ""
    failed = 0
    if (mode == "splice") {
        # Load the donor's bodies of region `id`, in order.
        count = 0; inside = 0
        while ((getline line < donor) > 0) {
            if (index(line, "BEGIN EXERCISE ") && region_id(line, "BEGIN EXERCISE ") == id) {
                inside = 1; count++; body[count] = ""; continue
            }
            if (inside && index(line, "END EXERCISE ") && region_id(line, "END EXERCISE ") == id) {
                inside = 0; continue
            }
            if (inside) body[count] = body[count] line "\n"
        }
        close(donor)
        used = 0
    }
}

{
    is_begin = index($0, "BEGIN EXERCISE ") > 0
    is_end = index($0, "END EXERCISE ") > 0
    if (is_begin) {
        this = region_id($0, "BEGIN EXERCISE ")
        if (open_id != "") {
            printf "%s:%d: region %s begins inside region %s\n", FILENAME, FNR, this, open_id > "/dev/stderr"
            failed = 1
        }
        if (this !~ /^[0-9]+\.[0-9]+$/) {
            printf "%s:%d: region id '%s' is not N.M\n", FILENAME, FNR, this > "/dev/stderr"
            failed = 1
        }
        open_id = this
        if (mode == "ids") print this
        if (mode == "outside") print
        if (mode == "splice") {
            print
            if (this == id) { used++; printf "%s", body[used] }
        }
        next
    }
    if (is_end) {
        this = region_id($0, "END EXERCISE ")
        if (this != open_id) {
            printf "%s:%d: END EXERCISE %s does not close %s\n", FILENAME, FNR, this,
                   (open_id == "" ? "any region" : "region " open_id) > "/dev/stderr"
            failed = 1
        }
        if (mode == "outside" || mode == "splice") print
        open_id = ""
        next
    }
    if (mode == "strip") print
    else if (mode == "outside" && open_id == "") print
    else if (mode == "splice" && (open_id == "" || open_id != id)) print
}

END {
    if (open_id != "") {
        printf "%s: region %s is never closed\n", FILENAME, open_id > "/dev/stderr"
        failed = 1
    }
    if (mode == "splice" && used != count) {
        printf "%s: %d region(s) %s here, %d in %s\n", FILENAME, used, id, count, donor > "/dev/stderr"
        failed = 1
    }
    exit failed
}
