// ipip: IPv4 (or MPLS, or any with proto 0) over IPv4, IFLA_IPTUN_* (<linux/if_tunnel.h>).
import { defineAttributes, type Input } from '../../netlink/schema.js';
import { IPTUN_ATTRS } from './tunnel.js';

export const ipipAttributes = defineAttributes('ipip', IPTUN_ATTRS);

export type IptunData = Input<typeof IPTUN_ATTRS>;
