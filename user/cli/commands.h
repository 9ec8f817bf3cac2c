/* SPDX-License-Identifier: GPL-2.0 */
/* The command table's entries: each takes argv with argv[0] = the command's
 * name and returns an exit status (util_log.h). */
#ifndef VB_COMMANDS_H
#define VB_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_workload(int argc, char **argv);
int cmd_net_server(int argc, char **argv);
int cmd_trace(int argc, char **argv);

/* Agent side (also in the agent binary). */
int cmd_serve(int argc, char **argv);

#endif
