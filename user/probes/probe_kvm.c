// SPDX-License-Identifier: GPL-2.0
/*
 * VM exit reason names for VMX and SVM, taken from the tables the kernel's
 * UAPI headers carry for perf (VMX_EXIT_REASONS, SVM_EXIT_REASONS), so the
 * names are the ones `perf kvm stat` prints.
 */
#include <stdio.h>
#include <asm/kvm.h> /* exception vectors, used by SVM_EXIT_REASONS */
#include <asm/svm.h>
#include <asm/vmx.h>

#include "probe_util.h"

struct reason_name {
	long long code;
	const char *name;
};

static const struct reason_name vmx_reasons[] = {VMX_EXIT_REASONS};
static const struct reason_name svm_reasons[] = {SVM_EXIT_REASONS};

#define VMX_BASIC_REASON(r) ((r)&0xffff)

static const char *lookup(const struct reason_name *t, size_t n, uint32_t code)
{
	for (size_t i = 0; i < n; i++)
		if ((uint32_t)t[i].code == code)
			return t[i].name;
	return NULL;
}

static const char *vmx_name(uint32_t reason, char *buf, size_t n)
{
	const char *name = lookup(vmx_reasons, sizeof(vmx_reasons) / sizeof(vmx_reasons[0]),
				  VMX_BASIC_REASON(reason));

	/* The full reason carries flags above the basic reason; only the
	 * failed VM entry changes what the exit means. */
	if (name && (reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
		snprintf(buf, n, "FAILED_VMENTRY_%s", name);
	else if (name)
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "VMX_0x%x", reason);
	return buf;
}

static const char *svm_name(uint32_t reason, char *buf, size_t n)
{
	const char *name =
		lookup(svm_reasons, sizeof(svm_reasons) / sizeof(svm_reasons[0]), reason);

	if (name)
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "SVM_0x%x", reason);
	return buf;
}

const char *vb_kvm_reason_name(uint32_t isa, uint32_t reason, char *buf, size_t n)
{
	if (isa == VB_KVM_ISA_VMX)
		return vmx_name(reason, buf, n);
	if (isa == VB_KVM_ISA_SVM)
		return svm_name(reason, buf, n);
	snprintf(buf, n, "ISA%u_0x%x", isa, reason);
	return buf;
}
