# The course's commands.  `make help` lists them.
#
#   make step N [SOLUTIONS=1]        build stage N of steps/ (or solutions/)
#   make run [N] [ARGS="-p 26000"]   run your stage N; alone, the solved final server
#   make check [N] [TEST=N.M]        grade your stage N (alone: every stage)
#   make check N LIST=1              list stage N's tests without running them
#   make watch [N]                   grade stage N again on every save (Ctrl-C stops)
#   make trace N [SOLUTIONS=1]       draw your stage N's run, step by step, as a page
#   make hint N.M [ALL=1]            the next hint of exercise N.M (ALL=1: every hint)
#   make progress                    every exercise: done, started or not started
#   make reset N.M | make reset N    put exercise N.M (or stage N) back to its stub
#   make compdb                      compile_commands.json, for clangd and editors
#   make grade-submission DIR=copy   a teacher grades one learner's copy (sandboxed)
#   make grade-class SUBMISSIONS=dir [-j4]  ... every copy in dir: build/class/
#   make platforms                   GitHub Classroom and Gradescope files
#   make test                        the project's own suite (maintainers, CI)
#   make stress / make memcheck      longer checks of the final server
#   make wrong-versions              grade every wrong version of tests/maint/wrong/
#   make bench                       benchmarks (bench/RESULTS.md)
#   make clean
#
# N may also be given as STEP=N.  CC and CFLAGS may be overridden; V=1
# shows every command; SANITIZE=1 builds with AddressSanitizer and
# UndefinedBehaviorSanitizer.  Reports: build/report/grade.json, junit.xml.

# The stages come from the course manifest, and nowhere else.
MANIFEST := tests/course.txt
STAGE_NUMBERS := $(shell awk -F'\t' '$$1 == "stage" { print $$2 }' $(MANIFEST))
STAGES        := $(shell awk -F'\t' '$$1 == "stage" { print $$3 }' $(MANIFEST))
EXERCISE_IDS  := $(shell awk -F'\t' '$$1 == "exercise" { print $$2 }' $(MANIFEST))
LAST_STAGE    := $(lastword $(STAGE_NUMBERS))
stage_name = $(shell awk -F'\t' -v n='$(1)' '$$1 == "stage" && $$2 == n { print $$3 }' $(MANIFEST))
valid_step = $(filter $(STAGE_NUMBERS),$(1))

# CC and CFLAGS default in tests/flags.mk, with every other flag.
.DEFAULT_GOAL := help
include tests/flags.mk
SANITIZE ?= 0
ifeq ($(SANITIZE),1)
BUILD ?= build/sanitize
else
BUILD ?= build
endif
TREE := $(if $(filter 1,$(SOLUTIONS)),solutions,steps)

# BACKEND=poll|epoll: stage 5 with another way to wait (TUTORIAL.md,
# "Going further"); it builds into a folder of its own.
BACKEND_DIR := $(if $(BACKEND),backend-$(BACKEND)/)

# They reach the sub-makes and scripts through the environment only, so
# that a script can still set its own (make test names the compiler of
# each check; a CC= given to make must not relabel them).
export CC CFLAGS SANITIZE V BUILD BACKEND
MAKEOVERRIDES :=
STAGE_MK = --no-print-directory -f tests/stage.mk

COMMANDS := help step run check watch trace hint reset progress compdb deps test \
            stress memcheck bench clean grade-submission grade-class platforms wrong-versions
.PHONY: $(COMMANDS)

# ---- The argument of a command: `make step 3`, `make hint 1.2` ----
# The word after the command is a goal of its own to make; it is read
# here and made to do nothing.  Anything that does not fit stops make
# with one line of usage (and exit status 2) before anything runs.
COMMAND := $(firstword $(MAKECMDGOALS))
ARGUMENT := $(wordlist 2,$(words $(MAKECMDGOALS)),$(MAKECMDGOALS))
# The words are in the learner's language: `say` prints a message of
# tests/grader/messages.txt (ID and values), made only when needed.
say = $(shell sh tests/grader/messages.sh $(1))
STAGE_RANGE = $(call say,usage.range $(firstword $(STAGE_NUMBERS)) $(LAST_STAGE))
USAGE_step     = $(call say,usage.step '$(STAGE_RANGE)')
USAGE_run      = $(call say,usage.run '$(STAGE_RANGE)')
USAGE_check    = $(call say,usage.check '$(STAGE_RANGE)')
USAGE_watch    = $(call say,usage.watch '$(STAGE_RANGE)')
USAGE_trace    = $(call say,usage.trace '$(word 2,$(STAGE_NUMBERS))' '$(LAST_STAGE)')
USAGE_hint     = $(call say,usage.hint '$(EXERCISE_IDS)')
USAGE_reset    = $(call say,usage.reset '$(EXERCISE_IDS)')
usage = $(error $(call say,make.usage '$(COMMAND)' "$$(sh tests/grader/messages.sh $(1))" '$(USAGE_$(COMMAND))'))

ifneq ($(filter $(COMMAND),step run check watch trace hint reset),)
ifneq ($(word 2,$(ARGUMENT)),)
$(call usage,make.one_argument '$(ARGUMENT)')
endif
ifneq ($(filter $(COMMANDS),$(ARGUMENT)),)
$(call usage,make.one_command)
endif
ifneq ($(ARGUMENT),)
$(ARGUMENT):
	@:
endif
else ifneq ($(filter-out $(COMMANDS),$(MAKECMDGOALS)),)
$(error $(call say,make.no_command '$(firstword $(filter-out $(COMMANDS),$(MAKECMDGOALS)))'))
endif

# The stage, from `make CMD N` or STEP=N; both must agree.
ifneq ($(filter $(COMMAND),step run check watch trace),)
ifneq ($(and $(ARGUMENT),$(STEP)),)
ifneq ($(ARGUMENT),$(STEP))
$(call usage,make.disagree '$(ARGUMENT)' '$(STEP)')
endif
endif
STAGE := $(or $(ARGUMENT),$(STEP))
ifneq ($(STAGE),)
ifneq ($(words $(STAGE)),1)
$(call usage,make.one_stage '$(STAGE)')
endif
ifeq ($(call valid_step,$(STAGE)),)
$(call usage,make.no_stage '$(STAGE)')
endif
else ifneq ($(filter $(COMMAND),step trace),)
$(call usage,make.which_stage)
endif
endif
# make check TEST=N.M grades stage N: its exit status is exercise N.M's.
ifeq ($(COMMAND),check)
TEST_STAGE := $(shell echo '$(TEST)' | sed -n 's/^\([0-9][0-9]*\)\.[0-9][0-9]*$$/\1/p')
ifneq ($(TEST_STAGE),)
ifeq ($(filter $(EXERCISE_IDS),$(TEST)),)
$(call usage,make.no_exercise '$(TEST)' '$(EXERCISE_IDS)')
endif
ifneq ($(STAGE),)
ifneq ($(STAGE),$(TEST_STAGE))
$(call usage,make.not_in_stage '$(TEST)' '$(STAGE)')
endif
endif
STAGE := $(TEST_STAGE)
endif
endif
ifneq ($(filter $(COMMAND),hint reset),)
ifeq ($(ARGUMENT),)
$(call usage,make.which_exercise)
endif
endif

help:
	@sed -n '3,24p' Makefile | sed 's/^# \{0,1\}//'

step:
	+@$(MAKE) $(STAGE_MK) SRC=$(TREE)/$(call stage_name,$(STAGE)) \
		NAME=$(call stage_name,$(STAGE)) OUT=$(BUILD)/$(BACKEND_DIR)$(TREE) program
	@echo "$(BUILD)/$(BACKEND_DIR)$(TREE)/$(call stage_name,$(STAGE))"

# make run: the solved final server.  make run N: your stage N.
RUN_STEP := $(or $(STAGE),$(LAST_STAGE))
RUN_TREE := $(if $(STAGE),$(TREE),$(if $(filter 0,$(SOLUTIONS)),steps,solutions))
RUN_PROGRAM := $(BUILD)/$(BACKEND_DIR)$(RUN_TREE)/$(call stage_name,$(RUN_STEP))
run:
	+@$(MAKE) $(STAGE_MK) SRC=$(RUN_TREE)/$(call stage_name,$(RUN_STEP)) \
		NAME=$(call stage_name,$(RUN_STEP)) OUT=$(BUILD)/$(BACKEND_DIR)$(RUN_TREE) program
	@sh tests/grader/messages.sh run.running '$(RUN_PROGRAM)' '$(ARGS)'
	@sh tests/grader/run.sh $(RUN_PROGRAM) $(ARGS)

# make trace N: stage N's run as a page, build/trace/stage-N.html (trace/).
trace:
	$(if $(wildcard $(TREE)/$(call stage_name,$(STAGE))/scheduler.c),,$(call usage,make.no_scheduler '$(STAGE)'))
	+@$(MAKE) $(STAGE_MK) SRC=$(TREE)/$(call stage_name,$(STAGE)) \
		NAME=$(call stage_name,$(STAGE)) OUT=$(BUILD)/$(BACKEND_DIR)$(TREE) program
	@MAKE="$(MAKE)" sh trace/trace.sh $(STAGE) $(TREE) $(BUILD)/$(BACKEND_DIR)$(TREE)/$(call stage_name,$(STAGE)) $(ARGS)

deps:
	@sh tests/grader/need-check.sh

check: deps
	@STEP="$(STAGE)" TEST="$(TEST)" LIST="$(LIST)" TREE="$(TREE)" MAKE="$(MAKE)" \
		SANITIZE_FROM="$(origin SANITIZE)" sh tests/grader/grade.sh

watch: deps
	@STEP="$(STAGE)" TREE="$(TREE)" MAKE="$(MAKE)" SANITIZE_FROM="$(origin SANITIZE)" \
		sh tests/grader/watch.sh

hint:
	@ALL="$(ALL)" sh tests/grader/hint.sh $(ARGUMENT)

reset:
	@sh tests/grader/reset.sh $(ARGUMENT)

progress: deps
	@TREE="$(TREE)" MAKE="$(MAKE)" SANITIZE_FROM="$(origin SANITIZE)" sh tests/grader/progress.sh

# compile_commands.json: the commands that build your stages and their
# graders, one entry per source file (clangd finds it at the top).
compdb:
	+@for name in $(STAGES); do \
		$(MAKE) $(STAGE_MK) SRC=steps/$$name NAME=$$name OUT=$(BUILD)/steps compdb || exit 1; \
	done | awk -f tests/grader/compdb.awk > compile_commands.json
	@echo "wrote compile_commands.json ($$(grep -c '"file"' compile_commands.json) files)"

# The teachers' grader (TUTORIAL.md, "For teachers"): the teacher's
# checkout grades a learner's copy, of which it takes only the exercise
# regions, in a sandbox; reports in build/class/.
JOBS ?= $(or $(patsubst -j%,%,$(filter -j%,$(MAKEFLAGS))),2)
grade-submission: deps
	@if [ -z "$(DIR)" ]; then echo "make grade-submission: which copy? usage: make grade-submission DIR=path/to/learner's/course"; exit 2; fi
	@MAKE="$(MAKE)" sh tests/teach/submission.sh "$(DIR)" $(NAME)

grade-class: deps
	@if [ -z "$(SUBMISSIONS)" ]; then echo "make grade-class: which class? usage: make grade-class SUBMISSIONS=folder-of-copies [-j4]"; exit 2; fi
	@MAKE="$(MAKE)" JOBS="$(or $(JOBS),4)" sh tests/teach/class.sh "$(SUBMISSIONS)"

# The GitHub Classroom workflow and the Gradescope bundle, from the manifest.
platforms:
	@sh tests/teach/platforms.sh write

test: deps
	@MAKE="$(MAKE)" sh tests/maint/selftest.sh

# A longer stress run of the final server (tests/maint/stress.sh short: the
# version make test runs).
stress: deps
	@MAKE="$(MAKE)" sh tests/maint/stress.sh long

# The final server's tests with the server under valgrind --track-fds=yes.
memcheck: deps
	@MAKE="$(MAKE)" sh tests/maint/memcheck.sh

# Every wrong version of tests/maint/wrong/ (make test grades the held-out
# set only): the grader's own set, the two sets written blind.
wrong-versions: deps
	@MAKE="$(MAKE)" sh tests/maint/wrong_versions_all.sh

# Benchmarks: switch cost, the echo server under load beside a
# thread-per-connection server and the original Python program, and the
# poll and epoll backends.  Results go to bench/RESULTS.md.
bench:
	@MAKE="$(MAKE)" sh bench/run.sh
	@sh bench/to_tutorials.sh

clean:
	rm -rf build
