# SPDX-License-Identifier: MIT
# Tally build: the hypervisor (build/tally.elf, build/tally.iso), host unit
# tests, system tests, benchmarks.  `make help` lists the targets.

BUILD	?= build
# `make V=1` shows whole commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif
CC	:= gcc
LD	:= ld
NASM	:= nasm
PYTHON	:= python3

# ---------------------------------------------------------------- hypervisor
KCFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-mno-red-zone -mgeneral-regs-only -mcmodel=small -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fcf-protection=none -O2 -g \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
	-MMD -MP -Iinclude -Iarch/x86_64/include
KASFLAGS := -f elf64 -g -F dwarf -I$(BUILD)/gen/
KLDFLAGS := -nostdlib -n -T linker.ld -z max-page-size=0x1000 \
	--no-warn-rwx-segments -z noexecstack

BOOT_ASM   := $(wildcard boot/*.asm)
ARCH_ASM   := $(wildcard arch/x86_64/*.asm)
ARCH_C     := $(filter-out arch/x86_64/asm-offsets.c,$(wildcard arch/x86_64/*.c))
KERNEL_C   := $(wildcard kernel/*.c)
DRIVERS_C  := $(wildcard drivers/*.c)

KOBJS := $(patsubst %.asm,$(BUILD)/%.o,$(BOOT_ASM) $(ARCH_ASM)) \
	 $(patsubst %.c,$(BUILD)/%.o,$(ARCH_C) $(KERNEL_C) $(DRIVERS_C))

.PHONY: all help test unit system run clean deps bench
all: $(BUILD)/tally.elf $(BUILD)/tally.iso

help:
	@echo "make            build build/tally.elf and build/tally.iso"
	@echo "make run        boot Tally with demo guests (QEMU+KVM if present, else Bochs)"
	@echo "make test       host unit tests, then system tests under Bochs and QEMU"
	@echo "make unit       host unit tests only (ASan + UBSan, cmocka)"
	@echo "make system     system tests only"
	@echo "make bench      CPUID exit round trip and boot, in Bochs instructions"

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/%.o: %.asm | $(BUILD)/gen/asm-offsets.inc
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(NASM) $(KASFLAGS) -MD $(@:.o=.d) -MP $< -o $@

# Structure offsets for assembly, generated from C so they cannot drift.
$(BUILD)/gen/asm-offsets.inc: arch/x86_64/asm-offsets.c
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(CC) $(KCFLAGS) -S $< -o $(BUILD)/gen/asm-offsets.s
	$(Q)sed -n 's/^.*"->\([A-Za-z0-9_]*\) \([0-9-]*\)".*$$/%define \1 \2/p' \
		$(BUILD)/gen/asm-offsets.s > $@

# The backtrace symbol table is linked in: link once with an empty table,
# take the function symbols, link again.  The table lives after all code,
# so the second link moves no function (checked below).
$(BUILD)/symbols0.o: tools/symtab.py
	@mkdir -p $(BUILD)
	$(Q)$(PYTHON) tools/symtab.py /dev/null > $(BUILD)/symbols0.c
	$(Q)$(CC) $(KCFLAGS) -c $(BUILD)/symbols0.c -o $@

$(BUILD)/tally.0.elf: $(KOBJS) $(BUILD)/symbols0.o linker.ld
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(BUILD)/symbols0.o

$(BUILD)/symbols.o: $(BUILD)/tally.0.elf tools/symtab.py
	$(Q)nm -n $< | $(PYTHON) tools/symtab.py - > $(BUILD)/symbols.c
	$(Q)$(CC) $(KCFLAGS) -c $(BUILD)/symbols.c -o $@

$(BUILD)/tally.elf: $(KOBJS) $(BUILD)/symbols.o linker.ld tools/check-image.py
	@echo "  LD      $@"
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(BUILD)/symbols.o
	$(Q)$(PYTHON) tools/check-image.py $(BUILD)/tally.0.elf $@

# ---------------------------------------------------------------- test guests
include tests/guests/guests.mk

# The demo `make run` boots: VMs of different sizes, busy, mostly idle and
# short-lived, sharing the host, with a control domain that lists them all
# with their counters every 5 s and an agent that publishes its own memory
# use; Tally prints its table every 10 s (type `t` for it now, `c` for the
# CPU accounting, `h` for the other keys).  TALLY_CMDLINE sets Tally's options.
TALLY_CMDLINE ?= top_interval_s=10
DEMO_MODULES := \
	--module $(BUILD)/guests/control.elf "name=monitor mem=8 role=control settle=0 watch_s=5 watch_rounds=100000" \
	--module $(BUILD)/guests/agent.elf "name=app mem=64 rounds=48 alloc_kib=1024 interval_ms=2500" \
	--module $(BUILD)/guests/busy.elf "name=web mem=64 report=20000000" \
	--module $(BUILD)/guests/busy.elf "name=batch mem=128 report=40000000" \
	--module $(BUILD)/guests/halter.elf "name=idle mem=16 rounds=1000000 work_us=200 sleep_us=50000" \
	--module $(BUILD)/guests/smp.elf "name=duo mem=16 vcpus=2 ipis=100" \
	--module $(BUILD)/guests/hello.elf "name=hello mem=16"

$(BUILD)/tally.iso: $(BUILD)/tally.elf $(GUEST_ELFS) tools/mkiso Makefile
	@echo "  MKISO   $@"
	$(Q)tools/mkiso -o $@ --cmdline "$(TALLY_CMDLINE)" $(DEMO_MODULES) $(BUILD)/tally.elf

# ---------------------------------------------------------------- unit tests
UCFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Werror \
	-Wshadow -DTALLY_HOST_TEST -Iinclude -Iarch/x86_64/include -Itests/unit -MMD -MP
ULDLIBS := -lcmocka

# The hypervisor files each unit test compiles, besides tests/unit/shim.c.
UNIT_SRCS_test_acpi      := drivers/acpi.c kernel/string.c
UNIT_SRCS_test_cmdline   := kernel/cmdline.c kernel/string.c
UNIT_SRCS_test_multiboot := kernel/multiboot.c kernel/string.c
UNIT_SRCS_test_frame     := kernel/frame.c kernel/memmap.c
UNIT_SRCS_test_fmt       := kernel/fmt.c
UNIT_SRCS_test_pgtable   := arch/x86_64/pgtable.c
UNIT_SRCS_test_guest_loader := kernel/guest_loader.c kernel/string.c
UNIT_SRCS_test_domain_config := kernel/domain_config.c kernel/cmdline.c kernel/fmt.c kernel/string.c
UNIT_SRCS_test_vmx_controls := arch/x86_64/vmx_controls.c
UNIT_SRCS_test_audit     := kernel/audit_check.c
UNIT_SRCS_test_vio       := kernel/vio.c drivers/vuart.c
UNIT_SRCS_test_sched_policy := kernel/sched_policy.c
UNIT_SRCS_test_vlapic    := arch/x86_64/vlapic.c
UNIT_SRCS_test_vlapic_timer := arch/x86_64/vlapic.c
UNIT_SRCS_test_hcall_args := kernel/hcall_args.c kernel/string.c
UNIT_SRCS_test_hcall     := kernel/hcall.c kernel/hcall_args.c kernel/string.c
UNIT_SRCS_test_ring      := kernel/ring.c
UNIT_SRCS_test_ioapic    := drivers/ioapic_route.c

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(addprefix $(BUILD)/unit/,$(UNIT_TESTS))

$(BUILD)/unit/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

# Keep the objects between runs.
.SECONDARY:
.SECONDEXPANSION:
unit_objs = $(patsubst %.c,$(BUILD)/unit/%.o,$(UNIT_SRCS_$(1)))
$(BUILD)/unit/test_%: $(BUILD)/unit/tests/unit/test_%.o $(BUILD)/unit/tests/unit/shim.o \
		$$(call unit_objs,test_$$*)
	@echo "  HOSTLD  $@"
	$(Q)$(CC) $(UCFLAGS) -o $@ $^ $(ULDLIBS)

unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do \
		echo "== $$t"; $$t || fail=1; done; \
	if [ $$fail -ne 0 ]; then echo "unit tests: FAILED"; exit 1; fi; \
	echo "unit tests: all passed"

# ---------------------------------------------------------------- system
system: $(BUILD)/tally.elf guests
	$(PYTHON) tests/system/run.py --build $(BUILD)

test: deps
	$(MAKE) unit
	$(MAKE) system

deps:
	@tools/deps

bench: deps all guests
	$(PYTHON) tests/system/bench.py --build $(BUILD)

run: deps all
	tools/run $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
