// Kind-specific parts of `ip link`: the `-d` printers (IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA, as
// iproute2 6.1's ip/iplink_bridge.c, iplink_bridge_slave.c, iplink_vxlan.c, iplink_macvlan.c and
// iptuntap.c print them) and the `type KIND ARGS` parsers for `ip link add|set` (same words and
// error texts as those files' parse_opt). Kinds iproute2 prints no data for (veth, ifb, dummy…)
// have no entry; kinds this machine's kernel lacks (vlan, bond, gre…) are not printed in detail.
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Args, matches } from '../args.js';
import type { GlobalOptions } from '../context.js';
import { CliError, invarg } from '../errors.js';
import type { Output } from '../output.js';
import type { LinkNames } from './link-show.js';

/** What a kind printer needs. */
export interface KindEnv {
  out: Output;
  names: LinkNames;
  opts: GlobalOptions;
}

type Data = Record<string, unknown>;
type Printer = (env: KindEnv, d: Data) => void;

const has = (d: Data, k: string) => d[k] !== undefined;
const u = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const big = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(u(v)));

/** `%#llx` as C prints it: `0` for zero, `0x…` otherwise. */
export function hex0x(n: number | bigint): string {
  return n === 0 || n === 0n ? '0' : `0x${n.toString(16)}`;
}

/** A bridge id (struct ifla_bridge_id) as br_dump_bridge_id prints it: `8000.aa:bb:…`. */
function bridgeId(v: unknown): string {
  const id = v as { prio: number; addr: string };
  // ether_ntoa_r prints each byte without a leading zero.
  const mac = id.addr
    .split(':')
    .map((b) => Number.parseInt(b, 16).toString(16))
    .join(':');
  return `${id.prio.toString(16).padStart(4, '0')}.${mac}`;
}

/** A bridge timer (centiseconds): JSON number `S.CC`, text `name %4i.%.2i `. */
function printTimer(out: Output, key: string, v: unknown): void {
  const cs = big(v);
  const sec = cs / 100n;
  const frac = (cs % 100n).toString().padStart(2, '0');
  if (out.jsonContext) {
    out.jw.name(key);
    out.jw.raw(`${sec}.${frac}`);
  } else out.print(`${key} ${sec.toString().padStart(4)}.${frac} `);
}

/** print_on_off: JSON boolean, text `on`/`off`. */
function onOff(out: Output, key: string, word: string, v: unknown): void {
  const on = u(v) !== 0;
  out.any(key, on, `${word} ${on ? 'on' : 'off'} `);
}

/** print_0xhex: JSON string `0x…`, text `word 0x… `. */
function hexField(out: Output, key: string, word: string, v: unknown): void {
  const h = hex0x(u(v));
  out.any(key, h, `${word} ${h} `);
}

// MDB_RTR_TYPE_*, BR_STATE_*, MACVLAN_MODE_*, VXLAN_DF_*, IFF_TUN/TAP as numbers.
const MCAST_ROUTER: Record<string, number> = { disabled: 0, temp_query: 1, perm: 2, temp: 3 };
const PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];
const num = (map: Record<string, number>, v: unknown) =>
  typeof v === 'string' && Object.hasOwn(map, v) ? map[v]! : u(v);

function printBridge({ out }: KindEnv, d: Data): void {
  const plain: readonly (readonly [string, string, string])[] = [
    ['forwardDelay', 'forward_delay', 'forward_delay'],
    ['helloTime', 'hello_time', 'hello_time'],
    ['maxAge', 'max_age', 'max_age'],
    ['ageingTime', 'ageing_time', 'ageing_time'],
    ['stpState', 'stp_state', 'stp_state'],
    ['priority', 'priority', 'priority'],
    ['vlanFiltering', 'vlan_filtering', 'vlan_filtering'],
  ];
  for (const [k, key, word] of plain) if (has(d, k)) out.any(key, u(d[k]), `${word} ${u(d[k])} `);
  if (has(d, 'vlanProtocol')) {
    const p = d.vlanProtocol;
    const text = p === '802.1Q' || p === '802.1ad' ? p : `0x${u(p).toString(16).padStart(4, '0')}`;
    out.any('vlan_protocol', text, `vlan_protocol ${text} `);
  }
  if (has(d, 'bridgeId')) {
    const id = bridgeId(d.bridgeId);
    out.any('bridge_id', id, `bridge_id ${id} `);
  }
  // iproute2 6.1 prints the bridge id again as the root id (it reads IFLA_BR_BRIDGE_ID).
  if (has(d, 'rootId')) {
    const id = bridgeId(d.bridgeId ?? d.rootId);
    out.any('root_id', id, `designated_root ${id} `);
  }
  const more: readonly (readonly [string, string, string])[] = [
    ['rootPort', 'root_port', 'root_port'],
    ['rootPathCost', 'root_path_cost', 'root_path_cost'],
    ['topologyChange', 'topology_change', 'topology_change'],
    ['topologyChangeDetected', 'topology_change_detected', 'topology_change_detected'],
  ];
  for (const [k, key, word] of more) if (has(d, k)) out.any(key, u(d[k]), `${word} ${u(d[k])} `);
  if (has(d, 'helloTimer')) printTimer(out, 'hello_timer', d.helloTimer);
  if (has(d, 'tcnTimer')) printTimer(out, 'tcn_timer', d.tcnTimer);
  if (has(d, 'topologyChangeTimer'))
    printTimer(out, 'topology_change_timer', d.topologyChangeTimer);
  if (has(d, 'gcTimer')) printTimer(out, 'gc_timer', d.gcTimer);
  const vlan: readonly (readonly [string, string])[] = [
    ['vlanDefaultPvid', 'vlan_default_pvid'],
    ['vlanStatsEnabled', 'vlan_stats_enabled'],
    ['vlanStatsPerPort', 'vlan_stats_per_port'],
  ];
  for (const [k, key] of vlan) if (has(d, k)) out.any(key, u(d[k]), `${key} ${u(d[k])} `);
  if (has(d, 'groupFwdMask')) hexField(out, 'group_fwd_mask', 'group_fwd_mask', d.groupFwdMask);
  if (has(d, 'groupAddr')) {
    const a = String(d.groupAddr);
    out.any('group_addr', a, `group_address ${a} `);
  }
  if (has(d, 'mcastSnooping')) {
    out.any('mcast_snooping', u(d.mcastSnooping), `mcast_snooping ${u(d.mcastSnooping)} `);
  }
  if (has(d, 'multiBoolopt')) {
    const bm = d.multiBoolopt as { optval: number; optmask: number };
    const noLlLearn = 1 << 0; // BR_BOOLOPT_NO_LL_LEARN
    const mcvl = 1 << 1; // BR_BOOLOPT_MCAST_VLAN_SNOOPING
    if (bm.optmask & noLlLearn) {
      const v = bm.optval & noLlLearn ? 1 : 0;
      out.any('no_linklocal_learn', v, `no_linklocal_learn ${v} `);
    }
    if (bm.optmask & mcvl) {
      const v = bm.optval & mcvl ? 1 : 0;
      out.any('mcast_vlan_snooping', v, `mcast_vlan_snooping ${v} `);
    }
  }
  if (has(d, 'mcastRouter')) {
    const v = num(MCAST_ROUTER, d.mcastRouter);
    out.any('mcast_router', v, `mcast_router ${v} `);
  }
  const mcast: readonly (readonly [string, string, string])[] = [
    ['mcastQueryUseIfaddr', 'mcast_query_use_ifaddr', 'mcast_query_use_ifaddr'],
    ['mcastQuerier', 'mcast_querier', 'mcast_querier'],
    ['mcastHashElasticity', 'mcast_hash_elasticity', 'mcast_hash_elasticity'],
    ['mcastHashMax', 'mcast_hash_max', 'mcast_hash_max'],
    ['mcastLastMemberCnt', 'mcast_last_member_cnt', 'mcast_last_member_count'],
    ['mcastStartupQueryCnt', 'mcast_startup_query_cnt', 'mcast_startup_query_count'],
    ['mcastLastMemberIntvl', 'mcast_last_member_intvl', 'mcast_last_member_interval'],
    ['mcastMembershipIntvl', 'mcast_membership_intvl', 'mcast_membership_interval'],
    ['mcastQuerierIntvl', 'mcast_querier_intvl', 'mcast_querier_interval'],
    ['mcastQueryIntvl', 'mcast_query_intvl', 'mcast_query_interval'],
    ['mcastQueryResponseIntvl', 'mcast_query_response_intvl', 'mcast_query_response_interval'],
    ['mcastStartupQueryIntvl', 'mcast_startup_query_intvl', 'mcast_startup_query_interval'],
    ['mcastStatsEnabled', 'mcast_stats_enabled', 'mcast_stats_enabled'],
    ['mcastIgmpVersion', 'mcast_igmp_version', 'mcast_igmp_version'],
    ['mcastMldVersion', 'mcast_mld_version', 'mcast_mld_version'],
    ['nfCallIptables', 'nf_call_iptables', 'nf_call_iptables'],
    ['nfCallIp6tables', 'nf_call_ip6tables', 'nf_call_ip6tables'],
    ['nfCallArptables', 'nf_call_arptables', 'nf_call_arptables'],
  ];
  for (const [k, key, word] of mcast) {
    if (!has(d, k)) continue;
    const v = typeof d[k] === 'bigint' ? (d[k] as bigint) : u(d[k]);
    out.any(key, v, `${word} ${v} `);
  }
}

// group_fwd_mask bits iproute2 names (fwd_mask_tbl).
const FWD_MASK_NAMES: Record<number, string> = { 0: 'stp', 2: 'lacp', 14: 'lldp' };

function fwdMaskString(mask: number): string {
  const parts: string[] = [];
  for (let i = 0, m = mask; m; i++, m >>= 1) {
    if (m & 1) parts.push(FWD_MASK_NAMES[i] ?? `0x${(1 << i).toString(16)}`);
  }
  return parts.length ? parts.join(',') : '0x0';
}

function printBridgeSlave({ out, names }: KindEnv, d: Data): void {
  if (has(d, 'state')) {
    const s = num({ disabled: 0, listening: 1, learning: 2, forwarding: 3, blocking: 4 }, d.state);
    if (s < PORT_STATES.length) out.any('state', PORT_STATES[s]!, `state ${PORT_STATES[s]} `);
    else out.any('state_index', s, `state (${s}) `);
  }
  if (has(d, 'priority')) out.any('priority', u(d.priority), `priority ${u(d.priority)} `);
  if (has(d, 'cost')) out.any('cost', u(d.cost), `cost ${u(d.cost)} `);
  const flags1: readonly (readonly [string, string])[] = [
    ['mode', 'hairpin'],
    ['guard', 'guard'],
    ['protect', 'root_block'],
    ['fastLeave', 'fastleave'],
    ['learning', 'learning'],
    ['unicastFlood', 'flood'],
  ];
  for (const [k, key] of flags1) if (has(d, k)) onOff(out, key, key, d[k]);
  if (has(d, 'id')) hexField(out, 'id', 'port_id', d.id);
  if (has(d, 'no')) hexField(out, 'no', 'port_no', d.no);
  if (has(d, 'designatedPort')) {
    out.any('designated_port', u(d.designatedPort), `designated_port ${u(d.designatedPort)} `);
  }
  if (has(d, 'designatedCost')) {
    out.any('designated_cost', u(d.designatedCost), `designated_cost ${u(d.designatedCost)} `);
  }
  if (has(d, 'bridgeId')) {
    const id = bridgeId(d.bridgeId);
    out.any('bridge_id', id, `designated_bridge ${id} `);
  }
  if (has(d, 'rootId')) {
    const id = bridgeId(d.rootId);
    out.any('root_id', id, `designated_root ${id} `);
  }
  if (has(d, 'holdTimer')) printTimer(out, 'hold_timer', d.holdTimer);
  if (has(d, 'messageAgeTimer')) printTimer(out, 'message_age_timer', d.messageAgeTimer);
  if (has(d, 'forwardDelayTimer')) printTimer(out, 'forward_delay_timer', d.forwardDelayTimer);
  if (has(d, 'topologyChangeAck')) {
    out.any(
      'topology_change_ack',
      u(d.topologyChangeAck),
      `topology_change_ack ${u(d.topologyChangeAck)} `,
    );
  }
  if (has(d, 'configPending')) {
    out.any('config_pending', u(d.configPending), `config_pending ${u(d.configPending)} `);
  }
  if (has(d, 'proxyarp')) onOff(out, 'proxy_arp', 'proxy_arp', d.proxyarp);
  if (has(d, 'proxyarpWifi')) onOff(out, 'proxy_arp_wifi', 'proxy_arp_wifi', d.proxyarpWifi);
  if (has(d, 'multicastRouter')) {
    const v = num(MCAST_ROUTER, d.multicastRouter);
    out.any('multicast_router', v, `mcast_router ${v} `);
  }
  // Text only: the JSON already carries it as "fastleave".
  if (has(d, 'fastLeave')) out.text(`mcast_fast_leave ${u(d.fastLeave) ? 'on' : 'off'} `);
  const flags2: readonly (readonly [string, string])[] = [
    ['mcastFlood', 'mcast_flood'],
    ['bcastFlood', 'bcast_flood'],
    ['mcastToUcast', 'mcast_to_unicast'],
    ['neighSuppress', 'neigh_suppress'],
  ];
  for (const [k, key] of flags2) if (has(d, k)) onOff(out, key, key, d[k]);
  if (has(d, 'groupFwdMask')) {
    hexField(out, 'group_fwd_mask', 'group_fwd_mask', d.groupFwdMask);
    const s = fwdMaskString(u(d.groupFwdMask));
    out.any('group_fwd_mask_str', s, `group_fwd_mask_str ${s} `);
  }
  const flags3: readonly (readonly [string, string])[] = [
    ['vlanTunnel', 'vlan_tunnel'],
    ['isolated', 'isolated'],
    ['locked', 'locked'],
  ];
  for (const [k, key] of flags3) if (has(d, k)) onOff(out, key, key, d[k]);
  if (has(d, 'backupPort')) {
    const n = names.name(u(d.backupPort));
    out.any('backup_port', n, `backup_port ${n} `);
  }
}

const isV4Multicast = (a: string) => {
  const first = Number(a.split('.')[0]);
  return first >= 224 && first <= 239;
};
const isV6Multicast = (a: string) => /^ff/i.test(a);

function printVxlan({ out, names }: KindEnv, d: Data): void {
  if (has(d, 'collectMetadata') && u(d.collectMetadata)) out.any('external', true, 'external ');
  if (has(d, 'vnifilter') && u(d.vnifilter)) out.any('vnifilter', true, 'vnifilter');
  if (has(d, 'id')) out.any('id', u(d.id), `id ${u(d.id)} `);
  if (has(d, 'group')) {
    const a = String(d.group);
    if (a !== '0.0.0.0') {
      if (isV4Multicast(a)) out.any('group', a, `group ${a} `);
      else out.any('remote', a, `remote ${a} `);
    }
  } else if (has(d, 'group6')) {
    const a = String(d.group6);
    if (a !== '::') {
      if (isV6Multicast(a)) out.any('group6', a, `group ${a} `);
      else out.any('remote6', a, `remote ${a} `);
    }
  }
  if (has(d, 'local')) {
    const a = String(d.local);
    if (a !== '0.0.0.0') out.any('local', a, `local ${a} `);
  } else if (has(d, 'local6')) {
    const a = String(d.local6);
    if (a !== '::') out.any('local6', a, `local ${a} `);
  }
  if (has(d, 'link') && u(d.link)) {
    const n = names.name(u(d.link));
    out.any('link', n, `dev ${n} `);
  }
  if (has(d, 'portRange')) {
    const r = d.portRange as { low: number; high: number };
    if (out.jsonContext) out.jsonOnly('port_range', { low: r.low, high: r.high });
    else out.print(`srcport ${r.low} ${r.high} `);
  }
  if (has(d, 'port')) out.any('port', u(d.port), `dstport ${u(d.port)} `);
  if (has(d, 'learning')) {
    const l = u(d.learning) !== 0;
    out.jsonOnly('learning', l);
    if (!l) out.text('nolearning ');
  }
  for (const k of ['proxy', 'rsc', 'l2miss', 'l3miss']) {
    if (has(d, k) && u(d[k])) out.any(k, true, `${k} `);
  }
  const tos = has(d, 'tos') ? u(d.tos) : 0;
  if (tos) {
    if (out.jsonContext || tos !== 1) hexField(out, 'tos', 'tos', tos);
    else out.text('tos inherit ');
  }
  if (has(d, 'ttlInherit') && u(d.ttlInherit === true ? 1 : d.ttlInherit)) {
    out.text('ttl inherit ');
  } else if (has(d, 'ttl')) {
    const ttl = u(d.ttl);
    if (out.jsonContext || ttl) out.any('ttl', ttl, `ttl ${ttl} `);
    else out.text('ttl auto ');
  }
  if (has(d, 'df')) {
    const df = num({ unset: 0, set: 1, inherit: 2 }, d.df);
    if (df === 0) out.jsonOnly('df', 'unset');
    else if (df === 1) out.any('df', 'set', 'df set ');
    else if (df === 2) out.any('df', 'inherit', 'df inherit ');
  }
  if (has(d, 'label') && u(d.label)) hexField(out, 'label', 'flowlabel', d.label);
  if (has(d, 'ageing')) {
    const age = u(d.ageing);
    out.any('ageing', age, age === 0 ? 'ageing none ' : `ageing ${age} `);
  }
  if (has(d, 'limit') && u(d.limit)) out.any('limit', u(d.limit), `maxaddr ${u(d.limit)} `);
  const csums: readonly (readonly [string, string, string])[] = [
    ['udpCsum', 'udp_csum', 'udpcsum '],
    ['udpZeroCsum6Tx', 'udp_zero_csum6_tx', 'udp6zerocsumtx '],
    ['udpZeroCsum6Rx', 'udp_zero_csum6_rx', 'udp6zerocsumrx '],
  ];
  for (const [k, key, word] of csums) {
    if (!has(d, k)) continue;
    const on = u(d[k]) !== 0;
    out.any(key, on, `${on ? '' : 'no'}${word}`);
  }
  if (has(d, 'remcsumTx') && u(d.remcsumTx)) out.any('remcsum_tx', true, 'remcsumtx ');
  if (has(d, 'remcsumRx') && u(d.remcsumRx)) out.any('remcsum_rx', true, 'remcsumrx ');
  if (has(d, 'gbp')) out.any('gbp', true, 'gbp ');
  if (has(d, 'gpe')) out.any('gpe', true, 'gpe ');
}

const MACVLAN_MODES: Record<number, string> = {
  1: 'private',
  2: 'vepa',
  4: 'bridge',
  8: 'passthru',
  16: 'source',
};

function printMacvlan({ out }: KindEnv, d: Data): void {
  if (!has(d, 'mode')) return;
  const mode = num({ private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 }, d.mode);
  const name = MACVLAN_MODES[mode] ?? 'unknown';
  out.any('mode', name, `mode ${name} `);
  const flags = has(d, 'flags') ? u((d.flags as { raw?: number }).raw ?? d.flags) : 0;
  if (flags & 1) out.any('nopromisc', true, 'nopromisc ');
  if (flags & 2) out.any('nodst', true, 'nodst ');
  if (has(d, 'bcQueueLen'))
    out.any('bcqueuelen', u(d.bcQueueLen), `bcqueuelen ${u(d.bcQueueLen)} `);
  if (has(d, 'bcQueueLenUsed')) {
    out.any('usedbcqueuelen', u(d.bcQueueLenUsed), `usedbcqueuelen ${u(d.bcQueueLenUsed)} `);
  }
  if (mode !== 16 || !has(d, 'macaddrCount')) return;
  out.any('macaddr_count', u(d.macaddrCount), `remotes (${u(d.macaddrCount)}) `);
  const data = d.macaddrData as { macaddr?: string[] } | undefined;
  if (!data) return;
  out.openArray('macaddr_data');
  for (const m of data.macaddr ?? []) {
    if (out.jsonContext) out.jsonOnly(undefined, m);
    else out.print(`${m} `);
  }
  out.closeArray();
}

function userName(uid: number): string | undefined {
  // getpwuid without a native call: /etc/passwd, as NSS files would answer.
  return lookupIdFile('/etc/passwd', uid);
}

function groupName(gid: number): string | undefined {
  return lookupIdFile('/etc/group', gid);
}

function lookupIdFile(file: string, id: number): string | undefined {
  try {
    if (file === '/etc/passwd' && id === process.getuid?.()) return userInfo().username;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length > 2 && Number(f[2]) === id) return f[0];
    }
  } catch {
    // no such file: print the number
  }
  return undefined;
}

function printTun({ out }: KindEnv, d: Data): void {
  if (has(d, 'type')) {
    const t = num({ tun: 1, tap: 2 }, d.type);
    const s = t === 1 ? 'tun' : t === 2 ? 'tap' : `UNKNOWN:${t}`;
    out.any('type', s, `type ${s} `);
  }
  if (has(d, 'pi')) onOff(out, 'pi', 'pi', d.pi);
  if (has(d, 'vnetHdr')) onOff(out, 'vnet_hdr', 'vnet_hdr', d.vnetHdr);
  if (!has(d, 'multiQueue') || !u(d.multiQueue)) {
    out.jsonOnly('multi_queue', false);
  } else {
    out.any('multi_queue', true, 'multi_queue ');
    if (has(d, 'numQueues')) out.any('numqueues', u(d.numQueues), `numqueues ${u(d.numQueues)} `);
    if (has(d, 'numDisabledQueues')) {
      out.any('numdisabled', u(d.numDisabledQueues), `numdisabled ${u(d.numDisabledQueues)} `);
    }
  }
  if (has(d, 'persist')) onOff(out, 'persist', 'persist', d.persist);
  if (has(d, 'owner')) {
    const name = userName(u(d.owner));
    out.any('user', name ?? u(d.owner), `user ${name ?? u(d.owner)} `);
  }
  if (has(d, 'group')) {
    const name = groupName(u(d.group));
    out.any('group', name ?? u(d.group), `group ${name ?? u(d.group)} `);
  }
}

const KIND_PRINTERS: Record<string, Printer> = {
  bridge: printBridge,
  vxlan: printVxlan,
  macvlan: printMacvlan,
  macvtap: printMacvlan,
  tun: printTun,
};
const SLAVE_PRINTERS: Record<string, Printer> = {
  bridge: printBridgeSlave,
};

/**
 * The "info_data" object of print_linktype: present whenever iproute2 has a printer for the
 * kind (empty when the kernel sent no data), absent otherwise.
 */
export function printKindData(env: KindEnv, kind: string, data: Data | undefined): void {
  const p = KIND_PRINTERS[kind];
  if (!p) return;
  env.out.openObject('info_data');
  if (data) p(env, data);
  env.out.closeObject();
}

/** The "info_slave_data" object, as printKindData. */
export function printSlaveData(env: KindEnv, kind: string, data: Data | undefined): void {
  const p = SLAVE_PRINTERS[kind];
  if (!p) return;
  env.out.openObject('info_slave_data');
  if (data) p(env, data);
  env.out.closeObject();
}

// ---- `type KIND ARGS` parsers ------------------------------------------------------------

/** A resolved name → ifindex lookup the parsers use (`dev`, `backup_port`). */
export type IndexOf = (name: string) => Promise<number>;

/** What a kind's parser produces: IFLA_INFO_DATA for the library's `data`. */
export interface KindParse {
  data: Record<string, unknown>;
}

type Conv = 'u8' | 'u16' | 'u32' | 'u64';

function conv(kind: Conv, arg: string, msg: string): number | bigint {
  const m = /^[ \t]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(arg);
  if (!m) throw invarg(msg, arg);
  const d = m[1]!;
  const v = /^0[xX]/.test(d)
    ? BigInt(d)
    : d.length > 1 && d.startsWith('0')
      ? BigInt(`0o${d.slice(1)}`)
      : BigInt(d);
  const max = { u8: 0xffn, u16: 0xffffn, u32: 0xffffffffn, u64: 0xffffffffffffffffn }[kind];
  if (v > max) throw invarg(msg, arg);
  return kind === 'u64' ? v : Number(v);
}

// bridge_parse_opt: word → [data key, width].
const BRIDGE_NUMS: readonly (readonly [string, string, Conv])[] = [
  ['forward_delay', 'forwardDelay', 'u32'],
  ['hello_time', 'helloTime', 'u32'],
  ['max_age', 'maxAge', 'u32'],
  ['ageing_time', 'ageingTime', 'u32'],
  ['stp_state', 'stpState', 'u32'],
  ['priority', 'priority', 'u16'],
  ['vlan_filtering', 'vlanFiltering', 'u8'],
  ['group_fwd_mask', 'groupFwdMask', 'u16'],
  ['vlan_default_pvid', 'vlanDefaultPvid', 'u16'],
  ['vlan_stats_enabled', 'vlanStatsEnabled', 'u8'],
  ['vlan_stats_per_port', 'vlanStatsPerPort', 'u8'],
  ['mcast_router', 'mcastRouter', 'u8'],
  ['mcast_snooping', 'mcastSnooping', 'u8'],
  ['mcast_query_use_ifaddr', 'mcastQueryUseIfaddr', 'u8'],
  ['mcast_querier', 'mcastQuerier', 'u8'],
  ['mcast_hash_elasticity', 'mcastHashElasticity', 'u32'],
  ['mcast_hash_max', 'mcastHashMax', 'u32'],
  ['mcast_last_member_count', 'mcastLastMemberCnt', 'u32'],
  ['mcast_startup_query_count', 'mcastStartupQueryCnt', 'u32'],
  ['mcast_last_member_interval', 'mcastLastMemberIntvl', 'u64'],
  ['mcast_membership_interval', 'mcastMembershipIntvl', 'u64'],
  ['mcast_querier_interval', 'mcastQuerierIntvl', 'u64'],
  ['mcast_query_interval', 'mcastQueryIntvl', 'u64'],
  ['mcast_query_response_interval', 'mcastQueryResponseIntvl', 'u64'],
  ['mcast_startup_query_interval', 'mcastStartupQueryIntvl', 'u64'],
  ['mcast_stats_enabled', 'mcastStatsEnabled', 'u8'],
  ['mcast_igmp_version', 'mcastIgmpVersion', 'u8'],
  ['mcast_mld_version', 'mcastMldVersion', 'u8'],
  ['nf_call_iptables', 'nfCallIptables', 'u8'],
  ['nf_call_ip6tables', 'nfCallIp6tables', 'u8'],
  ['nf_call_arptables', 'nfCallArptables', 'u8'],
];
const MCAST_ROUTER_NAMES = ['disabled', 'temp_query', 'perm', 'temp'];

function parseBridge(args: string[]): KindParse {
  const data: Record<string, unknown> = {};
  const words = new Args(args);
  while (!words.done) {
    const w = words.next()!;
    const row = BRIDGE_NUMS.find(([word]) => matches(w, word));
    if (row) {
      const [word, key, width] = row;
      const v = conv(width, words.needValue(), `invalid ${word}`);
      // The library names enum values; give it the name when there is one.
      data[key] = key === 'mcastRouter' ? (MCAST_ROUTER_NAMES[v as number] ?? v) : v;
    } else if (matches(w, 'group_address')) {
      data.groupAddr = words.needValue();
    } else if (matches(w, 'vlan_protocol')) {
      const v = words.needValue();
      if (v !== '802.1Q' && v !== '802.1ad') throw invarg('invalid vlan_protocol', v);
      data.vlanProtocol = v;
    } else if (matches(w, 'fdb_flush')) {
      data.fdbFlush = true;
    } else {
      throw new CliError(`bridge: unknown command "${w}"?`, 1);
    }
  }
  return { data };
}

const SLAVE_ONOFF: readonly (readonly [string, string])[] = [
  ['hairpin', 'mode'],
  ['guard', 'guard'],
  ['root_block', 'protect'],
  ['fastleave', 'fastLeave'],
  ['learning', 'learning'],
  ['flood', 'unicastFlood'],
  ['mcast_flood', 'mcastFlood'],
  ['bcast_flood', 'bcastFlood'],
  ['mcast_to_unicast', 'mcastToUcast'],
  ['proxy_arp', 'proxyarp'],
  ['proxy_arp_wifi', 'proxyarpWifi'],
  ['mcast_fast_leave', 'fastLeave'],
  ['neigh_suppress', 'neighSuppress'],
  ['vlan_tunnel', 'vlanTunnel'],
  ['isolated', 'isolated'],
  ['locked', 'locked'],
];
const PORT_STATE_NAMES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

async function parseBridgeSlave(args: string[], indexOf: IndexOf): Promise<KindParse> {
  const data: Record<string, unknown> = {};
  const words = new Args(args);
  while (!words.done) {
    const w = words.next()!;
    if (matches(w, 'fdb_flush')) data.flush = true;
    else if (matches(w, 'state')) {
      const v = conv('u8', words.needValue(), 'state is invalid') as number;
      data.state = PORT_STATE_NAMES[v] ?? v;
    } else if (matches(w, 'priority'))
      data.priority = conv('u16', words.needValue(), 'priority is invalid');
    else if (matches(w, 'cost')) data.cost = conv('u32', words.needValue(), 'cost is invalid');
    else if (matches(w, 'mcast_router')) {
      const v = conv('u8', words.needValue(), 'invalid mcast_router') as number;
      data.multicastRouter = MCAST_ROUTER_NAMES[v] ?? v;
    } else if (matches(w, 'group_fwd_mask')) {
      data.groupFwdMask = conv('u16', words.needValue(), 'invalid group_fwd_mask');
    } else if (matches(w, 'backup_port')) {
      const dev = words.needValue();
      const idx = await indexOf(dev);
      if (!idx) throw invarg('Device does not exist\n', dev);
      data.backupPort = idx;
    } else if (matches(w, 'nobackup_port')) data.backupPort = 0;
    else {
      const row = SLAVE_ONOFF.find(([word]) => matches(w, word));
      if (!row) throw new CliError(`bridge_slave: unknown option "${w}"?`, 1);
      const v = words.needValue();
      if (v !== 'on' && v !== 'off') {
        throw new CliError(`Error: argument of "${row[0]}" must be "on" or "off", not "${v}"`, 1);
      }
      data[row[1]] = v === 'on' ? 1 : 0;
    }
  }
  return { data };
}

async function parseVxlan(
  args: string[],
  indexOf: IndexOf,
  create: boolean,
  family: string | undefined,
): Promise<KindParse> {
  const data: Record<string, unknown> = {};
  const seen = new Set<string>();
  let vni: number | undefined;
  let local: string | undefined;
  let group: string | undefined;
  let learning = 1;
  let learningSet = false;
  let dstport: number | undefined;
  let metadata = false;
  let vnifilter = false;
  const dup = (key: string, shown: string, arg: string) => {
    if (seen.has(key)) {
      throw new CliError(`Error: duplicate "${shown}": "${arg}" is the second value.`, 255);
    }
    seen.add(key);
  };
  const { parseAddr } = await import('../args.js');
  const words = new Args(args);
  while (!words.done) {
    const w = words.next()!;
    const flag8 = (key: string, value: 0 | 1) => {
      dup(key, w, w);
      data[key] = value;
    };
    if (matches(w, 'id') || matches(w, 'vni')) {
      const v = words.needValue();
      dup('id', 'id', v);
      const n = conv('u32', v, 'invalid id') as number;
      if (n >= 1 << 24) throw invarg('invalid id', v);
      vni = n;
    } else if (matches(w, 'group') || matches(w, 'remote')) {
      const isGroup = matches(w, 'group');
      const v = words.needValue();
      dup('group', isGroup ? 'group' : 'remote', v);
      const a = parseAddr(v, local?.includes(':') ? 'inet6' : local ? 'inet' : undefined);
      const multi = a.family === 'inet6' ? isV6Multicast(a.address) : isV4Multicast(a.address);
      if (isGroup && !multi) throw invarg('invalid group address', v);
      if (!isGroup && multi) throw invarg('invalid remote address', v);
      group = a.address;
    } else if (matches(w, 'local')) {
      const v = words.needValue();
      dup('local', 'local', v);
      const a = parseAddr(v, group?.includes(':') ? 'inet6' : group ? 'inet' : undefined);
      if ((a.family === 'inet6' ? isV6Multicast(a.address) : isV4Multicast(a.address)) || a.any) {
        throw invarg('invalid local address', v);
      }
      local = a.address;
    } else if (matches(w, 'dev')) {
      const v = words.needValue();
      dup('link', 'dev', v);
      const idx = await indexOf(v);
      if (!idx) throw new CliError(`Error: argument "${v}" is wrong: invalid device\n`, 255);
      data.link = idx;
    } else if (matches(w, 'ttl') || matches(w, 'hoplimit')) {
      const v = words.needValue();
      dup('ttl', 'ttl', v);
      if (v === 'inherit') data.ttlInherit = true;
      else if (v === 'auto') data.ttl = 0;
      else {
        const n = conv('u32', v, 'invalid TTL') as number;
        if (n > 255) throw invarg('TTL must be <= 255', v);
        data.ttl = n;
      }
    } else if (matches(w, 'tos') || matches(w, 'dsfield')) {
      const v = words.needValue();
      dup('tos', 'tos', v);
      if (v === 'inherit') data.tos = 1;
      else {
        const n = /^[0-9a-fA-F]{1,2}$/.test(v.replace(/^0x/i, ''))
          ? Number.parseInt(v.replace(/^0x/i, ''), 16)
          : NaN;
        if (Number.isNaN(n)) throw invarg('bad TOS value', v);
        data.tos = n;
      }
    } else if (matches(w, 'df')) {
      const v = words.needValue();
      dup('df', 'df', v);
      if (v !== 'unset' && v !== 'set' && v !== 'inherit') {
        throw invarg("DF must be 'unset', 'set' or 'inherit'", v);
      }
      data.df = v;
    } else if (matches(w, 'label') || matches(w, 'flowlabel')) {
      const v = words.needValue();
      dup('label', 'flowlabel', v);
      const n = conv('u32', v, 'invalid flowlabel') as number;
      if (n & ~0xfffff) throw invarg('invalid flowlabel', v);
      data.label = n;
    } else if (matches(w, 'ageing')) {
      const v = words.needValue();
      dup('ageing', 'ageing', v);
      data.ageing = v === 'none' ? 0 : conv('u32', v, 'ageing timer');
    } else if (matches(w, 'maxaddress')) {
      const v = words.needValue();
      dup('limit', 'maxaddress', v);
      data.limit = v === 'unlimited' ? 0 : conv('u32', v, 'max addresses');
    } else if (matches(w, 'port') || matches(w, 'srcport')) {
      const lo = words.needValue();
      dup('portRange', 'srcport', lo);
      const low = conv('u16', lo, 'min port') as number;
      const high = conv('u16', words.needValue(), 'max port') as number;
      if (high < low) throw invarg('max port', String(high));
      data.portRange = { low, high };
    } else if (matches(w, 'dstport')) {
      const v = words.needValue();
      dup('port', 'dstport', v);
      dstport = conv('u16', v, 'dst port') as number;
    } else if (matches(w, 'nolearning')) {
      dup('learning', w, w);
      learning = 0;
      learningSet = true;
    } else if (matches(w, 'learning')) {
      dup('learning', w, w);
      learning = 1;
      learningSet = true;
    } else if (matches(w, 'noproxy')) flag8('proxy', 0);
    else if (matches(w, 'proxy')) flag8('proxy', 1);
    else if (matches(w, 'norsc')) flag8('rsc', 0);
    else if (matches(w, 'rsc')) flag8('rsc', 1);
    else if (matches(w, 'nol2miss')) flag8('l2miss', 0);
    else if (matches(w, 'l2miss')) flag8('l2miss', 1);
    else if (matches(w, 'nol3miss')) flag8('l3miss', 0);
    else if (matches(w, 'l3miss')) flag8('l3miss', 1);
    else if (matches(w, 'udpcsum')) flag8('udpCsum', 1);
    else if (matches(w, 'noudpcsum')) flag8('udpCsum', 0);
    else if (matches(w, 'udp6zerocsumtx')) flag8('udpZeroCsum6Tx', 1);
    else if (matches(w, 'noudp6zerocsumtx')) flag8('udpZeroCsum6Tx', 0);
    else if (matches(w, 'udp6zerocsumrx')) flag8('udpZeroCsum6Rx', 1);
    else if (matches(w, 'noudp6zerocsumrx')) flag8('udpZeroCsum6Rx', 0);
    else if (matches(w, 'remcsumtx')) flag8('remcsumTx', 1);
    else if (matches(w, 'noremcsumtx')) flag8('remcsumTx', 0);
    else if (matches(w, 'remcsumrx')) flag8('remcsumRx', 1);
    else if (matches(w, 'noremcsumrx')) flag8('remcsumRx', 0);
    else if (matches(w, 'external')) {
      flag8('collectMetadata', 1);
      metadata = true;
      learning = 0;
    } else if (matches(w, 'noexternal')) flag8('collectMetadata', 0);
    else if (matches(w, 'gbp')) {
      dup('gbp', w, w);
      data.gbp = true;
    } else if (matches(w, 'gpe')) {
      dup('gpe', w, w);
      data.gpe = true;
    } else if (w === 'vnifilter') {
      flag8('vnifilter', 1);
      vnifilter = true;
    } else if (w === 'novnifilter') flag8('vnifilter', 0);
    else throw new CliError(`vxlan: unknown command "${w}"?`, 1);
  }
  if (!metadata && vnifilter) {
    throw new CliError("vxlan: vnifilter is valid only when 'external' is set", 1);
  }
  if (metadata && vni !== undefined) {
    throw new CliError("vxlan: both 'external' and vni cannot be specified", 1);
  }
  if (!metadata && !vnifilter && vni === undefined && create) {
    throw new CliError('vxlan: missing virtual network identifier', 1);
  }
  const groupMulti =
    group !== undefined && (group.includes(':') ? isV6Multicast(group) : isV4Multicast(group));
  if (groupMulti && data.link === undefined) {
    throw new CliError("vxlan: 'group' requires 'dev' to be specified", 1);
  }
  // ip's order: the attributes above in argument order, then id, local, group, learning, port.
  const out: Record<string, unknown> = { ...data };
  if (vni !== undefined) out.id = vni;
  if (local !== undefined) out[local.includes(':') ? 'local6' : 'local'] = local;
  if (group !== undefined) out[group.includes(':') ? 'group6' : 'group'] = group;
  if (local === undefined && group === undefined) {
    if (family === 'inet') out.group = '0.0.0.0';
    else if (family === 'inet6') out.group6 = '::';
  }
  if (create || learningSet) out.learning = learning;
  if (dstport === undefined && data.gpe) dstport = 4790;
  if (dstport) out.port = dstport;
  return { data: out };
}

async function parseMacvlan(args: string[], kind: string): Promise<KindParse> {
  const data: Record<string, unknown> = {};
  const flags: string[] = [];
  const words = new Args(args);
  while (!words.done) {
    const w = words.next()!;
    if (matches(w, 'mode')) {
      const v = words.needValue();
      if (!['private', 'vepa', 'bridge', 'passthru', 'source'].includes(v)) {
        throw new CliError(
          `Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "${v}"`,
          1,
        );
      }
      data.mode = v;
    } else if (matches(w, 'nopromisc')) flags.push('nopromisc');
    else if (matches(w, 'nodst')) flags.push('nodst');
    else if (matches(w, 'bcqueuelen')) {
      const v = words.needValue();
      const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
      if (!(n <= 0xffffffff)) {
        throw new CliError(
          `Error: argument of "bcqueuelen" must be a positive integer [0-4294967295], not "${v}"`,
          1,
        );
      }
      data.bcQueueLen = n;
    } else throw new CliError(`${kind}: unknown option "${w}"?`, 1);
  }
  if (flags.includes('nopromisc') && data.mode !== 'passthru') {
    throw new CliError(`${kind}: nopromisc flag only valid in passthru mode`, 1);
  }
  if (flags.length) data.flags = flags;
  return { data };
}

/** Kinds whose `type KIND` takes arguments rtnl parses (others take none). */
export function kindTakesArgs(kind: string): boolean {
  return ['bridge', 'bridge_slave', 'vxlan', 'macvlan', 'macvtap', 'veth'].includes(kind);
}

/**
 * Parse `type KIND ARGS` (veth is handled by the caller: its ARGS are a whole peer link).
 * Returns undefined for a kind rtnl has no parser for.
 */
export async function parseKindArgs(
  kind: string,
  args: string[],
  indexOf: IndexOf,
  create: boolean,
  family: string | undefined,
): Promise<KindParse | undefined> {
  switch (kind) {
    case 'bridge':
      return parseBridge(args);
    case 'bridge_slave':
      return parseBridgeSlave(args, indexOf);
    case 'vxlan':
      return parseVxlan(args, indexOf, create, family);
    case 'macvlan':
    case 'macvtap':
      return parseMacvlan(args, kind);
    default:
      return undefined;
  }
}
