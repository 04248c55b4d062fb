/* SPDX-License-Identifier: MIT */
/* Platform discovery: what the firmware says about CPUs and interrupt controllers. */
#ifndef TALLY_PLATFORM_H
#define TALLY_PLATFORM_H

#include <tally/acpi.h>
#include <tally/boot_info.h>

/*
 * Fill @acpi from the firmware tables and reserve them.  Returns false (and
 * says why) when they are missing, malformed or disabled: Tally then runs
 * on the boot CPU alone.
 */
bool platform_discover(const struct boot_info *bi, struct acpi_info *acpi);

#endif
