; SPDX-License-Identifier: MIT
; Test-guest exception entry stubs: build a struct trap_frame and call trap_dispatch().

TRAP_EXCEPTIONS	equ 32			; vectors 0-31 are the architectural exceptions

global trap_stubs
extern trap_dispatch

section .text
bits 32

; Vectors whose exceptions push an error code (SDM Vol. 3 6.13).
%define has_error(v) ((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || \
			(v) == 13 || (v) == 14 || (v) == 17 || (v) == 21 || \
			(v) == 29 || (v) == 30)

%assign vec 0
%rep TRAP_EXCEPTIONS
trap_stub_%+vec:
%if !has_error(vec)
	push 0				; same frame shape for every vector
%endif
	push vec
	jmp trap_common
%assign vec vec + 1
%endrep

; The frame is struct trap_frame: pusha, vector, error code, then EIP, CS,
; EFLAGS pushed by the CPU.  C may change it (a fixup moves EIP).
trap_common:
	pusha
	cld
	mov eax, esp
	push eax
	call trap_dispatch
	add esp, 4
	popa
	add esp, 8			; vector and error code
	iret

section .rodata
align 4
trap_stubs:
%assign vec 0
%rep TRAP_EXCEPTIONS
	dd trap_stub_%+vec
%assign vec vec + 1
%endrep
