// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "report_view.h"

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* The code point at s and its length in bytes; 0 when s is not UTF-8 there
 * (a stray byte, an overlong form, a surrogate). Stops at a NUL. */
static size_t utf8_decode(const unsigned char *s, unsigned *cp)
{
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		*cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		*cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		*cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && *cp < 0x800) || (n == 4 && (*cp < 0x10000 || *cp > 0x10ffff)) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

static bool is_bidi_control(unsigned cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * The next character of s as it may be shown, in ch (NUL-terminated, at
 * most 4 bytes); returns the bytes of s it stands for.
 */
static size_t next_shown(const char *s, char ch[5])
{
	unsigned cp;
	size_t n = utf8_decode((const unsigned char *)s, &cp);

	if (!n) {
		memcpy(ch, REPLACEMENT, sizeof(REPLACEMENT));
		return 1;
	}
	if (cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x2028 || cp == 0x2029) {
		memcpy(ch, " ", 2);
	} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || is_bidi_control(cp)) {
		memcpy(ch, REPLACEMENT, sizeof(REPLACEMENT));
	} else {
		memcpy(ch, s, n);
		ch[n] = '\0';
	}
	return n;
}

const char *view_clean(const char *s, char *buf, size_t n)
{
	size_t len = 0;
	char ch[5];

	if (!n)
		return buf;
	buf[0] = '\0';
	while (s && *s) {
		size_t used = next_shown(s, ch), chlen = strlen(ch);

		if (len + chlen >= n)
			break;
		memcpy(buf + len, ch, chlen + 1);
		len += chlen;
		s += used;
	}
	return buf;
}

void view_put_clean(FILE *out, const char *s)
{
	char ch[5];

	while (s && *s) {
		s += next_shown(s, ch);
		fputs(ch, out);
	}
}

static bool put_html_char(FILE *out, char c)
{
	switch (c) {
	case '<':
		fputs("&lt;", out);
		return true;
	case '>':
		fputs("&gt;", out);
		return true;
	case '&':
		fputs("&amp;", out);
		return true;
	case '"':
		fputs("&quot;", out);
		return true;
	case '\'':
		fputs("&#39;", out);
		return true;
	}
	return false;
}

void view_put_html(FILE *out, const char *s)
{
	char ch[5];

	while (s && *s) {
		s += next_shown(s, ch);
		if (!put_html_char(out, ch[0]))
			fputs(ch, out);
	}
}

/* How many bytes at the start of s would open a block (a list item) where a
 * line starts: "-", "+", "12." or "3)", followed by a blank or the end. */
static size_t md_block_opener(const char *s)
{
	size_t d = strspn(s, "0123456789");

	if (!d && (*s == '-' || *s == '+'))
		d = 1;
	else if (d && (s[d] == '.' || s[d] == ')'))
		d++;
	else
		return 0;
	return s[d] == '\0' || s[d] == ' ' || s[d] == '\t' ? d : 0;
}

static void put_md(FILE *out, const char *s, bool line_start)
{
	size_t opener = 0, at = 0;
	char ch[5];

	if (!s)
		return;
	if (line_start) {
		/* Leading blanks would make an indented code block of a list item. */
		s += strspn(s, " \t");
		opener = md_block_opener(s);
	}
	while (*s) {
		size_t used = next_shown(s, ch);

		if (ch[0] == '<')
			fputs("&lt;", out);
		else if (ch[0] == '>')
			fputs("&gt;", out);
		else if (ch[0] == '&')
			fputs("&amp;", out);
		else if ((!ch[1] && strchr("\\`*_[]|~#", ch[0])) || (opener && at == opener - 1))
			fprintf(out, "\\%s", ch);
		else
			fputs(ch, out);
		s += used;
		at += used;
	}
}

void view_put_md(FILE *out, const char *s)
{
	put_md(out, s, false);
}

void view_put_md_block(FILE *out, const char *s)
{
	put_md(out, s, true);
}

void view_put_md_code(FILE *out, const char *s)
{
	char buf[512];
	size_t run = 0, longest = 0, fence;
	bool pad;

	view_clean(s, buf, sizeof(buf));
	for (const char *p = buf; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	fence = longest + 1;
	/* A code span's content that starts or ends with a backtick needs a blank
	 * between it and the fence; one blank on each side is stripped again. */
	pad = buf[0] == '`' || (*buf && buf[strlen(buf) - 1] == '`') || buf[0] == ' ';
	for (size_t i = 0; i < fence; i++)
		fputc('`', out);
	fputs(pad ? " " : "", out);
	fputs(buf, out);
	fputs(pad ? " " : "", out);
	for (size_t i = 0; i < fence; i++)
		fputc('`', out);
}
