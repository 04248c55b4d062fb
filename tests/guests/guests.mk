# SPDX-License-Identifier: MIT
# Test guests: 32-bit multiboot v1 kernels, one per tests/guests/check/<name>/
# (self-checking: the verdict is the evidence) or tests/guests/load/<name>/
# (workloads: the scenario judges Tally by their figures), over
# tests/guests/lib/.  Included by the top Makefile, which defines BUILD, Q,
# CC, LD and NASM; builds $(BUILD)/guests/<name>.elf for each (the role folder
# is not part of the name) and lists them in GUEST_ELFS.  `make guests`
# builds them all.

GUEST_DIR	:= tests/guests
GUEST_OUT	:= $(BUILD)/guests
GUEST_OBJDIR	:= $(GUEST_OUT)/obj
GUEST_LDSCRIPT	:= $(GUEST_DIR)/lib/guest.ld

# A guest is a folder with a main.c under one of the role folders; lib/ is
# the shared library.  Names must be unique across both roles.
GUEST_ROLES	:= check load
GUEST_MAINS	:= $(foreach r,$(GUEST_ROLES),$(wildcard $(GUEST_DIR)/$(r)/*/main.c))
GUEST_NAMES	:= $(sort $(notdir $(patsubst %/main.c,%,$(GUEST_MAINS))))
ifneq ($(words $(GUEST_NAMES)),$(words $(GUEST_MAINS)))
$(error two test guests share a name: $(GUEST_MAINS))
endif
# The source folder of guest $(1): tests/guests/<role>/$(1).
guest_dir = $(patsubst %/main.c,%,$(filter %/$(1)/main.c,$(GUEST_MAINS)))
GUEST_ELFS	:= $(patsubst %,$(GUEST_OUT)/%.elf,$(GUEST_NAMES))

# Freestanding i386: no libgcc (so no 64-bit division, see lib/div64.h), no
# SSE, no PIC.  -Iinclude for <public/tally.h>.
GUEST_CFLAGS	:= -std=gnu11 -m32 -march=i686 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none \
	-mgeneral-regs-only -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes \
	-Wstrict-prototypes -Wshadow $(PREFIX_MAP) -MMD -MP -Iinclude -I$(GUEST_DIR)/lib
# No DWARF for assembly, as for Tally's (KASFLAGS): it would hold the checkout path.
GUEST_ASFLAGS	:= -f elf32
GUEST_LDFLAGS	:= -m elf_i386 -nostdlib -T $(GUEST_LDSCRIPT) -z max-page-size=0x1000 \
	-z noexecstack --no-warn-rwx-segments --build-id=none
# Every guest object and link depends on the tools and flags that made it.
GUEST_TOOLCHAIN	= $(CC) $(GUEST_CFLAGS) | $(NASM) $(GUEST_ASFLAGS) | $(LD) $(GUEST_LDFLAGS)
GUEST_STAMP	:= $(BUILD)/config/guest-toolchain
$(eval $(call value_stamp,$(GUEST_STAMP),GUEST_TOOLCHAIN))

GUEST_LIB_C	:= $(wildcard $(GUEST_DIR)/lib/*.c)
GUEST_LIB_ASM	:= $(wildcard $(GUEST_DIR)/lib/*.asm)
GUEST_LIB_OBJS	:= $(patsubst $(GUEST_DIR)/%.c,$(GUEST_OBJDIR)/%.o,$(GUEST_LIB_C)) \
		   $(patsubst $(GUEST_DIR)/%.asm,$(GUEST_OBJDIR)/%.o,$(GUEST_LIB_ASM))

# Objects of guest $(1): every .c in its folder.
guest_objs = $(patsubst $(GUEST_DIR)/%.c,$(GUEST_OBJDIR)/%.o,$(wildcard $(call guest_dir,$(1))/*.c))

GUEST_C_OBJS	:= $(patsubst $(GUEST_DIR)/%.c,$(GUEST_OBJDIR)/%.o,$(GUEST_LIB_C)) \
		   $(foreach g,$(GUEST_NAMES),$(call guest_objs,$(g)))
GUEST_ASM_OBJS	:= $(patsubst $(GUEST_DIR)/%.asm,$(GUEST_OBJDIR)/%.o,$(GUEST_LIB_ASM))

.PHONY: guests
guests: $(GUEST_ELFS)

# Static pattern rules, so the top Makefile's $(BUILD)/%.o rules never apply.
$(GUEST_C_OBJS): $(GUEST_OBJDIR)/%.o: $(GUEST_DIR)/%.c $(GUEST_STAMP)
	@mkdir -p $(dir $@)
	@echo "  GUESTCC $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

# NASM 2.16.01's -MD leaves %include files out of the .d; the guests' assembly
# includes none (`nasm -M`, as Tally's rule uses, cannot evaluate the EQU
# symbols irqs.asm's %assign needs).
$(GUEST_ASM_OBJS): $(GUEST_OBJDIR)/%.o: $(GUEST_DIR)/%.asm $(GUEST_STAMP)
	@mkdir -p $(dir $@)
	@echo "  GUESTAS $<"
	$(Q)$(NASM) $(GUEST_ASFLAGS) -MD $(@:.o=.d) -MP $< -o $@

define guest_link
$(GUEST_OUT)/$(1).elf: $(call guest_objs,$(1)) $(GUEST_LIB_OBJS) $(GUEST_LDSCRIPT) $(GUEST_STAMP)
	@mkdir -p $$(dir $$@)
	@echo "  GUEST   $$@"
	$(Q)$(LD) $(GUEST_LDFLAGS) -o $$@ $(call guest_objs,$(1)) $(GUEST_LIB_OBJS)
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call guest_link,$(g))))

-include $(wildcard $(GUEST_OBJDIR)/lib/*.d $(GUEST_OBJDIR)/*/*/*.d)
