/* SPDX-License-Identifier: MIT */
/* ELF32/ELF64 file and program headers (System V gABI, chapters 4 and 5). */
#ifndef TALLY_ELF_H
#define TALLY_ELF_H

#include <tally/types.h>

/* e_ident[] indexes and values (gABI 4, "ELF Identification"). */
#define EI_MAG0		0
#define EI_MAG1		1
#define EI_MAG2		2
#define EI_MAG3		3
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define EI_NIDENT	16

#define ELFMAG0		0x7f
#define ELFMAG1		'E'
#define ELFMAG2		'L'
#define ELFMAG3		'F'

#define ELFCLASS32	1
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define EV_CURRENT	1

/* e_type */
#define ET_EXEC		2

/* e_machine */
#define EM_386		3
#define EM_X86_64	62

/* e_phnum escape: the real count is in section header 0's sh_info. */
#define PN_XNUM		0xffff

/* p_type */
#define PT_NULL		0
#define PT_LOAD		1

struct elf32_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry;
	uint32_t e_phoff;
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} __packed;

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} __packed;

struct elf32_phdr {
	uint32_t p_type;
	uint32_t p_offset;
	uint32_t p_vaddr;
	uint32_t p_paddr;
	uint32_t p_filesz;
	uint32_t p_memsz;
	uint32_t p_flags;
	uint32_t p_align;
} __packed;

/* Note the ELF64 order: p_flags moves up next to p_type for alignment. */
struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
} __packed;

_Static_assert(sizeof(struct elf32_ehdr) == 52, "gABI ELF32 header size");
_Static_assert(sizeof(struct elf64_ehdr) == 64, "gABI ELF64 header size");
_Static_assert(sizeof(struct elf32_phdr) == 32, "gABI ELF32 program header size");
_Static_assert(sizeof(struct elf64_phdr) == 56, "gABI ELF64 program header size");

#endif
