// veth: IFLA_INFO_DATA is VETH_INFO_PEER (<linux/veth.h>), the peer's own link message (a
// struct ifinfomsg followed by IFLA_* attributes) carried inside one attribute.
import { defineAttributes, type Input, type MessageSchema } from '../../netlink/schema.js';
import type { Ifinfomsg, LinkPeerAttrs } from '../link.js';
import { linkMessageRef } from './link-ref.js';

export const vethAttributes = defineAttributes('veth', {
  peer: {
    type: 1,
    kind: 'message',
    c: 'VETH_INFO_PEER',
    doc: 'The peer: its ifinfomsg and IFLA_* attributes (name, address, netns, …)',
    // Read when used: the link message exists only once link.ts has been evaluated.
    get message(): MessageSchema<Ifinfomsg, LinkPeerAttrs> {
      return linkMessageRef();
    },
  },
});

/** IFLA_INFO_DATA of a veth: `{ peer: { header?, attributes? } }`. */
export type VethData = Input<typeof vethAttributes.attrs>;
