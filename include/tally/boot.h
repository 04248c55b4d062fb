/* SPDX-License-Identifier: MIT */
/* Where each CPU goes once it runs C. */
#ifndef TALLY_BOOT_H
#define TALLY_BOOT_H

#include <tally/types.h>

/* A secondary CPU, once online: waits for the domains, then schedules them. */
__noreturn void secondary_main(void);

#endif
