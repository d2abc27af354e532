// What each rtnetlink message is about: the object and action of a message type, its typed value
// (the same decoders the client's dumps use), the identity key a consumer's table is keyed by,
// the dump that re-reads it, and whether two messages describe the same state.
import type { NetlinkMessage } from '../netlink/message.js';
import { decodeAddress } from '../rtnetlink/api/addresses.js';
import { decodeLink } from '../rtnetlink/api/links.js';
import { decodeNeighbor } from '../rtnetlink/api/neighbors.js';
import { decodeRoute } from '../rtnetlink/api/routes.js';
import { decodeRule } from '../rtnetlink/api/rules.js';
import {
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_DELNEIGH,
  RTM_DELNSID,
  RTM_DELROUTE,
  RTM_DELRULE,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWNEIGH,
  RTM_NEWNSID,
  RTM_NEWROUTE,
  RTM_NEWRULE,
} from '../rtnetlink/constants.js';
import { nsidMessage } from '../rtnetlink/nsid.js';
import type { CoverageId } from './dumps.js';
import type { MonitorObject, MonitorValues, ObjectEvent, TrackedObject } from './types.js';

// Address families (<linux/socket.h>) and the multicast-routing pseudo families
// (<linux/rtnetlink.h>: RTNL_FAMILY_IPMR, RTNL_FAMILY_IP6MR).
const AF_UNSPEC = 0;
const AF_INET = 2;
const AF_BRIDGE = 7;
const AF_INET6 = 10;
const AF_MPLS = 28;
const RTNL_FAMILY_IPMR = 128;
const RTNL_FAMILY_IP6MR = 129;

/** RTM_F_CLONED: a cached (exception) route, not part of the FIB a dump walks. */
const RTM_F_CLONED = 0x200;
/** NTF_SELF, NTF_MASTER, NTF_PROXY (<linux/neighbour.h>). */
const NTF_SELF = 0x02;
const NTF_MASTER = 0x04;
const NTF_PROXY = 0x08;

const OBJECT_OF_TYPE: Record<number, TrackedObject> = {
  [RTM_NEWLINK]: 'link',
  [RTM_DELLINK]: 'link',
  [RTM_NEWADDR]: 'address',
  [RTM_DELADDR]: 'address',
  [RTM_NEWROUTE]: 'route',
  [RTM_DELROUTE]: 'route',
  [RTM_NEWNEIGH]: 'neighbor',
  [RTM_DELNEIGH]: 'neighbor',
  [RTM_NEWRULE]: 'rule',
  [RTM_DELRULE]: 'rule',
  [RTM_NEWNSID]: 'nsid',
  [RTM_DELNSID]: 'nsid',
};

/** The object an rtnetlink message type is about (`other` when rtnl has no schema for it). */
export function objectOfType(type: number): MonitorObject {
  return OBJECT_OF_TYPE[type] ?? 'other';
}

/**
 * `new` or `del` for a message type. rtnetlink types come in fours from RTM_BASE (16):
 * NEW, DEL, GET, SET; only NEW and DEL are ever multicast.
 */
export function actionOfType(type: number): 'new' | 'del' {
  return (type - 16) % 4 === 1 ? 'del' : 'new';
}

/** Decode a message about `object` into its typed value; throws NetlinkDecodeError. */
export function decodeValue<K extends MonitorObject>(
  object: K,
  message: NetlinkMessage,
): MonitorValues[K] {
  let value: MonitorValues[MonitorObject];
  switch (object) {
    case 'link':
      value = decodeLink(message);
      break;
    case 'address':
      value = decodeAddress(message);
      break;
    case 'route':
      value = decodeRoute(message);
      break;
    case 'rule':
      value = decodeRule(message);
      break;
    case 'neighbor':
      value = decodeNeighbor(message);
      break;
    case 'nsid': {
      const { attributes } = nsidMessage.decode(message.payload);
      value = { nsid: attributes.nsid ?? -1, attributes };
      break;
    }
    default:
      value = message.payload;
  }
  return value as MonitorValues[K];
}

/**
 * The identity of the object an event is about: two events with the same key are about the
 * same object, so a consumer keeping a table applies `new` as "set table[key]" and `del` as
 * "delete table[key]". `undefined` for `other` events. Keys are:
 *
 * | object | key |
 * |---|---|
 * | link | family + ifindex (the link itself is family 0; AF_BRIDGE and AF_INET6 messages are per-family views of it) |
 * | address | family + ifindex + local address/prefixlen (+ the peer address of an IPv4 point-to-point address) |
 * | route | family + table + dst/len + src/len + tos + metric (RTA_PRIORITY); IPv6 routes without a gateway, multipath or nexthop object add the output device, as the kernel keeps one such route per device |
 * | rule | family + every selector and the action (the whole rule: rules cannot be changed in place) |
 * | neighbor | family + ifindex + dst (+ `proxy` for proxy entries); bridge FDB entries (AF_BRIDGE): ifindex + lladdr + VLAN + VNI + dst + self/master |
 * | nsid | the id |
 *
 * Two kernel behaviours do not fit a key-value table, and a monitor that tracks state
 * (`listExisting` or `resync`) mends them by re-reading the routes of that family (the
 * corrections arrive as `resync` events): IPv4 routes appended with NLM_F_APPEND under an
 * existing key (the table keeps the latest of them), and deleting one next hop of an IPv6
 * multipath route (the kernel says "deleted" for that next hop only).
 */
export function eventKey(event: Pick<ObjectEvent, 'object' | 'value'>): string | undefined {
  return keyOf(event.object, event.value);
}

/** {@link eventKey} of a value. */
export function keyOf<K extends MonitorObject>(
  object: K,
  value: MonitorValues[K],
): string | undefined {
  switch (object) {
    case 'link': {
      const v = value as MonitorValues['link'];
      return `link:${v.family}:${v.index}`;
    }
    case 'address': {
      const v = value as MonitorValues['address'];
      const { local, address } = v.attributes;
      const peer = v.family === AF_INET && local !== undefined && address !== undefined;
      return `address:${v.family}:${v.index}:${v.address}${peer && address !== local ? `:peer=${address}` : ''}`;
    }
    case 'route': {
      const v = value as MonitorValues['route'];
      const a = v.attributes;
      const perDevice =
        v.family === AF_INET6 &&
        a.gateway === undefined &&
        a.multipath === undefined &&
        a.nhId === undefined &&
        a.via === undefined;
      return `route:${v.family}:${v.table}:${v.dst}:${v.src ?? ''}:${v.tos}:${a.priority ?? 0}${perDevice ? `:${a.oif ?? ''}` : ''}`;
    }
    case 'rule': {
      const v = value as MonitorValues['rule'];
      return `rule:${v.family}:${canonical({ ...v, flags: v.flags.raw })}`;
    }
    case 'neighbor': {
      const v = value as MonitorValues['neighbor'];
      if (v.family === AF_BRIDGE) {
        const a = v.attributes;
        const side = v.flags.raw & (NTF_SELF | NTF_MASTER);
        return `neighbor:${v.family}:${v.ifindex}:${v.lladdr ?? ''}:${a.vlan ?? ''}:${a.vni ?? ''}:${v.dst ?? ''}:${side}`;
      }
      const proxy = (v.flags.raw & NTF_PROXY) !== 0;
      return `neighbor:${v.family}:${v.ifindex}:${v.dst ?? ''}${proxy ? ':proxy' : ''}`;
    }
    case 'nsid':
      return `nsid:${(value as MonitorValues['nsid']).nsid}`;
    default:
      return undefined;
  }
}

/** JSON with bigints as strings and FlagSets as their raw bits: a stable text of a value. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
    if (typeof v === 'object' && v !== null && 'raw' in v && 'names' in v) {
      return (v as { raw: number }).raw;
    }
    return v;
  });
}

/**
 * The dump that re-reads an object (its coverage), or `undefined` for messages no dump
 * reproduces: per-family views of links (AF_BRIDGE, AF_INET6), cached IPv6 routes, `other`.
 */
export function coverageOf(object: MonitorObject, value: unknown): CoverageId | undefined {
  switch (object) {
    case 'link':
      return (value as MonitorValues['link']).family === AF_UNSPEC ? 'link' : undefined;
    case 'address': {
      const f = (value as MonitorValues['address']).family;
      return f === AF_INET ? 'address/inet' : f === AF_INET6 ? 'address/inet6' : undefined;
    }
    case 'route': {
      const v = value as MonitorValues['route'];
      if (v.flags.raw & RTM_F_CLONED) return undefined;
      switch (v.family) {
        case AF_INET:
          return 'route/inet';
        case AF_INET6:
          return 'route/inet6';
        case RTNL_FAMILY_IPMR:
          return 'route/ipmr';
        case RTNL_FAMILY_IP6MR:
          return 'route/ip6mr';
        case AF_MPLS:
          return 'route/mpls';
        default:
          return undefined;
      }
    }
    case 'rule': {
      const f = (value as MonitorValues['rule']).family;
      return f === AF_INET ? 'rule/inet' : f === AF_INET6 ? 'rule/inet6' : undefined;
    }
    case 'neighbor': {
      const v = value as MonitorValues['neighbor'];
      if (v.family === AF_BRIDGE) return 'neighbor/bridge';
      if (v.family !== AF_INET && v.family !== AF_INET6) return undefined;
      return v.flags.raw & NTF_PROXY ? 'neighbor/proxy' : 'neighbor';
    }
    case 'nsid':
      return 'nsid';
    default:
      return undefined;
  }
}
