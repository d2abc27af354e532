// The extended-ack TLVs as a declared attribute set, for annotations and the protocol reference.
// (parseAck reads them by hand: it runs on every error and must not depend on the schema layer.)
import {
  NLMSGERR_ATTR_COOKIE,
  NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  NLMSGERR_ATTR_POLICY,
} from './message.js';
import { defineAttributes } from './schema.js';

/** The extended-ack TLVs after an nlmsgerr (or an NLMSG_DONE's errno), as a schema. */
export const extAckAttributes = defineAttributes('ext_ack', {
  msg: {
    type: NLMSGERR_ATTR_MSG,
    kind: 'string',
    c: 'NLMSGERR_ATTR_MSG',
    doc: 'Error or warning text',
  },
  offs: {
    type: NLMSGERR_ATTR_OFFS,
    kind: 'u32',
    c: 'NLMSGERR_ATTR_OFFS',
    doc: 'Offset of the offending attribute in the request',
  },
  cookie: { type: NLMSGERR_ATTR_COOKIE, kind: 'binary', c: 'NLMSGERR_ATTR_COOKIE' },
  policy: {
    type: NLMSGERR_ATTR_POLICY,
    kind: 'binary',
    c: 'NLMSGERR_ATTR_POLICY',
    doc: 'Policy of the rejected attribute',
  },
  missType: { type: NLMSGERR_ATTR_MISS_TYPE, kind: 'u32', c: 'NLMSGERR_ATTR_MISS_TYPE' },
  missNest: { type: NLMSGERR_ATTR_MISS_NEST, kind: 'u32', c: 'NLMSGERR_ATTR_MISS_NEST' },
});
