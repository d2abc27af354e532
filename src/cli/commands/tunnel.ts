// `rtnl tunnel …`: iproute2 6.1's `ip tunnel` (ip/iptunnel.c, ip/ip6tunnel.c, ip/tunnel.c) on
// rtnetlink. ip drives IP tunnels with ioctls on the fallback devices (gre0, tunl0, sit0,
// ip6tnl0, …); rtnl creates, changes and deletes the same devices as link kinds (gre, ipip,
// sit, vti, ip6gre, ip6tnl, vti6), and `show` reads their IFLA_INFO_DATA instead of
// SIOCGETTUNNEL. The grammar, checks, messages and output are ip tunnel's:
//
//  - `add` sends the RTM_NEWLINK that `ip link add NAME type KIND …` sends for the same settings
//    (the kind's attributes in the order iproute2's ip/link_<kind>.c writes them, defaults
//    included), so the request bytes are iproute2's;
//  - `change` re-sends the device's whole attribute set with the changed fields (the tunnel
//    kinds' changelink resets what is left out), starting from the device's settings when its
//    name is the first argument, from ip's defaults otherwise, as ip's SIOCCHGTUNNEL does;
//  - `show` prints what the kernel's ioctl would report, modelled from the attributes (see
//    tunnelFromLink4/6 for what the attributes cannot say: vti's TTL/TOS/PMTU, ISATAP router
//    lists);
//  - `prl` (ISATAP router lists) has no rtnetlink equivalent and is refused after ip's checks;
//    `6rd` changes the sit link's IFLA_IPTUN_6RD_* attributes.
import { readFileSync } from 'node:fs';
import type { Link, RtNetlink } from '../../index.js';
import { errnoText, formatIp, parseIp } from '../../netlink/index.js';
import { checkIfname, getAddr1, getU8, getU32, matches, parseAddr, parsePrefix } from '../args.js';
import type { CliContext, GlobalOptions } from '../context.js';
import {
  CliError,
  duparg2,
  formatNetlinkError,
  incomplete,
  invarg,
  isNetlinkError,
  nodev,
} from '../errors.js';
import type { Output } from '../output.js';

/** `rtnl tunnel help` (IPv4 tunnels), as ip's usage() in ip/iptunnel.c gives it. */
export const help = `Usage: rtnl tunnel { add | change | del | show | prl | 6rd } [ NAME ]
        [ mode { gre | ipip | isatap | sit | vti } ]
        [ remote ADDR ] [ local ADDR ]
        [ [i|o]seq ] [ [i|o]key KEY ] [ [i|o]csum ]
        [ prl-default ADDR ] [ prl-nodefault ADDR ] [ prl-delete ADDR ]
        [ 6rd-prefix ADDR ] [ 6rd-relay_prefix ADDR ] [ 6rd-reset ]
        [ ttl TTL ] [ tos TOS ] [ [no]pmtudisc ] [ dev PHYS_DEV ]

Where: NAME := STRING
       ADDR := { IP_ADDRESS | any }
       TOS  := { STRING | 00..ff | inherit | inherit/STRING | inherit/00..ff }
       TTL  := { 1..255 | inherit }
       KEY  := { DOTTED_QUAD | NUMBER }`;

/** IPv6 tunnels (`rtnl -6 tunnel help`), as ip/ip6tunnel.c's usage() gives it. */
/** `rtnl OBJECT help` with -6 prints the IPv6 usage, as `ip -6 tunnel help` does. */
export function helpFor(opts: GlobalOptions): string {
  return opts.family === 'inet6' ? help6 : help;
}

const help6 = `Usage: rtnl -f inet6 tunnel { add | change | del | show } [ NAME ]
          [ mode { ip6ip6 | ipip6 | ip6gre | vti6 | any } ]
          [ remote ADDR local ADDR ] [ dev PHYS_DEV ]
          [ encaplimit ELIM ]
          [ hoplimit TTL ] [ tclass TCLASS ] [ flowlabel FLOWLABEL ]
          [ dscp inherit ]
          [ [no]allow-localremote ]
          [ [i|o]seq ] [ [i|o]key KEY ] [ [i|o]csum ]

Where: NAME      := STRING
       ADDR      := IPV6_ADDRESS
       ELIM      := { none | 0..255 }(default=4)
       TTL       := 0..255 (default=64)
       TCLASS    := { 0x0..0xff | inherit }
       FLOWLABEL := { 0x0..0xfffff | inherit }
       KEY       := { DOTTED_QUAD | NUMBER }`;

// IPPROTO_* (<linux/in.h>): the tunnel's protocol (iph.protocol / ip6_tnl_parm.proto).
const IPPROTO_IPIP = 4;
const IPPROTO_IPV6 = 41;
const IPPROTO_GRE = 47;
const IPPROTO_ESP = 50;
const IPPROTO_MPLS = 137;

// GRE header flag bits (<linux/if_tunnel.h> GRE_CSUM, GRE_KEY, GRE_SEQ) as IFLA_GRE_[IO]FLAGS
// carry them (a be16 read as a number): the same values as the library's GRE_FLAGS.
const GRE_CSUM = 0x8000;
const GRE_KEY = 0x2000;
const GRE_SEQ = 0x1000;
/** TUNNEL_ENCAP_FLAG_CSUM6 (<linux/if_tunnel.h>). */
const TUNNEL_ENCAP_FLAG_CSUM6 = 0x2;
/** SIT_ISATAP: IFLA_IPTUN_FLAGS of an ISATAP sit device. */
const SIT_ISATAP = 0x0001;

// IP6_TNL_F_* (<linux/ip6_tunnel.h>); the library's IP6_TNL_FLAGS, kept here as numbers so
// that parsing a command line does not load the library.
const IP6_TNL_F_IGN_ENCAP_LIMIT = 0x1;
const IP6_TNL_F_USE_ORIG_TCLASS = 0x2;
const IP6_TNL_F_USE_ORIG_FLOWLABEL = 0x4;
const IP6_TNL_F_RCV_DSCP_COPY = 0x10;
const IP6_TNL_F_ALLOW_LOCAL_REMOTE = 0x40;
/** IP6_FLOWINFO_TCLASS / IP6_FLOWINFO_FLOWLABEL (ip/ip6tunnel.c), host order. */
const FLOWINFO_TCLASS = 0x0ff00000;
const FLOWINFO_FLOWLABEL = 0x000fffff;
/** IPV6_DEFAULT_TNL_ENCAP_LIMIT (<linux/ip6_tunnel.h>) and ip's DEFAULT_TNL_HOP_LIMIT. */
const DEFAULT_ENCAP_LIMIT = 4;
const DEFAULT_HOP_LIMIT = 64;

// ifi_type values (<linux/if_arp.h>) `ip tunnel show` lists, per family (ip/tunnel.c).
const ARPHRD_TUNNEL = 768;
const ARPHRD_TUNNEL6 = 769;
const ARPHRD_SIT = 776;
const ARPHRD_IPGRE = 778;
const ARPHRD_IP6GRE = 823;

// The address family numbers ip prints in "Unsupported protocol family: N".
const AF_NUMBER: Record<string, number> = { link: 17, bridge: 7, mpls: 28 };

// errno (<asm-generic/errno*.h>) of the ioctl failures ip reports and we reproduce.
const ENOENT = 2;
const EINVAL = 22;
const ENODEV = 19;
const EOPNOTSUPP = 95;
const ENOTTY = 25;

/** Link kinds whose devices answer ip's IPv4 tunnel ioctls. */
const KINDS4 = new Set(['gre', 'ipip', 'sit', 'vti']);
/** … and the IPv6 ones. */
const KINDS6 = new Set(['ip6tnl', 'ip6gre', 'vti6']);

type Command = 'add' | 'change' | 'del' | 'show';

/** A failure ip prints before `return -1` (exit status 1). */
function fail(message: string): CliError {
  return new CliError(message, 1);
}

/** The message for a failed tunnel ioctl: `VERB tunnel "NAME" failed: <strerror>`. */
function ioctlFailure(verb: 'add' | 'get' | 'delete', name: string, errno: number): CliError {
  return fail(`${verb} tunnel "${name}" failed: ${errnoText(errno)}`);
}

// ---- rt_dsfield names (lib/rt_names.c) --------------------------------------------------------

let dsfieldTable: (string | undefined)[] | undefined;

/** /etc/iproute2/rt_dsfield as ip reads it (fread_id_name): `0xID NAME` or `ID NAME` lines. */
function dsfieldNames(): (string | undefined)[] {
  if (dsfieldTable) return dsfieldTable;
  const table: (string | undefined)[] = [];
  let text = '';
  try {
    text = readFileSync('/etc/iproute2/rt_dsfield', 'utf8');
  } catch {}
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(0x[0-9a-fA-F]+|-?[0-9]+)\s+(\S+)/.exec(line);
    if (!m) break; // ip stops at a corrupted line
    const id = m[1]!.startsWith('0x') ? Number.parseInt(m[1]!.slice(2), 16) : Number(m[1]);
    if (id >= 0 && id < 256) table[id] = m[2];
  }
  dsfieldTable = table;
  return table;
}

/** rtnl_dsfield_a2n: a name from rt_dsfield, else hexadecimal 00..ff. */
function dsfieldA2n(text: string): number | undefined {
  const i = dsfieldNames().indexOf(text);
  if (i >= 0) return i;
  return getU8(text, 16);
}

/** rtnl_dsfield_n2a: the rt_dsfield name (not with -N), else `0x%02x`. */
function dsfieldN2a(id: number, numeric: boolean): string {
  const name = numeric ? undefined : dsfieldNames()[id];
  return name ?? `0x${id.toString(16).padStart(2, '0')}`;
}

// ---- the tunnel parameters ip's ioctls carry ----------------------------------------------------

/** struct ip_tunnel_parm, as `ip tunnel` fills and prints it. Keys and flags in host order. */
interface Ip4Tunnel {
  name: string;
  /** iph.protocol: IPPROTO_GRE, IPPROTO_IPIP (ipip, vti), IPPROTO_IPV6 (sit), … */
  proto: number;
  /** iph.saddr / iph.daddr as dotted quads; `0.0.0.0` is "any". */
  local: string;
  remote: string;
  /** The underlying device's ifindex (0: none). */
  link: number;
  ttl: number;
  /** iph.tos; bit 0 means "inherit". */
  tos: number;
  /** iph.frag_off has DF. */
  pmtudisc: boolean;
  iflags: number;
  oflags: number;
  ikey: number;
  okey: number;
  /** VTI_ISVTI in i_flags. */
  vti: boolean;
  /** SIT_ISATAP in i_flags. */
  isatap: boolean;
  /** SIOCGET6RD's answer (sit), when the device reports a 6rd prefix. */
  sixrd?: { prefix: string; prefixlen: number; relayPrefix: string; relayPrefixlen: number };
}

/** struct ip6_tnl_parm2, as `ip -6 tunnel` fills and prints it. */
interface Ip6Tunnel {
  name: string;
  proto: number;
  /** laddr / raddr; `::` is "any". */
  local: string;
  remote: string;
  link: number;
  encapLimit: number;
  hopLimit: number;
  /** Traffic class and flow label, host order: (tclass << 20) | flowlabel. */
  flowinfo: number;
  /** IP6_TNL_F_* */
  flags: number;
  iflags: number;
  oflags: number;
  ikey: number;
  okey: number;
  vti: boolean;
}

function blank4(): Ip4Tunnel {
  return {
    name: '',
    proto: 0,
    local: '0.0.0.0',
    remote: '0.0.0.0',
    link: 0,
    ttl: 0,
    tos: 0,
    pmtudisc: false,
    iflags: 0,
    oflags: 0,
    ikey: 0,
    okey: 0,
    vti: false,
    isatap: false,
  };
}

/** ip6tunnel.c ip6_tnl_parm_init(): proto IPv6; with defaults, hop limit 64, encap limit 4. */
function blank6(defaults: boolean): Ip6Tunnel {
  return {
    name: '',
    proto: IPPROTO_IPV6,
    local: '::',
    remote: '::',
    link: 0,
    encapLimit: defaults ? DEFAULT_ENCAP_LIMIT : 0,
    hopLimit: defaults ? DEFAULT_HOP_LIMIT : 0,
    flowinfo: 0,
    flags: 0,
    iflags: 0,
    oflags: 0,
    ikey: 0,
    okey: 0,
    vti: false,
  };
}

const isAny4 = (a: string) => a === '0.0.0.0';
const isAny6 = (a: string) => a === '::';
/** IN_MULTICAST: 224.0.0.0/4. */
const isMulticast4 = (a: string) => {
  const first = Number(a.split('.')[0]);
  return first >= 224 && first <= 239;
};
/** A dotted quad as the host-order number of its be32 (a key written as an address). */
const ipv4Number = (a: string) => a.split('.').reduce((n, b) => n * 256 + Number(b), 0) >>> 0;

// ---- reading the attributes back into ip's parameters ------------------------------------------

/** A number from a decoded attribute: a number, a FlagSet's raw bits, or 0 when absent. */
function n(x: unknown): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'object' && x !== null && 'raw' in x) return Number((x as { raw: unknown }).raw);
  return 0;
}

function s(x: unknown, otherwise: string): string {
  return typeof x === 'string' ? x : otherwise;
}

/** The kind's decoded IFLA_INFO_DATA (empty when absent). */
function kindData(link: Link): Record<string, unknown> {
  const data = link.attributes.linkinfo?.data;
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
}

/**
 * What SIOCGETTUNNEL would report for an IPv4 tunnel device, from its attributes; undefined
 * for a device that does not answer the IPv4 tunnel ioctls. For vti, which has no TTL, TOS or
 * PMTU attributes, the values are those of a device made over rtnetlink (0, 0, no DF), and the
 * kernel's vti ioctl always reports GRE_KEY in both flag words.
 */
function tunnelFromLink4(link: Link): Ip4Tunnel | undefined {
  const kind = link.kind;
  if (kind === undefined || !KINDS4.has(kind)) return undefined;
  const d = kindData(link);
  const p = blank4();
  p.name = link.name;
  p.local = s(d.local, '0.0.0.0');
  p.remote = s(d.remote, '0.0.0.0');
  p.link = n(d.link);
  if (kind === 'vti') {
    p.proto = IPPROTO_IPIP;
    p.vti = true;
    p.iflags = GRE_KEY;
    p.oflags = GRE_KEY;
    p.ikey = n(d.ikey);
    p.okey = n(d.okey);
    return p;
  }
  p.ttl = n(d.ttl);
  p.tos = n(d.tos);
  p.pmtudisc = d.pmtudisc === undefined || n(d.pmtudisc) !== 0;
  if (kind === 'gre') {
    p.proto = IPPROTO_GRE;
    p.iflags = n(d.iflags);
    p.oflags = n(d.oflags);
    p.ikey = n(d.ikey);
    p.okey = n(d.okey);
    return p;
  }
  p.proto = d.proto === undefined ? (kind === 'sit' ? IPPROTO_IPV6 : IPPROTO_IPIP) : n(d.proto);
  if (kind === 'sit') {
    p.isatap = (n(d.flags) & SIT_ISATAP) !== 0;
    const prefixlen = n(d.prefixlen6rd);
    if (typeof d.prefix6rd === 'string' && prefixlen !== 0) {
      p.sixrd = {
        prefix: d.prefix6rd,
        prefixlen,
        relayPrefix: s(d.relayPrefix6rd, '0.0.0.0'),
        relayPrefixlen: n(d.relayPrefixlen6rd),
      };
    }
  }
  return p;
}

/**
 * What SIOCGETTUNNEL would report for an IPv6 tunnel device, from its attributes; undefined for
 * a device that does not answer the IPv6 tunnel ioctls. vti6 reports only addresses, keys and
 * the underlying device; its keys are shown when set.
 */
function tunnelFromLink6(link: Link): Ip6Tunnel | undefined {
  const kind = link.kind;
  if (kind === undefined || !KINDS6.has(kind)) return undefined;
  const d = kindData(link);
  const p = blank6(false);
  p.name = link.name;
  p.local = s(d.local, '::');
  p.remote = s(d.remote, '::');
  p.link = n(d.link);
  if (kind === 'vti6') {
    p.vti = true;
    p.ikey = n(d.ikey);
    p.okey = n(d.okey);
    if (p.ikey !== 0 || p.okey !== 0) {
      p.iflags = GRE_KEY;
      p.oflags = GRE_KEY;
    }
    return p;
  }
  p.encapLimit = n(d.encapLimit);
  p.hopLimit = n(d.ttl);
  p.flowinfo = n(d.flowinfo) >>> 0;
  p.flags = n(d.flags);
  if (kind === 'ip6gre') {
    p.proto = IPPROTO_GRE;
    p.iflags = n(d.iflags);
    p.oflags = n(d.oflags);
    p.ikey = n(d.ikey);
    p.okey = n(d.okey);
  } else {
    p.proto = d.proto === undefined ? IPPROTO_IPV6 : n(d.proto);
  }
  return p;
}

// ---- turning ip's parameters into a link kind and its attributes --------------------------------

/** The link kind and IFLA_INFO_DATA an IPv4 tunnel becomes (ip/link_gre.c, link_iptnl.c, link_vti.c order). */
function linkSpec4(p: Ip4Tunnel): { kind: string; data: Record<string, unknown> } {
  const addrs = {
    ...(isAny4(p.local) ? {} : { local: p.local }),
    ...(isAny4(p.remote) ? {} : { remote: p.remote }),
  };
  const encap = { encapType: 0, encapFlags: 0, encapSport: 0, encapDport: 0 };
  if (p.vti) return vtiSpec('vti', p, addrs);
  if (p.proto === IPPROTO_GRE) {
    return {
      kind: 'gre',
      data: {
        ikey: p.ikey,
        okey: p.okey,
        iflags: p.iflags,
        oflags: p.oflags,
        ...addrs,
        pmtudisc: p.pmtudisc ? 1 : 0,
        tos: p.tos,
        ...(p.link ? { link: p.link } : {}),
        ttl: p.ttl,
        fwmark: 0,
        ...encap,
      },
    };
  }
  const common = {
    proto: p.proto,
    ...addrs,
    pmtudisc: p.pmtudisc ? 1 : 0,
    tos: p.tos,
    ttl: p.ttl,
    link: p.link,
    fwmark: 0,
    ...encap,
  };
  if (p.proto === IPPROTO_IPV6) {
    return { kind: 'sit', data: { ...common, flags: p.isatap ? SIT_ISATAP : 0 } };
  }
  return { kind: 'ipip', data: common };
}

/** vti and vti6 carry the same IFLA_VTI_* attributes, in ip/link_vti.c and link_vti6.c's order. */
function vtiSpec(
  kind: 'vti' | 'vti6',
  p: { ikey: number; okey: number; link: number },
  addrs: Record<string, string>,
): { kind: string; data: Record<string, unknown> } {
  return {
    kind,
    data: { ikey: p.ikey, okey: p.okey, ...addrs, fwmark: 0, ...(p.link ? { link: p.link } : {}) },
  };
}

/** The link kind and IFLA_INFO_DATA an IPv6 tunnel becomes (ip/link_gre6.c, link_ip6tnl.c, link_vti6.c order). */
function linkSpec6(p: Ip6Tunnel): { kind: string; data: Record<string, unknown> } {
  const addrs = {
    ...(isAny6(p.local) ? {} : { local: p.local }),
    ...(isAny6(p.remote) ? {} : { remote: p.remote }),
  };
  // ip/link_ip6tnl.c and link_gre6.c start the encapsulation flags at TUNNEL_ENCAP_FLAG_CSUM6.
  const encap = { encapType: 0, encapFlags: TUNNEL_ENCAP_FLAG_CSUM6, encapSport: 0, encapDport: 0 };
  if (p.vti) return vtiSpec('vti6', p, addrs);
  if (p.proto === IPPROTO_GRE) {
    return {
      kind: 'ip6gre',
      data: {
        ikey: p.ikey,
        okey: p.okey,
        iflags: p.iflags,
        oflags: p.oflags,
        ...addrs,
        ...(p.link ? { link: p.link } : {}),
        ttl: p.hopLimit,
        encapLimit: p.encapLimit,
        flowinfo: p.flowinfo >>> 0,
        flags: p.flags,
        fwmark: 0,
        // ip/link_gre6.c sends its ERSPAN version (1 unless told) for every ip6gre kind.
        erspanVer: 1,
        ...encap,
      },
    };
  }
  return {
    kind: 'ip6tnl',
    data: {
      proto: p.proto,
      ...addrs,
      ttl: p.hopLimit,
      encapLimit: p.encapLimit,
      flowinfo: p.flowinfo >>> 0,
      flags: p.flags,
      link: p.link,
      fwmark: 0,
      ...encap,
    },
  };
}

// ---- argument parsing (ip/iptunnel.c and ip/ip6tunnel.c parse_args) ----------------------------

/** A cursor over the arguments: ip's NEXT_ARG() is `value()`. */
class Words {
  #i = -1;
  constructor(readonly words: readonly string[]) {}
  next(): string | undefined {
    this.#i++;
    return this.words[this.#i];
  }
  value(): string {
    const w = this.next();
    if (w === undefined) throw incomplete();
    return w;
  }
}

/** ip's get_addr32: an IPv4 address (`any` is 0.0.0.0), or exit 1. */
function getAddr32(arg: string): string {
  const a = getAddr1(arg, 'inet');
  if (!a) throw fail(`Error: an IP address is expected rather than "${arg}"`);
  return a.any ? '0.0.0.0' : a.address;
}

/** ip's get_addr(…, AF_INET6): an IPv6 address in inet_ntop form (`any` is ::). */
function getAddr6(arg: string): string {
  const a = parseAddr(arg, 'inet6');
  if (a.any) return '::';
  const bytes = parseIp(a.address);
  return bytes ? (formatIp(bytes) ?? a.address) : a.address;
}

/** tunnel.c tnl_parse_key: a dotted quad or an unsigned number. */
function parseKey(name: string, key: string): number {
  if (key.includes('.')) return ipv4Number(getAddr32(key));
  const v = getU32(key);
  if (v === undefined) {
    throw new CliError(
      `invalid value for "${name}": "${key}"; it should be an unsigned integer`,
      255,
    );
  }
  return v;
}

/** The GRE key and sequence/checksum words both families accept. Returns false when not one. */
function parseGreWord(w: Words, word: string, p: Ip4Tunnel | Ip6Tunnel): boolean {
  switch (word) {
    case 'key':
      p.iflags |= GRE_KEY;
      p.oflags |= GRE_KEY;
      p.ikey = p.okey = parseKey('key', w.value());
      return true;
    case 'ikey':
      p.iflags |= GRE_KEY;
      p.ikey = parseKey('ikey', w.value());
      return true;
    case 'okey':
      p.oflags |= GRE_KEY;
      p.okey = parseKey('okey', w.value());
      return true;
    case 'seq':
      p.iflags |= GRE_SEQ;
      p.oflags |= GRE_SEQ;
      return true;
    case 'iseq':
      p.iflags |= GRE_SEQ;
      return true;
    case 'oseq':
      p.oflags |= GRE_SEQ;
      return true;
    case 'csum':
      p.iflags |= GRE_CSUM;
      p.oflags |= GRE_CSUM;
      return true;
    case 'icsum':
      p.iflags |= GRE_CSUM;
      return true;
    case 'ocsum':
      p.oflags |= GRE_CSUM;
      return true;
    default:
      return false;
  }
}

/** What parse_args found besides the parameters. */
interface Parsed<P> {
  p: P;
  /** `change` with the name first: the device's settings were loaded. */
  loaded?: Link;
}

/** What parse_args asks the kernel: a device's tunnel settings, a device's ifindex. */
interface ParseEnv<P> {
  /** SIOCGETTUNNEL for `change NAME …`: the device's parameters and its link. */
  load(name: string): Promise<{ p: P; link: Link }>;
  /** ll_name_to_index for `dev NAME` (ip's "Cannot find device" when there is none). */
  index(name: string): Promise<number>;
}

/** The name argument: ip's duparg2 / invarg checks. */
function takeName(p: { name: string }, word: string): void {
  if (p.name) throw duparg2('name', word);
  if (!checkIfname(word)) throw invarg('"name" not a valid ifname', word);
  p.name = word;
}

/**
 * ip/iptunnel.c parse_args. `load(name)` returns the device's current parameters (for `change`
 * when the name comes first).
 */
async function parseArgs4(
  args: readonly string[],
  cmd: Command,
  env: ParseEnv<Ip4Tunnel>,
): Promise<Parsed<Ip4Tunnel>> {
  let p = blank4();
  p.pmtudisc = true; // iph.frag_off = htons(IP_DF)
  let medium: string | undefined;
  let loaded: Link | undefined;
  let isatap = false;
  const setProto = (proto: number) => {
    if (p.proto && p.proto !== proto) {
      throw new CliError('You managed to ask for more than one tunnel mode.', 255);
    }
    p.proto = proto;
  };
  const w = new Words(args);
  let count = 0;
  for (let word = w.next(); word !== undefined; word = w.next(), count++) {
    if (word === 'mode') {
      const mode = w.value();
      if (mode === 'ipip' || mode === 'ip/ip') setProto(IPPROTO_IPIP);
      else if (mode === 'gre' || mode === 'gre/ip') setProto(IPPROTO_GRE);
      else if (mode === 'sit' || mode === 'ipv6/ip') setProto(IPPROTO_IPV6);
      else if (mode === 'isatap') {
        setProto(IPPROTO_IPV6);
        isatap = true;
      } else if (mode === 'vti') {
        setProto(IPPROTO_IPIP);
        p.vti = true;
      } else throw new CliError(`Unknown tunnel mode "${mode}"`, 255);
    } else if (parseGreWord(w, word, p)) {
      // key, seq, csum and their i/o forms
    } else if (word === 'nopmtudisc') p.pmtudisc = false;
    else if (word === 'pmtudisc') p.pmtudisc = true;
    else if (word === 'remote') p.remote = getAddr32(w.value());
    else if (word === 'local') p.local = getAddr32(w.value());
    else if (word === 'dev') medium = w.value();
    else if (word === 'ttl' || word === 'hoplimit' || word === 'hlim') {
      const v = w.value();
      if (v !== 'inherit') {
        const ttl = getU8(v);
        if (ttl === undefined) throw invarg('invalid TTL\n', v);
        p.ttl = ttl;
      }
    } else if (word === 'tos' || word === 'tclass' || matches(word, 'dsfield')) {
      const v = w.value();
      // "inherit", "inherit/DSFIELD" or "DSFIELD" (anything after a '/' ignored then).
      const slash = v.indexOf('/');
      const first = slash < 0 ? v : v.slice(0, slash);
      let dsfield: string | undefined;
      if (first !== 'inherit') {
        dsfield = first;
        p.tos = 0;
      } else {
        p.tos = 1;
        dsfield = slash < 0 ? undefined : v.slice(slash + 1);
      }
      if (dsfield !== undefined) {
        const tos = dsfieldA2n(dsfield);
        if (tos === undefined) throw invarg('bad TOS value', first);
        p.tos |= tos;
      }
    } else {
      let name = word;
      if (word === 'name') name = w.value();
      else if (matches(word, 'help')) throw new CliError(help, 255);
      takeName(p, name);
      if (cmd === 'change' && count === 0) {
        const old = await env.load(name);
        p = old.p;
        loaded = old.link;
      }
    }
  }

  if (p.proto === 0) {
    if (p.name.startsWith('gre')) p.proto = IPPROTO_GRE;
    else if (p.name.startsWith('ipip')) p.proto = IPPROTO_IPIP;
    else if (p.name.startsWith('sit')) p.proto = IPPROTO_IPV6;
    else if (p.name.startsWith('isatap')) {
      p.proto = IPPROTO_IPV6;
      isatap = true;
    } else if (p.name.startsWith('vti')) {
      p.proto = IPPROTO_IPIP;
      p.vti = true;
    }
  }
  if ((p.iflags & GRE_KEY || p.oflags & GRE_KEY) && !p.vti && p.proto !== IPPROTO_GRE) {
    throw fail('Keys are not allowed with ipip and sit tunnels');
  }
  if (medium !== undefined) p.link = await env.index(medium);
  // A multicast remote makes a broadcast tunnel keyed by the group (ip's rule).
  if (isMulticast4(p.remote)) {
    const key = ipv4Number(p.remote);
    if (p.ikey === 0) {
      p.ikey = key;
      p.iflags |= GRE_KEY;
    }
    if (p.okey === 0) {
      p.okey = key;
      p.oflags |= GRE_KEY;
    }
    if (isAny4(p.local)) throw fail('A broadcast tunnel requires a source address');
  }
  if (isatap) p.isatap = true;
  return { p, ...(loaded ? { loaded } : {}) };
}

/** ip/ip6tunnel.c parse_args. */
async function parseArgs6(
  args: readonly string[],
  cmd: Command,
  start: Ip6Tunnel,
  env: ParseEnv<Ip6Tunnel>,
): Promise<Parsed<Ip6Tunnel>> {
  let p = start;
  let medium: string | undefined;
  let loaded: Link | undefined;
  const w = new Words(args);
  let count = 0;
  for (let word = w.next(); word !== undefined; word = w.next(), count++) {
    if (word === 'mode') {
      const mode = w.value();
      if (mode === 'ipv6/ipv6' || mode === 'ip6ip6') p.proto = IPPROTO_IPV6;
      else if (mode === 'vti6') {
        p.proto = IPPROTO_IPV6;
        p.vti = true;
      } else if (['ip/ipv6', 'ipv4/ipv6', 'ipip6', 'ip4ip6'].includes(mode)) p.proto = IPPROTO_IPIP;
      else if (mode === 'ip6gre' || mode === 'gre/ipv6') p.proto = IPPROTO_GRE;
      else if (mode === 'any/ipv6' || mode === 'any') p.proto = 0;
      else throw new CliError(`Unknown tunnel mode "${mode}"`, 255);
    } else if (word === 'remote') p.remote = getAddr6(w.value());
    else if (word === 'local') p.local = getAddr6(w.value());
    else if (word === 'dev') medium = w.value();
    else if (word === 'encaplimit') {
      const v = w.value();
      if (v === 'none') p.flags |= IP6_TNL_F_IGN_ENCAP_LIMIT;
      else {
        // ip 6.1 never rejects a bad value here (its check cannot fail); rtnl does.
        const limit = getU8(v);
        if (limit === undefined) throw invarg('invalid ELIM', v);
        p.encapLimit = limit;
        p.flags &= ~IP6_TNL_F_IGN_ENCAP_LIMIT;
      }
    } else if (word === 'hoplimit' || word === 'ttl' || word === 'hlim') {
      const v = w.value();
      const hop = getU8(v);
      if (hop === undefined) throw invarg('invalid TTL', v);
      p.hopLimit = hop;
    } else if (word === 'tclass' || word === 'tc' || word === 'tos' || matches(word, 'dsfield')) {
      const v = w.value();
      p.flowinfo = (p.flowinfo & ~FLOWINFO_TCLASS) >>> 0;
      if (v === 'inherit') p.flags |= IP6_TNL_F_USE_ORIG_TCLASS;
      else {
        const tclass = getU8(v, 16);
        if (tclass === undefined) throw invarg('invalid TClass', v);
        p.flowinfo = (p.flowinfo | ((tclass << 20) & FLOWINFO_TCLASS)) >>> 0;
        p.flags &= ~IP6_TNL_F_USE_ORIG_TCLASS;
      }
    } else if (word === 'flowlabel' || word === 'fl') {
      const v = w.value();
      p.flowinfo = (p.flowinfo & ~FLOWINFO_FLOWLABEL) >>> 0;
      if (v === 'inherit') p.flags |= IP6_TNL_F_USE_ORIG_FLOWLABEL;
      else {
        const label = getU32(v, 16);
        if (label === undefined || label > 0xfffff) throw invarg('invalid Flowlabel', v);
        p.flowinfo = (p.flowinfo | (label & FLOWINFO_FLOWLABEL)) >>> 0;
        p.flags &= ~IP6_TNL_F_USE_ORIG_FLOWLABEL;
      }
    } else if (word === 'dscp') {
      const v = w.value();
      if (v !== 'inherit') throw invarg('not inherit', v);
      p.flags |= IP6_TNL_F_RCV_DSCP_COPY;
    } else if (word === 'allow-localremote') p.flags |= IP6_TNL_F_ALLOW_LOCAL_REMOTE;
    else if (word === 'noallow-localremote') p.flags &= ~IP6_TNL_F_ALLOW_LOCAL_REMOTE;
    else if (parseGreWord(w, word, p)) {
      // key, seq, csum and their i/o forms
    } else {
      let name = word;
      if (word === 'name') name = w.value();
      else if (matches(word, 'help')) throw new CliError(help6, 255);
      takeName(p, name);
      if (cmd === 'change' && count === 0) {
        const old = await env.load(name);
        p = old.p;
        loaded = old.link;
      }
    }
  }
  if (medium !== undefined) p.link = await env.index(medium);
  return { p, ...(loaded ? { loaded } : {}) };
}

// ---- talking to the kernel -------------------------------------------------------------------

/** The errno of a NetlinkError, else rethrow. */
function kernelErrno(err: unknown): number {
  if (isNetlinkError(err)) return err.errno;
  throw err;
}

/** ll_name_to_index for `dev`: the ifindex, or ip's "Cannot find device" (exit 1). */
async function resolveMedium(ctx: CliContext, medium: string): Promise<number> {
  try {
    return await (await ctx.rt()).links.index(medium);
  } catch (err) {
    if (isNetlinkError(err) && err.errno === ENODEV) throw nodev(medium);
    throw err;
  }
}

/**
 * The device `name` as SIOCGETTUNNEL would find it: the link, or ip's `VERB tunnel "NAME" failed:`
 * text with ENODEV (no such device) or EOPNOTSUPP (a device that is not a tunnel of `kinds`).
 */
async function getTunnelLink(
  rt: RtNetlink,
  name: string,
  kinds: ReadonlySet<string>,
  verb: 'get' | 'delete',
): Promise<Link> {
  let link: Link;
  try {
    link = await rt.links.get(name);
  } catch (err) {
    throw ioctlFailure(verb, name, kernelErrno(err));
  }
  if (link.kind === undefined || !kinds.has(link.kind)) throw ioctlFailure(verb, name, EOPNOTSUPP);
  return link;
}

/** Index → name of every link, for `dev NAME` in show (ip's ll_index_to_name). */
function nameOf(names: ReadonlyMap<number, string>, index: number): string {
  return names.get(index) ?? `if${index}`;
}

// ---- printing (ip/iptunnel.c and ip/ip6tunnel.c print_tunnel, ip/tunnel.c) ----------------------

/** tunnel.c tnl_strproto. */
function strproto(proto: number): string {
  switch (proto) {
    case IPPROTO_IPIP:
      return 'ip';
    case IPPROTO_GRE:
      return 'gre';
    case IPPROTO_IPV6:
      return 'ipv6';
    case IPPROTO_ESP:
      return 'esp';
    case IPPROTO_MPLS:
      return 'mpls';
    case 0:
      return 'any';
    default:
      return 'unknown';
  }
}

/** tunnel.c tnl_print_gre_flags: the keys, and for GRE the sequence/checksum flags. */
function printGreFlags(out: Output, p: Ip4Tunnel | Ip6Tunnel): void {
  if (p.iflags & GRE_KEY && p.oflags & GRE_KEY && p.okey === p.ikey) {
    out.any('key', p.ikey, ` key ${p.ikey}`);
  } else {
    if (p.iflags & GRE_KEY) out.any('ikey', p.ikey, ` ikey ${p.ikey}`);
    if (p.oflags & GRE_KEY) out.any('okey', p.okey, ` okey ${p.okey}`);
  }
  if (p.proto !== IPPROTO_GRE) return;
  if (out.jsonContext) out.openArray('flags');
  const sl = out.sl;
  if (p.iflags & GRE_SEQ)
    out.any(undefined, 'rx_drop_ooseq', `${sl}  Drop packets out of sequence.`);
  if (p.iflags & GRE_CSUM) {
    out.any(undefined, 'rx_csum', `${sl}  Checksum in received packet is required.`);
  }
  if (p.oflags & GRE_SEQ) out.any(undefined, 'tx_seq', `${sl}  Sequence packets on output.`);
  if (p.oflags & GRE_CSUM) out.any(undefined, 'tx_csum', `${sl}  Checksum output packets.`);
  if (out.jsonContext) out.closeArray();
}

/** ip/iptunnel.c print_tunnel: one IPv4 tunnel (no trailing newline). */
function printTunnel4(
  out: Output,
  p: Ip4Tunnel,
  names: ReadonlyMap<number, string>,
  numeric = false,
): void {
  const json = out.jsonContext;
  out.openObject();
  out.any('ifname', p.name, `${p.name}: `, 'ifname');
  const mode = `${strproto(p.proto)}/ip`;
  out.any('mode', mode, `${mode} `);
  out.text('remote ');
  const remote = isAny4(p.remote) && !json ? 'any' : p.remote;
  out.any('remote', remote, `${remote} `, 'inet');
  out.text('local ');
  const local = isAny4(p.local) && !json ? 'any' : p.local;
  out.any('local', local, local, 'inet');
  // ISATAP potential router lists (SIOCGETPRL) have no rtnetlink equivalent: not shown.
  if (p.link) {
    const dev = nameOf(names, p.link);
    out.any('dev', dev, ` dev ${dev}`);
  }
  if (p.ttl) out.any('ttl', p.ttl, ` ttl ${p.ttl}`);
  else out.text(' ttl inherit');
  if (p.tos) {
    if (p.tos !== 1) {
      const text =
        !json && p.tos & 1
          ? `inherit/${dsfieldN2a(p.tos & ~1, numeric)}`
          : dsfieldN2a(p.tos, numeric);
      out.any('tos', text, ` tos ${text}`);
    } else {
      out.text(' tos inherit');
    }
  }
  if (!p.pmtudisc) out.any('nopmtudisc', null, ' nopmtudisc');
  if (p.proto === IPPROTO_IPV6 && p.sixrd) {
    const r = p.sixrd;
    out.any('6rd-prefix', r.prefix, ` 6rd-prefix ${r.prefix}`);
    out.any('6rd-prefixlen', r.prefixlen, `/${r.prefixlen}`);
    if (!isAny4(r.relayPrefix)) {
      out.any('6rd-relay_prefix', r.relayPrefix, ` 6rd-relay_prefix ${r.relayPrefix}`);
      out.any('6rd-relay_prefixlen', r.relayPrefixlen, `/${r.relayPrefixlen}`);
    }
  }
  printGreFlags(out, p);
  out.closeObject();
}

const hex = (v: number, width: number) => `0x${v.toString(16).padStart(width, '0')}`;

/** ip/ip6tunnel.c print_tunnel: one IPv6 tunnel (no trailing newline). */
function printTunnel6(out: Output, p: Ip6Tunnel, names: ReadonlyMap<number, string>): void {
  out.openObject();
  out.any('ifname', p.name, `${p.name}: `, 'ifname');
  const mode = `${strproto(p.proto)}/ipv6`;
  out.any('mode', mode, `${mode} `);
  out.text('remote ');
  out.any('remote', p.remote, `${p.remote} `, 'inet6');
  out.text('local ');
  out.any('local', p.local, p.local, 'inet6');
  if (p.link) {
    const dev = nameOf(names, p.link);
    out.any('link', dev, ` dev ${dev}`);
  }
  if (p.flags & IP6_TNL_F_IGN_ENCAP_LIMIT) {
    out.any('ip6_tnl_f_ign_encap_limit', null, ' encaplimit none');
  } else {
    out.any('encap_limit', p.encapLimit, ` encaplimit ${p.encapLimit}`);
  }
  if (p.hopLimit) out.any('hoplimit', p.hopLimit, ` hoplimit ${p.hopLimit}`);
  else out.text(' hoplimit inherit');
  if (p.flags & IP6_TNL_F_USE_ORIG_TCLASS) {
    out.any('ip6_tnl_f_use_orig_tclass', null, ' tclass inherit');
  } else {
    const tclass = hex((p.flowinfo & FLOWINFO_TCLASS) >>> 20, 2);
    out.any('tclass', tclass, ` tclass ${tclass}`);
  }
  if (p.flags & IP6_TNL_F_USE_ORIG_FLOWLABEL) {
    out.any('ip6_tnl_f_use_orig_flowlabel', null, ' flowlabel inherit');
  } else {
    const label = hex(p.flowinfo & FLOWINFO_FLOWLABEL, 5);
    out.any('flowlabel', label, ` flowlabel ${label}`);
  }
  const flowinfo = hex(p.flowinfo >>> 0, 8);
  out.any('flowinfo', flowinfo, ` (flowinfo ${flowinfo})`);
  if (p.flags & IP6_TNL_F_RCV_DSCP_COPY) out.any('ip6_tnl_f_rcv_dscp_copy', null, ' dscp inherit');
  if (p.flags & IP6_TNL_F_ALLOW_LOCAL_REMOTE) {
    out.any('ip6_tnl_f_allow_local_remote', null, ' allow-localremote');
  }
  printGreFlags(out, p);
  out.closeObject();
}

/** tunnel.c tnl_print_stats (text only: ip writes it with printf even under -j). */
function printStats(out: Output, link: Link): void {
  const st = link.attributes.stats64 ?? link.attributes.stats;
  if (!st || out.jsonContext) return;
  const v = (k: keyof typeof st) => String(st[k] ?? 0);
  const sl = out.sl;
  out.print(
    `${sl}RX: Packets    Bytes        Errors CsumErrs OutOfSeq Mcasts${sl}` +
      `    ${v('rx_packets').padEnd(10)} ${v('rx_bytes').padEnd(12)} ${v('rx_errors').padEnd(6)} ` +
      `${v('rx_frame_errors').padEnd(8)} ${v('rx_fifo_errors').padEnd(8)} ${v('multicast').padEnd(8)}${sl}` +
      `TX: Packets    Bytes        Errors DeadLoop NoRoute  NoBufs${sl}` +
      `    ${v('tx_packets').padEnd(10)} ${v('tx_bytes').padEnd(12)} ${v('tx_errors').padEnd(6)} ` +
      `${v('collisions').padEnd(8)} ${v('tx_carrier_errors').padEnd(8)} ${v('tx_dropped').padEnd(6)}`,
  );
}

// ---- the commands ------------------------------------------------------------------------------

/** The IPv6 tunnel modes that send `ip tunnel` to its IPv6 half (iptunnel.c tunnel_mode_is_ipv6). */
const IPV6_MODES = new Set([
  'ipv6/ipv6',
  'ip6ip6',
  'vti6',
  'ip/ipv6',
  'ipv4/ipv6',
  'ipip6',
  'ip4ip6',
  'ip6gre',
  'gre/ipv6',
  'any/ipv6',
  'any',
]);

/**
 * `rtnl tunnel [add | change | del | show | prl | 6rd | help] …` (ip's do_iptunnel). IPv6 when
 * `-6` (`-f inet6`) is given or the first `mode` is an IPv6 one.
 */
export default async function tunnelCommand(
  ctx: CliContext,
  args: string[],
): Promise<number | undefined> {
  let family = ctx.opts.family;
  for (let i = 0; i < args.length - 1; i++) {
    if (args[i] === 'mode') {
      if (IPV6_MODES.has(args[i + 1]!)) family = 'inet6';
      break;
    }
  }
  if (family !== undefined && family !== 'inet' && family !== 'inet6') {
    throw new CliError(`Unsupported protocol family: ${AF_NUMBER[family] ?? 0}`, 255);
  }
  const v6 = family === 'inet6';
  const [cmd, ...rest] = args;
  if (cmd === undefined) return v6 ? show6(ctx, []) : show4(ctx, []);
  if (matches(cmd, 'add')) return v6 ? add6(ctx, rest, 'add') : add4(ctx, rest, 'add');
  if (matches(cmd, 'change')) return v6 ? add6(ctx, rest, 'change') : add4(ctx, rest, 'change');
  if (matches(cmd, 'delete')) return v6 ? del6(ctx, rest) : del4(ctx, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) {
    return v6 ? show6(ctx, rest) : show4(ctx, rest);
  }
  if (!v6 && matches(cmd, 'prl')) return prl(ctx, rest);
  if (!v6 && matches(cmd, '6rd')) return sixrd(ctx, rest);
  if (matches(cmd, 'help')) throw new CliError(v6 ? help6 : help, 255);
  throw new CliError(
    v6
      ? `Command "${cmd}" is unknown, try "rtnl -f inet6 tunnel help".`
      : `Command "${cmd}" is unknown, try "rtnl tunnel help"`,
    255,
  );
}

/** What parse_args needs from the kernel, for IPv4 tunnels. */
function env4(ctx: CliContext): ParseEnv<Ip4Tunnel> {
  return {
    async load(name) {
      const link = await getTunnelLink(await ctx.rt(), name, KINDS4, 'get');
      return { p: tunnelFromLink4(link)!, link };
    },
    index: (name) => resolveMedium(ctx, name),
  };
}

/** The same for IPv6 tunnels. */
function env6(ctx: CliContext): ParseEnv<Ip6Tunnel> {
  return {
    async load(name) {
      const link = await getTunnelLink(await ctx.rt(), name, KINDS6, 'get');
      return { p: tunnelFromLink6(link)!, link };
    },
    index: (name) => resolveMedium(ctx, name),
  };
}

/** iptunnel.c tnl_defname: the fallback device of the mode, or undefined when unknown. */
function defname4(p: Ip4Tunnel): string | undefined {
  if (p.proto === IPPROTO_IPIP) return p.vti ? 'ip_vti0' : 'tunl0';
  if (p.proto === IPPROTO_GRE) return 'gre0';
  if (p.proto === IPPROTO_IPV6) return 'sit0';
  return undefined;
}

/** ip6tunnel.c do_add / do_del: the fallback device of the mode. */
function defname6(p: Ip6Tunnel): string {
  if (p.proto === IPPROTO_GRE) return 'ip6gre0';
  return p.vti ? 'ip6_vti0' : 'ip6tnl0';
}

/**
 * `add` without a name: ip asks the mode's fallback device (gre0, tunl0, ip6tnl0, …) to create
 * a tunnel the kernel names. A link needs a name, so rtnl refuses, after ip's own failure when
 * the fallback device does not exist (kinds built as modules that are not loaded).
 */
async function unnamed(_ctx: CliContext, rt: RtNetlink, basedev: string): Promise<number> {
  if (!basedev) throw ioctlFailure('add', basedev, ENODEV);
  try {
    await rt.links.get(basedev);
  } catch (err) {
    throw ioctlFailure('add', basedev, kernelErrno(err));
  }
  throw fail('rtnl needs a name for the tunnel (the kernel names it only through the ioctl)');
}

/**
 * Create the link (`add`) or re-send its whole attribute set (`change`). For change, the
 * attributes ip's ioctl does not carry (fwmark, encapsulation, …) keep their current values.
 */
async function apply(
  rt: RtNetlink,
  cmd: 'add' | 'change',
  name: string,
  spec: { kind: string; data: Record<string, unknown> },
  addrs: { local: string; remote: string; link: number },
  loaded: Link | undefined,
  kinds: ReadonlySet<string>,
): Promise<void> {
  if (cmd === 'add') {
    await rt.links.add({ name, kind: spec.kind, data: spec.data } as Parameters<
      RtNetlink['links']['add']
    >[0]);
    return;
  }
  const link = loaded ?? (await getTunnelLink(rt, name, kinds, 'get'));
  // SIOCCHGTUNNEL on a device of another kind: its driver refuses the parameters.
  if (link.kind !== spec.kind) throw ioctlFailure('add', name, EINVAL);
  const { unknown: _unknown, ...current } = kindData(link);
  // What ip's parameters say replaces the device's values, "any" and "none" included (the
  // tunnel kinds' changelink zeroes what is left out); the rest (fwmark, encapsulation, …,
  // which the ioctl does not carry) is re-sent as it is.
  const changed: Record<string, unknown> = {
    ...spec.data,
    local: addrs.local,
    remote: addrs.remote,
  };
  changed.link = addrs.link;
  for (const key of NOT_IN_IOCTL) delete changed[key];
  await rt.links.set(name, { kind: spec.kind, data: { ...current, ...changed } });
}

/** Attributes of the tunnel kinds that ip's ioctl parameters do not carry. */
const NOT_IN_IOCTL = ['fwmark', 'encapType', 'encapFlags', 'encapSport', 'encapDport', 'erspanVer'];

/** `ip tunnel add|change …` (iptunnel.c do_add). */
async function add4(ctx: CliContext, args: string[], cmd: 'add' | 'change'): Promise<number> {
  const { p, loaded } = await parseArgs4(args, cmd, env4(ctx));
  if (p.ttl && !p.pmtudisc) throw fail('ttl != 0 and nopmtudisc are incompatible');
  const basedev = defname4(p);
  if (basedev === undefined) throw fail('cannot determine tunnel mode (ipip, gre, vti or sit)');
  const rt = await ctx.rt();
  if (!p.name) return unnamed(ctx, rt, basedev);
  await apply(rt, cmd, p.name, linkSpec4(p), p, loaded, KINDS4);
  return 0;
}

/** `ip -6 tunnel add|change …` (ip6tunnel.c do_add). */
async function add6(ctx: CliContext, args: string[], cmd: 'add' | 'change'): Promise<number> {
  const { p, loaded } = await parseArgs6(args, cmd, blank6(true), env6(ctx));
  const rt = await ctx.rt();
  if (!p.name) {
    // ip warns and goes on with the fallback device.
    ctx.out.error('Tunnel interface name not specified');
    return unnamed(ctx, rt, defname6(p));
  }
  await apply(rt, cmd, p.name, linkSpec6(p), p, loaded, KINDS6);
  return 0;
}

/** Every kind `del` accepts: ip's SIOCDELTUNNEL works on any tunnel device. */
const TUNNEL_KINDS = new Set([...KINDS4, ...KINDS6]);

/** `ip tunnel del NAME` (iptunnel.c do_del): delete the named tunnel. */
async function del4(ctx: CliContext, args: string[]): Promise<number> {
  const { p } = await parseArgs4(args, 'del', env4(ctx));
  const rt = await ctx.rt();
  if (p.name) return deleteTunnel(rt, p.name);
  const basedev = defname4(p);
  // ip's ioctl on the empty name finds no device.
  if (!basedev) throw ioctlFailure('delete', '', ENODEV);
  return deleteMatching(rt, basedev, (link) => {
    const t = tunnelFromLink4(link);
    return t !== undefined && sameTunnel4(p, t);
  });
}

/** `ip -6 tunnel del NAME` (ip6tunnel.c do_del). */
async function del6(ctx: CliContext, args: string[]): Promise<number> {
  const { p } = await parseArgs6(args, 'del', blank6(true), env6(ctx));
  const rt = await ctx.rt();
  if (p.name) return deleteTunnel(rt, p.name);
  return deleteMatching(rt, defname6(p), (link) => {
    const t = tunnelFromLink6(link);
    return t !== undefined && sameTunnel6(p, t);
  });
}

/** The key half of ip_tunnel_find: keyed tunnels match on the key, unkeyed ones on none. */
function sameKey(p: Ip4Tunnel | Ip6Tunnel, t: Ip4Tunnel | Ip6Tunnel): boolean {
  return p.iflags & GRE_KEY
    ? (t.iflags & GRE_KEY) !== 0 && t.ikey === p.ikey
    : !(t.iflags & GRE_KEY);
}

/**
 * ip_tunnel_find (net/ipv4/ip_tunnel.c): same addresses, underlay and key. The vti ioctl drops
 * GRE_KEY from the flags it searches with, so vti tunnels match whatever their keys.
 */
function sameTunnel4(p: Ip4Tunnel, t: Ip4Tunnel): boolean {
  return (
    p.local === t.local && p.remote === t.remote && p.link === t.link && (t.vti || sameKey(p, t))
  );
}

/** ip6_tnl_locate / ip6gre_tunnel_find (net/ipv6): same addresses (and key, for GRE). */
function sameTunnel6(p: Ip6Tunnel, t: Ip6Tunnel): boolean {
  return p.local === t.local && p.remote === t.remote && (p.proto !== IPPROTO_GRE || sameKey(p, t));
}

/**
 * `del` without a name: ip hands the parameters to the mode's fallback device, which deletes
 * the tunnel of its kind they describe (ENOENT when there is none). rtnl finds that tunnel among
 * the links and deletes it by name.
 */
async function deleteMatching(
  rt: RtNetlink,
  basedev: string,
  same: (link: Link) => boolean,
): Promise<number> {
  let fallback: Link;
  try {
    fallback = await rt.links.get(basedev);
  } catch (err) {
    throw ioctlFailure('delete', basedev, kernelErrno(err));
  }
  const victim = (await rt.links.list({ kind: fallback.kind ?? '' })).find(
    (l) => l.index !== fallback.index && same(l),
  );
  if (!victim) throw ioctlFailure('delete', basedev, ENOENT);
  await rt.links.delete(victim.index);
  return 0;
}

async function deleteTunnel(rt: RtNetlink, name: string): Promise<number> {
  await getTunnelLink(rt, name, TUNNEL_KINDS, 'delete');
  await rt.links.delete(name);
  return 0;
}

/** ip_tunnel_parm_match (iptunnel.c): the filters of `ip tunnel show`. */
function match4(f: Ip4Tunnel, p: Ip4Tunnel): boolean {
  return (
    (!f.link || f.link === p.link) &&
    (!f.name || f.name === p.name) &&
    (isAny4(f.remote) || f.remote === p.remote) &&
    (isAny4(f.local) || f.local === p.local) &&
    (!f.ikey || f.ikey === p.ikey)
  );
}

/** ip6_tnl_parm_match (ip6tunnel.c). */
function match6(f: Ip6Tunnel, p: Ip6Tunnel): boolean {
  return (
    (!f.link || f.link === p.link) &&
    (!f.name || f.name === p.name) &&
    (isAny6(f.local) || f.local === p.local) &&
    (isAny6(f.remote) || f.remote === p.remote) &&
    (!f.proto || !p.proto || f.proto === p.proto) &&
    (!f.encapLimit || f.encapLimit === p.encapLimit) &&
    (!f.hopLimit || f.hopLimit === p.hopLimit) &&
    (!(f.flowinfo & FLOWINFO_TCLASS) || !((f.flowinfo ^ p.flowinfo) & FLOWINFO_TCLASS)) &&
    (!(f.flowinfo & FLOWINFO_FLOWLABEL) || !((f.flowinfo ^ p.flowinfo) & FLOWINFO_FLOWLABEL)) &&
    (!f.flags || (f.flags & p.flags) !== 0)
  );
}

/**
 * tunnel.c do_tunnels_list: every link of the family's tunnel types that matches, printed one
 * per line (with `-s`, its counters).
 */
async function listTunnels<P>(
  ctx: CliContext,
  types: readonly number[],
  filterName: string,
  model: (link: Link) => P | undefined,
  keep: (p: P) => boolean,
  print: (out: Output, p: P, names: ReadonlyMap<number, string>) => void,
): Promise<number> {
  const rt = await ctx.rt();
  let links: Link[];
  try {
    links = await rt.links.list();
  } catch (err) {
    // ip: the kernel's error, then "Dump terminated", status 1 (ip/tunnel.c do_tunnels_list).
    if (!isNetlinkError(err)) throw err;
    ctx.out.error(formatNetlinkError(err));
    throw fail('Dump terminated');
  }
  const names = new Map(links.map((l) => [l.index, l.name]));
  const out = ctx.out;
  out.openJson();
  for (const link of links) {
    const type = typeof link.type === 'number' ? link.type : arphrd(link.type);
    if (!types.includes(type)) continue;
    if (filterName && filterName !== link.name) continue;
    const p = model(link);
    if (p === undefined || !keep(p)) continue;
    print(out, p, names);
    if (ctx.opts.stats) printStats(out, link);
    out.text('\n');
  }
  out.closeJson();
  return 0;
}

/** The ARPHRD number of the type names `ip tunnel show` cares about. */
function arphrd(name: string): number {
  switch (name) {
    case 'ipip':
      return ARPHRD_TUNNEL;
    case 'tunnel6':
      return ARPHRD_TUNNEL6;
    case 'sit':
      return ARPHRD_SIT;
    case 'gre':
      return ARPHRD_IPGRE;
    case 'gre6':
      return ARPHRD_IP6GRE;
    default:
      return -1;
  }
}

/** Print one tunnel that was asked for by name (ip's SIOCGETTUNNEL path). */
async function showOne<P>(
  ctx: CliContext,
  name: string,
  kinds: ReadonlySet<string>,
  model: (link: Link) => P | undefined,
  print: (out: Output, p: P, names: ReadonlyMap<number, string>) => void,
  linkOf: (p: P) => number,
): Promise<number> {
  const rt = await ctx.rt();
  const link = await getTunnelLink(rt, name, kinds, 'get');
  const p = model(link)!;
  const names = new Map<number, string>();
  const lower = linkOf(p);
  if (lower) {
    try {
      names.set(lower, (await rt.links.get(lower)).name);
    } catch {
      // gone: ip prints "if<N>"
    }
  }
  // ip 6.1 prints this case as text even under -j (it opens no JSON document), and for IPv6
  // without the final newline; rtnl writes the one-element array ip's listing would, and ends
  // the line.
  ctx.out.openJson();
  print(ctx.out, p, names);
  ctx.out.text('\n');
  ctx.out.closeJson();
  return 0;
}

/** `ip tunnel show [NAME] [filters]` (iptunnel.c do_show). */
async function show4(ctx: CliContext, args: string[]): Promise<number> {
  const { p } = await parseArgs4(args, 'show', env4(ctx));
  const basedev = defname4(p);
  const numeric = ctx.opts.numeric;
  const print = (out: Output, t: Ip4Tunnel, names: ReadonlyMap<number, string>) =>
    printTunnel4(out, t, names, numeric);
  if (basedev === undefined) {
    return listTunnels(
      ctx,
      [ARPHRD_TUNNEL, ARPHRD_IPGRE, ARPHRD_SIT],
      p.name,
      tunnelFromLink4,
      (t) => match4(p, t),
      print,
    );
  }
  return showOne(ctx, p.name || basedev, KINDS4, tunnelFromLink4, print, (t) => t.link);
}

/** `ip -6 tunnel show [NAME] [filters]` (ip6tunnel.c do_show). */
async function show6(ctx: CliContext, args: string[]): Promise<number> {
  const start = blank6(false);
  start.proto = 0; // any
  const { p } = await parseArgs6(args, 'show', start, env6(ctx));
  if (!p.name || ctx.opts.stats) {
    return listTunnels(
      ctx,
      [ARPHRD_TUNNEL6, ARPHRD_IP6GRE],
      p.name,
      tunnelFromLink6,
      (t) => match6(p, t),
      printTunnel6,
    );
  }
  return showOne(ctx, p.name, KINDS6, tunnelFromLink6, printTunnel6, (t) => t.link);
}

/** SIOCADDPRL / SIOCDELPRL (SIOCDEVPRIVATE + 5 / + 6), for ip's failure text. */
const SIOCADDPRL = 0x89f5;
const SIOCDELPRL = 0x89f6;

/**
 * `ip tunnel prl …`: ISATAP potential router lists exist only behind the SIOCADDPRL /
 * SIOCDELPRL ioctls; rtnetlink has no equivalent. rtnl checks the arguments and the device as
 * ip does (same texts), and for an ISATAP sit device says that it cannot do it.
 */
async function prl(ctx: CliContext, args: string[]): Promise<number> {
  const w = new Words(args);
  let count = 0;
  let cmd = 0;
  let medium: string | undefined;
  for (let word = w.next(); word !== undefined; word = w.next()) {
    if (word === 'prl-default' || word === 'prl-nodefault' || word === 'prl-delete') {
      cmd = word === 'prl-delete' ? SIOCDELPRL : SIOCADDPRL;
      getAddr32(w.value());
      count++;
    } else if (word === 'dev') {
      const dev = w.value();
      if (!checkIfname(dev)) throw invarg('"dev" not a valid ifname', dev);
      medium = dev;
    } else throw new CliError(`Invalid PRL parameter "${word}"`, 255);
    if (count > 1) throw new CliError('One PRL entry at a time', 255);
  }
  if (medium === undefined) throw new CliError('Must specify device', 255);
  const ioctlFail = (errno: number) =>
    fail(`${medium}: ioctl ${cmd.toString(16)} failed: ${errnoText(errno)}`);
  // Without an entry ip issues ioctl 0, which no device knows.
  if (cmd === 0) throw ioctlFail(ENOTTY);
  let link: Link;
  try {
    link = await (await ctx.rt()).links.get(medium);
  } catch (err) {
    throw ioctlFail(kernelErrno(err));
  }
  if (link.kind !== 'sit') throw ioctlFail(EOPNOTSUPP);
  throw fail(
    `${medium}: ISATAP potential router lists are only reachable through ioctls (ip tunnel prl); rtnl uses rtnetlink only`,
  );
}

/** SIOCADD6RD / SIOCDEL6RD (SIOCDEVPRIVATE + 9 / + 10), for ip's failure text. */
const SIOCADD6RD = 0x89f9;
const SIOCDEL6RD = 0x89fa;

/**
 * `ip tunnel 6rd dev SIT [6rd-prefix P] [6rd-relay_prefix P] [6rd-reset]` (iptunnel.c do_6rd),
 * as a change of the sit link's IFLA_IPTUN_6RD_* attributes. Like SIOCADD6RD, every value not
 * given becomes zero; 6rd-reset restores 2002::/16 without a relay prefix.
 */
async function sixrd(ctx: CliContext, args: string[]): Promise<number> {
  let cmd = 0;
  let medium: string | undefined;
  const rd = { prefix6rd: '::', prefixlen6rd: 0, relayPrefix6rd: '0.0.0.0', relayPrefixlen6rd: 0 };
  const w = new Words(args);
  for (let word = w.next(); word !== undefined; word = w.next()) {
    if (word === '6rd-prefix') {
      // ip's get_prefix exits with its own message before its invarg can.
      const prefix = parsePrefix(w.value(), 'inet6');
      cmd = SIOCADD6RD;
      rd.prefix6rd = prefix.any ? '::' : getAddr6(prefix.address);
      rd.prefixlen6rd = prefix.prefixlen;
    } else if (word === '6rd-relay_prefix') {
      const prefix = parsePrefix(w.value(), 'inet');
      cmd = SIOCADD6RD;
      rd.relayPrefix6rd = prefix.any ? '0.0.0.0' : prefix.address;
      rd.relayPrefixlen6rd = prefix.prefixlen;
    } else if (word === '6rd-reset') {
      cmd = SIOCDEL6RD;
    } else if (word === 'dev') {
      const dev = w.value();
      if (!checkIfname(dev)) throw invarg('"dev" not a valid ifname', dev);
      medium = dev;
    } else throw new CliError(`Invalid 6RD parameter "${word}"`, 255);
  }
  if (medium === undefined) throw new CliError('Must specify device', 255);
  const ioctlFail = (errno: number) =>
    fail(`${medium}: ioctl ${cmd.toString(16)} failed: ${errnoText(errno)}`);
  if (cmd === 0) throw ioctlFail(ENOTTY);
  const rt = await ctx.rt();
  let link: Link;
  try {
    link = await rt.links.get(medium);
  } catch (err) {
    throw ioctlFail(kernelErrno(err));
  }
  if (link.kind !== 'sit') throw ioctlFail(EOPNOTSUPP);
  if (cmd === SIOCDEL6RD) {
    Object.assign(rd, { prefix6rd: '2002::', prefixlen6rd: 16 });
    Object.assign(rd, { relayPrefix6rd: '0.0.0.0', relayPrefixlen6rd: 0 });
  }
  const { unknown: _unknown, ...current } = kindData(link);
  await rt.links.set(medium, { kind: 'sit', data: { ...current, ...rd } });
  return 0;
}
