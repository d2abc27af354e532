// Link kinds: the IFLA_INFO_DATA attribute set of each kind (and IFLA_INFO_SLAVE_DATA where a
// master kind has one), keyed by the IFLA_INFO_KIND / IFLA_INFO_SLAVE_KIND string. link.ts
// plugs these tables into IFLA_LINKINFO, so linkMessage decodes and encodes every kind below.
import { NetlinkEncodeError } from '../../netlink/errors.js';
import type { Input } from '../../netlink/schema.js';
import { bondAttributes, bondSlaveAttributes } from './bond.js';
import { bridgeAttributes, bridgePortAttributes } from './bridge.js';
import { dummyAttributes } from './dummy.js';
import { geneveAttributes } from './geneve.js';
import { erspanAttributes, greAttributes, gretapAttributes } from './gre.js';
import { ifbAttributes } from './ifb.js';
import { ip6erspanAttributes, ip6greAttributes, ip6gretapAttributes } from './ip6gre.js';
import { ip6tnlAttributes } from './ip6tnl.js';
import { ipipAttributes } from './ipip.js';
import { ipvlanAttributes } from './ipvlan.js';
import { macvlanAttributes } from './macvlan.js';
import { macvtapAttributes } from './macvtap.js';
import { sitAttributes } from './sit.js';
import { tunAttributes } from './tun.js';
import { vethAttributes } from './veth.js';
import { vlanAttributes } from './vlan.js';
import { vrfAttributes, vrfSlaveAttributes } from './vrf.js';
import { vti6Attributes, vtiAttributes } from './vti.js';
import { vxlanAttributes } from './vxlan.js';
import { wireguardAttributes } from './wireguard.js';

export * from './bond.js';
export * from './bridge.js';
export { type BridgeId, IP6_TNL_FLAGS, TUNNEL_ENCAP, TUNNEL_ENCAP_FLAGS } from './common.js';
export * from './dummy.js';
export * from './geneve.js';
export * from './gre.js';
export * from './ifb.js';
export * from './ip6gre.js';
export * from './ip6tnl.js';
export * from './ipip.js';
export * from './ipvlan.js';
export * from './macvlan.js';
export * from './macvtap.js';
export * from './sit.js';
export * from './tun.js';
export { ERSPAN_DIR, GRE_FLAGS, SIT_FLAGS } from './tunnel.js';
export * from './veth.js';
export * from './vlan.js';
export * from './vrf.js';
export * from './vti.js';
export * from './vxlan.js';
export * from './wireguard.js';

/** IFLA_INFO_DATA by IFLA_INFO_KIND. */
export const LINK_KIND_DATA = {
  veth: vethAttributes,
  bridge: bridgeAttributes,
  vxlan: vxlanAttributes,
  macvlan: macvlanAttributes,
  macvtap: macvtapAttributes,
  ifb: ifbAttributes,
  tun: tunAttributes,
  dummy: dummyAttributes,
  vlan: vlanAttributes,
  bond: bondAttributes,
  vrf: vrfAttributes,
  ipvlan: ipvlanAttributes,
  ipvtap: ipvlanAttributes,
  geneve: geneveAttributes,
  wireguard: wireguardAttributes,
  gre: greAttributes,
  gretap: gretapAttributes,
  erspan: erspanAttributes,
  ip6gre: ip6greAttributes,
  ip6gretap: ip6gretapAttributes,
  ip6erspan: ip6erspanAttributes,
  ipip: ipipAttributes,
  sit: sitAttributes,
  ip6tnl: ip6tnlAttributes,
  vti: vtiAttributes,
  vti6: vti6Attributes,
} as const;

/** IFLA_INFO_SLAVE_DATA by IFLA_INFO_SLAVE_KIND (the master's kind). */
export const LINK_SLAVE_DATA = {
  bridge: bridgePortAttributes,
  bond: bondSlaveAttributes,
  vrf: vrfSlaveAttributes,
} as const;

type KindSets = typeof LINK_KIND_DATA;
type SlaveSets = typeof LINK_SLAVE_DATA;

/** A link kind rtnl declares (IFLA_INFO_KIND). */
export type LinkKind = keyof KindSets;
/** A master kind whose members carry IFLA_INFO_SLAVE_DATA. */
export type LinkSlaveKind = keyof SlaveSets;

/** IFLA_INFO_DATA of each kind, as the encoder takes it. */
export type LinkKindData = { [K in LinkKind]: Input<KindSets[K]['attrs']> };
/** IFLA_INFO_SLAVE_DATA of each master kind, as the encoder takes it. */
export type LinkSlaveData = { [K in LinkSlaveKind]: Input<SlaveSets[K]['attrs']> };

/**
 * A kind and its options, discriminated by `kind`: `{ kind: 'vxlan', data: { id: 42 } }`.
 * `data` is optional (most kinds have defaults for everything).
 */
export type LinkKindSpec = { [K in LinkKind]: { kind: K; data?: LinkKindData[K] } }[LinkKind];

/**
 * Options of a link as a member of a master, discriminated by `slaveKind`:
 * `{ slaveKind: 'bridge', slaveData: { cost: 10 } }` (what `ip link set … type bridge_slave` sends).
 */
export type LinkSlaveSpec = {
  [K in LinkSlaveKind]: { slaveKind: K; slaveData?: LinkSlaveData[K] };
}[LinkSlaveKind];

/** What IFLA_LINKINFO holds for a kind, a member's options, or both. */
export type LinkInfoSpec =
  | LinkKindSpec
  | LinkSlaveSpec
  | (LinkKindSpec & LinkSlaveSpec)
  /** A kind rtnl does not declare: its IFLA_INFO_DATA as raw attribute bytes. */
  | { kind: string; data?: Uint8Array };

/** True when rtnl declares IFLA_INFO_DATA for `kind`. */
export function isLinkKind(kind: string): kind is LinkKind {
  return Object.hasOwn(LINK_KIND_DATA, kind);
}

/**
 * The IFLA_LINKINFO value for a kind spec, checked before anything is encoded: an unknown kind
 * must carry raw bytes (or no data), an unknown option of a known kind is refused naming it.
 * The result goes into `attributes.linkinfo` of a linkMessage.
 */
export function linkInfo(spec: LinkInfoSpec): {
  kind?: string;
  data?: LinkKindData[LinkKind] | Uint8Array;
  slaveKind?: string;
  slaveData?: LinkSlaveData[LinkSlaveKind];
} {
  const s = spec as {
    kind?: unknown;
    data?: unknown;
    slaveKind?: unknown;
    slaveData?: unknown;
  };
  const out: ReturnType<typeof linkInfo> = {};
  if (s.kind !== undefined) {
    if (typeof s.kind !== 'string' || s.kind === '')
      throw new NetlinkEncodeError('BAD_VALUE', 'kind must be a non-empty string', 'linkinfo.kind');
    out.kind = s.kind;
    if (s.data !== undefined) {
      if (!(s.data instanceof Uint8Array)) {
        if (!isLinkKind(s.kind))
          throw new NetlinkEncodeError(
            'BAD_VALUE',
            `rtnl has no options for kind "${s.kind}"; give its IFLA_INFO_DATA as bytes`,
            'linkinfo.data',
          );
        checkKeys(LINK_KIND_DATA[s.kind].attrs, s.data, `linkinfo.data(${s.kind})`);
      }
      out.data = s.data as LinkKindData[LinkKind];
    }
  }
  if (s.slaveKind !== undefined) {
    if (typeof s.slaveKind !== 'string' || !Object.hasOwn(LINK_SLAVE_DATA, s.slaveKind))
      throw new NetlinkEncodeError(
        'BAD_VALUE',
        `slaveKind must be one of ${Object.keys(LINK_SLAVE_DATA).join(', ')}`,
        'linkinfo.slaveKind',
      );
    out.slaveKind = s.slaveKind;
    if (s.slaveData !== undefined) {
      checkKeys(
        LINK_SLAVE_DATA[s.slaveKind as LinkSlaveKind].attrs,
        s.slaveData,
        `linkinfo.slaveData(${s.slaveKind})`,
      );
      out.slaveData = s.slaveData as LinkSlaveData[LinkSlaveKind];
    }
  }
  if (out.kind === undefined && out.slaveKind === undefined)
    throw new NetlinkEncodeError('BAD_VALUE', 'give a kind, a slaveKind or both', 'linkinfo');
  return out;
}

function checkKeys(attrs: object, data: unknown, path: string): void {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new NetlinkEncodeError('BAD_VALUE', 'expected an object of options', path);
  for (const key of Object.keys(data)) {
    if (key !== 'unknown' && !Object.hasOwn(attrs, key))
      throw new NetlinkEncodeError(
        'UNKNOWN_ATTRIBUTE',
        `no option "${key}" (known: ${Object.keys(attrs).join(', ') || 'none'})`,
        `${path}.${key}`,
      );
  }
}
