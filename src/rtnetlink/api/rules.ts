// rt.rules: list / iterate / add / delete. Requests come from the pure builders in
// ../requests/rule.ts; replies are decoded with the rule schema.

import { formatIp } from '../../netlink/address.js';
import type { NetlinkMessage } from '../../netlink/message.js';
import type { Decoded, FlagSet } from '../../netlink/schema.js';
import type { RtNetlink } from '../client.js';
import { FIB_RULE, FR_ACT, RT_TABLE, RTM_NEWRULE } from '../constants.js';
import type { FamilyInput, RequestPlan } from '../requests/route.js';
import { tableId } from '../requests/route.js';
import { buildRuleDumpRequest, buildRuleRequest, type RuleSpec } from '../requests/rule.js';
import { ruleMessage } from '../rule.js';
import { checkU32, enumName, flagSetOf, parseInetPrefix } from './inet.js';

/** The decoded FRA_* attributes of a rule (the rule schema's decode). */
export type RuleAttributes = Decoded<typeof ruleMessage.attributes.attrs>;

/**
 * A rule as the kernel reported it: the fib_rule_hdr fields with natural values, conveniences
 * (`priority`, `src`, `dst`, `table`) and every attribute as the rule schema decodes it.
 */
export interface Rule {
  /** AF_INET (2) or AF_INET6 (10). */
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  /** FRA_TABLE when present (all 32 bits), else the header's table; reserved ids by name. */
  table: keyof typeof RT_TABLE | number;
  action: keyof typeof FR_ACT | number;
  flags: FlagSet<keyof typeof FIB_RULE>;
  /** FRA_PRIORITY (0 when absent: the rule at preference 0). */
  priority: number;
  /** 'all', or the source prefix 'address/len'. */
  src: string;
  /** 'all', or the destination prefix 'address/len'. */
  dst: string;
  attributes: RuleAttributes;
}

/**
 * What `list()` selects. The kernel filters rule dumps by family only; every other field is
 * checked on each decoded rule.
 */
export interface RuleFilter {
  family?: FamilyInput | undefined;
  priority?: number | undefined;
  table?: string | number | undefined;
  /** Exactly this source ('all' or a prefix). */
  src?: string | undefined;
  /** Exactly this destination ('all' or a prefix). */
  dst?: string | undefined;
  /** Only rules on this input device name (FRA_IIFNAME). */
  iif?: string | undefined;
  /** Only rules on this output device name (FRA_OIFNAME). */
  oif?: string | undefined;
  fwmark?: number | undefined;
}

function prefixText(addr: string | undefined, len: number, family: number): string {
  if (addr !== undefined && len > 0) return `${addr}/${len}`;
  if (len > 0) return `${family === 10 ? '::' : '0.0.0.0'}/${len}`;
  return 'all';
}

/** Turn an RTM_NEWRULE message into a {@link Rule}. */
export function decodeRule(msg: NetlinkMessage | Uint8Array): Rule {
  const payload = msg instanceof Uint8Array ? msg : msg.payload;
  const { header: h, attributes } = ruleMessage.decode(payload);
  return {
    family: h.family,
    dstLen: h.dst_len,
    srcLen: h.src_len,
    tos: h.tos,
    table: enumName(RT_TABLE, attributes.table ?? h.table),
    action: enumName(FR_ACT, h.action),
    flags: flagSetOf(FIB_RULE, h.flags),
    priority: attributes.priority ?? 0,
    src: prefixText(attributes.src, h.src_len, h.family),
    dst: prefixText(attributes.dst, h.dst_len, h.family),
    attributes,
  };
}

function normalPrefix(text: string, path: string): string {
  if (text === 'all') return text;
  const p = parseInetPrefix(text, path);
  return p.prefixLen === 0 ? 'all' : `${formatIp(p.bytes)}/${p.prefixLen}`;
}

/** Policy routing rules (RTM_NEWRULE / RTM_DELRULE / RTM_GETRULE). Reach it as `rt.rules`. */
export class Rules {
  readonly #rt: RtNetlink;

  constructor(rt: RtNetlink) {
    this.#rt = rt;
  }

  /** Every rule matching `filter` (both families without one), in the kernel's order. */
  async list(filter: RuleFilter = {}): Promise<Rule[]> {
    const out: Rule[] = [];
    for await (const rule of this.iterate(filter)) out.push(rule);
    return out;
  }

  /** Stream the rules matching `filter`, decoded one message at a time. */
  async *iterate(filter: RuleFilter = {}): AsyncGenerator<Rule, void, undefined> {
    const plan = buildRuleDumpRequest(filter.family);
    const match = matcher(filter);
    for await (const msg of this.#rt.connection.dump(plan.type, (w) => plan.write(w))) {
      if (msg.type !== RTM_NEWRULE) continue;
      const rule = decodeRule(msg);
      if (match(rule)) yield rule;
    }
  }

  /** Add a rule (`ip rule add`: NLM_F_CREATE | NLM_F_EXCL; EEXIST when an equal one exists). */
  async add(spec: RuleSpec): Promise<void> {
    await this.#send(buildRuleRequest('add', spec));
  }

  /**
   * Delete a rule: a spec naming it (`ip rule del`: the first rule matching every field given),
   * or a {@link Rule} from `list()` (deleted exactly).
   */
  async delete(rule: RuleSpec | Rule): Promise<void> {
    await this.#send(buildRuleRequest('delete', isRule(rule) ? specOf(rule) : rule));
  }

  #send(plan: RequestPlan): Promise<NetlinkMessage[]> {
    return this.#rt.connection.request(plan.type, (w) => plan.write(w), {
      flags: plan.flags,
      schema: ruleMessage,
    });
  }
}

function matcher(filter: RuleFilter): (r: Rule) => boolean {
  // Validate every field before anything is sent.
  const priority =
    filter.priority === undefined ? undefined : checkU32(filter.priority, 'ruleFilter.priority');
  const table = filter.table === undefined ? undefined : tableId(filter.table, 'ruleFilter.table');
  const src = filter.src === undefined ? undefined : normalPrefix(filter.src, 'ruleFilter.src');
  const dst = filter.dst === undefined ? undefined : normalPrefix(filter.dst, 'ruleFilter.dst');
  const fwmark =
    filter.fwmark === undefined ? undefined : checkU32(filter.fwmark, 'ruleFilter.fwmark');
  const { iif, oif } = filter;
  return (r) => {
    if (priority !== undefined && r.priority !== priority) return false;
    if (table !== undefined && tableId(r.table, '') !== table) return false;
    if (src !== undefined && r.src !== src) return false;
    if (dst !== undefined && r.dst !== dst) return false;
    if (iif !== undefined && r.attributes.iifname !== iif) return false;
    if (oif !== undefined && r.attributes.oifname !== oif) return false;
    if (fwmark !== undefined && r.attributes.fwmark !== fwmark) return false;
    return true;
  };
}

const UNSET = 0xffffffff;

function isRule(x: unknown): x is Rule {
  return typeof x === 'object' && x !== null && 'attributes' in x && 'action' in x;
}

/** The delete spec naming exactly this rule. */
function specOf(r: Rule): RuleSpec {
  const a = r.attributes;
  const spec: RuleSpec = {
    family: r.family === 10 ? 'inet6' : 'inet',
    priority: r.priority,
    action: r.action,
    table: r.table,
  };
  if (r.src !== 'all') spec.src = r.src;
  if (r.dst !== 'all') spec.dst = r.dst;
  if (r.tos) spec.tos = r.tos;
  if (r.flags.names.includes('invert')) spec.invert = true;
  if (a.fwmark !== undefined) spec.fwmark = a.fwmark;
  if (a.fwmask !== undefined) spec.fwmask = a.fwmask;
  if (a.iifname !== undefined) spec.iif = a.iifname;
  if (a.oifname !== undefined) spec.oif = a.oifname;
  if (a.l3mdev) spec.l3mdev = true;
  if (a.uidRange !== undefined) spec.uidRange = a.uidRange;
  if (a.ipProto !== undefined) spec.ipProto = a.ipProto;
  if (a.sportRange !== undefined) spec.sport = a.sportRange;
  if (a.dportRange !== undefined) spec.dport = a.dportRange;
  if (typeof a.tunId === 'bigint') spec.tunId = a.tunId;
  // The kernel reports unset suppressors as -1 (0xffffffff).
  if (a.suppressPrefixlen !== undefined && a.suppressPrefixlen !== UNSET) {
    spec.suppressPrefixlen = a.suppressPrefixlen;
  }
  if (a.suppressIfgroup !== undefined && a.suppressIfgroup !== UNSET) {
    spec.suppressIfgroup = a.suppressIfgroup;
  }
  if (a.goto !== undefined) spec.goto = a.goto;
  if (a.flow !== undefined) spec.realms = a.flow;
  if (a.protocol !== undefined && a.protocol !== 'unspec') spec.protocol = a.protocol;
  return spec;
}
