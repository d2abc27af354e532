// Loader for the golden fixtures under fixtures/ (format: fixtures/README.md).
//
// A fixture NAME is its path under fixtures/ without the extension, e.g. 'link/dump.reply'.
// NAME.hex holds the captured datagrams, NAME.json the provenance and what independent oracles
// (strace's decoder, `ip -j`, iproute2's stderr, scripts/nlcapture.py) say the bytes mean.
// Nothing here decodes netlink: the loader only turns hex back into bytes.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures',
);

/** One nlmsghdr as the oracle decoded it; seq and pid are unsigned 32-bit. */
export interface FixtureHeader {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
}

/** One attribute as strace decoded it. `type` is the raw nla_type, NLA_F_NESTED and
 * NLA_F_NET_BYTEORDER bits included. At most one of the value fields is present. */
export interface FixtureAttr {
  type: number;
  len: number;
  /** A number strace printed; a decimal string when beyond Number.MAX_SAFE_INTEGER. */
  value?: number | string;
  /** Payload bytes strace printed as a string. */
  hex?: string;
  /** An address strace printed as inet_addr()/inet_pton(). */
  address?: string;
  /** Any other symbolic value, verbatim. */
  text?: string;
  /** A struct strace decoded (stats, cacheinfo, ...): its scalar fields. */
  struct?: Record<string, number | string>;
  /** An array of structs each followed by attributes, e.g. RTA_MULTIPATH's rtnexthops. */
  items?: Array<{ struct: Record<string, number | string>; attrs?: FixtureAttr[] }>;
  /** strace printed some other array (e.g. devconf values by index). */
  decoded?: 'array';
  /** Nested attributes, when strace decoded them as such. */
  nested?: FixtureAttr[];
}

export interface FixtureEchoedError {
  errno: number;
  /** Header of the echoed request. */
  echoed?: FixtureHeader;
  /** strace printed the whole echoed request (uncapped) rather than only its header. */
  echoed_whole_request?: boolean;
  tlvs: FixtureAttr[];
}

export interface FixtureMessage extends FixtureHeader {
  /** The family header (ifinfomsg, ifaddrmsg, rtmsg, tcmsg, ...) field by field. */
  header?: Record<string, number | string>;
  attrs?: FixtureAttr[];
  /** NLMSG_ERROR payload. */
  error?: FixtureEchoedError;
  /** NLMSG_DONE's int. */
  done_errno?: number;
  /** NLMSG_DONE payload when strace did not decode it (it has ext-ack TLVs). */
  done_payload_hex?: string;
  /** A payload strace printed as a single value. */
  payload?: Omit<FixtureAttr, 'type' | 'len'>;
}

export interface FixtureDatagram {
  bytes: number;
  messages: FixtureMessage[];
  /** Bytes after the last message whose nlmsg_len is below 16 (iproute2 sends its whole
   * request buffer; the kernel stops parsing there). Always zero bytes. */
  trailing_bytes?: number;
}

/** What the kernel said no (or warned) with, from strace's decode and the tool's stderr. */
export interface FixtureError {
  errno: number;
  errno_name: string;
  ext_ack_msg: string | null;
  attr_offs: number | null;
  tlv_types: number[];
  tool_stderr?: string;
  tool_exit_status?: number;
  ext_ack_msg_from_stderr?: string;
  /** For python-built requests: the request attribute NLMSGERR_ATTR_OFFS points at. */
  attr_offs_points_to?: { what: string; type: number; offset: number; len: number } | null;
}

/** An error carried by NLMSG_DONE at the end of a dump. */
export interface FixtureDone {
  errno: number;
  errno_name: string;
  ext_ack_msg: string | null;
  nlmsg_flags: number;
  tlv_types: number[];
}

export interface FixtureSocketOptions {
  NETLINK_EXT_ACK: boolean;
  NETLINK_CAP_ACK: boolean;
  NETLINK_GET_STRICT_CHK: boolean;
  /** [level, optname, value] of every setsockopt strace saw on the socket. */
  setsockopt: Array<[number, number, number | null]>;
  source: string;
}

export interface FixtureProvenance {
  kernel: string;
  iproute2: string;
  strace: string;
  python?: string;
  command: string;
  captured_with: string;
  tool: string;
  date: string;
  socket: FixtureSocketOptions;
  namespace_state?: string[];
  other_exchanges?: Array<{
    fd: number;
    request: { len?: number; type?: number; flags?: number; bytes?: number };
    reply_datagrams: number;
  }>;
}

export interface FixtureExpect {
  oracle: string;
  datagrams: FixtureDatagram[];
  error?: FixtureError;
  done?: FixtureDone;
  /** `ip -j` document of the same state, captured right after the dump. */
  ip_json?: unknown;
  ip_json_command?: string;
  /** scripts/nlcapture.py's own reading (struct.unpack). */
  python?: Record<string, unknown>;
  routes?: {
    ip_json_command: string;
    ip_json_count: number;
    ip_json_dsts: string[];
    datagram_message_counts: number[];
  };
}

export interface FixtureMeta {
  name: string;
  description: string;
  proves: string;
  direction: 'request' | 'reply';
  provenance: FixtureProvenance;
  expect: FixtureExpect;
}

export interface Fixture {
  name: string;
  /** One Buffer per datagram, in capture order. */
  messages: Buffer[];
  meta: FixtureMeta;
}

const DATAGRAM_RE =
  /^#\s*datagram\s+(\d+)\s*\(direction:\s*(user->kernel|kernel->user),\s*(\d+)\s+bytes\)/;

/**
 * Parses the .hex format: whitespace-separated byte pairs, `#` starts a comment, and a comment
 * line `# datagram N (direction: D, L bytes)` starts datagram N. Datagrams must be numbered
 * 1, 2, 3, ... and hold exactly L bytes.
 */
export function parseHexFixture(text: string, source = '<hex>'): Buffer[] {
  const datagrams: { declared: number; bytes: number[] }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const where = `${source}:${i + 1}`;
    const header = DATAGRAM_RE.exec(line.trim());
    if (header) {
      if (Number(header[1]) !== datagrams.length + 1) {
        throw new Error(`${where}: datagram ${header[1]} out of order`);
      }
      datagrams.push({ declared: Number(header[3]), bytes: [] });
      return;
    }
    const hash = line.indexOf('#');
    const data = (hash === -1 ? line : line.slice(0, hash)).trim();
    if (data === '') return;
    const current = datagrams[datagrams.length - 1];
    if (!current) throw new Error(`${where}: bytes before the first '# datagram' line`);
    for (const token of data.split(/\s+/)) {
      if (!/^[0-9a-fA-F]{2}$/.test(token)) throw new Error(`${where}: bad hex byte '${token}'`);
      current.bytes.push(Number.parseInt(token, 16));
    }
  });
  return datagrams.map((d, i) => {
    if (d.bytes.length !== d.declared) {
      throw new Error(
        `${source}: datagram ${i + 1} declares ${d.declared} bytes, holds ${d.bytes.length}`,
      );
    }
    return Buffer.from(d.bytes);
  });
}

function checkMeta(value: unknown, name: string): FixtureMeta {
  const fail = (what: string): never => {
    throw new Error(`fixture ${name}: ${what}`);
  };
  if (typeof value !== 'object' || value === null) return fail('JSON is not an object');
  const meta = value as Partial<FixtureMeta>;
  if (meta.name !== name) fail(`JSON name is ${String(meta.name)}`);
  if (meta.direction !== 'request' && meta.direction !== 'reply') fail('bad direction');
  if (typeof meta.provenance?.command !== 'string') fail('provenance.command missing');
  if (!Array.isArray(meta.expect?.datagrams)) fail('expect.datagrams missing');
  return meta as FixtureMeta;
}

/** Loads fixtures/NAME.hex and fixtures/NAME.json. */
export function loadFixture(name: string, dir: string = FIXTURES_DIR): Fixture {
  const base = path.join(dir, name);
  const messages = parseHexFixture(fs.readFileSync(`${base}.hex`, 'utf8'), `${name}.hex`);
  const meta = checkMeta(JSON.parse(fs.readFileSync(`${base}.json`, 'utf8')), name);
  if (meta.expect.datagrams.length !== messages.length) {
    throw new Error(
      `fixture ${name}: ${messages.length} datagrams in .hex, ${meta.expect.datagrams.length} in .json`,
    );
  }
  return { name, messages, meta };
}

/** Every fixture name under `dir` (each NAME.hex that has a NAME.json), sorted. */
export function listFixtures(dir: string = FIXTURES_DIR): string[] {
  const out: string[] = [];
  const walk = (sub: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (
        entry.name.endsWith('.hex') &&
        fs.existsSync(path.join(dir, `${rel.slice(0, -4)}.json`))
      ) {
        out.push(rel.slice(0, -4));
      }
    }
  };
  walk('');
  return out.sort();
}
