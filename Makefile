# The course's commands.  `make help` lists them.
#
#   make step N [SOLUTIONS=1]      build stage N (1-5) of steps/ (or solutions/)
#   make run [STEP=N] [ARGS=...]   run the solved server, or your stage N
#   make check [STEP=N] [TEST=..]  grade your exercises
#   make test                      the project's own suite (maintainers, CI)
#   make stress / make memcheck    longer checks of the final server
#   make bench                     benchmarks (bench/RESULTS.md)
#   make clean
#
# CC and CFLAGS may be overridden; V=1 shows every command; SANITIZE=1
# builds with AddressSanitizer and UndefinedBehaviorSanitizer.

STAGES := 01-generators-via-duff 02-scheduler 03-select-loop 04-tcp-server 05-echo-handler

CC      ?= cc
CFLAGS  ?= -g -O1
ifeq ($(origin CC),default)
CC := cc
endif
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

export CC CFLAGS SANITIZE V BUILD BACKEND
STAGE_MAKE = $(MAKE) --no-print-directory -f tests/stage.mk

# `make step 3`: the number is a goal of its own; make it do nothing.
ifeq ($(firstword $(MAKECMDGOALS)),step)
STEP_NUMBER := $(word 2,$(MAKECMDGOALS))
ifneq ($(STEP_NUMBER),)
$(STEP_NUMBER):
	@:
endif
endif

stage_name = $(if $(call valid_step,$(1)),$(word $(1),$(STAGES)))
valid_step = $(filter 1 2 3 4 5,$(1))

.PHONY: help step run check test clean stress memcheck bench deps

help:
	@sed -n '3,13p' Makefile | sed 's/^# \{0,1\}//'

step:
	@if [ -z "$(call valid_step,$(STEP_NUMBER))" ]; then \
		echo "usage: make step N, with N from 1 to 5 (for example: make step 1)"; exit 2; fi
	@$(STAGE_MAKE) SRC=$(TREE)/$(call stage_name,$(STEP_NUMBER)) \
		NAME=$(call stage_name,$(STEP_NUMBER)) OUT=$(BUILD)/$(BACKEND_DIR)$(TREE) program
	@echo "$(BUILD)/$(BACKEND_DIR)$(TREE)/$(call stage_name,$(STEP_NUMBER))"

# make run: the solved final server.  make run STEP=N: your stage N.
RUN_STEP := $(if $(STEP),$(STEP),5)
RUN_TREE := $(if $(STEP),$(TREE),$(if $(filter 0,$(SOLUTIONS)),steps,solutions))
run:
	@if [ -z "$(call valid_step,$(RUN_STEP))" ]; then \
		echo "make run: STEP must be a number from 1 to 5, not '$(RUN_STEP)'"; exit 2; fi
	@$(STAGE_MAKE) SRC=$(RUN_TREE)/$(call stage_name,$(RUN_STEP)) \
		NAME=$(call stage_name,$(RUN_STEP)) OUT=$(BUILD)/$(BACKEND_DIR)$(RUN_TREE) program
	@echo "Running $(BUILD)/$(BACKEND_DIR)$(RUN_TREE)/$(call stage_name,$(RUN_STEP)) $(ARGS)"
	@exec $(BUILD)/$(BACKEND_DIR)$(RUN_TREE)/$(call stage_name,$(RUN_STEP)) $(ARGS)

deps:
	@sh tests/grader/need-check.sh

check: deps
	@STEP="$(STEP)" TEST="$(TEST)" TREE="$(TREE)" MAKE="$(MAKE)" SANITIZE_FROM="$(origin SANITIZE)" sh tests/grader/grade.sh

test: deps
	@MAKE="$(MAKE)" sh tests/maint/selftest.sh

# A longer stress run of the final server (tests/maint/stress.sh short: the
# version make test runs).
stress: deps
	@MAKE="$(MAKE)" sh tests/maint/stress.sh long

# The final server's tests with the server under valgrind --track-fds=yes.
memcheck: deps
	@MAKE="$(MAKE)" sh tests/maint/memcheck.sh

# Benchmarks: switch cost, the echo server under load beside a
# thread-per-connection server and the original Python program, and the
# poll and epoll backends.  Results go to bench/RESULTS.md.
bench:
	@sh bench/run.sh

clean:
	rm -rf build
