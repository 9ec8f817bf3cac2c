// SPDX-License-Identifier: GPL-2.0
/*
 * The libvirt domain XML (platforms/domain_xml.h) from hostile strings: the
 * input is the spec's eleven strings separated by NUL bytes (a non-empty
 * tenth, the bridge, makes the NIC a tap on it; an empty eleventh, the
 * emulator, leaves libvirt's). When every string
 * is printable ASCII, the XML must be well-formed (libxml2, the parser
 * libvirt itself uses, reads it) and give each string back exactly. Other
 * bytes are only checked for memory safety: XML 1.0 cannot carry most
 * control characters, and parsers normalise tabs, CR and newlines in
 * attributes, so there is no exact answer to hold the builder to.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "domain_xml.h"

#define NR_FIELDS 11

/* Where each field of struct domain_spec, in its order, lands in the XML. */
static const char *const where[NR_FIELDS] = {
	"string(/domain/name)",
	"string(/domain/@type)",
	"string(/domain/os/kernel)",
	"string(/domain/os/initrd)",
	"string(/domain/os/cmdline)",
	"string(/domain/devices/disk/source/@file)",
	"string(/domain/devices/disk/driver/@cache)",
	"string(/domain/devices/serial/source/@path)",
	"string(/domain/devices/channel/source/@path)",
	"string(/domain/devices/interface/source/@bridge)",
	"string(/domain/devices/emulator)",
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	xmlInitParser();
	return 0;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

/* The XML parses and every field reads back as it was given. */
static void check(const char *xml, const char *field[NR_FIELDS])
{
	xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;

	if (!ctx)
		abort();
	for (int i = 0; i < NR_FIELDS; i++) {
		xmlXPathObjectPtr got = xmlXPathEvalExpression((const xmlChar *)where[i], ctx);

		if (!got || strcmp((const char *)got->stringval, field[i]))
			abort();
		xmlXPathFreeObject(got);
	}
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *p = copy, *xml;
	const char *field[NR_FIELDS];
	struct domain_spec s = {.vcpus = 2, .memory_mib = 512};
	bool ascii = true;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (int i = 0; i < NR_FIELDS; i++) {
		size_t n = strlen(p);

		field[i] = p;
		ascii = ascii && printable(p);
		p += n + (p + n < copy + size); /* past its NUL, if one follows */
	}
	s.name = field[0];
	s.type = field[1];
	s.kernel = field[2];
	s.initrd = field[3];
	s.cmdline = field[4];
	s.disk = field[5];
	s.disk_cache = field[6];
	s.console_log = field[7];
	s.agent_socket = field[8];
	s.net = *field[9] ? DOMAIN_NET_BRIDGE : DOMAIN_NET_USER;
	s.bridge = field[9];
	s.emulator = field[10];
	xml = domain_xml_build(&s);
	if (xml && ascii)
		check(xml, field);
	free(xml);
	free(copy);
	return 0;
}
