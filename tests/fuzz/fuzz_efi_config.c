/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: tally.cfg, the UEFI loader's configuration (boot/efi/config.c).
 *
 * Input: the size of the buffer for the refusal message (one byte), then the
 * file's bytes, NULs included, in a heap block of exactly that size.  An
 * accepted file must give items that read back from the text; a refused one
 * a terminated message naming a line of the file, the same message (cut to
 * fit) whatever the buffer's size.
 */
#define _GNU_SOURCE	/* memmem() */
#include <stdlib.h>
#include <string.h>

#include "../../boot/efi/efi_loader.h"
#include "harness.h"

#define TEXT_MAX	(32 * 1024)	/* enough for every limit plus a few lines */
#define NO_KERNEL	"no multiboot2 line"

static struct efi_cfg cfg;

static unsigned int count_lines(const char *text, size_t len)
{
	unsigned int lines = 1;

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	return lines;
}

/* A path: starts with '/', no blank, terminated inside its field, found in the text. */
static void check_path(const char *path, const char *text, size_t len)
{
	size_t n = strnlen(path, EFI_CFG_PATH_MAX);

	FUZZ_CHECK(n > 0 && n < EFI_CFG_PATH_MAX && path[0] == '/');
	FUZZ_CHECK(!strpbrk(path, " \t\r\n"));
	FUZZ_CHECK(memmem(text, len, path, n) != NULL);
}

/* Arguments: terminated, no newline, no blank at either end, found in the text. */
static void check_args(const char *args, const char *text, size_t len)
{
	size_t n = strnlen(args, EFI_CFG_ARGS_MAX);

	FUZZ_CHECK(n < EFI_CFG_ARGS_MAX && !strchr(args, '\n'));
	if (!n)
		return;
	FUZZ_CHECK(!strchr(" \t\r", args[0]) && !strchr(" \t\r", args[n - 1]));
	FUZZ_CHECK(memmem(text, len, args, n) != NULL);
}

static void check_accepted(const char *text, size_t len)
{
	FUZZ_CHECK(cfg.module_count <= EFI_CFG_MODULES_MAX);
	FUZZ_CHECK(memmem(text, len, "multiboot2", 10) != NULL);
	check_path(cfg.kernel_path, text, len);
	check_args(cfg.kernel_args, text, len);
	for (unsigned int i = 0; i < cfg.module_count; i++) {
		check_path(cfg.modules[i].path, text, len);
		check_args(cfg.modules[i].args, text, len);
	}
}

static void check_refused(const char *text, size_t len, const char *why)
{
	unsigned long line;
	char *end;

	if (!strcmp(why, NO_KERNEL))
		return;
	FUZZ_CHECK(!strncmp(why, "line ", 5));
	line = strtoul(why + 5, &end, 10);
	FUZZ_CHECK(line >= 1 && line <= count_lines(text, len) && !strncmp(end, ": ", 2));
	FUZZ_CHECK(strlen(why) < EFI_WHY_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	size_t why_len = (size_t)fuzz_take(&in, 1), len;
	const uint8_t *bytes = fuzz_bytes(&in, TEXT_MAX, &len);
	char *text = malloc(len ? len : 1), *why = malloc(why_len ? why_len : 1);
	char full[EFI_WHY_MAX];
	int rc, again;

	memcpy(text, bytes, len);
	memset(why, 0x7f, why_len ? why_len : 1);
	rc = efi_cfg_parse(text, len, &cfg, why, why_len);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL);
	FUZZ_CHECK(!why_len || memchr(why, '\0', why_len));
	again = efi_cfg_parse(text, len, &cfg, full, sizeof(full));
	FUZZ_CHECK(again == rc);
	if (rc) {
		check_refused(text, len, full);
		FUZZ_CHECK(!why_len || !strncmp(why, full, why_len - 1));
	} else {
		FUZZ_CHECK(!strcmp(full, ""));
		check_accepted(text, len);
	}
	free(why);
	free(text);
	return 0;
}
