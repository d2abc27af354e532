// The rtnetlink protocol reference (docs/protocol.md), generated from the declarations.
import { referenceMarkdown } from '../netlink/reference.js';
import type { MessageSchema } from '../netlink/schema.js';
import { addressMessage } from './address.js';
import { linkMessage } from './link.js';
import { neighborMessage } from './neighbor.js';
import { routeMessage } from './route.js';
import { ruleMessage } from './rule.js';

/** The markdown of docs/protocol.md. */
export function rtnetlinkReference(): string {
  const messages = [
    linkMessage,
    addressMessage,
    routeMessage,
    ruleMessage,
    neighborMessage,
  ] as unknown as MessageSchema<object, never>[];
  return referenceMarkdown('rtnetlink protocol reference', messages);
}
