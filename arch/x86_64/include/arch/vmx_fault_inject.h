/* SPDX-License-Identifier: MIT */
/* Test-only fault injection into VM entries (the `crash_test=` option). */
#ifndef ARCH_VMX_FAULT_INJECT_H
#define ARCH_VMX_FAULT_INJECT_H

struct vcpu;

/*
 * With `crash_test=guest_state` or `crash_test=vm_control`, break the
 * first VM entry of domain d1's vCPU @v (its VMCS current and filled) so
 * tests see both failure reports; otherwise do nothing.
 */
void vmx_fault_inject_entry(const struct vcpu *v);

#endif
