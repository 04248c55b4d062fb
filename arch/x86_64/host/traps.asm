; SPDX-License-Identifier: MIT
; Entry stubs for all 256 vectors: push a uniform frame, call trap_dispatch().

global trap_stubs
extern trap_dispatch

section .text
bits 64

; Vectors whose exceptions push an error code (SDM Vol. 3A, 6.15).
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

%define STUB_SIZE 16
align 16
trap_stubs:
%assign v 0
%rep 256
	align STUB_SIZE
%if HAS_ERROR(v) == 0
	push 0
%endif
	push v
	jmp trap_common
%assign v v + 1
%endrep

trap_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld
	mov rdi, rsp
	; The CPU aligned RSP to 16 before pushing; 22 quadwords keep it so.
	call trap_dispatch
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16			; vector, error code
	iretq
