// geneve: IFLA_GENEVE_* (<linux/if_link.h>; PORT_RANGE from rt-link.yaml).
import { defineAttributes, type Input } from '../../netlink/schema.js';
import { defineStruct, struct, u16be } from '../../netlink/struct.js';

/** enum ifla_geneve_df. */
export const GENEVE_DF = { unset: 0, set: 1, inherit: 2 } as const;

/** struct ifla_geneve_port_range: UDP source ports, network order. */
export const iflaGenevePortRange = defineStruct<{ low: number; high: number }>(
  struct([u16be('low'), u16be('high')], 'ifla_geneve_port_range'),
);

export const geneveAttributes = defineAttributes('geneve', {
  id: { type: 1, kind: 'u32', c: 'IFLA_GENEVE_ID', doc: 'Virtual network identifier (VNI)' },
  remote: { type: 2, kind: 'ipaddr', c: 'IFLA_GENEVE_REMOTE', doc: 'IPv4 remote' },
  ttl: { type: 3, kind: 'u8', c: 'IFLA_GENEVE_TTL' },
  tos: { type: 4, kind: 'u8', c: 'IFLA_GENEVE_TOS' },
  port: { type: 5, kind: 'be16', c: 'IFLA_GENEVE_PORT', doc: 'UDP destination port' },
  collectMetadata: { type: 6, kind: 'flag', c: 'IFLA_GENEVE_COLLECT_METADATA' },
  remote6: { type: 7, kind: 'ipaddr', c: 'IFLA_GENEVE_REMOTE6', doc: 'IPv6 remote' },
  udpCsum: { type: 8, kind: 'u8', c: 'IFLA_GENEVE_UDP_CSUM' },
  udpZeroCsum6Tx: { type: 9, kind: 'u8', c: 'IFLA_GENEVE_UDP_ZERO_CSUM6_TX' },
  udpZeroCsum6Rx: { type: 10, kind: 'u8', c: 'IFLA_GENEVE_UDP_ZERO_CSUM6_RX' },
  label: { type: 11, kind: 'be32', c: 'IFLA_GENEVE_LABEL', doc: 'IPv6 flow label' },
  ttlInherit: { type: 12, kind: 'u8', c: 'IFLA_GENEVE_TTL_INHERIT' },
  df: { type: 13, kind: 'u8', enum: GENEVE_DF, c: 'IFLA_GENEVE_DF' },
  innerProtoInherit: { type: 14, kind: 'flag', c: 'IFLA_GENEVE_INNER_PROTO_INHERIT' },
  portRange: {
    type: 15,
    kind: 'struct',
    struct: iflaGenevePortRange,
    c: 'IFLA_GENEVE_PORT_RANGE',
    doc: 'UDP source port range',
  },
});

export type GeneveData = Input<typeof geneveAttributes.attrs>;
