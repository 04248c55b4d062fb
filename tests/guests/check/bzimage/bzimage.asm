; SPDX-License-Identifier: MIT
; A synthetic Linux "bzImage" for Tally's Linux loader: a boot protocol 2.15
; setup header and a 32-bit protected-mode payload that checks what the
; 32-bit boot protocol (Linux Documentation/x86/boot.rst) promises it:
; ESI = the zero page, EBX = EBP = EDI = 0, flat __BOOT_CS/__BOOT_DS,
; interrupts off, paging off, and in the zero page the e820 map, the
; command line, the initrd and the ACPI RSDP.  It prints one "ok"/"FAIL"
; line per check, a verdict line, and leaves through the debug-exit port
; (or, with " reset" ending its command line, resets through 0xCF9).
;
; Build: nasm -f bin bzimage.asm -o bzimage
; Run as:  module bzimage "name=bz mem=8 -- bzcheck=1 console=ttyS0"
;          module initrd.txt "initrd_of=bz"

SETUP_SECTS	equ 1			; the kernel starts at (1 + 1) * 512
KERNEL_OFF	equ 0x400
LOAD_ADDR	equ 0x100000		; LOADED_HIGH, not relocatable
HDR_OFF		equ 0x1F1
RAM_BYTES	equ 8 * 1024 * 1024	; mem=8 on the module line
EBDA		equ 0x9FC00
DEV_BASE	equ 0xFEC00000
E820_USABLE	equ 1
E820_RESERVED	equ 2
UART		equ 0x3F8
UART_LSR	equ UART + 5
LSR_THRE	equ 0x20
DEBUG_EXIT	equ 0xF4
RESET_PORT	equ 0xCF9		; the reset control register
RESET_VALUE	equ 0x06		; full reset, as the FADT's RESET_VALUE
VERDICT_PASS	equ 0
VERDICT_FAIL	equ 2

; zero page offsets (Documentation/x86/zero-page.rst, boot.rst)
BP_RSDP		equ 0x070
BP_E820_COUNT	equ 0x1E8
BP_LOADER	equ 0x210
BP_LOADFLAGS	equ 0x211
BP_CODE32	equ 0x214
BP_RD_IMAGE	equ 0x218
BP_RD_SIZE	equ 0x21C
BP_CMDLINE	equ 0x228
BP_HEADER	equ 0x202
BP_E820		equ 0x2D0
E820_SIZE	equ 20

section setup start=0 vstart=0
	times HDR_OFF db 0
	db SETUP_SECTS		; 0x1F1 setup_sects
	dw 0			; root_flags
	dd 0x100		; syssize: 4 KiB paragraphs, unused by loaders here
	dw 0, 0, 0		; ram_size, vid_mode, root_dev
	dw 0xAA55		; 0x1FE boot_flag
	db 0xEB, hdr_end - 0x202	; 0x200 jump over the header
	db "HdrS"		; 0x202
	dw 0x020F		; 0x206 version 2.15
	dd 0			; realmode_swtch
	dw 0, 0			; start_sys_seg, kernel_version
	db 0			; 0x210 type_of_loader
	db 0x01			; 0x211 loadflags: LOADED_HIGH
	dw 0			; setup_move_size
	dd LOAD_ADDR		; 0x214 code32_start
	dd 0, 0			; ramdisk_image, ramdisk_size
	dd 0			; bootsect_kludge
	dw 0			; heap_end_ptr
	db 0, 0			; ext_loader_ver, ext_loader_type
	dd 0			; 0x228 cmd_line_ptr
	dd 0x37FFFFFF		; 0x22C initrd_addr_max
	dd 0x200000		; 0x230 kernel_alignment
	db 0			; relocatable_kernel
	db 0			; min_alignment
	dw 0			; 0x236 xloadflags
	dd 255			; 0x238 cmdline_size
	dd 0			; hardware_subarch
	dq 0			; hardware_subarch_data
	dd 0, 0			; payload_offset, payload_length
	dq 0			; setup_data
	dq LOAD_ADDR		; 0x258 pref_address
	dd 0x10000		; 0x260 init_size
	dd 0			; handover_offset
	dd 0			; kernel_info_offset
hdr_end:
	times KERNEL_OFF - ($ - $$) db 0

; --- check macros -------------------------------------------------------
; CHECK_EQ value, expected, message: prints "bzimage: ok: <message>" or
; "bzimage: FAIL: <message>" and counts the failure.
%macro CHECK_EQ 3
	mov eax, %1
	mov edx, %2
	mov esi, %3
	call check_eq
	mov esi, [entry_esi]
%endmacro

%macro CHECK_RANGE 4
	mov eax, %1
	mov esi, %4
	cmp eax, %2
	jb %%bad
	cmp eax, %3
	ja %%bad
	xor eax, eax
	xor edx, edx
	jmp %%go
%%bad:
	mov edx, 1
%%go:
	call check_eq
	mov esi, [entry_esi]
%endmacro

; E820_CHECK index, addr, size, type (64-bit addr and size: the high halves too).
%macro E820_CHECK 4
	CHECK_EQ {dword [esi + BP_E820 + %1 * E820_SIZE]}, (%2) & 0xFFFFFFFF, msg_e820_%1
	CHECK_EQ {dword [esi + BP_E820 + %1 * E820_SIZE + 4]}, (%2) >> 32, msg_e820_%1
	CHECK_EQ {dword [esi + BP_E820 + %1 * E820_SIZE + 8]}, (%3) & 0xFFFFFFFF, msg_e820_%1
	CHECK_EQ {dword [esi + BP_E820 + %1 * E820_SIZE + 12]}, (%3) >> 32, msg_e820_%1
	CHECK_EQ {dword [esi + BP_E820 + %1 * E820_SIZE + 16]}, %4, msg_e820_%1
%endmacro

section kernel start=KERNEL_OFF vstart=LOAD_ADDR
bits 32
entry:
	; The registers as the protocol fixes them, before anything changes them.
	mov [entry_esi], esi
	mov [entry_ebx], ebx
	mov [entry_ebp], ebp
	mov [entry_edi], edi
	mov esp, stack_top		; the protocol gives no stack
	pushfd
	pop dword [entry_eflags]
	mov ax, cs
	mov [entry_cs], ax
	mov ax, ds
	mov [entry_ds], ax
	mov ax, ss
	mov [entry_ss], ax
	mov eax, cr0
	mov [entry_cr0], eax

	mov esi, [entry_esi]
	CHECK_EQ {dword [entry_esi]}, 0x10000, msg_esi
	CHECK_EQ {dword [entry_ebx]}, 0, msg_ebx
	CHECK_EQ {dword [entry_ebp]}, 0, msg_ebp
	CHECK_EQ {dword [entry_edi]}, 0, msg_edi
	mov eax, [entry_eflags]
	and eax, 0x200
	CHECK_EQ eax, 0, msg_if
	movzx eax, word [entry_cs]
	CHECK_EQ eax, 0x10, msg_cs
	movzx eax, word [entry_ds]
	CHECK_EQ eax, 0x18, msg_ds
	movzx eax, word [entry_ss]
	CHECK_EQ eax, 0x18, msg_ss
	mov eax, [entry_cr0]
	and eax, 0x80000001
	CHECK_EQ eax, 1, msg_cr0
	CHECK_EQ {dword [esi + BP_HEADER]}, 0x53726448, msg_hdrs
	movzx eax, byte [esi + BP_LOADER]
	CHECK_EQ eax, 0xFF, msg_loader
	CHECK_EQ {dword [esi + BP_CODE32]}, LOAD_ADDR, msg_code32
	; e820: low RAM, the EBDA-to-1-MiB hole, RAM from 1 MiB, the device window.
	movzx eax, byte [esi + BP_E820_COUNT]
	CHECK_EQ eax, 4, msg_e820n
	E820_CHECK 0, 0, EBDA, E820_USABLE
	E820_CHECK 1, EBDA, 0x100000 - EBDA, E820_RESERVED
	E820_CHECK 2, 0x100000, RAM_BYTES - 0x100000, E820_USABLE
	E820_CHECK 3, DEV_BASE, 0x100000000 - DEV_BASE, E820_RESERVED
	; The command line: the module line after Tally's options and "--".
	mov eax, [esi + BP_CMDLINE]
	mov edi, want_cmdline
	call strprefix
	mov [cmdline_rest], eax
	mov edi, want_rest_reset
	call streq
	mov [reset_asked], eax
	mov eax, [cmdline_rest]
	mov edi, want_rest_none
	call streq
	or eax, [reset_asked]
	CHECK_EQ eax, 1, msg_cmdline
	; The initrd: page-aligned near the top of RAM, with the module's bytes.
	mov eax, [esi + BP_RD_SIZE]
	CHECK_EQ eax, INITRD_BYTES, msg_rdsize
	mov eax, [esi + BP_RD_IMAGE]
	and eax, 0xFFF
	CHECK_EQ eax, 0, msg_rdalign
	mov eax, [esi + BP_RD_IMAGE]
	add eax, [esi + BP_RD_SIZE]
	CHECK_RANGE eax, RAM_BYTES - 0x1000, RAM_BYTES, msg_rdtop
	mov eax, [esi + BP_RD_IMAGE]
	mov edi, want_initrd
	mov ecx, want_initrd_len
	call memeq
	CHECK_EQ eax, 1, msg_rdbytes
	; The ACPI RSDP, where the zero page says (protocol 2.14).
	CHECK_EQ {dword [esi + BP_RSDP + 4]}, 0, msg_rsdp
	mov eax, [esi + BP_RSDP]
	mov edi, want_rsdp
	mov ecx, 8
	call memeq
	CHECK_EQ eax, 1, msg_rsdp

	mov esi, msg_verdict_pass
	mov ebx, VERDICT_PASS
	cmp dword [failures], 0
	je .verdict
	mov esi, msg_verdict_fail
	mov ebx, VERDICT_FAIL
.verdict:
	cmp dword [reset_asked], 0
	je .done
	; " reset" on the command line: reset the machine through the PC's reset
	; control register instead of leaving (on_reboot= decides what follows).
	mov esi, msg_reset
	call puts
	mov al, RESET_VALUE
	mov dx, RESET_PORT
	out dx, al
	jmp .hang
.done:
	call puts
	mov eax, ebx
	mov dx, DEBUG_EXIT
	out dx, eax
.hang:
	hlt
	jmp .hang

; EAX value, EDX expected, ESI message.
check_eq:
	push esi
	cmp eax, edx
	jne .fail
	mov esi, msg_ok
	call puts
	jmp .msg
.fail:
	inc dword [failures]
	mov esi, msg_fail
	call puts
.msg:
	pop esi
	call puts
	mov esi, msg_nl
	jmp puts

; EAX string, EDI expected prefix: EAX = what follows the prefix, or a pointer to "!" if absent.
strprefix:
	mov cl, [edi]
	test cl, cl
	jz .yes
	cmp cl, [eax]
	jne .no
	inc eax
	inc edi
	jmp strprefix
.yes:
	ret
.no:
	mov eax, want_rest_bad
	ret

; EAX string, EDI expected string: EAX = 1 if equal.
streq:
	mov cl, [eax]
	cmp cl, [edi]
	jne .no
	test cl, cl
	jz .yes
	inc eax
	inc edi
	jmp streq
.yes:
	mov eax, 1
	ret
.no:
	xor eax, eax
	ret

; EAX buffer, EDI expected, ECX length: EAX = 1 if equal.
memeq:
	test ecx, ecx
	jz .yes
	mov dl, [eax]
	cmp dl, [edi]
	jne .no
	inc eax
	inc edi
	dec ecx
	jmp memeq
.yes:
	mov eax, 1
	ret
.no:
	xor eax, eax
	ret

; ESI: a NUL-terminated string to COM1 (waiting for THRE, a bounded while).
puts:
	push eax
	push ecx
	push edx
.next:
	mov al, [esi]
	test al, al
	jz .end
	mov ecx, 1000
	mov dx, UART_LSR
.wait:
	in al, dx
	test al, LSR_THRE
	jnz .send
	loop .wait
.send:
	mov al, [esi]
	mov dx, UART
	out dx, al
	inc esi
	jmp .next
.end:
	pop edx
	pop ecx
	pop eax
	ret

; --- data ---------------------------------------------------------------
INITRD_BYTES	equ 73		; initrd.txt's size
want_cmdline:	db "bzcheck=1 console=ttyS0", 0
want_rest_none:	db 0
want_rest_reset: db " reset", 0
want_rest_bad:	db "!", 0
want_initrd:	db "TALLY-INITRD"
want_initrd_len	equ $ - want_initrd
want_rsdp:	db "RSD PTR "
msg_ok:		db "bzimage: ok: ", 0
msg_fail:	db "bzimage: FAIL: ", 0
msg_nl:		db 10, 0
msg_esi:	db "ESI points at the zero page (0x10000)", 0
msg_ebx:	db "EBX is 0", 0
msg_ebp:	db "EBP is 0", 0
msg_edi:	db "EDI is 0", 0
msg_if:		db "interrupts off", 0
msg_cs:		db "CS is __BOOT_CS (0x10)", 0
msg_ds:		db "DS is __BOOT_DS (0x18)", 0
msg_ss:		db "SS is __BOOT_DS (0x18)", 0
msg_cr0:	db "protected mode, paging off", 0
msg_hdrs:	db "zero page holds the setup header (HdrS)", 0
msg_loader:	db "type_of_loader is 0xFF", 0
msg_code32:	db "code32_start is the load address", 0
msg_e820n:	db "e820 has 4 entries", 0
msg_e820_0:	db "e820[0] usable [0, EBDA)", 0
msg_e820_1:	db "e820[1] reserved [EBDA, 1 MiB)", 0
msg_e820_2:	db "e820[2] usable [1 MiB, 8 MiB)", 0
msg_e820_3:	db "e820[3] reserved device window [0xFEC00000, 4 GiB)", 0
msg_cmdline:	db "command line is 'bzcheck=1 console=ttyS0' (and maybe ' reset')", 0
msg_reset:	db "bzimage: resetting through 0xCF9", 10, 0
msg_rdsize:	db "ramdisk_size is the initrd module's 73 bytes", 0
msg_rdalign:	db "ramdisk_image is page-aligned", 0
msg_rdtop:	db "the initrd ends in the top page of RAM", 0
msg_rdbytes:	db "the initrd holds the module's bytes", 0
msg_rsdp:	db "acpi_rsdp_addr points at 'RSD PTR '", 0
msg_verdict_pass: db "TEST RESULT: PASS", 10, 0
msg_verdict_fail: db "TEST RESULT: FAIL", 10, 0

align 4
failures:	dd 0
cmdline_rest:	dd 0
reset_asked:	dd 0
entry_esi:	dd 0
entry_ebx:	dd 0
entry_ebp:	dd 0
entry_edi:	dd 0
entry_eflags:	dd 0
entry_cr0:	dd 0
entry_cs:	dw 0
entry_ds:	dw 0
entry_ss:	dw 0
align 16
stack:		times 1024 db 0
stack_top:
kernel_end:
