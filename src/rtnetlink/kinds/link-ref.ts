// The link message schema, as seen from the kinds. A veth peer (VETH_INFO_PEER) is itself a
// whole link message, so the veth kind needs `linkMessage` while link.ts needs the kinds to
// declare IFLA_INFO_DATA. Neither imports the other at run time: link.ts hands its message over
// here once it exists, and the veth kind reads it when a peer is encoded or decoded.
import type { AttrSpecs, MessageSchema } from '../../netlink/schema.js';

// biome-ignore lint/suspicious/noExplicitAny: the link message's own types live in link.ts
let link: MessageSchema<any, AttrSpecs> | undefined;

/** Called once by link.ts with `linkMessage`. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export function provideLinkMessage(message: MessageSchema<any, AttrSpecs>): void {
  link = message;
}

/** `linkMessage` (link.ts is always loaded before a schema that reaches a veth peer is used). */
export function linkMessageRef<M>(): M {
  if (!link) throw new TypeError('rtnl: the link schema (rtnetlink/link.ts) is not loaded');
  return link as M;
}
