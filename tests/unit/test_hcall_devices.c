/* SPDX-License-Identifier: MIT */
/* Unit tests: TALLY_HC_NET_COUNTERS and TALLY_HC_DISK_COUNTERS (kernel/hcall.c) and the
 * snapshot copies behind them (kernel/hcall_devices.c), good and hostile arguments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/errno.h>
#include <tally/hcall.h>
#include <tally/hcall_devices.h>
#include <tally/vblk.h>
#include <tally/virtq.h>
#include <tally/vnet.h>

#define RAM	(2 * PAGE_SIZE)
#define FILL	0xA5
#define BUF	64		/* an 8-aligned buffer well inside RAM */
#define CONTROL	1
#define NIC	2		/* a domain with a NIC and a read-only disk */
#define PLAIN	3		/* a domain with neither */
#define NDOMS	4		/* ids 1 .. NDOMS - 1 exist */

static uint8_t ram[RAM];
static struct guest_mem mem = { .base = ram, .size = RAM };
static unsigned int device_reads;	/* net_counters and disk_counters hook calls */

/* Domain id's NIC: every counter distinct, so a field copied to the wrong place shows. */
static void fake_net_snapshot(uint32_t id, struct vnet_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	for (unsigned int i = 0; i < VSWITCH_MAC_LEN; i++)
		s->mac[i] = (uint8_t)(0x02 + 0x10 * i + id);
	memset(s->group, 'g', sizeof(s->group));	/* not terminated: the copy must end it */
	s->c = (struct vswitch_counters){
		.tx_packets = 1, .tx_bytes = 2, .tx_broadcast = 3, .tx_multicast = 4,
		.rx_packets = 5, .rx_bytes = 6, .rx_broadcast = 7, .rx_multicast = 8,
		.errors = 9 + id,
	};
	for (unsigned int i = 0; i < VSWITCH_DROP_COUNT; i++)
		s->c.drops[i] = 100 + i;
	for (unsigned int i = 0; i < VIRTQ_ERR_COUNT; i++)
		s->errors.by_cause[i] = 200 + i;
	s->errors.needs_reset = 300;
	s->errors.bad_register = 301;
	s->errors.resets = 302;
}

static void fake_blk_snapshot(uint32_t id, struct vblk_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->bytes = 8 * MIB + id;
	s->ro = id == NIC;
	s->c = (struct vblk_counters){
		.read_requests = 11, .read_bytes = 11 * 4096, .write_requests = 12,
		.write_bytes = 12 * 512, .flush_requests = 13, .other_requests = 14,
		.ioerr = 15, .unsupported = 16,
	};
	for (unsigned int i = 0; i < VIRTQ_ERR_COUNT; i++)
		s->errors.by_cause[i] = 400 + i;
	s->errors.needs_reset = 500;
	s->errors.bad_register = 501;
	s->errors.resets = 502;
}

/* Domains CONTROL and NIC have both devices; PLAIN has none; others do not exist. */
static int fake_net_counters(void *h, uint32_t id, struct tally_net_counters *out)
{
	struct vnet_snapshot s;

	(void)h;
	device_reads++;
	if (id != CONTROL && id != NIC)
		return -ENOENT;
	fake_net_snapshot(id, &s);
	hcall_devices_net(&s, out);
	return 0;
}

static int fake_disk_counters(void *h, uint32_t id, struct tally_disk_counters *out)
{
	struct vblk_snapshot s;

	(void)h;
	device_reads++;
	if (id != CONTROL && id != NIC)
		return -ENOENT;
	fake_blk_snapshot(id, &s);
	hcall_devices_disk(&s, out);
	return 0;
}

static const struct hcall_ops ops = {
	.net_counters = fake_net_counters,
	.disk_counters = fake_disk_counters,
};

static int setup(void **state)
{
	(void)state;
	memset(ram, FILL, sizeof(ram));
	device_reads = 0;
	return 0;
}

static int64_t call_as(uint32_t dom, uint8_t cpl, uint64_t nr, uint64_t a0, uint64_t a1,
		       uint64_t a2)
{
	const struct hcall_ctx ctx = {
		.domain_id = dom, .is_control = dom == CONTROL, .cpl = cpl,
		.mem = &mem, .ops = &ops, .hv = NULL,
	};
	const uint64_t args[HCALL_NR_ARGS] = { a0, a1, a2, 0xdead, 0xbeef };

	return hcall_dispatch(&ctx, nr, args);
}

static int64_t call(uint32_t dom, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	return call_as(dom, 0, nr, a0, a1, a2);
}

static bool untouched(void)
{
	for (size_t i = 0; i < RAM; i++)
		if (ram[i] != FILL)
			return false;
	return true;
}

/* 1.2 added these calls; 1.3 (DOMAIN_LIST_FROM) kept their numbers and layouts. */
static void test_abi_1_2_calls(void **state)
{
	(void)state;
	assert_true(call(NIC, TALLY_HC_ABI_VERSION, 0, 0, 0) >= ((1 << 16) | 3));
	assert_int_equal(TALLY_HC_NET_COUNTERS, 13);
	assert_int_equal(TALLY_HC_DISK_COUNTERS, 14);
	assert_int_equal(call(NIC, TALLY_HC_COUNT, NIC, BUF, 4096), -ENOSYS);
	assert_int_equal(sizeof(struct tally_net_counters), 296);
	assert_int_equal(sizeof(struct tally_disk_counters), 216);
}

static void check_net(const struct tally_net_counters *c, uint32_t id)
{
	assert_int_equal(c->size, sizeof(*c));
	assert_int_equal(c->version, TALLY_NET_COUNTERS_VERSION);
	assert_int_equal(c->domain_id, id);
	assert_int_equal(c->_pad0, 0);
	assert_int_equal(c->_pad1[0] | c->_pad1[1], 0);
	assert_int_equal(c->mac[0], 0x02 + id);
	assert_int_equal(c->mac[5], 0x52 + id);
	assert_int_equal(strlen(c->group), TALLY_NET_GROUP_MAX - 1);
	assert_int_equal(c->tx_packets, 1);
	assert_int_equal(c->tx_bytes, 2);
	assert_int_equal(c->tx_broadcast, 3);
	assert_int_equal(c->tx_multicast, 4);
	assert_int_equal(c->rx_packets, 5);
	assert_int_equal(c->rx_bytes, 6);
	assert_int_equal(c->rx_broadcast, 7);
	assert_int_equal(c->rx_multicast, 8);
	assert_int_equal(c->drops[TALLY_NET_DROP_SPOOFED], 100);
	assert_int_equal(c->drops[TALLY_NET_DROP_MALFORMED], 106);
	assert_int_equal(c->errors, 9 + id);
	/* by_cause[0] is VIRTQ_OK, never reported: ring_errors[0] is VIRTQ_ERR_RING's. */
	assert_int_equal(c->ring_errors[TALLY_RING_ERR_RING], 201);
	assert_int_equal(c->ring_errors[TALLY_RING_ERR_AVAIL], 209);
	assert_int_equal(c->needs_reset, 300);
	assert_int_equal(c->bad_register, 301);
	assert_int_equal(c->resets, 302);
	for (unsigned int i = 0; i < ARRAY_SIZE(c->_reserved); i++)
		assert_int_equal(c->_reserved[i], 0);
}

static void test_net_counters_own_and_as_control(void **state)
{
	struct tally_net_counters c;

	(void)state;
	assert_int_equal(call(NIC, TALLY_HC_NET_COUNTERS, NIC, BUF, sizeof(c)), sizeof(c));
	memcpy(&c, ram + BUF, sizeof(c));
	check_net(&c, NIC);
	assert_int_equal(ram[BUF + sizeof(c)], FILL);	/* not a byte more */
	assert_int_equal(ram[BUF - 1], FILL);
	memset(ram, FILL, sizeof(ram));
	/* A longer buffer is fine; the control domain reads another's NIC. */
	assert_int_equal(call(CONTROL, TALLY_HC_NET_COUNTERS, NIC, BUF, 4096), sizeof(c));
	memcpy(&c, ram + BUF, sizeof(c));
	check_net(&c, NIC);
	assert_int_equal(call(CONTROL, TALLY_HC_NET_COUNTERS, CONTROL, BUF, sizeof(c)), sizeof(c));
	memcpy(&c, ram + BUF, sizeof(c));
	check_net(&c, CONTROL);
}

static void test_disk_counters_own_and_as_control(void **state)
{
	struct tally_disk_counters c;

	(void)state;
	assert_int_equal(call(NIC, TALLY_HC_DISK_COUNTERS, NIC, BUF, sizeof(c)), sizeof(c));
	memcpy(&c, ram + BUF, sizeof(c));
	assert_int_equal(c.size, sizeof(c));
	assert_int_equal(c.version, TALLY_DISK_COUNTERS_VERSION);
	assert_int_equal(c.domain_id, NIC);
	assert_int_equal(c.flags, TALLY_DISK_RO);
	assert_int_equal(c.disk_bytes, 8 * MIB + NIC);
	assert_int_equal(c.read_requests, 11);
	assert_int_equal(c.read_bytes, 11 * 4096);
	assert_int_equal(c.write_requests, 12);
	assert_int_equal(c.write_bytes, 12 * 512);
	assert_int_equal(c.flush_requests, 13);
	assert_int_equal(c.other_requests, 14);
	assert_int_equal(c.ioerr, 15);
	assert_int_equal(c.unsupported, 16);
	assert_int_equal(c.ring_errors[TALLY_RING_ERR_RING], 401);
	assert_int_equal(c.ring_errors[TALLY_RING_ERR_SEGS], 408);
	assert_int_equal(c.needs_reset, 500);
	assert_int_equal(c.bad_register, 501);
	assert_int_equal(c.resets, 502);
	assert_int_equal(ram[BUF + sizeof(c)], FILL);
	assert_int_equal(call(CONTROL, TALLY_HC_DISK_COUNTERS, CONTROL, BUF, sizeof(c)), sizeof(c));
	memcpy(&c, ram + BUF, sizeof(c));
	assert_int_equal(c.flags, 0);	/* CONTROL's disk is writable */
	assert_int_equal(c.domain_id, CONTROL);
	assert_int_equal(c.disk_bytes, 8 * MIB + CONTROL);
}

/* Another domain's devices: refused before the id is looked at, so none leaks. */
static void test_other_domain_refused(void **state)
{
	const uint64_t nrs[] = { TALLY_HC_NET_COUNTERS, TALLY_HC_DISK_COUNTERS };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(nrs); i++) {
		assert_int_equal(call(NIC, nrs[i], CONTROL, BUF, 4096), -EPERM);
		assert_int_equal(call(NIC, nrs[i], PLAIN, BUF, 4096), -EPERM);
		assert_int_equal(call(NIC, nrs[i], NDOMS + 5, BUF, 4096), -EPERM);
		assert_int_equal(call(NIC, nrs[i], (1ull << 32) | NIC, BUF, 4096), -EPERM);
		assert_int_equal(call_as(NIC, 3, nrs[i], NIC, BUF, 4096), -EACCES);
	}
	assert_int_equal(device_reads, 0);
	assert_true(untouched());
}

static void test_no_device_or_domain(void **state)
{
	const uint64_t nrs[] = { TALLY_HC_NET_COUNTERS, TALLY_HC_DISK_COUNTERS };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(nrs); i++) {
		assert_int_equal(call(PLAIN, nrs[i], PLAIN, BUF, 4096), -ENOENT);
		assert_int_equal(call(CONTROL, nrs[i], PLAIN, BUF, 4096), -ENOENT);
		assert_int_equal(call(CONTROL, nrs[i], NDOMS, BUF, 4096), -ENOENT);
		assert_int_equal(call(CONTROL, nrs[i], 0, BUF, 4096), -ENOENT);
		assert_int_equal(call(CONTROL, nrs[i], (1ull << 32) | NIC, BUF, 4096), -ENOENT);
		assert_int_equal(call(CONTROL, nrs[i], UINT64_MAX, BUF, 4096), -ENOENT);
	}
	assert_int_equal(device_reads, 8);	/* the 64-bit ids never reach the hooks */
	assert_true(untouched());
}

static void bad_buffers(uint64_t nr, uint64_t size)
{
	assert_int_equal(call(NIC, nr, NIC, BUF, size - 1), -EINVAL);
	assert_int_equal(call(NIC, nr, NIC, BUF, 0), -EINVAL);
	assert_int_equal(call(NIC, nr, NIC, BUF + 4, size), -EINVAL);
	assert_int_equal(call(NIC, nr, NIC, RAM - size + 8, size), -EFAULT);
	assert_int_equal(call(NIC, nr, NIC, RAM, size), -EFAULT);
	assert_int_equal(call(NIC, nr, NIC, UINT64_MAX - 7, size), -EFAULT);
	assert_int_equal(call(NIC, nr, NIC, 1ull << 40, size), -EFAULT);
	assert_int_equal(call(NIC, nr, NIC, RAM - size, size), (int64_t)size);	/* the last fit */
}

static void test_bad_buffers(void **state)
{
	(void)state;
	bad_buffers(TALLY_HC_NET_COUNTERS, sizeof(struct tally_net_counters));
	for (size_t i = 0; i < RAM - sizeof(struct tally_net_counters); i++)
		assert_int_equal(ram[i], FILL);
	memset(ram, FILL, sizeof(ram));
	bad_buffers(TALLY_HC_DISK_COUNTERS, sizeof(struct tally_disk_counters));
	for (size_t i = 0; i < RAM - sizeof(struct tally_disk_counters); i++)
		assert_int_equal(ram[i], FILL);
	assert_int_equal(device_reads, 2);	/* only the two good calls read a device */
}

/* The copies alone: a zero snapshot gives zero counters, and the group is NUL-ended. */
static void test_snapshot_copies(void **state)
{
	struct vnet_snapshot n = { .group = "lan" };
	struct vblk_snapshot b = { 0 };
	struct tally_net_counters nc;
	struct tally_disk_counters bc;

	(void)state;
	memset(&nc, 0, sizeof(nc));
	memset(&bc, 0, sizeof(bc));
	n.c.drops[VSWITCH_DROP_NO_BUFFER] = 77;
	n.errors.by_cause[VIRTQ_ERR_LOOP] = 3;
	hcall_devices_net(&n, &nc);
	assert_string_equal(nc.group, "lan");
	assert_int_equal(nc.drops[TALLY_NET_DROP_NO_BUFFER], 77);
	assert_int_equal(nc.drops[TALLY_NET_DROP_SPOOFED], 0);
	assert_int_equal(nc.ring_errors[TALLY_RING_ERR_LOOP], 3);
	assert_int_equal(nc.ring_errors[TALLY_RING_ERR_INDEX], 0);
	b.c.unsupported = 4;
	hcall_devices_disk(&b, &bc);
	assert_int_equal(bc.flags, 0);
	assert_int_equal(bc.unsupported, 4);
	assert_int_equal(bc.ioerr, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_abi_1_2_calls, setup),
		cmocka_unit_test_setup(test_net_counters_own_and_as_control, setup),
		cmocka_unit_test_setup(test_disk_counters_own_and_as_control, setup),
		cmocka_unit_test_setup(test_other_domain_refused, setup),
		cmocka_unit_test_setup(test_no_device_or_domain, setup),
		cmocka_unit_test_setup(test_bad_buffers, setup),
		cmocka_unit_test_setup(test_snapshot_copies, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
