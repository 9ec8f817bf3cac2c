/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every report format shares, below all of them: how a string read
 * from a results document may be shown. A document is input, not trusted:
 * a platform name, a reason or a finding may hold "<script>", a "|" that
 * breaks a table, or an escape sequence that rewrites the user's terminal.
 * Every string that comes from a document reaches the output through one of
 * these.
 */
#ifndef VB_REPORT_VIEW_H
#define VB_REPORT_VIEW_H

#include <stddef.h>
#include <stdio.h>

/*
 * s with every character a terminal or a spreadsheet would act on replaced:
 * a tab or line break by a space, any other control character (C0, DEL,
 * C1), a bidirectional override and a byte that is not UTF-8 by U+FFFD.
 * Cut at a character boundary to fit n. Returns buf.
 */
const char *view_clean(const char *s, char *buf, size_t n);
/* view_clean()'s text, written whole. */
void view_put_clean(FILE *out, const char *s);
/* Cleaned, then & < > " ' as character references: safe in HTML text and
 * in a quoted attribute. */
void view_put_html(FILE *out, const char *s);
/* Cleaned, then < > & as character references and every character Markdown
 * acts on inline (\ ` * _ [ ] | ~ #) backslash-escaped: safe in a
 * paragraph, a heading and a table cell. */
void view_put_md(FILE *out, const char *s);
/* The same for text that starts a block (a list item's content): leading
 * blanks dropped, a list marker ("-", "+", "1.") escaped. */
void view_put_md_block(FILE *out, const char *s);
/* Cleaned, as a Markdown code span whose fence is longer than any run of
 * backticks inside. */
void view_put_md_code(FILE *out, const char *s);

#endif
