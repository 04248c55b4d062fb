/* SPDX-License-Identifier: MIT */
/* Filling a new domain's RAM from its boot modules (kernel/domain_load.c). */
#ifndef TALLY_DOMAIN_LOAD_H
#define TALLY_DOMAIN_LOAD_H

#include <tally/domain.h>
#include <tally/vcpu_boot.h>

/*
 * Load d->module (and d->initrd) into @d's zeroed RAM, picking the loader
 * by the image (a Linux setup header, else multiboot), and build its ACPI
 * tables; @regs gets vCPU 0's first registers.  0, or <0 after one line
 * naming @label and the problem.
 */
int domain_load_image(struct domain *d, const struct domain_config *cfg, const char *label,
		      struct vcpu_boot_regs *regs);

#endif
