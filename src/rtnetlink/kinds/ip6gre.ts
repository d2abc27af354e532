// ip6gre, ip6gretap and ip6erspan: IFLA_GRE_* with IPv6 endpoints, hop limit in IFLA_GRE_TTL
// and IP6_TNL_F_* in IFLA_GRE_FLAGS (<linux/if_tunnel.h>).
import { defineAttributes } from '../../netlink/schema.js';
import { GRE_ATTRS } from './tunnel.js';

export const ip6greAttributes = defineAttributes('ip6gre', GRE_ATTRS);
export const ip6gretapAttributes = defineAttributes('ip6gretap', GRE_ATTRS);
export const ip6erspanAttributes = defineAttributes('ip6erspan', GRE_ATTRS);
