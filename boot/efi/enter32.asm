; SPDX-License-Identifier: MIT
; The UEFI loader's last step: from UEFI's 64-bit long mode to the multiboot2 i386 state, then the kernel.

; Position-independent: boot/efi/main.c copies the bytes between
; enter32_start and enter32_end to a page below 4 GiB (firmware identity
; maps all memory, UEFI 2.10 section 2.3.4) and calls the copy after
; ExitBootServices() as  void enter32(uint32_t entry, uint32_t mb2_info)
; (System V: EDI = entry, ESI = information block).  Only RIP-relative and
; register operands: the copy may land anywhere below 4 GiB.

%include "boot/defs.inc"

; Multiboot2 spec 3.3: EAX holds this magic when the loader enters the kernel.
%define MB2_BOOTLOADER_MAGIC	0x36D76289
%define CR4_PCIDE		(1 << 17)

; This GDT's selectors (its own: the firmware's may lack a 32-bit code segment).
%define ENTER32_SEL_CODE32	0x08
%define ENTER32_SEL_DATA32	0x10
; Segment descriptor fields (SDM Vol. 3A 3.4.5): present, code/data (S),
; the type, 4 KiB granularity, 32-bit default size; base 0, limit 0xFFFFF pages.
%define DESC_PRESENT		(1 << 7)
%define DESC_CODE_OR_DATA	(1 << 4)
%define DESC_TYPE_CODE_RX	0xA
%define DESC_TYPE_DATA_RW	0x2
%define DESC_GRANULARITY_4K	(1 << 3)
%define DESC_DEFAULT_32	(1 << 2)
%define DESC_LIMIT_LOW		0xFFFF
%define DESC_LIMIT_HIGH	0xF
%define DESC_FLAT(type) (DESC_LIMIT_LOW | (DESC_LIMIT_HIGH << 48) | \
	((DESC_PRESENT | DESC_CODE_OR_DATA | (type)) << 40) | \
	((DESC_GRANULARITY_4K | DESC_DEFAULT_32) << 52))

global enter32_start, enter32_end

section .text
bits 64
enter32_start:
	cli
	; The GDTR's base is the copy's own GDT, known only now.
	lea rax, [rel gdt]
	mov [rel gdtr + 2], rax
	lgdt [rel gdtr]
	; Far return to compatibility mode (SDM Vol. 3A 9.8.5.4, leaving
	; IA-32e mode: first run 32-bit code, then turn paging off).
	lea rax, [rel compat32]
	push qword ENTER32_SEL_CODE32
	push rax
	o64 retf

bits 32
compat32:
	mov eax, ENTER32_SEL_DATA32
	mov ds, eax
	mov es, eax
	mov fs, eax
	mov gs, eax
	mov ss, eax
	; CR4.PCIDE must be 0 when paging goes off (SDM Vol. 3A 4.10.1).
	mov eax, cr4
	and eax, ~CR4_PCIDE
	mov cr4, eax
	; Clearing CR0.PG in compatibility mode leaves IA-32e mode (EFER.LMA
	; drops); this code runs on, identity-mapped.
	mov eax, cr0
	and eax, ~CR0_PG
	mov cr0, eax
	jmp .paging_off
.paging_off:
	mov ecx, MSR_EFER
	rdmsr
	and eax, ~EFER_LME
	wrmsr
	; Multiboot2 spec 3.3: EAX magic, EBX the information block, protected
	; mode, paging and interrupts off, flat 32-bit segments.
	mov ebx, esi
	mov eax, MB2_BOOTLOADER_MAGIC
	jmp edi

align 8
gdt:
	dq 0					; the null descriptor
	dq DESC_FLAT(DESC_TYPE_CODE_RX)	; ENTER32_SEL_CODE32
	dq DESC_FLAT(DESC_TYPE_DATA_RW)	; ENTER32_SEL_DATA32
gdt_end:
gdtr:
	dw gdt_end - gdt - 1
	dq 0					; base: written above
enter32_end:
