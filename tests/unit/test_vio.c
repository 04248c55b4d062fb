/* SPDX-License-Identifier: MIT */
/* Unit tests: guest port I/O routing (drivers/vdev/vio.c) and the virtual UART (drivers/vdev/vuart.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tally/domain.h>
#include <tally/errno.h>
#include <tally/vio.h>
#include <tally/vuart.h>

#include "shim.h"

/* 16550 register offsets from VUART_BASE (PC16550D datasheet). */
#define UART_DATA	(VUART_BASE + 0)
#define UART_IER	(VUART_BASE + 1)
#define UART_IIR	(VUART_BASE + 2)
#define UART_LCR	(VUART_BASE + 3)
#define UART_MCR	(VUART_BASE + 4)
#define UART_LSR	(VUART_BASE + 5)
#define UART_MSR	(VUART_BASE + 6)
#define UART_SCR	(VUART_BASE + 7)
#define LCR_8N1		0x03
#define LCR_DLAB	0x80

/* ------------------------------------------------ captured console lines */

#define MAX_LINES	32

static struct {
	struct domain *d;
	char text[VUART_LINE_MAX + 1];
} lines[MAX_LINES];
static unsigned int line_count;

/* The kernel prints these; the test keeps them. */
void domain_console_line(struct domain *d, const char *line)
{
	assert_true(line_count < MAX_LINES);
	assert_true(strlen(line) < VUART_LINE_MAX);
	lines[line_count].d = d;
	strcpy(lines[line_count].text, line);
	line_count++;
}

static void assert_line(unsigned int i, struct domain *d, const char *text)
{
	assert_true(i < line_count);
	assert_ptr_equal(lines[i].d, d);
	assert_string_equal(lines[i].text, text);
}

/* ------------------------------------------------ fixture and a fake device */

/* Domain 1 has two vCPUs (v1, and w1 with id 1), domain 2 one (v2). */
struct fixture {
	struct domain *d1, *d2;
	struct vcpu *v1, *w1, *v2;
};

static struct vcpu *make_vcpu(struct domain *d, unsigned int id)
{
	struct vcpu *v = calloc(1, sizeof(*v));

	assert_non_null(v);
	v->domain = d;
	v->id = id;
	d->vcpus[id] = v;
	d->vcpu_count = id + 1;
	return v;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->d1 = calloc(1, sizeof(*f->d1));
	f->d2 = calloc(1, sizeof(*f->d2));
	f->d1->id = 1;
	f->d2->id = 2;
	f->v1 = make_vcpu(f->d1, 0);
	f->w1 = make_vcpu(f->d1, 1);
	f->v2 = make_vcpu(f->d2, 0);
	vio_reset();
	line_count = 0;
	memset(lines, 0, sizeof(lines));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->v1);
	free(f->w1);
	free(f->v2);
	free(f->d1);
	free(f->d2);
	free(f);
	return 0;
}

static struct {
	struct vcpu *v;
	uint16_t port;
	unsigned int size;
	uint32_t value;
	unsigned int reads, writes;
} fake;

static uint32_t fake_read(struct vcpu *v, uint16_t port, unsigned int size)
{
	fake.v = v;
	fake.port = port;
	fake.size = size;
	fake.reads++;
	return 0xA5A5A5A5u;
}

static void fake_write(struct vcpu *v, uint16_t port, unsigned int size, uint32_t value)
{
	fake.v = v;
	fake.port = port;
	fake.size = size;
	fake.value = value;
	fake.writes++;
}

static const struct vio_port_ops fake_ops = { "fake", fake_read, fake_write };
static const struct vio_port_ops read_only_ops = { "ro", fake_read, NULL };

static void out_string(struct vcpu *v, const char *s)
{
	for (; *s; s++)
		vio_port_out(v, UART_DATA, 1, (uint8_t)*s);
}

/* ------------------------------------------------ vio registration */

static void test_register_and_overlap(void **state)
{
	(void)state;
	assert_int_equal(vio_register_ports(0x60, 1, &fake_ops), 0);
	assert_int_equal(vio_register_ports(0x64, 1, &fake_ops), 0);
	assert_int_equal(vio_register_ports(0x3F8, 8, &fake_ops), 0);
	assert_int_equal(vio_register_ports(0x3F8, 8, &fake_ops), -EEXIST);	/* same */
	assert_int_equal(vio_register_ports(0x3F0, 9, &fake_ops), -EEXIST);	/* last port */
	assert_int_equal(vio_register_ports(0x3FF, 1, &fake_ops), -EEXIST);	/* inside */
	assert_int_equal(vio_register_ports(0x3FC, 16, &fake_ops), -EEXIST);	/* tail */
	assert_int_equal(vio_register_ports(0x300, 0x200, &fake_ops), -EEXIST);	/* covers */
	assert_int_equal(vio_register_ports(0x61, 3, &fake_ops), 0);	/* between, touching */
	assert_int_equal(vio_register_ports(0x3F0, 8, &fake_ops), 0);	/* touching below */
	assert_int_equal(vio_register_ports(0x400, 1, &fake_ops), 0);	/* touching above */
}

static void test_register_bad_arguments(void **state)
{
	(void)state;
	assert_int_equal(vio_register_ports(0x80, 0, &fake_ops), -EINVAL);
	assert_int_equal(vio_register_ports(0xFFFF, 2, &fake_ops), -EINVAL);
	assert_int_equal(vio_register_ports(0xFF00, 0x101, &fake_ops), -EINVAL);
	assert_int_equal(vio_register_ports(1, 0xFFFF, &fake_ops), 0);	/* 1..0xFFFF */
	vio_reset();
	assert_int_equal(vio_register_ports(0xFFFF, 1, &fake_ops), 0);	/* the last port */
	assert_int_equal(vio_register_ports(0xFF00, 0xFF, &fake_ops), 0);
	vio_reset();
	assert_int_equal(vio_register_ports(0, 0xFFFF, &fake_ops), 0);
}

static void test_register_table_full(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < VIO_MAX_RANGES; i++)
		assert_int_equal(vio_register_ports((uint16_t)(0x100 + 4 * i), 4, &fake_ops), 0);
	assert_int_equal(vio_register_ports(0x800, 1, &fake_ops), -ENOSPC);
	vio_reset();
	assert_int_equal(vio_register_ports(0x100, 4, &fake_ops), 0);	/* room again */
}

/* ------------------------------------------------ vio dispatch */

static void test_unclaimed_in_floats(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vio_port_in(f->v1, 0x80, 1), 0xFF);
	assert_int_equal(vio_port_in(f->v1, 0x80, 2), 0xFFFF);
	assert_int_equal(vio_port_in(f->v1, 0x80, 4), 0xFFFFFFFFu);
	assert_int_equal(f->d1->io_unhandled, 3);
	assert_int_equal(f->d2->io_unhandled, 0);
	assert_int_equal(vio_register_ports(0x3F8, 8, &fake_ops), 0);
	assert_int_equal(vio_port_in(f->v1, 0x3F7, 1), 0xFF);	/* just below */
	assert_int_equal(vio_port_in(f->v1, 0x400, 1), 0xFF);	/* just above */
	assert_int_equal(vio_port_in(f->v1, 0xFFFF, 4), 0xFFFFFFFFu);
	assert_int_equal(f->d1->io_unhandled, 6);
	assert_int_equal(fake.reads, 0);
}

static void test_unclaimed_out_counted(void **state)
{
	struct fixture *f = *state;

	vio_port_out(f->v2, 0x80, 1, 0x12);
	vio_port_out(f->v2, 0xCF8, 4, 0x80000000u);
	assert_int_equal(f->d2->io_unhandled, 2);
	assert_int_equal(f->d1->io_unhandled, 0);
}

static void test_missing_handler_counts_as_unclaimed(void **state)
{
	struct fixture *f = *state;

	memset(&fake, 0, sizeof(fake));
	assert_int_equal(vio_register_ports(0x70, 2, &read_only_ops), 0);
	vio_port_out(f->v1, 0x71, 1, 0x55);
	assert_int_equal(f->d1->io_unhandled, 1);
	assert_int_equal(vio_port_in(f->v1, 0x71, 1), 0xA5);
	assert_int_equal(f->d1->io_unhandled, 1);
}

static void test_claimed_dispatch_masks_to_size(void **state)
{
	struct fixture *f = *state;

	memset(&fake, 0, sizeof(fake));
	assert_int_equal(vio_register_ports(0x1F0, 8, &fake_ops), 0);
	assert_int_equal(vio_port_in(f->v2, 0x1F7, 1), 0xA5);
	assert_ptr_equal(fake.v, f->v2);
	assert_int_equal(fake.port, 0x1F7);
	assert_int_equal(fake.size, 1);
	assert_int_equal(vio_port_in(f->v2, 0x1F0, 2), 0xA5A5);
	assert_int_equal(fake.size, 2);
	assert_int_equal(vio_port_in(f->v2, 0x1F0, 4), 0xA5A5A5A5u);
	vio_port_out(f->v1, 0x1F2, 1, 0x12345678u);
	assert_ptr_equal(fake.v, f->v1);
	assert_int_equal(fake.port, 0x1F2);
	assert_int_equal(fake.value, 0x78);
	vio_port_out(f->v1, 0x1F2, 2, 0x12345678u);
	assert_int_equal(fake.value, 0x5678);
	vio_port_out(f->v1, 0x1F2, 4, 0x12345678u);
	assert_int_equal(fake.value, 0x12345678u);
	assert_int_equal(fake.reads, 3);
	assert_int_equal(fake.writes, 3);
	assert_int_equal(f->d1->io_unhandled + f->d2->io_unhandled, 0);
}

/* ------------------------------------------------ virtual UART */

static void test_vuart_register(void **state)
{
	(void)state;
	assert_int_equal(vuart_register(), 0);
	assert_int_equal(vuart_register(), -EEXIST);
	assert_int_equal(vio_register_ports(VUART_BASE + VUART_PORTS - 1, 1, &fake_ops), -EEXIST);
	assert_int_equal(vio_register_ports(VUART_BASE + VUART_PORTS, 1, &fake_ops), 0);
}

static void test_vuart_lines(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vuart_register(), 0);
	out_string(f->v1, "hello");
	assert_int_equal(line_count, 0);		/* nothing until the newline */
	out_string(f->v1, "\n");
	assert_int_equal(line_count, 1);
	assert_line(0, f->d1, "hello");
	out_string(f->v1, "one\r\ntwo\n\n");		/* CR dropped; empty line not emitted */
	assert_int_equal(line_count, 3);
	assert_line(1, f->d1, "one");
	assert_line(2, f->d1, "two");
	assert_int_equal(f->d1->io_unhandled, 0);
}

static void test_vuart_control_bytes(void **state)
{
	struct fixture *f = *state;
	const uint8_t bytes[] = {
		'a', 0x00, 0x07, '\t', 0x1B, '[', 'm', 0x7F, 0x80, 0xFF, 'z', '\n',
	};

	assert_int_equal(vuart_register(), 0);
	for (size_t i = 0; i < sizeof(bytes); i++)
		vio_port_out(f->v1, UART_DATA, 1, bytes[i]);
	assert_int_equal(line_count, 1);
	assert_line(0, f->d1, "a..\t.[m...z");
}

static void test_vuart_long_line_split(void **state)
{
	struct fixture *f = *state;
	char want[VUART_LINE_MAX];

	assert_int_equal(vuart_register(), 0);
	for (unsigned int i = 0; i < VUART_LINE_MAX - 1; i++)
		vio_port_out(f->v1, UART_DATA, 1, 'a' + i % 26);
	assert_int_equal(line_count, 0);		/* exactly full: not yet */
	vio_port_out(f->v1, UART_DATA, 1, '!');
	assert_int_equal(line_count, 1);		/* the next byte splits it */
	for (unsigned int i = 0; i < VUART_LINE_MAX - 1; i++)
		want[i] = (char)('a' + i % 26);
	want[VUART_LINE_MAX - 1] = '\0';
	assert_line(0, f->d1, want);
	out_string(f->v1, "\n");
	assert_line(1, f->d1, "!");

	/* A line of exactly VUART_LINE_MAX - 1 then a newline is one line. */
	for (unsigned int i = 0; i < VUART_LINE_MAX - 1; i++)
		vio_port_out(f->v1, UART_DATA, 1, 'a' + i % 26);
	out_string(f->v1, "\n");
	assert_int_equal(line_count, 3);
	assert_line(2, f->d1, want);

	/* Three lines' worth without a newline. */
	for (unsigned int i = 0; i < 3 * (VUART_LINE_MAX - 1) + 5; i++)
		vio_port_out(f->v1, UART_DATA, 1, 'a' + i % 26);
	assert_int_equal(line_count, 6);
	vuart_flush(f->d1);
	assert_int_equal(line_count, 7);
	assert_int_equal(strlen(lines[6].text), 5);
}

static void test_vuart_flush(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vuart_register(), 0);
	vuart_flush(f->d1);
	assert_int_equal(line_count, 0);		/* empty: nothing */
	out_string(f->v1, "partial");
	vuart_flush(f->d1);
	assert_int_equal(line_count, 1);
	assert_line(0, f->d1, "partial");
	vuart_flush(f->d1);
	assert_int_equal(line_count, 1);		/* already flushed */
	out_string(f->v1, "next\n");
	assert_line(1, f->d1, "next");			/* starts afresh */
}

static void test_vuart_dlab(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vuart_register(), 0);
	out_string(f->v1, "ab");
	vio_port_out(f->v1, UART_IER, 1, 0x05);
	vio_port_out(f->v1, UART_LCR, 1, LCR_DLAB | LCR_8N1);
	assert_int_equal(vio_port_in(f->v1, UART_LCR, 1), LCR_DLAB | LCR_8N1);
	vio_port_out(f->v1, UART_DATA, 1, 0x01);		/* 115200 baud */
	vio_port_out(f->v1, UART_IER, 1, 0x00);
	vio_port_out(f->v1, UART_DATA, 1, '\n');		/* a divisor, not a newline */
	assert_int_equal(line_count, 0);
	assert_int_equal(vio_port_in(f->v1, UART_DATA, 1), '\n');	/* DLL */
	assert_int_equal(vio_port_in(f->v1, UART_IER, 1), 0x00);	/* DLM */
	vio_port_out(f->v1, UART_IER, 1, 0x12);
	assert_int_equal(vio_port_in(f->v1, UART_IER, 1), 0x12);
	vio_port_out(f->v1, UART_LCR, 1, LCR_8N1);
	assert_int_equal(vio_port_in(f->v1, UART_IER, 1), 0x05);	/* IER untouched */
	assert_int_equal(vio_port_in(f->v1, UART_DATA, 1), 0);	/* RBR: nothing received */
	out_string(f->v1, "c\n");
	assert_int_equal(line_count, 1);
	assert_line(0, f->d1, "abc");
	vio_port_out(f->v1, UART_LCR, 1, LCR_DLAB);
	assert_int_equal(vio_port_in(f->v1, UART_DATA, 1), '\n');	/* DLL kept */
	assert_int_equal(vio_port_in(f->v1, UART_IER, 1), 0x12);	/* DLM kept */
}

static void test_vuart_status_registers(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vuart_register(), 0);
	assert_int_equal(vio_port_in(f->v1, UART_LSR, 1), 0x60);
	assert_int_equal(vio_port_in(f->v1, UART_IIR, 1), 0x01);
	out_string(f->v1, "busy");
	assert_int_equal(vio_port_in(f->v1, UART_LSR, 1), 0x60);	/* always ready */
	vio_port_out(f->v1, UART_IIR, 1, 0xC7);			/* FCR write */
	assert_int_equal(vio_port_in(f->v1, UART_IIR, 1), 0x01);
	vio_port_out(f->v1, UART_LSR, 1, 0x00);			/* LSR is read-only */
	assert_int_equal(vio_port_in(f->v1, UART_LSR, 1), 0x60);
	assert_int_equal(vio_port_in(f->v1, UART_MSR, 1), 0xB0);
	vio_port_out(f->v1, UART_MCR, 1, 0xFF);
	assert_int_equal(vio_port_in(f->v1, UART_MCR, 1), 0x1F);
	vio_port_out(f->v1, UART_IER, 1, 0xFF);
	assert_int_equal(vio_port_in(f->v1, UART_IER, 1), 0x0F);
	assert_int_equal(vio_port_in(f->v1, UART_LSR, 2), 0x60);	/* wider read */
	assert_int_equal(line_count, 0);
	assert_int_equal(f->d1->io_unhandled, 0);
}

static void test_vuart_scratch(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vuart_register(), 0);
	assert_int_equal(vio_port_in(f->v1, UART_SCR, 1), 0);
	vio_port_out(f->v1, UART_SCR, 1, 0x5A);
	assert_int_equal(vio_port_in(f->v1, UART_SCR, 1), 0x5A);
	vio_port_out(f->v1, UART_SCR, 1, 0xA5);
	assert_int_equal(vio_port_in(f->v1, UART_SCR, 1), 0xA5);
	assert_int_equal(vio_port_in(f->v2, UART_SCR, 1), 0);	/* per domain */
	vio_port_out(f->v1, UART_LCR, 1, LCR_DLAB);
	assert_int_equal(vio_port_in(f->v1, UART_SCR, 1), 0xA5);	/* DLAB does not matter */
}

static void test_vuart_wide_out_writes_low_byte(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vuart_register(), 0);
	vio_port_out(f->v1, UART_DATA, 2, 0x4241);		/* 'A', then 'B' discarded */
	vio_port_out(f->v1, UART_DATA, 4, 0x44434243u);	/* 'C' */
	vio_port_out(f->v1, UART_DATA, 4, 0x0000000Au);	/* '\n' */
	assert_int_equal(line_count, 1);
	assert_line(0, f->d1, "AC");
}

static void test_vuart_domains_separate(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vuart_register(), 0);
	out_string(f->v1, "from ");
	out_string(f->v2, "other ");
	out_string(f->v1, "one\n");
	out_string(f->v2, "two\n");
	assert_int_equal(line_count, 2);
	assert_line(0, f->d1, "from one");
	assert_line(1, f->d2, "other two");
	vio_port_out(f->v1, UART_LCR, 1, LCR_DLAB);	/* d1's DLAB is not d2's */
	out_string(f->v2, "x\n");
	assert_int_equal(line_count, 3);
	assert_line(2, f->d2, "x");
	out_string(f->v2, "tail");
	vuart_flush(f->d1);
	assert_int_equal(line_count, 3);
	vuart_flush(f->d2);
	assert_line(3, f->d2, "tail");
}

/* Two vCPUs printing at once, byte by byte: each gets its own lines, none mixed. */
static void test_vuart_vcpus_own_lines(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vuart_register(), 0);
	out_string(f->v1, "cpu0 ");
	out_string(f->w1, "cpu1 ");
	out_string(f->v1, "a");
	out_string(f->w1, "b");
	out_string(f->v1, "a\n");
	assert_int_equal(line_count, 1);
	assert_line(0, f->d1, "cpu0 aa");
	out_string(f->w1, "b\n");
	assert_line(1, f->d1, "cpu1 bb");
	/* Interleaved a byte at a time, as two CPUs' exits come. */
	for (const char *p = "xxxx\n", *q = "yyyy\n"; *p; p++, q++) {
		vio_port_out(f->w1, UART_DATA, 1, (uint8_t)*q);
		vio_port_out(f->v1, UART_DATA, 1, (uint8_t)*p);
	}
	assert_int_equal(line_count, 4);
	assert_line(2, f->d1, "yyyy");
	assert_line(3, f->d1, "xxxx");
}

/* The registers stay one device's: vCPU 1 sees what vCPU 0 set, and DLAB applies to both. */
static void test_vuart_vcpus_share_registers(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vuart_register(), 0);
	vio_port_out(f->v1, UART_SCR, 1, 0x77);
	assert_int_equal(vio_port_in(f->w1, UART_SCR, 1), 0x77);
	vio_port_out(f->w1, UART_LCR, 1, LCR_DLAB);
	vio_port_out(f->v1, UART_DATA, 1, 'q');		/* DLL, not text */
	assert_int_equal(vio_port_in(f->w1, UART_DATA, 1), 'q');
	vio_port_out(f->v1, UART_LCR, 1, LCR_8N1);
	out_string(f->w1, "ok\n");
	assert_int_equal(line_count, 1);
	assert_line(0, f->d1, "ok");
}

/* A domain ending sends every vCPU's partial line, vCPU by vCPU. */
static void test_vuart_flush_every_vcpu(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(vuart_register(), 0);
	out_string(f->w1, "second");
	out_string(f->v1, "first");
	out_string(f->v2, "other");
	vuart_flush(f->d1);
	assert_int_equal(line_count, 2);
	assert_line(0, f->d1, "first");
	assert_line(1, f->d1, "second");
	vuart_flush(f->d1);
	assert_int_equal(line_count, 2);
	vuart_flush(f->d2);
	assert_line(2, f->d2, "other");
}

/*
 * A flush from another CPU while the vCPU writes may see any length the
 * racing stores leave: it never reads or writes past the line (ASan).
 */
static void test_vuart_torn_length_bounded(void **state)
{
	struct fixture *f = *state;
	struct vuart_line *l = &f->d1->uart.lines[1];

	assert_int_equal(vuart_register(), 0);
	memset(l->text, 'z', sizeof(l->text));
	l->len = 100000;
	vuart_flush(f->d1);
	assert_int_equal(line_count, 1);
	assert_int_equal(strlen(lines[0].text), VUART_LINE_MAX - 1);
	assert_int_equal(l->len, 0);
	l->len = 100000;
	out_string(f->w1, "n");				/* full: flushed first, then the byte */
	assert_int_equal(line_count, 2);
	assert_int_equal(l->len, 1);
	out_string(f->w1, "\n");
	assert_line(2, f->d1, "n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_and_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_table_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unclaimed_in_floats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unclaimed_out_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_handler_counts_as_unclaimed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_claimed_dispatch_masks_to_size, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vuart_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vuart_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vuart_control_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vuart_long_line_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vuart_flush, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vuart_dlab, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vuart_status_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vuart_scratch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vuart_wide_out_writes_low_byte, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_vuart_domains_separate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vuart_vcpus_own_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vuart_vcpus_share_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vuart_flush_every_vcpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vuart_torn_length_bounded, setup, teardown),
	};

	return cmocka_run_group_tests_name("vio", tests, NULL, NULL);
}
