; SPDX-License-Identifier: MIT
; 32-bit entry from a multiboot loader: identity-map 4 GiB, enter long mode, call C.

%include "boot/defs.inc"

global boot_entry32, boot_pml4, boot_stack_top, boot_gdt_ptr
extern boot_main

section .boot.text progbits alloc exec nowrite align=16
bits 32
; In: EAX = loader magic, EBX = physical address of its information,
; protected mode, paging off, interrupts off (both multiboot specifications).
boot_entry32:
	cli
	cld
	mov edi, eax
	mov esi, ebx
	mov esp, boot_stack_top

	; Long mode needs CPUID leaf 0x80000001 EDX bit 29.
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode

	call build_boot_page_tables

	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, boot_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_PE | CR0_WP
	mov cr0, eax

	lgdt [boot_gdt_ptr]
	jmp SEL_CODE64:boot_long_mode

.no_long_mode:
	mov esi, no_long_mode_msg
.print:
	lodsb
	test al, al
	jz .halt
	mov dx, COM1
	out dx, al
	jmp .print
.halt:
	hlt
	jmp .halt

; Identity-map the first 4 GiB with 2 MiB pages: PML4[0] -> PDPT, whose four
; entries point at four page directories.  C builds the final tables later.
build_boot_page_tables:
	mov eax, boot_pdpt
	or eax, PTE_P | PTE_W
	mov [boot_pml4], eax
	xor ecx, ecx
.pdpt:
	mov eax, ecx
	shl eax, 12
	add eax, boot_pd
	or eax, PTE_P | PTE_W
	mov [boot_pdpt + ecx * 8], eax
	inc ecx
	cmp ecx, 4
	jb .pdpt
	xor ecx, ecx			; 2048 entries of 2 MiB
.pd:
	mov eax, ecx
	shl eax, 21
	or eax, PTE_P | PTE_W | PTE_PS
	mov [boot_pd + ecx * 8], eax
	mov eax, ecx
	shr eax, 11			; bits 32+ of the address
	mov [boot_pd + ecx * 8 + 4], eax
	inc ecx
	cmp ecx, 2048
	jb .pd
	ret

bits 64
boot_long_mode:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rsp, boot_stack_top
	mov edi, edi			; upper halves are undefined after the switch
	mov esi, esi
	xor ebp, ebp			; ends backtraces
	call boot_main
.hang:
	cli
	hlt
	jmp .hang

section .rodata
no_long_mode_msg: db "Tally: this CPU has no 64-bit long mode; halting.", 13, 10, 0

; Flat segments: 64-bit code, data, 32-bit code (for the AP trampoline).
align 16
boot_gdt:
	dq 0
	dq 0x00AF9A000000FFFF		; SEL_CODE64: present, DPL0, L=1
	dq 0x00CF92000000FFFF		; SEL_DATA: present, writable, 4 GiB
	dq 0x00CF9A000000FFFF		; SEL_CODE32: present, D=1, 4 GiB
boot_gdt_end:
boot_gdt_ptr:
	dw boot_gdt_end - boot_gdt - 1
	dq boot_gdt

section .bss
align 4096
boot_pml4:	resb 4096
boot_pdpt:	resb 4096
boot_pd:	resb 4 * 4096
boot_stack:	resb BOOT_STACK_SIZE
boot_stack_top:
