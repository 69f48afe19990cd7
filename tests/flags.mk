# tests/flags.mk - the compiler flags of the course, in one place.
#
# Included by tests/stage.mk (every stage, the grader, the maintainers'
# suites) and read by the scripts that compile on their own (stress,
# memcheck, bench) with
#
#   make -s --no-print-directory -f tests/flags.mk print-flags     # STD and WARN
#   make -s --no-print-directory -f tests/flags.mk print-sanitize  # SANITIZE=1's flags
#
# CFLAGS (default -g -O1) is the learner's to change; these are not:
# C11 + POSIX, and warnings as errors, whatever the compiler.

CC      ?= cc
ifeq ($(origin CC),default)
CC := cc
endif
CFLAGS  ?= -g -O1
COURSE_STD  := -std=c11 -D_POSIX_C_SOURCE=200809L
ifeq ($(shell uname -s),Darwin)
# macOS hides SO_NOSIGPIPE and friends under strict POSIX.
COURSE_STD  += -D_DARWIN_C_SOURCE
endif
COURSE_WARN := -Wall -Wextra -Wpedantic -Werror
COURSE_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

.PHONY: print-flags print-sanitize
print-flags:
	@echo '$(COURSE_STD) $(COURSE_WARN)'
print-sanitize:
	@echo '$(COURSE_SANITIZE)'
