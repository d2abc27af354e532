// vti and vti6 (IPsec virtual tunnel interfaces): IFLA_VTI_* (<linux/if_tunnel.h>).
import { defineAttributes, type Input } from '../../netlink/schema.js';
import { VTI_ATTRS } from './tunnel.js';

export const vtiAttributes = defineAttributes('vti', VTI_ATTRS);
export const vti6Attributes = defineAttributes('vti6', VTI_ATTRS);

export type VtiData = Input<typeof VTI_ATTRS>;
