# SPDX-License-Identifier: MIT
# Test guests: 32-bit multiboot v1 kernels, one per tests/guests/<name>/, over
# tests/guests/lib/.  Included by the top Makefile, which defines BUILD, Q,
# CC, LD and NASM; builds $(BUILD)/guests/<name>.elf for each and lists them
# in GUEST_ELFS.  `make guests` builds them all.

GUEST_DIR	:= tests/guests
GUEST_OUT	:= $(BUILD)/guests
GUEST_OBJDIR	:= $(GUEST_OUT)/obj
GUEST_LDSCRIPT	:= $(GUEST_DIR)/lib/guest.ld

# A guest is a folder with a main.c; lib/ is the shared library.
GUEST_NAMES	:= $(sort $(patsubst $(GUEST_DIR)/%/main.c,%,$(wildcard $(GUEST_DIR)/*/main.c)))
GUEST_ELFS	:= $(patsubst %,$(GUEST_OUT)/%.elf,$(GUEST_NAMES))

# Freestanding i386: no libgcc (so no 64-bit division, see lib/div64.h), no
# SSE, no PIC.  -Iinclude for <public/tally.h>.
GUEST_CFLAGS	:= -std=gnu11 -m32 -march=i686 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none \
	-mgeneral-regs-only -O2 -g -Wall -Wextra -Werror -Wmissing-prototypes \
	-Wstrict-prototypes -Wshadow -MMD -MP -Iinclude -I$(GUEST_DIR)/lib
GUEST_ASFLAGS	:= -f elf32 -g -F dwarf
GUEST_LDFLAGS	:= -m elf_i386 -nostdlib -T $(GUEST_LDSCRIPT) -z max-page-size=0x1000 \
	-z noexecstack --no-warn-rwx-segments --build-id=none

GUEST_LIB_C	:= $(wildcard $(GUEST_DIR)/lib/*.c)
GUEST_LIB_ASM	:= $(wildcard $(GUEST_DIR)/lib/*.asm)
GUEST_LIB_OBJS	:= $(patsubst $(GUEST_DIR)/%.c,$(GUEST_OBJDIR)/%.o,$(GUEST_LIB_C)) \
		   $(patsubst $(GUEST_DIR)/%.asm,$(GUEST_OBJDIR)/%.o,$(GUEST_LIB_ASM))

# Objects of guest $(1): every .c in its folder.
guest_objs = $(patsubst $(GUEST_DIR)/%.c,$(GUEST_OBJDIR)/%.o,$(wildcard $(GUEST_DIR)/$(1)/*.c))

GUEST_C_OBJS	:= $(patsubst $(GUEST_DIR)/%.c,$(GUEST_OBJDIR)/%.o,$(GUEST_LIB_C)) \
		   $(foreach g,$(GUEST_NAMES),$(call guest_objs,$(g)))
GUEST_ASM_OBJS	:= $(patsubst $(GUEST_DIR)/%.asm,$(GUEST_OBJDIR)/%.o,$(GUEST_LIB_ASM))

.PHONY: guests
guests: $(GUEST_ELFS)

# Static pattern rules, so the top Makefile's $(BUILD)/%.o rules never apply.
$(GUEST_C_OBJS): $(GUEST_OBJDIR)/%.o: $(GUEST_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  GUESTCC $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_ASM_OBJS): $(GUEST_OBJDIR)/%.o: $(GUEST_DIR)/%.asm
	@mkdir -p $(dir $@)
	@echo "  GUESTAS $<"
	$(Q)$(NASM) $(GUEST_ASFLAGS) -MD $(@:.o=.d) -MP $< -o $@

define guest_link
$(GUEST_OUT)/$(1).elf: $(call guest_objs,$(1)) $(GUEST_LIB_OBJS) $(GUEST_LDSCRIPT)
	@mkdir -p $$(dir $$@)
	@echo "  GUEST   $$@"
	$(Q)$(LD) $(GUEST_LDFLAGS) -o $$@ $(call guest_objs,$(1)) $(GUEST_LIB_OBJS)
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call guest_link,$(g))))

-include $(wildcard $(GUEST_OBJDIR)/*/*.d)
