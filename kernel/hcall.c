/* SPDX-License-Identifier: MIT */
/* Hypercall dispatcher and handlers (see tally/hcall.h; the ABI is public/tally.h). */
#include <tally/errno.h>
#include <tally/hcall.h>
#include <tally/string.h>

/* Alignment of every structure passed through guest memory. */
#define HCALL_STRUCT_ALIGN	8

typedef int64_t (*hcall_fn)(const struct hcall_ctx *ctx, const uint64_t *args);

struct hcall_entry {
	hcall_fn fn;
	bool control_only;
	bool agent_user;	/* CPL 3 may call it in a domain with the `agent` option */
};

/* A guest's buffer length for a structure of @size bytes: -EINVAL if too small. */
static int check_struct_len(uint64_t len, uint64_t size)
{
	return len < size ? -EINVAL : 0;
}

static int64_t hc_abi_version(const struct hcall_ctx *ctx, const uint64_t *args)
{
	struct tally_abi_info info = {
		.size = sizeof(info),
		.version = TALLY_ABI_INFO_VERSION,
		.major = TALLY_ABI_VERSION_MAJOR,
		.minor = TALLY_ABI_VERSION_MINOR,
		.nr_calls = TALLY_HC_COUNT,
		.features = TALLY_FEATURE_METRICS | TALLY_FEATURE_CONSOLE |
			    (ctx->is_control ? TALLY_FEATURE_CONTROL : 0),
	};
	int err;

	if (args[0]) {
		err = hcall_copy_to_guest(ctx->mem, args[0], &info, sizeof(info),
					  HCALL_STRUCT_ALIGN);
		if (err)
			return err;
	}
	return (TALLY_ABI_VERSION_MAJOR << 16) | TALLY_ABI_VERSION_MINOR;
}

/* Fill @info for domain @id from the hooks, with the fields Tally owns set here. */
static int fill_domain_info(const struct hcall_ctx *ctx, uint32_t id,
			    struct tally_domain_info *info)
{
	int err;

	memset(info, 0, sizeof(*info));
	err = ctx->ops->domain_info(ctx->hv, id, info);
	info->size = sizeof(*info);
	info->version = TALLY_DOMAIN_INFO_VERSION;
	info->domain_id = id;
	info->_pad0 = 0;
	info->name[TALLY_DOMAIN_NAME_MAX - 1] = '\0';
	return err;
}

/* Write domain @id's info to guest @gpa (checked first); bytes written. */
static int64_t put_domain_info(const struct hcall_ctx *ctx, uint32_t id, uint64_t gpa,
			       uint64_t len)
{
	struct tally_domain_info info;
	int err = check_struct_len(len, sizeof(info));

	if (!err)
		err = hcall_check_guest_range(ctx->mem, gpa, sizeof(info), HCALL_STRUCT_ALIGN);
	if (!err)
		err = fill_domain_info(ctx, id, &info);
	if (!err)
		err = hcall_copy_to_guest(ctx->mem, gpa, &info, sizeof(info), HCALL_STRUCT_ALIGN);
	return err ? err : (int64_t)sizeof(info);
}

/* Snapshot and write domain @id's counters to guest @gpa; bytes written. */
static int64_t put_counters(const struct hcall_ctx *ctx, uint32_t id, uint64_t gpa,
			    uint64_t len)
{
	struct tally_counters c;
	int err = check_struct_len(len, sizeof(c));

	if (!err)
		err = hcall_check_guest_range(ctx->mem, gpa, sizeof(c), HCALL_STRUCT_ALIGN);
	if (err)
		return err;
	memset(&c, 0, sizeof(c));
	err = ctx->ops->domain_counters(ctx->hv, id, &c);
	if (err)
		return err;
	c.size = sizeof(c);
	c.version = TALLY_COUNTERS_VERSION;
	c.domain_id = id;
	c._pad0 = 0;
	err = hcall_copy_to_guest(ctx->mem, gpa, &c, sizeof(c), HCALL_STRUCT_ALIGN);
	return err ? err : (int64_t)sizeof(c);
}

static int64_t hc_domain_info(const struct hcall_ctx *ctx, const uint64_t *args)
{
	return put_domain_info(ctx, ctx->domain_id, args[0], args[1]);
}

static int64_t hc_domain_counters(const struct hcall_ctx *ctx, const uint64_t *args)
{
	return put_counters(ctx, ctx->domain_id, args[0], args[1]);
}

/* A domain id argument: a 32-bit id of an existing domain, whose info goes to @info. */
static int check_domain_id_info(const struct hcall_ctx *ctx, uint64_t arg,
				struct tally_domain_info *info)
{
	if (arg > UINT32_MAX)
		return -ENOENT;
	memset(info, 0, sizeof(*info));
	return ctx->ops->domain_info(ctx->hv, (uint32_t)arg, info);
}

static int check_domain_id(const struct hcall_ctx *ctx, uint64_t arg)
{
	struct tally_domain_info info;

	return check_domain_id_info(ctx, arg, &info);
}

/*
 * An output array of @cap entries of @entry bytes at @gpa, at most @max:
 * checked whole before anything is written, so a call fails or writes all.
 * Entries are copied one at a time, so the array may be longer than one
 * copy's HCALL_COPY_MAX (256 vCPU counters are 170,000 bytes).
 */
static int check_array(const struct hcall_ctx *ctx, uint64_t gpa, uint64_t cap, uint64_t entry,
		       uint64_t max)
{
	if (cap > max)
		return -E2BIG;
	return cap ? hcall_check_guest_array(ctx->mem, gpa, cap, entry, HCALL_STRUCT_ALIGN) : 0;
}

/*
 * Domains with an id >= @first (0: every domain) into the array at @gpa.
 * A domain that ends between listing and reading its info is written with
 * TALLY_DOMAIN_DEAD rather than failing the call halfway.
 */
static int64_t list_domains_from(const struct hcall_ctx *ctx, uint32_t first, uint64_t gpa,
				 uint64_t cap)
{
	const uint64_t entry = sizeof(struct tally_domain_info);
	uint32_t ids[TALLY_DOMAIN_LIST_MAX];
	struct tally_domain_info info;
	uint32_t total, n;
	int err = check_array(ctx, gpa, cap, entry, TALLY_DOMAIN_LIST_MAX);

	if (err)
		return err;
	total = ctx->ops->domain_list(ctx->hv, first, ids, (uint32_t)cap);
	n = MIN(total, (uint32_t)cap);
	for (uint32_t i = 0; i < n; i++) {
		if (fill_domain_info(ctx, ids[i], &info))
			info.flags |= TALLY_DOMAIN_DEAD;
		err = hcall_copy_to_guest(ctx->mem, gpa + i * entry, &info, entry,
					  HCALL_STRUCT_ALIGN);
		if (err)
			return err;	/* not reached: the range was checked */
	}
	return total;
}

/* From id 0: every domain.  Tally's ids start at 1, so this is FROM with first_id 1. */
static int64_t hc_domain_list(const struct hcall_ctx *ctx, const uint64_t *args)
{
	return list_domains_from(ctx, 0, args[0], args[1]);
}

/*
 * first_id 0 is refused although it would list everything: a pager that
 * sends it has lost count of where it is.  An id past 32 bits has no
 * domain at or after it, so only the array is checked and 0 counted.
 */
static int64_t hc_domain_list_from(const struct hcall_ctx *ctx, const uint64_t *args)
{
	uint64_t first = args[0];
	int64_t r;

	if (first == 0)
		return -EINVAL;
	if (first <= UINT32_MAX)
		return list_domains_from(ctx, (uint32_t)first, args[1], args[2]);
	r = check_array(ctx, args[1], args[2], sizeof(struct tally_domain_info),
			TALLY_DOMAIN_LIST_MAX);
	return r ? r : 0;
}

static int64_t hc_domain_counters_of(const struct hcall_ctx *ctx, const uint64_t *args)
{
	int err = check_domain_id(ctx, args[0]);

	return err ? err : put_counters(ctx, (uint32_t)args[0], args[1], args[2]);
}

/*
 * Any domain may read its own vCPUs; the control domain any domain's.  The
 * permission is checked before the id, so others learn nothing of which
 * domains exist.
 */
static int64_t hc_vcpu_counters(const struct hcall_ctx *ctx, const uint64_t *args)
{
	const uint64_t entry = sizeof(struct tally_vcpu_counters);
	uint64_t gpa = args[1], cap = args[2];
	struct tally_domain_info info;
	struct tally_vcpu_counters c;
	uint32_t id = (uint32_t)args[0], n;
	int err;

	if (args[0] != ctx->domain_id && !ctx->is_control)
		return -EPERM;
	err = check_domain_id_info(ctx, args[0], &info);
	if (!err)
		err = check_array(ctx, gpa, cap, entry, TALLY_VCPU_LIST_MAX);
	if (err)
		return err;
	n = MIN(info.vcpus, (uint32_t)cap);
	for (uint32_t i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		/* A domain that ended keeps its final counters: no failure halfway. */
		if (ctx->ops->vcpu_counters(ctx->hv, id, i, &c))
			memset(&c, 0, sizeof(c));
		c.size = sizeof(c);
		c.version = TALLY_VCPU_COUNTERS_VERSION;
		c.domain_id = id;
		c.vcpu_id = i;
		c._pad0 = 0;
		hcall_copy_to_guest(ctx->mem, gpa + i * entry, &c, entry, HCALL_STRUCT_ALIGN);
	}
	return info.vcpus;
}

/*
 * A device counters call's checks, in order: another domain's only for the
 * control domain (-EPERM before the id, as for VCPU_COUNTERS), the id, the
 * buffer's length and range.
 */
static int check_device_call(const struct hcall_ctx *ctx, const uint64_t *args, uint64_t size)
{
	int err;

	if (args[0] != ctx->domain_id && !ctx->is_control)
		return -EPERM;
	if (args[0] > UINT32_MAX)
		return -ENOENT;
	err = check_struct_len(args[2], size);
	return err ? err : hcall_check_guest_range(ctx->mem, args[1], size, HCALL_STRUCT_ALIGN);
}

static int64_t hc_net_counters(const struct hcall_ctx *ctx, const uint64_t *args)
{
	struct tally_net_counters c;
	int err = check_device_call(ctx, args, sizeof(c));

	if (err)
		return err;
	memset(&c, 0, sizeof(c));
	err = ctx->ops->net_counters(ctx->hv, (uint32_t)args[0], &c);
	if (err)
		return err;
	c.size = sizeof(c);
	c.version = TALLY_NET_COUNTERS_VERSION;
	c.domain_id = (uint32_t)args[0];
	c._pad0 = 0;
	memset(c._pad1, 0, sizeof(c._pad1));
	c.group[TALLY_NET_GROUP_MAX - 1] = '\0';
	err = hcall_copy_to_guest(ctx->mem, args[1], &c, sizeof(c), HCALL_STRUCT_ALIGN);
	return err ? err : (int64_t)sizeof(c);
}

static int64_t hc_disk_counters(const struct hcall_ctx *ctx, const uint64_t *args)
{
	struct tally_disk_counters c;
	int err = check_device_call(ctx, args, sizeof(c));

	if (err)
		return err;
	memset(&c, 0, sizeof(c));
	err = ctx->ops->disk_counters(ctx->hv, (uint32_t)args[0], &c);
	if (err)
		return err;
	c.size = sizeof(c);
	c.version = TALLY_DISK_COUNTERS_VERSION;
	c.domain_id = (uint32_t)args[0];
	err = hcall_copy_to_guest(ctx->mem, args[1], &c, sizeof(c), HCALL_STRUCT_ALIGN);
	return err ? err : (int64_t)sizeof(c);
}

static int64_t hc_cpu_counters(const struct hcall_ctx *ctx, const uint64_t *args)
{
	const uint64_t entry = sizeof(struct tally_cpu_counters);
	uint64_t gpa = args[0], cap = args[1];
	struct tally_cpu_counters c;
	uint32_t total = ctx->ops->cpu_count(ctx->hv), n;
	int err = check_array(ctx, gpa, cap, entry, TALLY_CPU_LIST_MAX);

	if (err)
		return err;
	n = MIN(total, (uint32_t)cap);
	for (uint32_t i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		ctx->ops->cpu_counters(ctx->hv, i, &c);
		c.size = sizeof(c);
		c.version = TALLY_CPU_COUNTERS_VERSION;
		c.cpu = i;
		hcall_copy_to_guest(ctx->mem, gpa + i * entry, &c, entry, HCALL_STRUCT_ALIGN);
	}
	return total;
}

/*
 * Metric names go verbatim into the JSON stream, Prometheus labels and the
 * console: letters, digits and _ . : - only, so no guest can inject quotes,
 * backslashes or control characters into them.
 */
static bool metric_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == ':' || c == '-';
}

static bool metric_name_ok(const char *name, int len)
{
	if (len < 1)
		return false;
	for (int i = 0; i < len; i++)
		if (!metric_name_char(name[i]))
			return false;
	return true;
}

static int64_t hc_publish_metric(const struct hcall_ctx *ctx, const uint64_t *args)
{
	char name[TALLY_METRIC_NAME_MAX];
	int len = hcall_copy_string_from_guest(ctx->mem, name, args[0], sizeof(name));

	if (len < 0)
		return len;
	if (!metric_name_ok(name, len) || args[2] >= TALLY_UNIT_COUNT_OF_UNITS)
		return -EINVAL;
	return ctx->ops->publish_metric(ctx->hv, ctx->domain_id, name, (int64_t)args[1],
					(uint32_t)args[2]);
}

static int64_t hc_console_write(const struct hcall_ctx *ctx, const uint64_t *args)
{
	char buf[TALLY_CONSOLE_WRITE_MAX];
	uint64_t len = args[1];
	int err;

	if (len > TALLY_CONSOLE_WRITE_MAX)
		return -E2BIG;
	err = hcall_copy_from_guest(ctx->mem, buf, args[0], len, 1);
	if (err)
		return err;
	if (len)
		ctx->ops->console_write(ctx->hv, ctx->domain_id, buf, (uint32_t)len);
	return (int64_t)len;
}

static int64_t hc_yield(const struct hcall_ctx *ctx, const uint64_t *args __unused)
{
	ctx->ops->yield(ctx->hv);
	return 0;
}

/* The checks shared by pause, unpause and destroy: another, existing domain. */
static int check_target(const struct hcall_ctx *ctx, uint64_t arg)
{
	int err = check_domain_id(ctx, arg);

	if (err)
		return err;
	return arg == ctx->domain_id ? -EINVAL : 0;
}

static int64_t hc_domain_pause(const struct hcall_ctx *ctx, const uint64_t *args)
{
	int err = check_target(ctx, args[0]);

	return err ? err : ctx->ops->domain_pause(ctx->hv, (uint32_t)args[0]);
}

static int64_t hc_domain_unpause(const struct hcall_ctx *ctx, const uint64_t *args)
{
	int err = check_target(ctx, args[0]);

	return err ? err : ctx->ops->domain_unpause(ctx->hv, (uint32_t)args[0]);
}

static int64_t hc_domain_destroy(const struct hcall_ctx *ctx, const uint64_t *args)
{
	int err = check_target(ctx, args[0]);

	return err ? err : ctx->ops->domain_destroy(ctx->hv, (uint32_t)args[0]);
}

/* Every string NUL-terminated within its field, before anything reads them. */
static bool create_request_ok(const struct tally_domain_create *req)
{
	return strnlen(req->template_name, sizeof(req->template_name)) <
		       sizeof(req->template_name) &&
	       strnlen(req->name, sizeof(req->name)) < sizeof(req->name) &&
	       strnlen(req->options, sizeof(req->options)) < sizeof(req->options);
}

static int64_t hc_domain_create(const struct hcall_ctx *ctx, const uint64_t *args)
{
	struct tally_domain_create req;
	uint32_t id;
	int err;

	if (args[1] != sizeof(req))
		return -EINVAL;
	err = hcall_copy_from_guest(ctx->mem, &req, args[0], sizeof(req), HCALL_STRUCT_ALIGN);
	if (err)
		return err;
	if (!create_request_ok(&req))
		return -EINVAL;
	err = ctx->ops->domain_create(ctx->hv, &req, &id);
	return err ? (int64_t)err : (int64_t)id;
}

static const struct hcall_entry hcall_table[TALLY_HC_COUNT] = {
	[TALLY_HC_ABI_VERSION] = { .fn = hc_abi_version, .agent_user = true },
	[TALLY_HC_DOMAIN_INFO] = { .fn = hc_domain_info },
	[TALLY_HC_DOMAIN_COUNTERS] = { .fn = hc_domain_counters },
	[TALLY_HC_DOMAIN_LIST] = { .fn = hc_domain_list, .control_only = true },
	[TALLY_HC_DOMAIN_COUNTERS_OF] = { .fn = hc_domain_counters_of, .control_only = true },
	[TALLY_HC_PUBLISH_METRIC] = { .fn = hc_publish_metric, .agent_user = true },
	[TALLY_HC_CONSOLE_WRITE] = { .fn = hc_console_write },
	[TALLY_HC_YIELD] = { .fn = hc_yield },
	[TALLY_HC_DOMAIN_PAUSE] = { .fn = hc_domain_pause, .control_only = true },
	[TALLY_HC_DOMAIN_UNPAUSE] = { .fn = hc_domain_unpause, .control_only = true },
	[TALLY_HC_DOMAIN_DESTROY] = { .fn = hc_domain_destroy, .control_only = true },
	[TALLY_HC_VCPU_COUNTERS] = { .fn = hc_vcpu_counters },	/* checks itself */
	[TALLY_HC_CPU_COUNTERS] = { .fn = hc_cpu_counters, .control_only = true },
	[TALLY_HC_NET_COUNTERS] = { .fn = hc_net_counters },	/* checks itself */
	[TALLY_HC_DISK_COUNTERS] = { .fn = hc_disk_counters },	/* checks itself */
	[TALLY_HC_DOMAIN_LIST_FROM] = { .fn = hc_domain_list_from, .control_only = true },
	[TALLY_HC_DOMAIN_CREATE] = { .fn = hc_domain_create, .control_only = true },
};

int64_t hcall_dispatch(const struct hcall_ctx *ctx, uint64_t nr,
		       const uint64_t args[HCALL_NR_ARGS])
{
	const struct hcall_entry *e;

	if (nr >= ARRAY_SIZE(hcall_table) || !hcall_table[nr].fn)
		return -ENOSYS;
	e = &hcall_table[nr];
	/*
	 * An agent in the guest's user space (docs/AGENT.md) may learn the ABI and
	 * publish its domain's guest-reported metrics; nothing else runs at CPL 3.
	 */
	if (ctx->cpl != 0 && !(e->agent_user && ctx->user_metrics))
		return -EACCES;
	if (e->control_only && !ctx->is_control)
		return -EPERM;
	return e->fn(ctx, args);
}
