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

CC      ?= cc
CFLAGS  ?= -g -O1
STD     := -std=c11 -D_POSIX_C_SOURCE=200809L
WARN    := -Wall -Wextra -Wpedantic -Werror
ifeq ($(shell uname -s),Darwin)
# macOS hides SO_NOSIGPIPE and friends under strict POSIX.
STD     += -D_DARWIN_C_SOURCE
endif
ifeq ($(SANITIZE),1)
SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
endif
ALL_CFLAGS := $(STD) $(WARN) $(CFLAGS) $(SAN)

CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

COMMON      := $(wildcard common/*.c)
COMMON_H    := $(wildcard common/*.h)
SOURCES     := $(wildcard $(SRC)/*.c)
HEADERS     := $(wildcard $(SRC)/*.h)
LIBRARY     := $(filter-out $(SRC)/main.c,$(SOURCES))
SUITE_SRC   := tests/test_$(NUMBER).c
SUPPORT     := tests/grade.c tests/support.c
SUPPORT_H   := tests/grade.h tests/support.h

ifeq ($(V),1)
Q :=
else
Q := @
endif

.PHONY: program suite maint
program: $(PROGRAM)
suite: $(SUITE)
maint: $(MAINT)

$(PROGRAM): $(SOURCES) $(HEADERS) $(COMMON) $(COMMON_H)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Icommon -I$(SRC) $(SOURCES) $(COMMON) -o $@

# The suite links the stage's code without its main(), like Check's
# "money" example: the logic is a library, main() is a thin shell.
$(SUITE): $(SUITE_SRC) $(SUPPORT) $(SUPPORT_H) $(LIBRARY) $(HEADERS) $(COMMON) $(COMMON_H) $(PROGRAM)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Icommon -I$(SRC) -Itests \
		-DSTAGE_BINARY='"$(abspath $(PROGRAM))"' \
		$(SUITE_SRC) $(SUPPORT) $(LIBRARY) $(COMMON) $(CHECK_LIBS) -o $@

# The maintainers' suite of a stage (tests/maint_NN.c), when it has one:
# checks that grade no exercise (faults, limits), built the same way.
$(MAINT): tests/maint_$(NUMBER).c $(SUPPORT) $(SUPPORT_H) $(LIBRARY) $(HEADERS) $(COMMON) $(COMMON_H) $(PROGRAM)
	@mkdir -p $(@D)
	$(if $(Q),@echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Icommon -I$(SRC) -Itests \
		-DSTAGE_BINARY='"$(abspath $(PROGRAM))"' \
		tests/maint_$(NUMBER).c $(SUPPORT) $(LIBRARY) $(COMMON) $(CHECK_LIBS) -o $@
