; SPDX-License-Identifier: MIT
; The smallest guest worth running: a multiboot v1 kernel that says hello on
; the serial port, gives its verdict and leaves.  It runs unchanged under
; `qemu-system-x86_64 -kernel hello.elf` and as a Tally domain.  Build it the
; usual way (README.md, "Bring your own guest"):
;
;     nasm -f elf32 hello.asm -o hello.o
;     ld -m elf_i386 -Ttext=0x100000 hello.o -o hello.elf
;
; -Ttext=0x100000 puts the code at 1 MiB, where PC kernels traditionally
; start; ld then places the ELF headers in a segment of their own just below
; it (0xff000), in the PC's legacy area, which is fine: the whole address
; space of a Tally domain is its own RAM.

; ---------------------------------------------------------------- the header
; A multiboot loader (GRUB, QEMU's -kernel, Tally) finds this header by
; searching the first 8 KiB of the file for the magic number at a 4-byte
; boundary.  flags = 0 asks for nothing special: the loader then places the
; program's segments where the ELF program headers say.  The three words
; must add up to zero (mod 2^32), which is what the checksum is for.
MB_MAGIC	equ 0x1BADB002
MB_FLAGS	equ 0
MB_CHECKSUM	equ -(MB_MAGIC + MB_FLAGS)

; What the loader leaves in EAX to say "I am a multiboot loader" (spec 3.2).
MB_BOOTLOADER_MAGIC equ 0x2BADB002

; The platform every PC emulator (and Tally) offers a guest.
COM1		equ 0x3F8		; 16550 UART: write a byte to transmit it
COM1_LSR	equ COM1 + 5		; line status register
LSR_THR_EMPTY	equ 0x20		; bit 5: ready for the next byte
DEBUG_EXIT	equ 0xF4		; QEMU's isa-debug-exit (iobase=0xf4)
EXIT_PASS	equ 0			; QEMU exits with status (value << 1) | 1
EXIT_FAIL	equ 2			; the value for a FAIL verdict

section .text
align 4
	dd MB_MAGIC
	dd MB_FLAGS
	dd MB_CHECKSUM

; ---------------------------------------------------------------- the code
; The loader jumps here (the ELF entry point, _start by ld's convention) in
; 32-bit protected mode with paging off: flat 4 GiB code and data segments,
; interrupts disabled, EAX = MB_BOOTLOADER_MAGIC, EBX = the boot information.
; ESP is undefined, so set up a stack before the first call.
bits 32
global _start
_start:
	mov esp, stack_top
	mov ebp, eax			; keep the loader's magic: puts uses EAX

	mov esi, greeting
	call puts

	; One verdict line, the last thing a test guest prints: PASS if the
	; loader said it was a multiboot loader, FAIL otherwise.
	cmp ebp, MB_BOOTLOADER_MAGIC
	jne .fail
	mov esi, verdict_pass
	call puts
	mov eax, EXIT_PASS
	jmp .leave
.fail:
	mov esi, verdict_fail
	call puts
	mov eax, EXIT_FAIL

	; A write to the debug-exit port ends the emulator (QEMU) or just this
	; domain (Tally, which prints "domain: dN NAME exited status=S value=V").
.leave:
	mov dx, DEBUG_EXIT
	out dx, eax

	; Nowhere to return to: should the port be missing, stop here.
.halt:
	cli
	hlt
	jmp .halt

; Send the NUL-terminated string at ESI to COM1, one byte at a time, each
; once the UART's transmitter can take it.  Clobbers EAX, EDX and ESI.
puts:
	lodsb				; AL = [ESI], ESI += 1
	test al, al
	jz .done
	mov ah, al
	mov dx, COM1_LSR
.wait:
	in al, dx
	test al, LSR_THR_EMPTY
	jz .wait
	mov al, ah
	mov dx, COM1
	out dx, al
	jmp puts
.done:
	ret

; ---------------------------------------------------------------- the data
section .rodata
greeting:	db "hello: a guest built with nasm and ld says hello", 10, 0
verdict_pass:	db "TEST RESULT: PASS", 10, 0
verdict_fail:	db "TEST RESULT: FAIL (EAX did not hold the multiboot magic)", 10, 0

; Zero-filled memory the loader clears for us (the ELF's memory size beyond
; its file size): a 4 KiB stack, which grows down from stack_top.
section .bss
align 16
	resb 4096
stack_top:
