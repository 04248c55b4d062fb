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
# `make run EMU=bochs|qemu` forces an emulator; auto picks QEMU+KVM only
# when KVM offers VMX to its guests (tools/launch.py).
EMU	?= auto

# A make variable that changes what is built or booted is written to a
# stamp file that its targets depend on.  The stamp is rewritten only when
# the value differs from the one it holds, compared at parse time by reading
# it, so `make TALLY_CMDLINE=x` rebuilds the ISO, and `make -n` and `make -q`
# tell the truth without writing anything.
# $(eval $(call value_stamp,FILE,VARIABLE_NAME))
# (No newline at the stamp's end, and strip on both sides: make 4.3's $(file <)
# does not always drop a trailing newline.)
define value_stamp
ifneq ($$(strip $$(file <$(1))),$$(strip $$($(2))))
$(1): FORCE
endif
$(1):
	@mkdir -p $$(dir $$@)
	$$(Q)printf '%s' '$$(subst ','\'',$$(strip $$($(2))))' > $$@
endef
.PHONY: FORCE
FORCE:
# FORCE is the first rule in this file: plain `make` means `make all`.
.DEFAULT_GOAL := all

# ---------------------------------------------------------------- hypervisor
# Debug info names sources relative to the checkout (DW_AT_comp_dir "."), so
# two checkouts build byte-identical images (tests/system/test_reproducible.py).
PREFIX_MAP := -ffile-prefix-map=$(CURDIR)=.
KCFLAGS := -std=gnu11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-mno-red-zone -mgeneral-regs-only -mcmodel=small -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fcf-protection=none -O2 -g \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
	$(PREFIX_MAP) -MMD -MP -Iinclude -Iarch/x86_64/include
# No DWARF for assembly: NASM 2.16.01 records the absolute source folder as
# DW_AT_comp_dir and has no prefix map; the symbol table names every routine.
KASFLAGS := -f elf64 -I$(BUILD)/gen/
KLDFLAGS := -nostdlib -n -T linker.ld -z max-page-size=0x1000 \
	--no-warn-rwx-segments -z noexecstack
# Every kernel object and link depends on the tools and flags that made it.
KERNEL_TOOLCHAIN = $(CC) $(KCFLAGS) | $(NASM) $(KASFLAGS) | $(LD) $(KLDFLAGS)
KERNEL_STAMP := $(BUILD)/config/kernel-toolchain
$(eval $(call value_stamp,$(KERNEL_STAMP),KERNEL_TOOLCHAIN))

BOOT_ASM   := $(wildcard boot/*.asm)
# One list per room (README.md, "Layout"): every .c and .asm in it is linked.
ARCH_HOST  := $(wildcard arch/x86_64/host/*.asm arch/x86_64/host/*.c)
ARCH_VMX   := $(wildcard arch/x86_64/vmx/*.asm arch/x86_64/vmx/*.c)
KERNEL_C   := $(wildcard kernel/*.c)
DRIVERS_HOST := $(wildcard drivers/host/*.c)
DRIVERS_VDEV := $(wildcard drivers/vdev/*.c)
KSRCS := $(BOOT_ASM) $(ARCH_HOST) $(ARCH_VMX) $(KERNEL_C) $(DRIVERS_HOST) $(DRIVERS_VDEV)

KOBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(KSRCS)))

.PHONY: all help test unit system run clean deps bench fuzz fuzz-smoke linux-guest
# Preloaded into every Bochs (tools/emu.py) so that its RFB display binds
# to loopback, not to every interface.
LOOPBACK_SHIM := $(BUILD)/tools/loopback-bind.so
all: $(BUILD)/tally.elf $(BUILD)/tally.iso $(BUILD)/tally-esp.img $(LOOPBACK_SHIM) \
	$(BUILD)/agent/tally-agent

# The in-guest agent (docs/AGENT.md): a static Linux program, glibc's libc.a (libc6-dev).
$(BUILD)/agent/tally-agent: tools/agent/tally-agent.c Makefile
	@mkdir -p $(dir $@)
	$(Q)gcc -static -O2 -Wall -Wextra -Werror -o $@ $<

help:
	@echo "Targets (BUILD is $(BUILD)):"
	@echo "  make, make all  build BUILD/tally.elf, the demo BUILD/tally.iso and BUILD/tools/;"
	@echo "                  the UEFI loader BUILD/efi/BOOTX64.EFI and the demo's ESP disk image"
	@echo "                  BUILD/tally-esp.img (tools/mkesp)"
	@echo "  make run        build, then boot the demo on this terminal: QEMU+KVM if KVM"
	@echo "                  offers VMX to its guests, else Bochs (EMU= chooses); Ctrl-C quits"
	@echo "  make guests     build the test guests, BUILD/guests/NAME.elf"
	@echo "  make test       make deps, then make unit, make fuzz-smoke and make system"
	@echo "  make unit       host unit tests, BUILD/unit/test_NAME (ASan + UBSan, cmocka)"
	@echo "  make fuzz       build the libFuzzer harnesses, BUILD/fuzz/fuzz_NAME, and run each for"
	@echo "                  FUZZ_SECONDS; prints executions, coverage and crashes per harness"
	@echo "  make fuzz-smoke each harness over its committed corpus (tests/fuzz/corpus/NAME)"
	@echo "  make system     host-tools tests, then every scenario under Bochs and QEMU"
	@echo "  make bench      instruction counts under Bochs: CPUID exit, hypercalls, boot,"
	@echo "                  scheduler paths, each beside its goal; then the switch's forwarding"
	@echo "                  rate on the host beside memcpy (BUILD/hostbench/vswitch_bench)"
	@echo "  make linux-guest fetch Debian's cloud kernel and busybox (apt-get download) into"
	@echo "                  build/linux and build the initramfs the Linux scenarios boot"
	@echo "  make deps       check the Debian packages; install the missing ones as root"
	@echo "  make clean      remove BUILD"
	@echo "  make help       this list"
	@echo "Variables (make VAR=value ...):"
	@echo "  BUILD=DIR              build directory (default build)"
	@echo "  V=1                    show whole commands"
	@echo "  TALLY_CMDLINE=...      Tally's options in the demo ISO (default top_interval_s=10);"
	@echo "                         a new value rebuilds the ISO"
	@echo "  SOURCE_DATE_EPOCH=N    the ISO's dates (default: the last commit's); same sources and"
	@echo "                         N, same ISO bytes"
	@echo "  EMU=auto|bochs|qemu    make run's emulator (default auto)"
	@echo "  FUZZ_SECONDS=N         make fuzz's time budget per harness (default 60)"
	@echo "  FUZZ_RUNS=N            make fuzz stops a harness after N executions (default 0: no limit)"
	@echo "  FUZZ_TARGETS=...       the harnesses make fuzz and fuzz-smoke run (default all)"
	@echo "  FUZZ_CC=               the fuzzing compiler (default clang); a new one rebuilds them"
	@echo "  CC= LD= NASM= PYTHON=  host tools (default gcc, ld, nasm, python3); a new compiler,"
	@echo "                         assembler or linker rebuilds Tally and the unit tests"
	@echo "Environment:"
	@echo "  TALLY_TIMEOUT_SCALE=N  multiply every system test time bound by N"

$(BUILD)/%.o: %.c $(KERNEL_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

# Dependencies from a separate `nasm -M` pass: NASM 2.16.01's -MD leaves the
# %include files out, so a changed asm-offsets.inc or boot/defs.inc would
# reassemble nothing (tests/system/test_build_deps.py).
$(BUILD)/%.o: %.asm $(KERNEL_STAMP) | $(BUILD)/gen/asm-offsets.inc
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(NASM) $(KASFLAGS) -M -MT $@ -MF $(@:.o=.d) -MP $<
	$(Q)$(NASM) $(KASFLAGS) $< -o $@

# Structure offsets for assembly, generated from C so they cannot drift.
# -MT: the dependency file (gen/asm-offsets.d) names the .inc, so a change to
# any header asm-offsets.c includes regenerates it, and the .asm files that
# include it are reassembled through their own dependency files.
$(BUILD)/gen/asm-offsets.inc: arch/x86_64/asm-offsets.c $(KERNEL_STAMP)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(CC) $(KCFLAGS) -MT $@ -S $< -o $(BUILD)/gen/asm-offsets.s
	$(Q)sed -n 's/^.*"->\([A-Za-z0-9_]*\) \([0-9-]*\)".*$$/%define \1 \2/p' \
		$(BUILD)/gen/asm-offsets.s > $@

# The backtrace symbol table is linked in: link once with an empty table,
# take the function symbols, link again.  The table lives after all code,
# so the second link moves no function (checked below).
$(BUILD)/symbols0.o: tools/symtab.py $(KERNEL_STAMP)
	@mkdir -p $(BUILD)
	$(Q)$(PYTHON) tools/symtab.py /dev/null > $(BUILD)/symbols0.c
	$(Q)$(CC) $(KCFLAGS) -c $(BUILD)/symbols0.c -o $@

$(BUILD)/tally.0.elf: $(KOBJS) $(BUILD)/symbols0.o linker.ld $(KERNEL_STAMP)
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KOBJS) $(BUILD)/symbols0.o

$(BUILD)/symbols.o: $(BUILD)/tally.0.elf tools/symtab.py $(KERNEL_STAMP)
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
# And a Linux VM to type into, first so that it is d1 and the first Ctrl-A x3
# moves the console's input to it: Debian's cloud kernel and the net
# initramfs from tools/linux-guest (the virtio modules loaded, eth0 up at
# 10.0.0.1), cached in build/linux whatever BUILD is, with the kernel
# command line tools/linux-guest's NET_CMDLINE gives
# (tests/system/test_run_tool.py checks both).  It has a NIC on the switch
# and a small disk (/dev/vda), so their counters show in Tally's table.
DEMO_LINUX_KERNEL := build/linux/bzImage
DEMO_LINUX_INITRD := build/linux/initramfs-net.cpio
DEMO_LINUX_CMDLINE := console=ttyS0,115200 quiet loglevel=4 tsc=reliable cryptomgr.notests \
	clearcpuid=avx512f ipv6.disable=1 tally.ip=10.0.0.1/24 tally_agent=10
# Sizes from instance types (docs/INSTANCE_TYPES.md), some overridden; Linux
# runs the in-guest agent (`agent`); `worker` is a template for the console's
# `create worker NAME`.
DEMO_MODULES := \
	--module $(DEMO_LINUX_KERNEL) "name=linux type=m1.small vcpus=2 net=demo disk=4 agent -- $(DEMO_LINUX_CMDLINE)" \
	--module $(DEMO_LINUX_INITRD) "initrd_of=linux" \
	--module $(BUILD)/guests/control.elf "name=monitor mem=8 role=control settle=0 watch_s=5 watch_rounds=100000" \
	--module $(BUILD)/guests/agent.elf "name=app type=t1.micro rounds=48 alloc_kib=1024 interval_ms=2500" \
	--module $(BUILD)/guests/busy.elf "name=web type=t1.micro report=20000000" \
	--module $(BUILD)/guests/busy.elf "name=batch type=t1.small report=40000000" \
	--module $(BUILD)/guests/halter.elf "name=idle mem=16 rounds=1000000 work_us=200 sleep_us=50000" \
	--module $(BUILD)/guests/smp.elf "name=duo mem=16 vcpus=2 ipis=100 timeout_ms=2000" \
	--module $(BUILD)/guests/hello.elf "name=hello mem=16" \
	--module $(BUILD)/guests/busy.elf "name=worker type=t1.nano report=20000000 template"
# The ISO's dates and volume UUID (tools/mkiso): the last commit's time, or a
# fixed second outside a git checkout, so two builds of a commit give one ISO.
SOURCE_DATE_EPOCH ?= $(or $(shell git -C $(CURDIR) log -1 --format=%ct 2>/dev/null),1)
ISO_CONFIG = $(TALLY_CMDLINE) | $(DEMO_MODULES) | $(SOURCE_DATE_EPOCH)
ISO_STAMP := $(BUILD)/config/iso
$(eval $(call value_stamp,$(ISO_STAMP),ISO_CONFIG))

$(DEMO_LINUX_KERNEL) $(DEMO_LINUX_INITRD) &:
	tools/linux-guest initramfs

$(BUILD)/tally.iso: $(BUILD)/tally.elf $(GUEST_ELFS) tools/mkiso Makefile $(ISO_STAMP) \
		$(DEMO_LINUX_KERNEL) $(DEMO_LINUX_INITRD)
	@echo "  MKISO   $@"
	$(Q)SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) tools/mkiso -o $@ --cmdline "$(TALLY_CMDLINE)" \
		$(DEMO_MODULES) $(BUILD)/tally.elf

# ---------------------------------------------------------------- UEFI loader
# Tally's own UEFI loader, BUILD/efi/BOOTX64.EFI (boot/efi/): a gnu-efi
# application, linked as a shared ELF object with gnu-efi's start code and
# script (Debian 12's gnu-efi 3.0.15 installs them in /usr/lib), then turned
# into a PE32+ EFI application (UEFI 2.10 section 2.1.1) by objcopy.
# GNU_EFI_USE_MS_ABI: firmware calls use the UEFI (Microsoft x64) convention
# directly, no uefi_call_wrapper() thunks.
EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
EFI_CFLAGS := -std=gnu11 -ffreestanding -fpic -fshort-wchar -fno-stack-protector \
	-fno-strict-aliasing -mno-red-zone -mgeneral-regs-only -fcf-protection=none -O2 -g \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
	-DGNU_EFI_USE_MS_ABI -isystem $(EFI_INC) -isystem $(EFI_INC)/x86_64 \
	$(PREFIX_MAP) -MMD -MP -Iinclude -Iarch/x86_64/include -Iboot/efi
EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined -T $(EFI_LIB)/elf_x86_64_efi.lds \
	--no-warn-rwx-segments -z noexecstack
# The sections the PE32+ image keeps (gnu-efi's script puts .rodata and
# .bss in .data); --subsystem=10 is EFI_IMAGE_SUBSYSTEM_EFI_APPLICATION.
EFI_OBJCOPY_FLAGS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
	-j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10
EFI_TOOLCHAIN = $(CC) $(EFI_CFLAGS) | $(NASM) | $(LD) $(EFI_LDFLAGS) | $(EFI_OBJCOPY_FLAGS)
EFI_STAMP := $(BUILD)/config/efi-toolchain
$(eval $(call value_stamp,$(EFI_STAMP),EFI_TOOLCHAIN))
EFI_OBJS := $(patsubst %,$(BUILD)/efi/%.o,$(basename $(wildcard boot/efi/*.c boot/efi/*.asm)))
EFI_APP := $(BUILD)/efi/BOOTX64.EFI

$(BUILD)/efi/%.o: %.c $(EFI_STAMP)
	@mkdir -p $(dir $@)
	@echo "  EFICC   $<"
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/efi/%.o: %.asm $(EFI_STAMP)
	@mkdir -p $(dir $@)
	@echo "  EFIAS   $<"
	$(Q)$(NASM) -f elf64 -M -MT $@ -MF $(@:.o=.d) -MP $<
	$(Q)$(NASM) -f elf64 $< -o $@

$(BUILD)/efi/BOOTX64.so: $(EFI_OBJS) $(EFI_STAMP)
	$(Q)$(LD) $(EFI_LDFLAGS) -o $@ $(EFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJS) \
		-L$(EFI_LIB) -lefi -lgnuefi

$(EFI_APP): $(BUILD)/efi/BOOTX64.so
	@echo "  EFIAPP  $@"
	$(Q)objcopy $(EFI_OBJCOPY_FLAGS) $< $@

# The ESP disk image (tools/mkesp): the loader, tally.elf, and the demo's
# guests with the ISO's command lines, so the USB stick boots what the ISO boots.
$(BUILD)/tally-esp.img: $(EFI_APP) $(BUILD)/tally.elf $(GUEST_ELFS) tools/mkesp Makefile \
		$(ISO_STAMP) $(DEMO_LINUX_KERNEL) $(DEMO_LINUX_INITRD)
	@echo "  MKESP   $@"
	$(Q)SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) tools/mkesp -o $@ --efi $(EFI_APP) \
		--cmdline "$(TALLY_CMDLINE)" \
		$(DEMO_MODULES) $(BUILD)/tally.elf

# ---------------------------------------------------------------- host tools
HOST_CFLAGS := -shared -fPIC -O2 -Wall -Wextra -Werror
HOST_TOOLCHAIN = $(CC) $(HOST_CFLAGS)
HOST_STAMP := $(BUILD)/config/host-toolchain
$(eval $(call value_stamp,$(HOST_STAMP),HOST_TOOLCHAIN))

$(LOOPBACK_SHIM): tools/loopback-bind.c $(HOST_STAMP)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(CC) $(HOST_CFLAGS) -o $@ $< -ldl

# ---------------------------------------------------------------- host benchmark
# The switch's forwarding path built for the host at Tally's -O2, beside
# memcpy (tests/bench/vswitch_bench.c; make bench runs it).
HOSTBENCH := $(BUILD)/hostbench/vswitch_bench
HOSTBENCH_SRCS := tests/bench/vswitch_bench.c drivers/vdev/vswitch.c drivers/vdev/virtq.c \
	kernel/hcall_args.c kernel/string.c
HOSTBENCH_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -DTALLY_HOST_TEST \
	-Iinclude -Iarch/x86_64/include
HOSTBENCH_TOOLCHAIN = $(CC) $(HOSTBENCH_CFLAGS)
HOSTBENCH_STAMP := $(BUILD)/config/hostbench-toolchain
$(eval $(call value_stamp,$(HOSTBENCH_STAMP),HOSTBENCH_TOOLCHAIN))

$(HOSTBENCH): $(HOSTBENCH_SRCS) $(wildcard include/tally/*.h) $(HOSTBENCH_STAMP)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(CC) $(HOSTBENCH_CFLAGS) -o $@ $(HOSTBENCH_SRCS)

# ---------------------------------------------------------------- unit tests
UCFLAGS := -std=gnu11 -g -O1 -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Werror \
	-Wshadow -DTALLY_HOST_TEST -Iinclude -Iarch/x86_64/include -Itests/unit -MMD -MP
ULDLIBS := -lcmocka
UNIT_TOOLCHAIN = $(CC) $(UCFLAGS) $(ULDLIBS)
UNIT_STAMP := $(BUILD)/config/unit-toolchain
$(eval $(call value_stamp,$(UNIT_STAMP),UNIT_TOOLCHAIN))

# The hypervisor files each unit test compiles, besides tests/unit/shim.c.
UNIT_SRCS_test_acpi      := drivers/host/acpi.c kernel/string.c
UNIT_SRCS_test_vacpi     := drivers/vdev/vacpi.c drivers/vdev/aml.c drivers/host/acpi.c kernel/string.c
UNIT_SRCS_test_aml       := drivers/vdev/aml.c kernel/string.c
UNIT_SRCS_test_vpm       := drivers/vdev/vpm.c drivers/vdev/vio.c
UNIT_SRCS_test_cmdline   := kernel/cmdline.c kernel/string.c
UNIT_SRCS_test_multiboot := kernel/multiboot.c kernel/string.c
UNIT_SRCS_test_frame     := kernel/frame.c kernel/memmap.c
UNIT_SRCS_test_fmt       := kernel/fmt.c
UNIT_SRCS_test_pgtable   := arch/x86_64/host/pgtable.c
UNIT_SRCS_test_guest_loader := kernel/guest_loader.c kernel/string.c
UNIT_SRCS_test_guest_loader_refusals := kernel/guest_loader.c kernel/string.c
UNIT_SRCS_test_linux_loader := kernel/linux_loader.c kernel/string.c
UNIT_SRCS_test_domain_config := kernel/domain_config.c kernel/instance_types.c kernel/cmdline.c \
	kernel/fmt.c kernel/string.c
UNIT_SRCS_test_bill      := kernel/bill.c kernel/fmt.c
UNIT_SRCS_test_instance_types := $(UNIT_SRCS_test_domain_config)
UNIT_SRCS_test_vmx_controls := arch/x86_64/vmx/vmx_controls.c
UNIT_SRCS_test_audit     := kernel/audit_check.c
UNIT_SRCS_test_vio       := drivers/vdev/vio.c
UNIT_SRCS_test_vuart16550 := drivers/vdev/uart16550.c
UNIT_SRCS_test_vuart_line := drivers/vdev/vuart_line.c
UNIT_SRCS_test_console_focus := kernel/console_focus.c
UNIT_SRCS_test_console_seq := kernel/console_seq.c kernel/string.c drivers/vdev/vuart_line.c
UNIT_SRCS_test_console_room := kernel/console_room.c
UNIT_SRCS_test_console_cmd := kernel/console_cmd.c kernel/console_cmd_line.c kernel/fmt.c \
	kernel/string.c
UNIT_SRCS_test_sched_policy := kernel/sched_policy.c
UNIT_SRCS_test_sched_hv  := kernel/sched_policy.c
UNIT_SRCS_test_sched_timerq := kernel/sched_timerq.c
UNIT_SRCS_test_sched_rq_model := kernel/sched_policy.c
UNIT_SRCS_test_sched_ledger := kernel/sched_ledger.c
UNIT_SRCS_test_vlapic    := drivers/vdev/vlapic.c drivers/vdev/vlapic_timer.c drivers/vdev/vlapic_xapic.c drivers/vdev/vlapic_icr.c
UNIT_SRCS_test_vlapic_timer := drivers/vdev/vlapic.c drivers/vdev/vlapic_timer.c drivers/vdev/vlapic_xapic.c drivers/vdev/vlapic_icr.c
UNIT_SRCS_test_vlapic_cr8 := drivers/vdev/vlapic.c drivers/vdev/vlapic_timer.c drivers/vdev/vlapic_xapic.c drivers/vdev/vlapic_icr.c
UNIT_SRCS_test_vlapic_xapic := drivers/vdev/vlapic.c drivers/vdev/vlapic_timer.c drivers/vdev/vlapic_xapic.c drivers/vdev/vlapic_icr.c
UNIT_SRCS_test_vlapic_nmi := drivers/vdev/vlapic.c drivers/vdev/vlapic_timer.c drivers/vdev/vlapic_xapic.c drivers/vdev/vlapic_icr.c \
			     drivers/vdev/vlapic_nmi.c
UNIT_SRCS_test_vioapic   := drivers/vdev/vioapic.c
UNIT_SRCS_test_sdm_checks := arch/x86_64/vmx/sdm_checks.c
UNIT_SRCS_test_hcall_args := kernel/hcall_args.c kernel/string.c
UNIT_SRCS_test_hcall     := kernel/hcall.c kernel/hcall_args.c kernel/string.c
UNIT_SRCS_test_hcall_limits := kernel/hcall.c kernel/hcall_args.c kernel/string.c
UNIT_SRCS_test_hcall_list := kernel/hcall.c kernel/hcall_args.c kernel/string.c
UNIT_SRCS_test_hcall_create := kernel/hcall.c kernel/hcall_args.c kernel/string.c
UNIT_SRCS_test_hcall_devices := kernel/hcall.c kernel/hcall_args.c kernel/hcall_devices.c kernel/string.c
UNIT_SRCS_test_hcall_agent := kernel/hcall.c kernel/hcall_args.c kernel/string.c
UNIT_SRCS_test_metric_check := kernel/metric_check.c kernel/string.c
UNIT_SRCS_test_domain_config_agent := $(UNIT_SRCS_test_domain_config)
UNIT_SRCS_test_ring      := kernel/ring.c
UNIT_SRCS_test_ratelimit := kernel/ratelimit.c
UNIT_SRCS_test_ioapic    := arch/x86_64/host/ioapic_route.c
UNIT_SRCS_test_exit_status := kernel/exit_status.c kernel/fmt.c
UNIT_SRCS_test_top_format := kernel/top_format.c kernel/fmt.c
UNIT_SRCS_test_insn_decode := arch/x86_64/vmx/insn_decode.c
UNIT_SRCS_test_insn_emulate := arch/x86_64/vmx/insn_emulate.c arch/x86_64/vmx/insn_decode.c
UNIT_SRCS_test_guest_walk := arch/x86_64/vmx/guest_walk.c
UNIT_SRCS_test_vmmio     := drivers/vdev/vmmio.c
UNIT_SRCS_test_virtio_mmio := drivers/vdev/virtio_mmio.c drivers/vdev/virtq.c kernel/hcall_args.c \
			     kernel/string.c
UNIT_SRCS_test_ept_layout := arch/x86_64/vmx/ept_layout.c arch/x86_64/host/pgtable.c
UNIT_SRCS_test_vrtc      := drivers/vdev/vrtc.c drivers/vdev/vio.c kernel/calendar.c
UNIT_SRCS_test_vfwcfg    := drivers/vdev/vfwcfg.c drivers/vdev/vio.c
UNIT_SRCS_test_msr_rules := arch/x86_64/vmx/msr_rules.c
UNIT_SRCS_test_cpuid_xsave := arch/x86_64/vmx/cpuid_xsave.c
UNIT_SRCS_test_vpci      := drivers/vdev/vpci.c drivers/vdev/vio.c
UNIT_SRCS_test_virtq     := drivers/vdev/virtq.c kernel/hcall_args.c kernel/string.c
UNIT_SRCS_test_virtq_io  := drivers/vdev/virtq.c kernel/hcall_args.c kernel/string.c
UNIT_SRCS_test_vblk_req  := drivers/vdev/vblk_req.c
UNIT_SRCS_test_task_switch := arch/x86_64/vmx/task_switch.c
UNIT_SRCS_test_efi_config := boot/efi/config.c
UNIT_SRCS_test_efi_elf   := boot/efi/elf_image.c
UNIT_SRCS_test_efi_mb2_info := boot/efi/mb2_info.c boot/efi/efi_mmap.c kernel/multiboot.c kernel/string.c
UNIT_SRCS_test_efi_mmap  := boot/efi/efi_mmap.c
UNIT_SRCS_test_efi_exit  := boot/efi/efi_exit.c
# test_efi_elf also checks the real kernel: build it first.
$(BUILD)/unit/test_efi_elf: | $(BUILD)/tally.elf
UNIT_SRCS_test_vswitch   := drivers/vdev/vswitch.c
UNIT_SRCS_test_vswitch_bucket := drivers/vdev/vswitch.c
UNIT_SRCS_test_vnet_frame := drivers/vdev/vnet_frame.c drivers/vdev/vswitch.c drivers/vdev/virtq.c \
			     kernel/hcall_args.c kernel/string.c

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(addprefix $(BUILD)/unit/,$(UNIT_TESTS))

$(BUILD)/unit/%.o: %.c $(UNIT_STAMP)
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

# ---------------------------------------------------------------- fuzzing
# libFuzzer harnesses over the real sources, as the unit tests compile them
# (tests/fuzz/README.md); clang, since libFuzzer is part of its runtime.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?= 0
FCFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Werror \
	-Wshadow -DTALLY_HOST_TEST -Iinclude -Iarch/x86_64/include -Itests/unit -Itests/fuzz -MMD -MP
FUZZ_TOOLCHAIN = $(FUZZ_CC) $(FCFLAGS)
FUZZ_STAMP := $(BUILD)/config/fuzz-toolchain
$(eval $(call value_stamp,$(FUZZ_STAMP),FUZZ_TOOLCHAIN))

# The hypervisor files each harness compiles, besides tests/fuzz/harness.c and tests/unit/shim.c.
FUZZ_SRCS_fuzz_multiboot := kernel/multiboot.c kernel/string.c
FUZZ_SRCS_fuzz_acpi      := drivers/host/acpi.c arch/x86_64/host/ioapic_route.c kernel/string.c
FUZZ_SRCS_fuzz_vacpi     := drivers/vdev/vacpi.c drivers/vdev/aml.c drivers/host/acpi.c kernel/string.c
FUZZ_SRCS_fuzz_guest_loader := kernel/guest_loader.c kernel/multiboot.c kernel/string.c
FUZZ_SRCS_fuzz_linux_loader := kernel/linux_loader.c kernel/string.c
FUZZ_SRCS_fuzz_cmdline   := kernel/cmdline.c kernel/options.c kernel/domain_config.c \
	kernel/instance_types.c kernel/fmt.c kernel/string.c
FUZZ_SRCS_fuzz_hcall     := kernel/hcall.c kernel/hcall_args.c kernel/string.c
FUZZ_SRCS_fuzz_vlapic    := drivers/vdev/vlapic.c drivers/vdev/vlapic_timer.c drivers/vdev/vlapic_xapic.c drivers/vdev/vlapic_icr.c
FUZZ_SRCS_fuzz_vioapic   := drivers/vdev/vioapic.c
FUZZ_SRCS_fuzz_ring      := kernel/ring.c kernel/string.c
FUZZ_SRCS_fuzz_uart16550 := drivers/vdev/uart16550.c
FUZZ_SRCS_fuzz_console_lines := drivers/vdev/vuart_line.c kernel/console_seq.c kernel/string.c
FUZZ_SRCS_fuzz_insn_decode := arch/x86_64/vmx/insn_decode.c arch/x86_64/vmx/insn_emulate.c
FUZZ_SRCS_fuzz_virtq     := drivers/vdev/virtq.c kernel/hcall_args.c kernel/string.c
FUZZ_SRCS_fuzz_virtio_mmio := drivers/vdev/virtio_mmio.c drivers/vdev/virtq.c kernel/hcall_args.c \
	kernel/string.c
FUZZ_SRCS_fuzz_vswitch   := drivers/vdev/vswitch.c
FUZZ_SRCS_fuzz_vblk_req  := drivers/vdev/vblk_req.c
FUZZ_SRCS_fuzz_vnet_frame := drivers/vdev/vnet_frame.c drivers/vdev/vswitch.c drivers/vdev/virtq.c \
			     kernel/hcall_args.c kernel/string.c
FUZZ_SRCS_fuzz_efi_config := boot/efi/config.c
FUZZ_SRCS_fuzz_efi_elf   := boot/efi/elf_image.c
FUZZ_SRCS_fuzz_sched_timerq := kernel/sched_timerq.c
FUZZ_SRCS_fuzz_console_cmd := kernel/console_cmd.c kernel/console_cmd_line.c kernel/fmt.c \
	kernel/string.c

FUZZ_TARGETS ?= $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
fuzz_objs = $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,tests/fuzz/$(1).c tests/fuzz/harness.c \
	tests/unit/shim.c $(FUZZ_SRCS_$(1)))

$(BUILD)/fuzz/obj/%.o: %.c $(FUZZ_STAMP)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FCFLAGS) -c $< -o $@

$(BUILD)/fuzz/fuzz_%: $$(call fuzz_objs,fuzz_$$*)
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FCFLAGS) -o $@ $^

FUZZ_RUN = $(PYTHON) tests/fuzz/run.py --bin $(BUILD)/fuzz --work $(BUILD)/fuzz

fuzz: $(FUZZ_BINS)
	$(FUZZ_RUN) --seconds $(FUZZ_SECONDS) --runs $(FUZZ_RUNS) $(FUZZ_TARGETS)

fuzz-smoke: $(FUZZ_BINS)
	$(FUZZ_RUN) --smoke $(FUZZ_TARGETS)

# ---------------------------------------------------------------- system
system: $(BUILD)/tally.elf $(BUILD)/tally.iso $(EFI_APP) guests $(LOOPBACK_SHIM) linux-guest
	$(PYTHON) tests/system/run.py --build $(BUILD)

# Debian's cloud kernel, busybox and the initramfs the Linux scenarios boot
# (apt-get download, cached in build/linux whatever BUILD is).
linux-guest:
	tools/linux-guest initramfs

test: deps
	$(MAKE) unit
	$(MAKE) fuzz-smoke
	$(MAKE) system

deps:
	@tools/deps

bench: deps all guests linux-guest $(HOSTBENCH)
	$(PYTHON) tests/system/bench.py --build $(BUILD)

run: deps all
	tools/run --emu $(or $(EMU),auto) $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
