/* SPDX-License-Identifier: GPL-2.0 */
/* PLACEHOLDER until the reports branch lands. */
#ifndef VB_FINDINGS_H
#define VB_FINDINGS_H

struct json_object;

struct json_object *findings_derive(struct json_object *doc);

#endif
