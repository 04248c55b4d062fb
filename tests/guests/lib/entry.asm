; SPDX-License-Identifier: MIT
; Test-guest multiboot v1 header and 32-bit entry: zero .bss, set up a stack, call C.

MB1_HEADER_MAGIC	equ 0x1BADB002
MB1_FLAG_PAGE_ALIGN	equ 1 << 0	; modules on page boundaries
MB1_FLAG_MEMINFO	equ 1 << 1	; we read mem_lower/mem_upper
MB1_HEADER_FLAGS	equ MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO
GUEST_STACK_SIZE	equ 16384
STACK_ALIGN		equ 16		; what gcc assumes at a call

global guest_entry
extern guest_start, _bss_start, _bss_end

; Multiboot v1 spec 3.1.1.  The image is an ELF, so no address fields (flag 16).
section .multiboot progbits alloc noexec nowrite align=4
	dd MB1_HEADER_MAGIC
	dd MB1_HEADER_FLAGS
	dd -(MB1_HEADER_MAGIC + MB1_HEADER_FLAGS)

section .text
bits 32
; In: EAX = loader magic, EBX = physical address of the multiboot info,
; flat protected mode, paging off (multiboot v1 spec 3.2).  The loader's
; GDT may be gone already; guest_start loads ours before any segment load.
guest_entry:
	cli
	cld
	mov esi, eax			; rep stosb below needs EAX, ECX, EDI
	mov ebp, ebx

	; The stack lives in .bss, so zero it before the first push.
	mov edi, _bss_start
	mov ecx, _bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb

	mov esp, guest_stack + GUEST_STACK_SIZE
	and esp, -STACK_ALIGN
	sub esp, 8			; two arguments keep the call 16-aligned
	push esi			; magic
	push ebp			; mbi
	xor ebp, ebp			; end of frame-pointer chain
	call guest_start
.hang:					; guest_start does not return
	cli
	hlt
	jmp .hang

section .bss
align STACK_ALIGN
guest_stack:
	resb GUEST_STACK_SIZE
