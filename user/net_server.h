/* SPDX-License-Identifier: GPL-2.0 */
/* PLACEHOLDER until the net branch lands: the runner's view of the server. */
#ifndef VB_NET_SERVER_H
#define VB_NET_SERVER_H

struct net_server;

int net_server_start(const char *bind_addr, int port, struct net_server **out);
int net_server_port(const struct net_server *s);
void net_server_stop(struct net_server *s);

#endif
