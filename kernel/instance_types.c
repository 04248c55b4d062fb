/* SPDX-License-Identifier: MIT */
/* The instance types table (see tally/instance_types.h). */
#include <tally/instance_types.h>
#include <tally/string.h>

#define KIB_S(n)	((n) * 1024ull)
#define MIB_S(n)	((n) * 1024ull * 1024ull)

/*
 * t1: small burstable shapes without a disk of their own; m1: general
 * purpose with a blank disk.  Sizes fit Bochs (128 to 1024 MiB machines);
 * from t1.small up, Debian's cloud kernel (>= 96 MiB) boots.
 */
static const struct instance_type types[] = {
	{ "t1.nano",   1,   32,   0, KIB_S(512), KIB_S(512),  1000,  1000 },
	{ "t1.micro",  1,   64,   0, MIB_S(1),   MIB_S(1),    2000,  2000 },
	{ "t1.small",  1,  128,   0, MIB_S(2),   MIB_S(2),    4000,  4000 },
	{ "m1.small",  1,  128,  16, MIB_S(4),   MIB_S(4),    8000,  8000 },
	{ "m1.medium", 2,  256,  32, MIB_S(8),   MIB_S(8),   16000, 16000 },
	{ "m1.large",  2,  512,  64, MIB_S(16),  MIB_S(16),  32000, 32000 },
	{ "m1.xlarge", 4, 1024, 128, MIB_S(32),  MIB_S(32),  64000, 64000 },
};

unsigned int instance_type_count(void)
{
	return ARRAY_SIZE(types);
}

const struct instance_type *instance_type_at(unsigned int i)
{
	return i < ARRAY_SIZE(types) ? &types[i] : NULL;
}

const struct instance_type *instance_type_find(const char *name)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(types); i++)
		if (!strcmp(name, types[i].name))
			return &types[i];
	return NULL;
}

char *instance_type_names(char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (unsigned int i = 0; i < ARRAY_SIZE(types); i++) {
		size_t l = strlen(types[i].name);

		if (n + l + (i ? 1 : 0) >= len)
			break;
		if (i)
			buf[n++] = ' ';
		memcpy(buf + n, types[i].name, l + 1);
		n += l;
	}
	return buf;
}
