/* SPDX-License-Identifier: MIT */
/* Address-to-function lookup in the linked-in symbol table. */
#include <tally/symbols.h>

extern const char _image_start[], _text_end[];

const char *symbols_lookup(uint64_t addr, uint64_t *offset)
{
	unsigned int lo = 0, hi = symbols_count;

	if (addr < (uint64_t)(uintptr_t)_image_start || addr >= (uint64_t)(uintptr_t)_text_end)
		return NULL;
	/* Last symbol at or below addr. */
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (symbols_table[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	*offset = addr - symbols_table[lo - 1].addr;
	return symbols_table[lo - 1].name;
}
