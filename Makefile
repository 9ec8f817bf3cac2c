# vbench-trace: every build step lives here. `make V=1` shows full commands.
#
#   make            build/vbench-trace (the tool) and build/vbench-trace-agent (static)
#   make run        install what is missing, build, run the default suite, print the report
#   make test       install what is missing, build, unit tests (also under ASan/UBSan),
#                   the fuzz smoke, integration tests (root: real BPF, dockerd, libvirtd, QEMU)
#   make bench      peer and probe-cost ratios, measured side by side
#   make fuzz       each libFuzzer harness (tests/fuzz/) for FUZZ_SECONDS (default 60)
#   make fuzz-smoke each harness briefly, plus its corpus and regressions (part of make test)
#   make vmlinux    regenerate vmlinux/vmlinux.h from this kernel's BTF
#   make format     clang-format every C file in place
#   make install    PREFIX=/usr/local DESTDIR=: the tool, the agent, the man page,
#                   bash completion; make uninstall removes them

BUILD   ?= build
CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool
V       ?= 0

# The BPF target architecture, named as the kernel's arch/ does (libbpf-bootstrap's
# mapping). vmlinux/vmlinux.h is this project's x86_64 BTF dump: on another
# architecture run `make vmlinux` first.
ARCH ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/' \
	-e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/' \
	-e 's/loongarch64/loongarch/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
UNISTD_H  ?= $(firstword $(wildcard /usr/include/$(MULTIARCH)/asm/unistd_64.h \
	     /usr/include/asm/unistd_64.h) /usr/include/asm/unistd_64.h)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)

# snprintf into a bounded buffer is how this code bounds strings; gcc's guess
# that a path might not fit is not a bug report.
WARN    := -Wall -Wextra -Werror -Wno-format-truncation
CFLAGS  ?= -g -O2
XCFLAGS  = $(WARN) -std=gnu11 -D_GNU_SOURCE -DVB_VERSION='"$(VERSION)"' \
	   -I$(BUILD)/skel -I$(BUILD)/gen $(addprefix -I,$(SRC_DIRS)) -Ibpf \
	   -I/usr/include/json-c
LIBVIRT_LIBS := $(shell pkg-config --libs libvirt 2>/dev/null || echo -lvirt)
TOOL_LIBS    := -lbpf -lelf -lz -ljson-c $(LIBVIRT_LIBS) -lm
AGENT_LIBS   := -static -lbpf -lelf -lz -ljson-c -lm
SAN          := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# One probe family per bpf/<family>.bpf.c; each becomes a skeleton.
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS    := $(patsubst bpf/%.bpf.c,$(BUILD)/skel/%.skel.h,$(BPF_SRCS))
GEN      := $(BUILD)/gen/syscall_names.h

# Sources by step of the data flow (docs/architecture.md). Each binary is
# built from the folders it needs: the agent runs inside a target and holds
# no tool code (no runner, results, findings, reports or platform drivers).
LIB_DIR       := user/lib
WORKLOAD_DIRS := user/workloads
PROBE_DIRS    := user/probes
AGENT_DIRS    := user/agent
TOOL_DIRS     := user/cli user/run user/results user/findings user/report platforms

SRC_DIRS   := $(LIB_DIR) $(WORKLOAD_DIRS) $(PROBE_DIRS) user/net $(AGENT_DIRS) $(TOOL_DIRS)
srcs_in     = $(foreach d,$(1),$(wildcard $(d)/*.c))

# The agent's net client speaks iperf3; the server is the tool's.
AGENT_SRCS := $(call srcs_in,$(LIB_DIR) $(WORKLOAD_DIRS) $(PROBE_DIRS) $(AGENT_DIRS)) \
	      user/net/net_iperf.c
TOOL_SRCS  := $(call srcs_in,$(LIB_DIR) $(WORKLOAD_DIRS) $(PROBE_DIRS) user/net $(TOOL_DIRS))
LIB_SRCS   := $(filter-out user/cli/main.c,$(TOOL_SRCS))

AGENT_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(AGENT_SRCS))
TOOL_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(TOOL_SRCS))
ASAN_OBJS  := $(patsubst %.c,$(BUILD)/asan/%.o,$(LIB_SRCS))

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
UNIT_ASAN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/asan/%,$(UNIT_SRCS))

# Fuzzing: the same library objects, built by clang with coverage for
# libFuzzer and ASan/UBSan, one binary per tests/fuzz/fuzz_<name>.c.
FUZZ_CC    := clang
# clang does not know gcc's -Wno-format-truncation.
FUZZ_FLAGS := -g -O1 -Wno-unknown-warning-option
FUZZ_SAN   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_OBJS  := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(LIB_SRCS))
FUZZ_LIBS  := $(TOOL_LIBS) $(shell pkg-config --libs libxml-2.0 2>/dev/null || echo -lxml2)
FUZZ_INC   := $(shell pkg-config --cflags libxml-2.0 2>/dev/null || echo -I/usr/include/libxml2)
FUZZ_SECONDS ?= 60

TOOL  := $(BUILD)/vbench-trace
AGENT := $(BUILD)/vbench-trace-agent

.PHONY: all setup run test unit unit-asan integration bench vmlinux format clean fuzz fuzz-smoke \
	install uninstall
.DELETE_ON_ERROR:
# Objects and skeletons are kept: they are what the next build reuses.
.SECONDARY:

all: $(TOOL) $(AGENT)

$(TOOL): $(TOOL_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(TOOL_LIBS)

$(AGENT): $(AGENT_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(AGENT_LIBS)

$(BUILD)/obj/%.o: %.c | $(BUILD)/obj
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/asan/%.o: %.c | $(BUILD)/obj
	$(call msg,CC-SAN,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) $(SAN) -MMD -MP -c $< -o $@

# BPF: CO-RE objects against the committed vmlinux.h, then skeletons.
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) vmlinux/vmlinux.h | $(BUILD)/bpf
	$(call msg,BPF,$<)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Ivmlinux -Ibpf -c $< -o $@
	$(Q)llvm-strip -g $@ 2>/dev/null || true

$(BUILD)/skel/%.skel.h: $(BUILD)/bpf/%.bpf.o | $(BUILD)/skel
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# Syscall names from the kernel's own table as this host's UAPI headers carry it.
$(GEN): $(UNISTD_H) | $(BUILD)/gen
	$(call msg,GEN,$@)
	$(Q)awk 'BEGIN { print "/* generated from asm/unistd_64.h by the Makefile */" } \
		/^#define __NR_[a-z0-9_]+ [0-9]+$$/ { n = $$2; sub("__NR_", "", n); \
		printf "\t[%d] = \"%s\",\n", $$3, n }' $< > $@

# An object waits for the generated headers its source includes (a skeleton,
# the syscall table), not for all of them; after the first build the
# compiler's .d files list every header.
gen_header = $(if $(filter %.skel.h,$(1)),$(BUILD)/skel/$(1),$(if $(filter syscall_names.h,$(1)),$(GEN)))
gen_deps   = $(foreach h,$(shell sed -n 's/^\#include "\(.*\)"/\1/p' $(1)),$(call gen_header,$(h)))
$(foreach s,$(sort $(TOOL_SRCS) $(AGENT_SRCS)),\
	$(eval $(BUILD)/obj/$(s:.c=.o) $(BUILD)/asan/$(s:.c=.o): $(call gen_deps,$(s))))

$(BUILD)/obj $(BUILD)/bpf $(BUILD)/skel $(BUILD)/gen $(BUILD)/tests $(BUILD)/tests/asan:
	$(Q)mkdir -p $@

# Unit tests: cmocka, linked against everything but main; once plain, once
# under ASan and UBSan.
$(BUILD)/tests/%: tests/unit/%.c $(filter-out $(BUILD)/obj/user/cli/main.o,$(TOOL_OBJS)) | $(BUILD)/tests
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) -o $@ $^ -lcmocka $(TOOL_LIBS)

$(BUILD)/tests/asan/%: tests/unit/%.c $(ASAN_OBJS) | $(BUILD)/tests/asan
	$(call msg,LINK-SAN,$@)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) $(SAN) -o $@ $^ -lcmocka $(TOOL_LIBS)

# Integration-test programs (tests/integration/progs) that drive the tool's
# own modules (a platform driver, the probes) are linked with its objects.
$(BUILD)/tests/progs/%: tests/integration/progs/%.c $(filter-out $(BUILD)/obj/user/cli/main.o,$(TOOL_OBJS))
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) -o $@ $^ $(TOOL_LIBS)

setup:
	$(Q)bash platforms/setup.sh

unit: $(UNIT_BINS)
	$(Q)bash tests/run-unit.sh $(UNIT_BINS)

unit-asan: $(UNIT_ASAN)
	$(Q)ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 bash tests/run-unit.sh $(UNIT_ASAN)

fuzz: $(FUZZ_BINS)
	$(Q)bash tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

fuzz-smoke: $(FUZZ_BINS)
	$(Q)bash tests/fuzz/run.sh smoke $(FUZZ_BINS)

$(BUILD)/fuzz/obj/%.o: %.c $(SKELS) $(GEN) | $(BUILD)/obj
	$(call msg,CC-FUZZ,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(XCFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c $< -o $@

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_OBJS)
	$(call msg,LINK-FUZZ,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(XCFLAGS) $(FUZZ_INC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(FUZZ_LIBS)

integration: all
	$(Q)bash tests/integration/run.sh $(BUILD)

test: setup
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory unit unit-asan
	$(Q)$(MAKE) --no-print-directory fuzz-smoke
	$(Q)$(MAKE) --no-print-directory integration

run: setup
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(TOOL) run

bench: setup
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bash tests/bench/run.sh $(BUILD)

# Installed layout: the tool and its static agent side by side in
# $(PREFIX)/lib/vbench-trace (the tool looks for the agent beside its own
# executable, /proc/self/exe, which resolves links), and a relative link to
# the tool in $(PREFIX)/bin, so it runs from any directory and DESTDIR
# staging moves as a whole.
PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  ?= $(PREFIX)/bin
LIBDIR  ?= $(PREFIX)/lib/vbench-trace
MANDIR  ?= $(PREFIX)/share/man
COMPDIR ?= $(PREFIX)/share/bash-completion/completions

install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPDIR)
	$(Q)install -m 755 $(TOOL) $(DESTDIR)$(LIBDIR)/vbench-trace
	$(Q)install -m 755 $(AGENT) $(DESTDIR)$(LIBDIR)/vbench-trace-agent
	$(Q)ln -sfr $(DESTDIR)$(LIBDIR)/vbench-trace $(DESTDIR)$(BINDIR)/vbench-trace
	$(Q)install -m 644 docs/vbench-trace.1 $(DESTDIR)$(MANDIR)/man1/vbench-trace.1
	$(Q)install -m 644 docs/vbench-trace.bash $(DESTDIR)$(COMPDIR)/vbench-trace

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(BINDIR)/vbench-trace $(DESTDIR)$(LIBDIR)/vbench-trace \
		$(DESTDIR)$(LIBDIR)/vbench-trace-agent $(DESTDIR)$(MANDIR)/man1/vbench-trace.1 \
		$(DESTDIR)$(COMPDIR)/vbench-trace
	$(Q)rmdir $(DESTDIR)$(LIBDIR) 2>/dev/null || true

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h

format:
	clang-format -i $(wildcard user/*/*.[ch] platforms/*.[ch] bpf/*.[ch] tests/unit/*.[ch])

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/asan $(BUILD)/fuzz -name '*.d' 2>/dev/null)
