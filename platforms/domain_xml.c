// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain_xml.h"

/* Writes s with XML's five special characters escaped (attribute-safe). */
static void put_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* fmt's only conversions are %s, each replaced by the next argument, escaped. */
static void put(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (p[0] == '%' && p[1] == 's') {
			put_escaped(f, va_arg(ap, const char *));
			p++;
		} else {
			fputc(*p, f);
		}
	}
	va_end(ap);
}

static int valid(const struct domain_spec *s)
{
	const char *fields[] = {s->name, s->type,	s->kernel,	s->initrd,	s->cmdline,
				s->disk, s->disk_cache, s->console_log, s->agent_socket};

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!fields[i] || !*fields[i])
			return 0;
	if (s->net == DOMAIN_NET_BRIDGE && (!s->bridge || !*s->bridge))
		return 0;
	if (s->net != DOMAIN_NET_USER && s->net != DOMAIN_NET_BRIDGE && s->net != DOMAIN_NET_PASST)
		return 0;
	return s->vcpus > 0 && s->memory_mib > 0;
}

static void put_interface(FILE *f, const struct domain_spec *s)
{
	switch (s->net) {
	case DOMAIN_NET_BRIDGE:
		/* libvirt makes the tap, puts it on the bridge, and removes it with the domain. */
		put(f,
		    "    <interface type='bridge'>\n"
		    "      <source bridge='%s'/>\n",
		    s->bridge);
		break;
	case DOMAIN_NET_PASST:
		put(f, "    <interface type='user'>\n"
		       "      <backend type='passt'/>\n");
		break;
	default:
		put(f, "    <interface type='user'>\n");
	}
	put(f, "      <model type='virtio'/>\n"
	       "    </interface>\n");
}

char *domain_xml_build(const struct domain_spec *s)
{
	char *xml = NULL, num[32];
	size_t len = 0;
	FILE *f;

	if (!valid(s))
		return NULL;
	f = open_memstream(&xml, &len);
	if (!f)
		return NULL;
	put(f, "<domain type='%s'>\n", s->type);
	put(f, "  <name>%s</name>\n", s->name);
	if (s->description && *s->description)
		put(f, "  <description>%s</description>\n", s->description);
	snprintf(num, sizeof(num), "%lu", s->memory_mib);
	put(f, "  <memory unit='MiB'>%s</memory>\n", num);
	snprintf(num, sizeof(num), "%d", s->vcpus);
	put(f, "  <vcpu>%s</vcpu>\n", num);
	put(f,
	    "  <os>\n"
	    "    <type arch='x86_64' machine='pc'>hvm</type>\n"
	    "    <kernel>%s</kernel>\n"
	    "    <initrd>%s</initrd>\n"
	    "    <cmdline>%s</cmdline>\n"
	    "  </os>\n",
	    s->kernel, s->initrd, s->cmdline);
	/* ACPI lets the guest's power-off end the domain. */
	put(f, "  <features><acpi/></features>\n"
	       "  <on_poweroff>destroy</on_poweroff>\n"
	       "  <on_reboot>destroy</on_reboot>\n"
	       "  <on_crash>destroy</on_crash>\n"
	       "  <devices>\n");
	if (s->emulator && *s->emulator)
		put(f, "    <emulator>%s</emulator>\n", s->emulator);
	put(f,
	    "    <disk type='file' device='disk'>\n"
	    "      <driver name='qemu' type='raw' cache='%s'/>\n"
	    "      <source file='%s'/>\n"
	    "      <target dev='vda' bus='virtio'/>\n"
	    "    </disk>\n",
	    s->disk_cache, s->disk);
	put_interface(f, s);
	put(f,
	    "    <serial type='file'>\n"
	    "      <source path='%s'/>\n"
	    "      <target port='0'/>\n"
	    "    </serial>\n",
	    s->console_log);
	put(f,
	    "    <channel type='unix'>\n"
	    "      <source mode='bind' path='%s'/>\n"
	    "      <target type='virtio' name='%s'/>\n"
	    "    </channel>\n",
	    s->agent_socket, GUEST_AGENT_PORT);
	/* Nothing else: every device left out is one less to probe at boot. */
	put(f, "    <controller type='usb' model='none'/>\n"
	       "    <memballoon model='none'/>\n"
	       "  </devices>\n"
	       "</domain>\n");
	if (fclose(f)) {
		free(xml);
		return NULL;
	}
	return xml;
}
