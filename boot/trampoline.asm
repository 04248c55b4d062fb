; SPDX-License-Identifier: MIT
; Application-processor start-up: real mode -> protected mode -> long mode -> C.
;
; arch/x86_64/host/smp.c copies trampoline_start..trampoline_end to TRAMPOLINE_BASE
; and fills the parameter block (struct trampoline_params, whose offsets come
; from asm-offsets.inc) before sending INIT-SIPI-SIPI; the SIPI vector is
; TRAMPOLINE_BASE >> 12, so the AP starts here at CS = TRAMPOLINE_BASE >> 4,
; IP = 0.  APs are started one at a time, so one block is enough.

%include "boot/defs.inc"
%include "asm-offsets.inc"

global trampoline_start, trampoline_end, trampoline_params

; Linear address of a trampoline label once copied.
%define TADDR(label)	(TRAMPOLINE_BASE + (label - trampoline_start))

section .rodata
bits 16
trampoline_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	lgdt [tramp_gdt_ptr - trampoline_start]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	jmp dword SEL_CODE32:TADDR(tramp_pm32)

bits 32
tramp_pm32:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, [TADDR(trampoline_params) + TP_CR3]
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, [TADDR(trampoline_params) + TP_EFER]
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax
	jmp SEL_CODE64:TADDR(tramp_lm64)

bits 64
tramp_lm64:
	mov rsp, [TADDR(trampoline_params) + TP_STACK]
	mov rdi, [TADDR(trampoline_params) + TP_ARG]
	mov rax, [TADDR(trampoline_params) + TP_ENTRY]
	xor ebp, ebp
	call rax			; never returns
.hang:
	cli
	hlt
	jmp .hang

align 16
tramp_gdt:
	dq 0
	dq 0x00AF9A000000FFFF		; SEL_CODE64
	dq 0x00CF92000000FFFF		; SEL_DATA
	dq 0x00CF9A000000FFFF		; SEL_CODE32
tramp_gdt_end:
tramp_gdt_ptr:
	dw tramp_gdt_end - tramp_gdt - 1
	dd TADDR(tramp_gdt)

align 8
trampoline_params:
	times TP_SIZE db 0
trampoline_end:
