// macvtap: a macvlan with a character device; the same IFLA_MACVLAN_* attributes.
import { defineAttributes, type Input } from '../../netlink/schema.js';
import { macvlanAttributes } from './macvlan.js';

export const macvtapAttributes = defineAttributes('macvtap', macvlanAttributes.attrs);

export type MacvtapData = Input<typeof macvtapAttributes.attrs>;
