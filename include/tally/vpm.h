/* SPDX-License-Identifier: MIT */
/*
 * Power and reset devices a guest reaches through ports: the ACPI sleep
 * control and status registers the FADT names (VPLATFORM_PM_PORT), the
 * reset control register (VPLATFORM_RESET_PORT) and the keyboard
 * controller's reset command (VPLATFORM_KBC_PORT).
 */
#ifndef TALLY_VPM_H
#define TALLY_VPM_H

/* Claim the power and reset ports (vio_register_ports), at boot: 0 or its error. */
int vpm_register(void);

#endif
