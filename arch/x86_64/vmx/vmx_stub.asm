; SPDX-License-Identifier: MIT
; The VM-exit stub: save the guest's registers on this CPU's stack, call C, resume.
;
; HOST_RSP in every VMCS is the top of its CPU's stack, so the sixteen pushes
; below leave a struct guest_regs (arch/vcpu.h) at RSP.  vmx_exit_handler()
; may switch to another vCPU by copying that vCPU's registers into the same
; area; it returns non-zero when the (new) vCPU needs VMLAUNCH.

global vmx_exit_stub, vmx_enter, vmx_call_on_exit_stack
extern vmx_exit_handler, vmx_entry_failed

%include "asm-offsets.inc"

section .text
bits 64

vmx_exit_stub:
	push r15
	push r14
	push r13
	push r12
	push r11
	push r10
	push r9
	push r8
	push rdi
	push rsi
	push rbp
	push rbp			; slot 4: RSP is in the VMCS
	push rbx
	push rdx
	push rcx
	push rax
	mov rdi, rsp
	xor ebp, ebp			; end of backtraces
	call vmx_exit_handler
	; fall through: RSP = registers, EAX = launch flag

vmx_restore:
	test eax, eax			; POP leaves the flags alone
	pop rax
	pop rcx
	pop rdx
	pop rbx
	lea rsp, [rsp + 8]
	pop rbp
	pop rsi
	pop rdi
	pop r8
	pop r9
	pop r10
	pop r11
	pop r12
	pop r13
	pop r14
	pop r15
	jnz .launch
	vmresume
	jmp .failed
.launch:
	vmlaunch
.failed:
	; VMfail: back onto the register area so C frames go below it.
	lea rsp, [rsp - GUEST_REGS_SIZE]
	mov rdi, rsp
	xor ebp, ebp
	call vmx_entry_failed		; never returns
	ud2

; void vmx_enter(struct guest_regs *regs, bool launch): regs sit at HOST_RSP - size.
vmx_enter:
	mov rsp, rdi
	mov eax, esi
	jmp vmx_restore

; void vmx_call_on_exit_stack(struct guest_regs *regs, void (*fn)(struct guest_regs *)):
; move to the stack below this CPU's register area and call fn(regs), for the
; first entry, so no frame of the caller can overlap the area.
vmx_call_on_exit_stack:
	mov rsp, rdi
	xor ebp, ebp
	call rsi			; never returns
	ud2
