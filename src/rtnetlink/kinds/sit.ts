// sit: IPv6 over IPv4 (6in4, ISATAP, 6rd), IFLA_IPTUN_* (<linux/if_tunnel.h>).
import { defineAttributes } from '../../netlink/schema.js';
import { IPTUN_ATTRS } from './tunnel.js';

export const sitAttributes = defineAttributes('sit', IPTUN_ATTRS);
