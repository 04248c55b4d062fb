; SPDX-License-Identifier: MIT
; Multiboot2 and multiboot v1 headers: GRUB uses the first, QEMU -kernel the second.

%include "boot/defs.inc"

extern _image_start, _image_data_end, _image_end, boot_entry32

section .multiboot progbits alloc noexec nowrite align=8
align 8
mb2_header:					; Multiboot2 spec 3.1.1
	dd MB2_HEADER_MAGIC
	dd 0					; architecture: i386 protected mode
	dd mb2_header_end - mb2_header
	dd -(MB2_HEADER_MAGIC + (mb2_header_end - mb2_header))
	align 8					; end tag
	dw 0, 0
	dd 8
mb2_header_end:

; Multiboot v1 spec 3.1.1.  QEMU refuses 64-bit ELF, so the address fields
; (flag 16) describe the image as a flat binary: load_addr is the image start,
; which the linker script puts at the file offset of this section.
align 4
mb1_header:
	dd MB1_HEADER_MAGIC
	dd MB1_HEADER_FLAGS
	dd -(MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)
	dd mb1_header				; header_addr
	dd _image_start				; load_addr
	dd _image_data_end			; load_end_addr
	dd _image_end				; bss_end_addr
	dd boot_entry32				; entry_addr
