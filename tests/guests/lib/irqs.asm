; SPDX-License-Identifier: MIT
; Test-guest interrupt entry stubs for vectors 32-255: save registers, call irq_dispatch(vector).

IRQ_FIRST	equ 32			; vectors below are exceptions (traps.asm)
IRQ_VECTORS	equ 256

global irq_stubs
extern irq_dispatch

section .text
bits 32

; External interrupts push no error code (SDM Vol. 3 6.13).
%assign vec IRQ_FIRST
%rep IRQ_VECTORS - IRQ_FIRST
irq_stub_%+vec:
	push vec
	jmp irq_common
%assign vec vec + 1
%endrep

; Stack: vector, then EIP, CS, EFLAGS pushed by the CPU.  irq_dispatch is
; cdecl, so EAX, ECX and EDX are the registers it may clobber; PUSHA keeps
; the frame simple.  The stack is aligned to 16 at the call, as gcc assumes.
irq_common:
	pusha
	cld
	mov eax, [esp + 32]		; the vector, above the 8 PUSHA words
	mov ebx, esp
	and esp, -16
	sub esp, 12
	push eax
	call irq_dispatch
	mov esp, ebx
	popa
	add esp, 4			; the vector
	iret

section .rodata
align 4
irq_stubs:
%assign vec IRQ_FIRST
%rep IRQ_VECTORS - IRQ_FIRST
	dd irq_stub_%+vec
%assign vec vec + 1
%endrep
