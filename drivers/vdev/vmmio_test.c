/* SPDX-License-Identifier: MIT */
/*
 * The MMIO test device (see tally/vmmio.h): scratch memory and an access
 * count per domain, so a test guest can check every width and addressing
 * form of the MMIO emulation end to end.  Only Tally's `mmio_test` option
 * registers it.
 *
 * Locking: none.  A domain's state is touched only by its own vCPUs; a
 * test guest uses one vCPU.  State is kept by domain id and never cleared.
 */
#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/vmmio.h>
#include <tally/vplatform.h>

struct test_state {
	uint8_t scratch[VMMIO_TEST_SCRATCH_SIZE];
	uint64_t accesses;
	uint32_t retry_left;		/* executions the current retried store still needs */
	uint32_t retry_runs;		/* executions of it so far */
};

#define RETRY_BYTES	4

/* The scenarios that map it run a few domains; the others see a device without scratch. */
#define TEST_DOMAINS	16

static struct test_state states[TEST_DOMAINS + 1];

static struct test_state *state_of(const struct vcpu *v)
{
	unsigned int id = v->domain->id;

	return id < ARRAY_SIZE(states) ? &states[id] : NULL;
}

/* The scratch bytes an access of @size at @off covers, or NULL if it leaves them. */
static uint8_t *scratch_at(struct test_state *s, uint64_t off, unsigned int size)
{
	if (!s || off >= VMMIO_TEST_SCRATCH_SIZE || size > VMMIO_TEST_SCRATCH_SIZE - off)
		return NULL;
	return &s->scratch[off];
}

static int test_read(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t *val)
{
	struct test_state *s = state_of(v);
	uint64_t off = gpa - VPLATFORM_MMIO_TEST_BASE;
	uint8_t *p = scratch_at(s, off, size);

	if (s && off == VMMIO_TEST_COUNT && (size == 4 || size == 8)) {
		*val = s->accesses;
		return 0;
	}
	if (s && off == VMMIO_TEST_RETRY && size == RETRY_BYTES) {
		*val = s->retry_runs;
		return 0;
	}
	if (!p)
		return -EINVAL;
	*val = 0;
	for (unsigned int i = 0; i < size; i++)
		*val |= (uint64_t)p[i] << (8 * i);
	s->accesses++;
	return 0;
}

/* A store to the retry register: VMMIO_RETRY until it has run as often as it asked. */
static int retry_store(struct test_state *s, uint64_t val)
{
	if (!s->retry_left) {
		s->retry_left = val ? (uint32_t)val : 1;
		s->retry_runs = 0;
	}
	s->retry_runs++;
	return --s->retry_left ? VMMIO_RETRY : 0;
}

static int test_write(struct vcpu *v, uint64_t gpa, unsigned int size, uint64_t val)
{
	struct test_state *s = state_of(v);
	uint8_t *p = scratch_at(s, gpa - VPLATFORM_MMIO_TEST_BASE, size);

	if (s && gpa - VPLATFORM_MMIO_TEST_BASE == VMMIO_TEST_RETRY && size == RETRY_BYTES)
		return retry_store(s, val);
	if (!p)
		return -EACCES;
	for (unsigned int i = 0; i < size; i++)
		p[i] = (uint8_t)(val >> (8 * i));
	s->accesses++;
	return 0;
}

static const struct vmmio_ops test_ops = { "mmio-test", test_read, test_write };

int vmmio_test_register(void)
{
	return vmmio_register(VPLATFORM_MMIO_TEST_BASE, VMMIO_TEST_SIZE, &test_ops);
}
