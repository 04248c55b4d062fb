; SPDX-License-Identifier: MIT
; Test-guest AP start: a real-mode page (copied below 1 MiB) into 32-bit protected mode, then C.

GDT_SEL_CODE	equ 0x08		; the library's flat GDT (desc.c, x86.h)
GDT_SEL_DATA	equ 0x10
CR0_PE		equ 1 << 0
CR0_NW		equ 1 << 29
CR0_CD		equ 1 << 30
STACK_ALIGN	equ 16

global smp_tramp_start, smp_tramp_gdtr, smp_tramp_end
extern smp_ap_stack, smp_ap_entry

section .text
; A start-up IPI with vector V starts the AP in real mode at CS = V << 8,
; IP = 0 (SDM Vol. 3A 9.4.4.1), with CR0 = 0x60000010 (caches off).
; smp_start_ap() copies smp_tramp_start..smp_tramp_end to that page and
; fills the GDTR slot from SGDT; everything after the far jump runs in place.
bits 16
smp_tramp_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	o32 lgdt [smp_tramp_gdtr - smp_tramp_start]
	mov eax, cr0
	and eax, ~(CR0_CD | CR0_NW)
	or eax, CR0_PE
	mov cr0, eax
	jmp dword GDT_SEL_CODE:ap_start32	; 32-bit offset: the image is above 1 MiB
align 4
smp_tramp_gdtr:
	dw 0				; limit
	dd 0				; base
smp_tramp_end:

bits 32
ap_start32:
	mov ax, GDT_SEL_DATA
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov esp, [smp_ap_stack]
	and esp, -STACK_ALIGN
	xor ebp, ebp			; end of frame-pointer chain
	call smp_ap_entry
.hang:					; smp_ap_entry does not return
	cli
	hlt
	jmp .hang
