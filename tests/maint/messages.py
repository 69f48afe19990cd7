#!/usr/bin/env python3
"""messages.py - keeps the message catalogue complete (make test).

    python3 tests/maint/messages.py check
        tests/grader/messages.txt: every line ID<TAB>English<TAB>Korean,
        both texts with the same printf placeholders, the Korean really
        Korean; every id the code uses is there and every id there is
        used: by the code (C and sh, the Makefile), by a test's title
        (title.N.NAME, English equal to its GRADED line), by a suite's text
        (x.*, English equal to a string in tests/grader), by a stub's
        TODO notice (todo.what.N.M, English equal to the stub's words);
        and common/course_text.c's compiled-in copy says what it says.

    python3 tests/maint/messages.py samples
        Each x.* text filled with sample values, English and Korean, for
        tests/maint/messages_probe.c (which runs the grader's matcher).

    python3 tests/maint/messages.py english [FILE...]
        The lines of FILE (or stdin) that hold an English sentence: three
        or more English words in a row, once values are set aside (text
        in quotes, code, paths, numbers, the verdict words).  Exit 1 if
        any: the check that a Korean reader reads Korean.
Run from the top folder of the course.
"""
import glob
import re
import sys

CATALOGUE = "tests/grader/messages.txt"
# The kinds of id the programs hold compiled in (common/course_text.c).
COMPILED_IN = ("todo.", "stage1.", "options.", "summary.")
CODE_ID = re.compile(r"^(grade|report|signal|check|progress|watch|hint|reset|run|make|usage|deps|todo|stage1|options|summary)"
                     r"\.[A-Za-z0-9_.]+$")
FILE_LIKE = re.compile(r"\.(sh|c|h|mk|md|txt|tsv|json|log|out|xml)$")
CONVERSION = re.compile(r"%(?:%|[-+ #0]*[0-9]*(?:\.[0-9]+)?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcsp])")
HANGUL = re.compile("[\uac00-\ud7a3]")
# Adjacent string literals, also across a macro's line continuations.
LITERALS = re.compile(r'"(?:[^"\\\n]|\\.)*"(?:(?:\s|\\\n)*"(?:[^"\\\n]|\\.)*")*')
ONE_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def unescape(text):
    return re.sub(r"\\(n|t|\\)", lambda m: {"n": "\n", "t": "\t", "\\": "\\"}[m.group(1)], text)


def c_string(sequence):
    """The value of adjacent C string literals."""
    out = []
    for piece in ONE_LITERAL.findall(sequence):
        out.append(re.sub(r'\\(x[0-9a-fA-F]{2}|.)', lambda m: {
            "n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'", "r": "\r", "0": "\0"}.get(
            m.group(1), chr(int(m.group(1)[1:], 16)) if m.group(1)[0] == "x" else m.group(1)), piece))
    return "".join(out)


def without_comments(source):
    return re.sub(r"/\*.*?\*/", " ", source, flags=re.S)


def placeholders(text):
    return [c for c in CONVERSION.findall(text) if c != "%%"]


def load(problems):
    entries = {}
    for number, line in enumerate(open(CATALOGUE, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        where = f"{CATALOGUE}:{number}"
        if len(fields) != 3 or not all(fields):
            problems.append(f"{where}: not ID<TAB>English<TAB>Korean, all three set: {line[:60]}")
            continue
        id_, en, ko = fields
        if id_ in entries:
            problems.append(f"{where}: {id_} is there twice")
        if placeholders(en) != placeholders(ko):
            problems.append(f"{where}: {id_}: placeholders differ: {placeholders(en)} in English, "
                            f"{placeholders(ko)} in Korean")
        if not HANGUL.search(ko) and re.search(r"[A-Za-z]{3,}", CONVERSION.sub("", ko)):
            problems.append(f"{where}: {id_}: the Korean is not Korean: {ko[:60]}")
        entries[id_] = (unescape(en), unescape(ko), where)
    return entries


def code_ids():
    """Ids the code names: C string literals that look like ids, and the
    words after msg/msgf/msgln/msg_lines (sh) and say/usage (Makefile)."""
    used = {}
    c_files = ["tests/grader/grade.c", "tests/grader/report_text.c", "tests/grader/messages.c",
               "common/todo.c", "common/options.c"] + sorted(glob.glob("solutions/*/main.c"))
    for path in c_files:
        for literal in ONE_LITERAL.findall(without_comments(open(path, encoding="utf-8").read())):
            if CODE_ID.match(literal) and not FILE_LIKE.search(literal):
                used.setdefault(literal, path)
    sh_words = re.compile(r"\b(?:msg|msgf|msgln)\s+([A-Za-z0-9_]+\.[A-Za-z0-9_.]+)"
                          r"|\bmsg_lines\s+\"[^\"]*\"\s+([A-Za-z0-9_.]+)"
                          r"|\$\(call (?:say|usage),([A-Za-z0-9_]+\.[A-Za-z0-9_.]+)"
                          r"|messages\.sh\s+([A-Za-z0-9_]+\.[A-Za-z0-9_.]+)")
    for path in sorted(glob.glob("tests/grader/*.sh")) + ["Makefile"]:
        for match in sh_words.finditer(open(path, encoding="utf-8").read()):
            used.setdefault(next(g for g in match.groups() if g), path)
    return used


def graded_titles():
    """{"N.NAME": (title, path)}: N is the stage (two stages may both
    have a test of one name)."""
    graded = re.compile(r'GRADED(?:_SLOW)?\(\s*"([0-9]+)\.[^"]*"\s*,\s*(\w+)\s*,\s*(' + LITERALS.pattern + ')')
    titles = {}
    for path in sorted(glob.glob("tests/grader/test_*.c")):
        for match in graded.finditer(without_comments(open(path, encoding="utf-8").read())):
            titles[match.group(1) + "." + match.group(2)] = (c_string(match.group(3)), path)
    return titles


def suite_strings():
    strings = set()
    for path in sorted(glob.glob("tests/grader/test_*.c")) + ["tests/grader/grade.h", "tests/grader/support.c"]:
        for sequence in LITERALS.findall(without_comments(open(path, encoding="utf-8").read())):
            strings.add(c_string(sequence))
    return strings


def stub_words():
    words = {}
    call = re.compile(r'exercise_todo\(\s*"([0-9.]+)"\s*,\s*(' + LITERALS.pattern + r')\s*\)')
    for path in sorted(glob.glob("steps/*/*.[ch]")):
        for match in call.finditer(open(path, encoding="utf-8").read()):
            words[match.group(1)] = (c_string(match.group(2)), path)
    return words


def compiled_copy():
    source = open("common/course_text.c", encoding="utf-8").read()
    block = source.split("BEGIN CATALOGUE COPY", 1)[1].split("END CATALOGUE COPY", 1)[0]
    row = re.compile(r'\{\s*("(?:[^"\\]|\\.)*")\s*,\s*("(?:[^"\\]|\\.)*")\s*,\s*("(?:[^"\\]|\\.)*")\s*\}')
    return {c_string(m.group(1)): (c_string(m.group(2)), c_string(m.group(3))) for m in row.finditer(block)}


def check():
    problems = []
    entries = load(problems)
    used = code_ids()
    for id_, path in sorted(used.items()):
        if id_ not in entries:
            problems.append(f"{path} uses {id_}, which {CATALOGUE} lacks")
    titles = graded_titles()
    for name, (title, path) in sorted(titles.items()):
        entry = entries.get("title." + name)
        if entry is None:
            problems.append(f"{path}: test {name} has no title.{name} in {CATALOGUE} (its Korean title)")
        elif entry[0] != title:
            problems.append(f"{entry[2]}: title.{name} says {entry[0]!r}, its GRADED line {title!r}")
    strings = suite_strings()
    stubs = stub_words()
    copy = compiled_copy()
    for id_, (en, ko, where) in sorted(entries.items()):
        if id_.startswith("title."):
            if id_[6:] not in titles:
                problems.append(f"{where}: {id_}: no test is named {id_[6:]}")
        elif id_.startswith("x.check."):
            pass  # the Check library's own words (messages.c localizes them)
        elif id_.startswith("x."):
            if en not in strings:
                problems.append(f"{where}: {id_}: no suite says {en[:70]!r} any more")
        elif id_.startswith("todo.what."):
            stub = stubs.get(id_[len("todo.what."):])
            if stub is None or stub[0] != en:
                problems.append(f"{where}: {id_}: the stub says {stub and stub[0]!r}")
        elif id_ not in used:
            problems.append(f"{where}: {id_} is used nowhere")
        if id_.startswith(COMPILED_IN) and copy.get(id_) != (en, ko):
            problems.append(f"{where}: {id_}: common/course_text.c's copy differs or lacks it")
    for id_ in sorted(set(copy) - set(entries)):
        problems.append(f"common/course_text.c: {id_} is not in {CATALOGUE}")
    for exercise in sorted(stubs):
        if "todo.what." + exercise not in entries:
            problems.append(f"{stubs[exercise][1]}: exercise {exercise}'s TODO words lack todo.what.{exercise}")
    for problem in problems:
        print(problem)
    print(f"{len(entries)} messages, {len(titles)} test titles; {len(problems)} problems")
    return 1 if problems else 0


# Words that stay as they are in a Korean report: verdicts, tool names.
KEPT = {"ok", "FAIL", "CRASH", "TIMEOUT", "EXITED", "SKIPPED", "MISSING", "TODO", "make", "Ctrl",
        "AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "SANITIZE", "KEEP_GOING"}


def english_lines(lines):
    found = []
    for line in lines:
        text = re.sub(r'"(?:[^"\\]|\\.)*"', " ", line)   # values in quotes
        text = re.sub(r"'[^']*'", " ", text)
        run = 0
        for token in text.split():
            word = token.strip(",.;:!?()[]{}")
            if re.fullmatch(r"[A-Za-z]+", word) and word not in KEPT:
                run += 1
                if run >= 3:
                    found.append(line)
                    break
            else:
                run = 0
            if token != word and token[-1:] in ",.;:!?)]}":
                run = 0  # a sentence's words run on past a comma, but not past code
    return found


def english(paths):
    lines = []
    for path in paths or ["-"]:
        stream = sys.stdin if path == "-" else open(path, encoding="utf-8", errors="replace")
        lines += [line.rstrip("\n") for line in stream]
    found = english_lines(lines)
    for line in found:
        print("English: " + line)
    return 1 if found else 0


def samples():
    """x.* entries filled with sample values: English \x1f Korean, \x1e between."""
    records = []
    for id_, (en, ko, _) in sorted(load([]).items()):
        if not id_.startswith("x."):
            continue
        values = ["value%d" % k if c.endswith("s") else "1.5" if c.endswith("f") else str(10 + k)
                  for k, c in enumerate(placeholders(en))]

        def fill(text):
            remaining = iter(values)
            return CONVERSION.sub(lambda m: "%" if m.group(0) == "%%" else next(remaining), text)
        records.append(fill(en) + "\x1f" + fill(ko))
    sys.stdout.write("\x1e".join(records))
    return 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "check":
        sys.exit(check())
    if len(sys.argv) >= 2 and sys.argv[1] == "samples":
        sys.exit(samples())
    if len(sys.argv) >= 2 and sys.argv[1] == "english":
        sys.exit(english(sys.argv[2:]))
    print(__doc__)
    sys.exit(2)
