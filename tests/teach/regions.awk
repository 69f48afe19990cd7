# regions.awk - what a submission may put inside an exercise region.
#
#   awk -f tests/teach/regions.awk -v teacher=STEPS_FILE -v solution=SOLUTIONS_FILE \
#       -v file=NAME SUBMITTED_FILE
#
# prints one line per region of the teacher's file, in order:
#   ID<TAB>ok
#   ID<TAB>reject<TAB>REASON
# The teachers' grader (tests/teach/submission.sh) takes from a submission
# only the text between the marker lines of each region, and only when it
# passes these rules; a rejected exercise keeps the teacher's stub and
# scores 0.  The rules keep the learner's code inside the exercise's own
# place, so that no code of theirs runs outside the functions the tests
# call (TUTORIAL.md, "For teachers", says why each one is there):
#
#  - every region: no trigraph (??=, ??/ ...), no digraph (<% %> <: :> %:),
#    no line ending in a backslash, no comment or string left open, at
#    most 400 lines; no __attribute__, asm, _Pragma, __extension__,
#    __builtin_..., nor a call that starts processes, jumps out of a
#    function, registers code to run later or changes the process
#    (fork, exec..., system, atexit, setjmp, kill, mmap, syscall ...);
#    braces, parentheses and brackets balanced, never closing what the
#    region did not open;
#  - a region inside a function or a struct: no # at all (no
#    preprocessor line);
#  - a region at file scope (2.1): functions only with the names the
#    teacher's stub and solution give there, anything else static;
#  - a region of macros (1.1, in a header): only the teacher's #include
#    lines and #define of the names the solution defines there; each
#    macro's braces may close at most what the solution's closes, and
#    must leave as many open as it does (CO_BEGIN opens one, CO_END
#    closes one), so that no expansion can leave its function.

function load(path, tag,    line, inside, id, n, k, depth_before) {
    inside = 0
    while ((getline line < path) > 0) {
        if (index(line, "BEGIN EXERCISE ")) {
            id = region_id(line, "BEGIN EXERCISE ")
            n = ++count[tag, id]
            if (tag == "T") { order[++norder] = id; occurrence[norder] = n; context[norder] = code_context(pre_text) }
            body[tag, id, n] = ""; lines[tag, id, n] = 0
            inside = 1; current = id; continue
        }
        if (inside && index(line, "END EXERCISE ")) { inside = 0; continue }
        if (inside) { body[tag, current, n] = body[tag, current, n] line "\n"; lines[tag, current, n]++ }
        else if (tag == "T") pre_text = pre_text line "\n"
    }
    close(path)
}

function region_id(line, word,    rest) {
    rest = substr(line, index(line, word) + length(word))
    sub(/^[ \t]+/, "", rest); sub(/[^0-9.].*$/, "", rest); sub(/\.$/, "", rest)
    return rest
}

# Where the teacher's file stands at a region's start: "file" (depth 0),
# "function" (inside braces opened after a ")"), else "members".
function code_context(text,    code, i, c, depth, kind, prev) {
    code = strip(text)
    depth = 0; prev = ""
    for (i = 1; i <= length(code); i++) {
        c = substr(code, i, 1)
        if (c == "{") { depth++; kind[depth] = (prev == ")") ? "function" : "members" }
        else if (c == "}") depth--
        if (c !~ /[ \t\n]/) prev = c
    }
    return depth <= 0 ? "file" : kind[depth]
}

# TEXT with comments blanked and literals emptied; sets `problem` for a
# comment or literal left open.  Line splices are joined first (as C does).
function strip(text,    out, i, n, c, d, state) {
    gsub(/\\\n/, "", text)
    out = ""; state = "code"; n = length(text)
    for (i = 1; i <= n; i++) {
        c = substr(text, i, 1); d = substr(text, i + 1, 1)
        if (state == "code") {
            if (c == "/" && d == "*") { state = "block"; i++; out = out " "; continue }
            if (c == "/" && d == "/") { state = "line"; i++; continue }
            if (c == "\"" || c == "'") { state = c; out = out c; continue }
            out = out c
        } else if (state == "block") {
            if (c == "*" && d == "/") { state = "code"; i++ }
            else if (c == "\n") out = out "\n"
        } else if (state == "line") {
            if (c == "\n") { state = "code"; out = out "\n" }
        } else {
            if (c == "\\") { i++; continue }
            if (c == state) { state = "code"; out = out c; continue }
            if (c == "\n") { problem = "a string or character literal is not closed on its line"; state = "code"; out = out "\n" }
        }
    }
    if (state == "block") problem = "a comment is left open at the end of the region"
    return out
}

# The identifiers of CODE, each followed by a space.
function identifiers(code,    out, rest) {
    out = " "; rest = code
    while (match(rest, /[A-Za-z_][A-Za-z_0-9]*/)) {
        out = out substr(rest, RSTART, RLENGTH) " "
        rest = substr(rest, RSTART + RLENGTH)
    }
    return out
}

function banned_in(code,    words, n, i, w) {
    n = split(identifiers(code), words, " ")
    for (i = 1; i <= n; i++) {
        w = words[i]
        if (w == "") continue
        if (w ~ /^__builtin/ || (" " banned " ") ~ (" " w " ")) return w
    }
    return ""
}

# Balance of one kind of bracket in CODE: sets bal_min and bal_end.
function balance(code, op, cl,    i, c, depth) {
    depth = 0; bal_min = 0
    for (i = 1; i <= length(code); i++) {
        c = substr(code, i, 1)
        if (c == op) depth++
        else if (c == cl) { depth--; if (depth < bal_min) bal_min = depth }
    }
    bal_end = depth
}

# The non-static names a file-scope CODE declares: functions as
# " name( ", other declarations as " =object ".  Sets `declared`.
function file_scope(code,    i, c, depth, paren, decl, prev_sig, word, n, out) {
    out = " "; depth = 0; paren = 0; decl = ""; prev_sig = ""
    for (i = 1; i <= length(code); i++) {
        c = substr(code, i, 1)
        if (depth > 0) {
            if (c == "{") depth++
            else if (c == "}") { depth--; if (depth == 0 && decl_is_function) { decl = ""; decl_is_function = 0 } }
            continue
        }
        if (c == "(") paren++
        if (c == ")") paren--
        if (c == "{" && paren == 0) {
            depth = 1
            decl_is_function = (prev_sig == ")")
            if (decl_is_function) out = out declaration(decl)
            continue
        }
        if (c == ";" && paren == 0) { out = out declaration(decl); decl = ""; prev_sig = c; continue }
        decl = decl c
        if (c !~ /[ \t\n]/) prev_sig = c
    }
    if (decl ~ /[^ \t\n]/) out = out declaration(decl)
    return out
}

# One declaration's names, as file_scope() returns them.
function declaration(text,    ids, rest, names, paren, i, c, word, start) {
    ids = identifiers(text)
    if (ids ~ / (static|typedef) /) return ""
    if (text ~ /^[ \t\n]*$/) return ""
    names = ""; paren = 0; word = ""
    for (i = 1; i <= length(text); i++) {
        c = substr(text, i, 1)
        if (c ~ /[A-Za-z_0-9]/) { word = word c; continue }
        if (c == "(" && paren == 0 && word != "") names = names word "( "
        if (c == "(") paren++
        if (c == ")") paren--
        if (c !~ /[ \t\n]/) word = ""
    }
    if (names != "") return names
    # No function: a bare struct/union/enum declares no object.
    rest = text; gsub(/[ \t\n]+/, " ", rest); sub(/^ /, "", rest); sub(/ $/, "", rest)
    if (rest ~ /^(struct|union|enum) [A-Za-z_][A-Za-z_0-9]*$/) return ""
    return "=object "
}

# The macros a macro region defines: name -> body, for the balance rule.
function macros(code, tag,    n, i, l, name, m) {
    n = split(code, l, "\n"); m = ""
    for (i = 1; i <= n; i++) {
        if (l[i] !~ /^[ \t]*#[ \t]*define[ \t]+[A-Za-z_]/) continue
        name = l[i]; sub(/^[ \t]*#[ \t]*define[ \t]+/, "", name)
        body_text = name; sub(/^[A-Za-z_][A-Za-z_0-9]*/, "", body_text)
        if (substr(body_text, 1, 1) == "(") sub(/^\([^)]*\)/, "", body_text)
        sub(/[^A-Za-z_0-9].*/, "", name)
        macro_body[tag, name] = body_text
        m = m name " "
    }
    return m
}

function check_region(id, k, kind,    why, text, code, n, l, i, w, names, words, allowed, name, sol_code, stub_code, nm, mnames, line_text, c) {
    text = body["U", id, k]
    if (lines["U", id, k] > 400 || length(text) > 32000) return "the region is longer than 400 lines"
    if (text ~ /\?\?[=\/'()!<>-]/) return "a trigraph (??= ??/ ...): it can hide a # or a backslash"
    if (kind != "macro" && text ~ /\\\n/) return "a line ends with a backslash (it joins the next line to this one)"
    problem = ""
    code = strip(text)
    if (problem != "") return problem
    if (code ~ /<%|%>|<:|:>|%:/) return "a digraph (<% %> <: :> %:): write { } [ ] # as they are"
    w = banned_in(code)
    if (w != "") return "'" w "' is not allowed in an exercise (it can run code outside the exercise or change the process)"
    if (kind != "macro") { why = conditionals(code); if (why != "") return why }
    if (kind != "macro") {
        balance(code, "{", "}"); if (bal_min < 0 || bal_end != 0) return "unbalanced braces: the region closes a block it did not open (or leaves one open)"
    }
    balance(code, "(", ")"); if (bal_min < 0 || bal_end != 0) return "unbalanced parentheses"
    balance(code, "[", "]"); if (bal_min < 0 || bal_end != 0) return "unbalanced brackets"
    if (kind == "file") {
        allowed = ""
        for (i = 1; i <= count["T", id]; i++) allowed = allowed file_scope(strip(body["T", id, i]))
        for (i = 1; i <= count["S", id]; i++) allowed = allowed file_scope(strip(body["S", id, i]))
        names = file_scope(code)
        n = split(names, words, " ")
        for (i = 1; i <= n; i++) {
            if (words[i] == "") continue
            if (words[i] == "=object") return "a variable at file scope that is not static"
            if (index(allowed, " " words[i] " ") == 0) return "a function '" substr(words[i], 1, length(words[i]) - 1) "' that is not static: only " allowed_list(allowed) " may be defined here"
        }
    }
    if (kind == "macro") return check_macros(id, k, code)
    return ""
}

# Outside the macros, the only # lines are conditionals (#ifdef SO_NOSIGPIPE
# in 4.3), and every stretch of code inside one balances on its own, so
# that whichever branch the compiler keeps, the braces still balance.
function conditionals(code,    n, l, i, depth, stretch, d) {
    n = split(code, l, "\n"); depth = 0; stretch = ""
    for (i = 1; i <= n; i++) {
        if (l[i] !~ /^[ \t]*#/) {
            if (index(l[i], "#")) return "a # in the middle of a line"
            if (depth > 0) stretch = stretch l[i] "\n"
            continue
        }
        d = l[i]; sub(/^[ \t]*#[ \t]*/, "", d); sub(/[^a-z].*/, "", d)
        if (d !~ /^(if|ifdef|ifndef|elif|else|endif)$/)
            return "a preprocessor line (#" d "): inside a function only #if/#ifdef/#else/#endif may appear"
        if (index(substr(l[i], index(l[i], "#") + 1), "#")) return "a # in the middle of a line"
        if (!balanced_stretch(stretch)) return "a branch of #" d " with unbalanced braces or parentheses"
        stretch = ""
        if (d ~ /^if/) depth++
        if (d == "endif") depth--
        if (depth < 0) return "an #endif the region did not open"
    }
    if (depth != 0) return "an #if the region does not close"
    return ""
}
function balanced_stretch(text) {
    balance(text, "{", "}"); if (bal_min < 0 || bal_end != 0) return 0
    balance(text, "(", ")"); if (bal_min < 0 || bal_end != 0) return 0
    return 1
}

function allowed_list(allowed,    s) { s = allowed; gsub(/\( /, ", ", s); sub(/^ /, "", s); sub(/, $/, "", s); return s }

function check_macros(id, k, code,    n, l, i, t, includes, defined, mnames, nm, name, lo, end, j, stub_min) {
    includes = "\n"; defined = " "
    for (j = 1; j <= count["T", id]; j++) {
        t = strip(body["T", id, j]); defined = defined macros(t, "T")
        includes = includes include_lines(t)
    }
    for (j = 1; j <= count["S", id]; j++) {
        t = strip(body["S", id, j]); defined = defined macros(t, "S")
        includes = includes include_lines(t)
    }
    n = split(code, l, "\n")
    for (i = 1; i <= n; i++) {
        if (l[i] ~ /^[ \t]*$/) continue
        if (l[i] ~ /^[ \t]*#[ \t]*include/) continue
        if (l[i] !~ /^[ \t]*#[ \t]*define[ \t]+[A-Za-z_]/) return "only the exercise's #define lines belong here, not: " substr(l[i], 1, 60)
    }
    # #include lines: compared as written (strip() empties their quotes)
    includes = "\n"
    for (j = 1; j <= count["T", id]; j++) includes = includes include_lines(body["T", id, j])
    for (j = 1; j <= count["S", id]; j++) includes = includes include_lines(body["S", id, j])
    n = split(include_lines(body["U", id, k]), l, "\n")
    for (i = 1; i <= n; i++)
        if (l[i] != "" && index(includes, "\n" l[i] "\n") == 0) return "an #include the exercise does not have: " l[i]
    mnames = macros(code, "U")
    n = split(mnames, nm, " ")
    for (i = 1; i <= n; i++) {
        name = nm[i]
        if (index(defined, " " name " ") == 0) return "#define " name ": this exercise defines only" defined
        if (seen_macro[name]++) return "#define " name " twice"
        if (index(macro_body["U", name], "#")) return "# inside the body of " name
        balance(macro_body["U", name], "(", ")"); if (bal_min < 0 || bal_end != 0) return "unbalanced parentheses in " name
        balance(macro_body["S", name], "{", "}"); lo = bal_min; end = bal_end
        if (("T" SUBSEP name) in macro_body) { balance(macro_body["T", name], "{", "}"); if (bal_min < lo) lo = bal_min }
        balance(macro_body["U", name], "{", "}")
        if (bal_min < lo || bal_end != end) return "the braces of " name " do not open and close as the exercise's do (they could leave the function it is used in)"
    }
    return ""
}

function include_lines(code,    n, l, i, t, out) {
    n = split(code, l, "\n"); out = ""
    for (i = 1; i <= n; i++) if (l[i] ~ /^[ \t]*#[ \t]*include/) { t = l[i]; gsub(/[ \t]/, "", t); out = out t "\n" }
    return out
}

BEGIN {
    banned = "asm __asm __asm__ __attribute__ __attribute _Pragma __extension__ __thread " \
             "fork vfork clone clone3 execl execlp execle execv execvp execvpe execve fexecve system popen " \
             "posix_spawn posix_spawnp syscall ptrace prctl dlopen dlsym dlvsym mprotect mmap munmap " \
             "atexit at_quick_exit on_exit quick_exit setjmp longjmp sigsetjmp siglongjmp _setjmp _longjmp " \
             "pthread_create thrd_create setsid setpgid setpgrp kill killpg tgkill sigaction signal " \
             "unshare chroot setuid seteuid setgid environ __environ getppid"
    norder = 0
    load(teacher, "T")
    load(solution, "S")
    load(ARGV[1], "U")
    ARGV[1] = ""
    for (r = 1; r <= norder; r++) {
        id = order[r]; k = occurrence[r]
        kind = (index(body["T", id, k], "#") && body["T", id, k] ~ /(^|\n)[ \t]*#[ \t]*(define|include)/) ? "macro" : context[r]
        if (count["U", id] != count["T", id])
            print id "\treject\tthe file has " (count["U", id] + 0) " region(s) " id ", the course " count["T", id] " (its BEGIN/END EXERCISE lines were changed)"
        else {
            why = check_region(id, k, kind)
            print id (why == "" ? "\tok" : "\treject\t" file ": " why)
        }
    }
    exit 0
}
