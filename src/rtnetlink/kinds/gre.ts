// gre, gretap and erspan over IPv4: IFLA_GRE_* (<linux/if_tunnel.h>).
import { defineAttributes, type Input } from '../../netlink/schema.js';
import { GRE_ATTRS } from './tunnel.js';

export const greAttributes = defineAttributes('gre', GRE_ATTRS);
export const gretapAttributes = defineAttributes('gretap', GRE_ATTRS);
export const erspanAttributes = defineAttributes('erspan', GRE_ATTRS);

export type GreData = Input<typeof GRE_ATTRS>;
