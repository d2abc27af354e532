// ip6tnl: IPv4 or IPv6 over IPv6, IFLA_IPTUN_* with 32-bit IP6_TNL_F_* flags.
import { defineAttributes, type Input } from '../../netlink/schema.js';
import { IP6TNL_ATTRS } from './tunnel.js';

export const ip6tnlAttributes = defineAttributes('ip6tnl', IP6TNL_ATTRS);

export type Ip6tnlData = Input<typeof IP6TNL_ATTRS>;
