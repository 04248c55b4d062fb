/* SPDX-License-Identifier: MIT */
/* Filling a new domain's RAM from its boot modules: the kernel by its protocol, and its ACPI tables. */
#include <tally/arch.h>
#include <tally/domain.h>
#include <tally/domain_config.h>
#include <tally/domain_load.h>
#include <tally/errno.h>
#include <tally/guest_loader.h>
#include <tally/linux_loader.h>
#include <tally/log.h>
#include <tally/vacpi.h>
#include <tally/virtio_mmio.h>
#include <tally/vplatform.h>

static uint8_t *ram_view(const struct domain *d)
{
	return arch_phys_to_virt(d->ram.raw, d->ram_bytes);
}

/*
 * The domain's ACPI tables (tally/vacpi.h) at VPLATFORM_ACPI_BASE, its
 * virtio devices in the DSDT; *@rsdp gets their root.
 */
static int build_acpi(struct domain *d, const struct domain_config *cfg, const char *label,
		      uint64_t *rsdp)
{
	struct vacpi_device devices[VPLATFORM_VIRTIO_SLOTS];
	const struct vacpi_config ac = {
		.vcpu_count = cfg->vcpus, .devices = devices,
		.device_count = virtio_mmio_acpi_devices(d, devices, ARRAY_SIZE(devices)),
	};

	if (vacpi_build(ram_view(d), d->ram_bytes, &ac, rsdp) < 0) {
		log_err("%s: its ACPI tables cannot be built; not created", label);
		return -EINVAL;
	}
	return 0;
}

/*
 * A bzImage: tables first (the zero page names the RSDP), then the kernel,
 * its initrd and the part of the module line after Tally's options.
 */
static int load_linux(struct domain *d, const struct domain_config *cfg, const char *label,
		      struct vcpu_boot_regs *regs)
{
	const struct boot_module *m = d->module, *rd = d->initrd;
	struct linux_load_result res;
	struct linux_load_req req = {
		.ram = ram_view(d), .mem_bytes = d->ram_bytes,
		.image = arch_phys_to_virt(m->start.raw, m->size), .image_size = m->size,
		.initrd = rd && rd->size ? arch_phys_to_virt(rd->start.raw, rd->size) : NULL,
		.initrd_size = rd ? rd->size : 0,
		.cmdline = domain_config_guest_cmdline(m->cmdline), .name = label,
	};

	if (build_acpi(d, cfg, label, &req.rsdp_gpa) < 0 || linux_load(&req, &res) < 0)
		return -EINVAL;	/* each said why */
	*regs = res.regs;
	log_info("domain: d%u %s bzImage protocol=%u.%02u kernel=%#lx size=%lu initrd=%#lx size=%lu "
		 "cmdline=\"%s\"", d->id, d->name, res.version >> 8, res.version & 0xFF,
		 res.kernel_gpa, res.kernel_size, res.initrd_gpa, req.initrd_size, req.cmdline);
	return 0;
}

/*
 * A multiboot kernel gets the whole module line, as before.  Loaded over
 * the ACPI window (its own RAM, see guest_loader.c), it keeps its bytes
 * and gets no tables.
 */
static int load_multiboot(struct domain *d, const struct domain_config *cfg, const char *label,
			  struct vcpu_boot_regs *regs)
{
	const struct boot_module *m = d->module;
	struct guest_load_result res;
	struct guest_load_req req = {
		.ram = ram_view(d), .mem_bytes = d->ram_bytes,
		.image = arch_phys_to_virt(m->start.raw, m->size), .image_size = m->size,
		.cmdline = m->cmdline,
		.name = label,		/* the loader's refusal names the module as ours do */
	};
	uint64_t rsdp;

	if (d->initrd) {
		log_err("%s: has an initrd_of= module, but a multiboot kernel takes none; "
			"not created", label);
		return -EINVAL;
	}
	if (guest_load_multiboot(&req, &res) < 0)
		return -EINVAL;
	*regs = res.regs;
	if (res.image_start.raw < VPLATFORM_ACPI_BASE + VPLATFORM_ACPI_SIZE &&
	    res.image_end.raw > VPLATFORM_ACPI_BASE) {
		log_debug("%s: kernel loaded over the ACPI window %#lx-%#lx: no ACPI tables",
			  label, (unsigned long)VPLATFORM_ACPI_BASE,
			  (unsigned long)(VPLATFORM_ACPI_BASE + VPLATFORM_ACPI_SIZE));
		return 0;
	}
	return build_acpi(d, cfg, label, &rsdp);
}

int domain_load_image(struct domain *d, const struct domain_config *cfg, const char *label,
		      struct vcpu_boot_regs *regs)
{
	const struct boot_module *m = d->module;
	const uint8_t *image = arch_phys_to_virt(m->start.raw, m->size);

	if (!image || !ram_view(d)) {
		log_err("%s: image or RAM not mapped; not created", label);
		return -EFAULT;
	}
	if (linux_is_bzimage(image, m->size))
		return load_linux(d, cfg, label, regs);
	return load_multiboot(d, cfg, label, regs);
}
