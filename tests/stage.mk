# tests/stage.mk - builds one stage from one folder of sources: its
# program and its graded suite.  The top Makefile and the graders call
# it; it is not meant to be run by hand.
#
#   make -f tests/stage.mk SRC=steps/01-generators-via-duff \
#        NAME=01-generators-via-duff OUT=build/steps program suite
#
# SRC may be any folder holding a stage's files (the self-test builds
# mutated copies of the solutions this way).

ifndef SRC
$(error SRC is not set: see the comment at the top of tests/stage.mk)
endif

NUMBER  := $(firstword $(subst -, ,$(NAME)))
PROGRAM := $(OUT)/$(NAME)
SUITE   := $(OUT)/test-$(NAME)
MAINT   := $(OUT)/maint-$(NAME)

.DEFAULT_GOAL := program
include tests/flags.mk
STD     := $(COURSE_STD)
WARN    := $(COURSE_WARN)
ifeq ($(SANITIZE),1)
SAN     := $(COURSE_SANITIZE)
endif
ALL_CFLAGS := $(STD) $(WARN) $(CFLAGS) $(SAN)

CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

COMMON      := $(wildcard common/*.c)
COMMON_H    := $(wildcard common/*.h)
SOURCES     := $(wildcard $(SRC)/*.c)
HEADERS     := $(wildcard $(SRC)/*.h)
LIBRARY     := $(filter-out $(SRC)/main.c,$(SOURCES))
SUITE_SRC   := tests/grader/test_$(NUMBER).c
# tests/grader/expose_NN.c, when there is one, compiles one file of the
# stage (named on its first line, "exposes: FILE") in place of the
# library's copy, so that the suite can call that file's static pieces
# on their own (park(), wait_for_io(), start_handler()).
EXPOSE      := $(wildcard tests/grader/expose_$(NUMBER).c)
EXPOSED     = $(if $(EXPOSE),$(addprefix $(SRC)/,$(shell sed -n '1s/.*exposes: \([^ ]*\).*/\1/p' $(EXPOSE))))
SUITE_LIBRARY = $(filter-out $(EXPOSED),$(LIBRARY)) $(EXPOSE)
SUPPORT     := tests/grader/grade.c tests/grader/support.c tests/grader/report_text.c tests/grader/messages.c tests/grader/channel.c
SUPPORT_H   := tests/grader/grade.h tests/grader/support.h tests/grader/report_text.h tests/grader/messages.h tests/grader/channel.h

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: program suite maint compdb
program: $(PROGRAM)
	@:
suite: $(SUITE)
	@:
maint: $(MAINT)
	@:

# ---- BEGIN BACKEND (going further: further/, tests/maint/backends.c) ----
# BACKEND=select|poll|epoll builds stage 5 with the scheduler of
# further/ (its wait behind io_backend.h) in place of the
# stage's scheduler.c and scheduler.h; every task is the stage's own.
# Unset, nothing here applies; stages 1 to 4 ignore it.
#
#   make -f tests/stage.mk SRC=solutions/05-echo-handler NAME=05-echo-handler \
#        OUT=build/backend-epoll/solutions BACKEND=epoll program suite backend-suite
#
# The stage's other files are copied to $(OUT)/backend-src and built from
# there: a file finds "scheduler.h" in its own folder before any -I, so
# the stage's scheduler.h must not sit beside them.
ifneq ($(strip $(BACKEND)),)
ifeq ($(NUMBER),05)
ifeq ($(filter select poll epoll,$(BACKEND)),)
$(error BACKEND=$(BACKEND): choose select, poll or epoll, or leave BACKEND unset for the course's own scheduler)
endif
ifeq ($(BACKEND),epoll)
ifneq ($(shell uname -s),Linux)
$(error BACKEND=epoll needs Linux: use BACKEND=poll on this system)
endif
endif
ifeq ($(findstring backend-$(BACKEND),$(OUT)),)
$(error BACKEND=$(BACKEND) needs an OUT of its own, such as OUT=build/backend-$(BACKEND)/solutions, so that it never mixes with the select build)
endif
BACKEND_FROM   := $(SRC)
BACKEND_SRC    := $(OUT)/backend-src
BACKEND_COPIES := $(patsubst $(SRC)/%,$(BACKEND_SRC)/%,\
                  $(filter-out $(SRC)/scheduler.c $(SRC)/scheduler.h,$(SOURCES) $(HEADERS)))
SOURCES := $(filter %.c,$(BACKEND_COPIES)) further/scheduler.c further/deadlines.c \
           further/backend_$(BACKEND).c
HEADERS := $(filter %.h,$(BACKEND_COPIES)) $(wildcard further/*.h)
LIBRARY := $(filter-out $(BACKEND_SRC)/main.c,$(SOURCES))
# Before the recipes' -Icommon -I$(SRC): the backends' scheduler.h wins.
# SCHEDULER_HAS_TIMERS: common/options.c accepts --idle-timeout.
ALL_CFLAGS += -Ifurther -DSCHEDULER_HAS_TIMERS
override SRC := $(BACKEND_SRC)
BACKEND_SUITE := $(OUT)/test-backends

$(BACKEND_SRC)/%: $(BACKEND_FROM)/%
	@mkdir -p $(@D)
	$(Q)cp $< $@

# tests/maint/backends.c: the backend's own checks (5000 clients, fds past
# FD_SETSIZE), against this build's program and scheduler.
.PHONY: backend-suite
backend-suite: $(BACKEND_SUITE)
	@:
$(BACKEND_SUITE): tests/maint/backends.c $(SUPPORT) $(SUPPORT_H) $(LIBRARY) $(HEADERS) $(COMMON) $(COMMON_H) $(PROGRAM)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Icommon -I$(SRC) -Itests/grader \
		-DSTAGE_BINARY='"$(abspath $(PROGRAM))"' \
		tests/maint/backends.c $(SUPPORT) $(LIBRARY) $(COMMON) $(CHECK_LIBS) -o $@

# tests/maint/timers.c: sleeping tasks and --idle-timeout, the same way.
TIMER_SUITE := $(OUT)/test-timers
.PHONY: timer-suite
timer-suite: $(TIMER_SUITE)
	@:
$(TIMER_SUITE): tests/maint/timers.c $(SUPPORT) $(SUPPORT_H) $(LIBRARY) $(HEADERS) $(COMMON) $(COMMON_H) $(PROGRAM)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Icommon -I$(SRC) -Itests/grader \
		-DSTAGE_BINARY='"$(abspath $(PROGRAM))"' \
		tests/maint/timers.c $(SUPPORT) $(LIBRARY) $(COMMON) $(CHECK_LIBS) -o $@
endif
endif
# ---- END BACKEND ----

# Rebuild when the compiler or its flags change (CC=clang after gcc, say):
# the stamp file holds the command line of the last build.
STAMP := $(OUT)/.flags-$(NAME)
BUILD_LINE := $(CC) $(ALL_CFLAGS)
ifneq ($(shell cat $(STAMP) 2>/dev/null),$(strip $(BUILD_LINE)))
$(shell mkdir -p $(OUT) && echo '$(strip $(BUILD_LINE))' > $(STAMP))
endif

$(PROGRAM): $(SOURCES) $(HEADERS) $(COMMON) $(COMMON_H) $(STAMP)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Icommon -I$(SRC) $(SOURCES) $(COMMON) -o $@

# The suite links the stage's code without its main(), like Check's
# "money" example: the logic is a library, main() is a thin shell.
$(SUITE): $(SUITE_SRC) $(SUPPORT) $(SUPPORT_H) $(LIBRARY) $(EXPOSE) $(HEADERS) $(COMMON) $(COMMON_H) $(PROGRAM)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Icommon -I$(SRC) -Itests/grader \
		-DSTAGE_BINARY='"$(abspath $(PROGRAM))"' \
		$(SUITE_SRC) $(SUPPORT) $(SUITE_LIBRARY) $(COMMON) $(CHECK_LIBS) -o $@

# The maintainers' suite of a stage (tests/maint/maint_NN.c), when it has one:
# checks that grade no exercise (faults, limits), built the same way.
$(MAINT): tests/maint/maint_$(NUMBER).c $(SUPPORT) $(SUPPORT_H) $(LIBRARY) $(HEADERS) $(COMMON) $(COMMON_H) $(PROGRAM)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Icommon -I$(SRC) -Itests/grader \
		-DSTAGE_BINARY='"$(abspath $(PROGRAM))"' \
		tests/maint/maint_$(NUMBER).c $(SUPPORT) $(LIBRARY) $(COMMON) $(CHECK_LIBS) -o $@

# compdb: one line of JSON per source file, the command that compiles it
# (the Makefile's `make compdb` gathers them into compile_commands.json).
comma := ,
json_words = $(subst " ","$(comma) ",$(foreach w,$(1),"$(subst ",\",$(w))"))
COMPDB_FLAGS := $(ALL_CFLAGS) $(CHECK_CFLAGS) -Icommon -I$(SRC) -Itests/grader \
                -DSTAGE_BINARY="$(abspath $(PROGRAM))"
compdb:
	@$(foreach f,$(SOURCES) $(HEADERS) $(SUITE_SRC) $(SUPPORT) $(COMMON),printf '%s\n' \
	  '{"directory": "$(CURDIR)", "file": "$(abspath $(f))", "arguments": [$(call json_words,$(CC) $(COMPDB_FLAGS) -c $(f))]}';)
