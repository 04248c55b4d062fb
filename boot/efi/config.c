// SPDX-License-Identifier: MIT
/* tally.cfg: the UEFI loader's configuration, in the words of the GRUB lines tools/mkiso writes. */

/*
 * One item a line: "multiboot2 /FILE ARGS" first and once, then up to
 * EFI_CFG_MODULES_MAX "module2 /FILE ARGS".  A line whose first non-blank
 * character is '#' is a comment.  ARGS is the rest of the line as written
 * (no quoting: unlike GRUB's shell, nothing is unquoted or re-joined), with
 * the blanks around it dropped; a CR before the newline is a blank too, so
 * that a file edited on Windows reads the same.
 */

#include "efi_loader.h"
#include "efi_why.h"

#define CFG_KERNEL_WORD	"multiboot2"
#define CFG_MODULE_WORD	"module2"
/* How much of a bad word a message quotes, so that it stays one short line. */
#define CFG_QUOTE_MAX	40

/* A piece of a line: @len characters at @p, not NUL-terminated. */
struct cfg_word {
	const char *p;
	size_t len;
};

static bool cfg_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Cut the first word off @rest (leading blanks skipped); @rest keeps what follows it. */
static struct cfg_word cfg_next_word(struct cfg_word *rest)
{
	struct cfg_word w;

	while (rest->len && cfg_blank(*rest->p)) {
		rest->p++;
		rest->len--;
	}
	w.p = rest->p;
	w.len = 0;
	while (w.len < rest->len && !cfg_blank(w.p[w.len]))
		w.len++;
	rest->p += w.len;
	rest->len -= w.len;
	return w;
}

static struct cfg_word cfg_trim(struct cfg_word w)
{
	while (w.len && cfg_blank(*w.p)) {
		w.p++;
		w.len--;
	}
	while (w.len && cfg_blank(w.p[w.len - 1]))
		w.len--;
	return w;
}

static bool cfg_word_is(struct cfg_word w, const char *s)
{
	size_t i;

	for (i = 0; i < w.len; i++)
		if (s[i] != w.p[i])
			return false;
	return s[i] == '\0';
}

/* Copy @w into @dst (@size bytes, room for the NUL), or return false when it does not fit. */
static bool cfg_store(char *dst, size_t size, struct cfg_word w)
{
	if (w.len >= size)
		return false;
	for (size_t i = 0; i < w.len; i++)
		dst[i] = w.p[i];
	dst[w.len] = '\0';
	return true;
}

static int cfg_fail(struct efi_why *w, unsigned int line, const char *what)
{
	efi_why_str(w, "line ");
	efi_why_num(w, line);
	efi_why_str(w, ": ");
	efi_why_str(w, what);
	return -EINVAL;
}

/* Fail quoting @word between two pieces of text. */
static int cfg_fail_quote(struct efi_why *w, unsigned int line, const char *before,
			  struct cfg_word word, const char *after)
{
	cfg_fail(w, line, before);
	efi_why_strn(w, word.p, MIN(word.len, CFG_QUOTE_MAX));
	if (word.len > CFG_QUOTE_MAX)
		efi_why_str(w, "...");
	efi_why_str(w, after);
	return -EINVAL;
}

/* Store one item's file and arguments. */
static int cfg_item(struct efi_why *w, unsigned int line, struct cfg_word keyword,
		    struct cfg_word rest, char *path, char *args)
{
	struct cfg_word file = cfg_next_word(&rest);

	if (!file.len)
		return cfg_fail_quote(w, line, "", keyword, " without a file");
	if (file.p[0] != '/')
		return cfg_fail_quote(w, line, "path '", file, "' does not start with '/'");
	if (!cfg_store(path, EFI_CFG_PATH_MAX, file))
		return cfg_fail(w, line, "path longer than 127 characters");
	if (!cfg_store(args, EFI_CFG_ARGS_MAX, cfg_trim(rest)))
		return cfg_fail(w, line, "arguments longer than 511 characters");
	return 0;
}

_Static_assert(EFI_CFG_PATH_MAX == 128 && EFI_CFG_ARGS_MAX == 512 && EFI_CFG_MODULES_MAX == 16 &&
	       EFI_CFG_LINE_MAX == 1024, "the messages below quote these limits");

/* Parse one line (newline excluded) into @out; *@seen_kernel tracks the multiboot2 line. */
static int cfg_line(struct efi_why *w, unsigned int line, struct cfg_word text,
		    struct efi_cfg *out, bool *seen_kernel)
{
	struct cfg_word keyword;

	if (text.len > EFI_CFG_LINE_MAX)
		return cfg_fail(w, line, "longer than 1024 characters");
	for (size_t i = 0; i < text.len; i++)
		if (text.p[i] == '\0')
			return cfg_fail(w, line, "a NUL byte");
	keyword = cfg_next_word(&text);
	if (!keyword.len || keyword.p[0] == '#')
		return 0;
	if (cfg_word_is(keyword, CFG_KERNEL_WORD)) {
		if (*seen_kernel)
			return cfg_fail(w, line, "a second multiboot2 line");
		*seen_kernel = true;
		return cfg_item(w, line, keyword, text, out->kernel_path, out->kernel_args);
	}
	if (!cfg_word_is(keyword, CFG_MODULE_WORD))
		return cfg_fail_quote(w, line, "unknown keyword '", keyword,
				      "' (expected multiboot2 or module2)");
	if (!*seen_kernel)
		return cfg_fail(w, line, "module2 before the multiboot2 line");
	if (out->module_count == EFI_CFG_MODULES_MAX)
		return cfg_fail(w, line, "more than 16 modules");
	struct efi_cfg_module *m = &out->modules[out->module_count];
	int rc = cfg_item(w, line, keyword, text, m->path, m->args);

	if (!rc)
		out->module_count++;
	return rc;
}

int efi_cfg_parse(const char *text, size_t len, struct efi_cfg *out, char *why, size_t why_len)
{
	struct efi_why w;
	bool seen_kernel = false;
	unsigned int line = 1;
	size_t pos = 0;

	efi_why_start(&w, why, why_len);
	*out = (struct efi_cfg){ .module_count = 0 };
	while (pos < len) {
		size_t end = pos;

		while (end < len && text[end] != '\n')
			end++;
		int rc = cfg_line(&w, line, (struct cfg_word){ text + pos, end - pos }, out,
				  &seen_kernel);
		if (rc)
			return rc;
		pos = end + 1;
		line++;
	}
	if (!seen_kernel) {
		efi_why_str(&w, "no multiboot2 line");
		return -EINVAL;
	}
	return 0;
}
