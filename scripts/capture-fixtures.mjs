#!/usr/bin/env node
// Regenerates fixtures/: golden rtnetlink bytes captured from the running kernel.
//
//   npm run capture                  (root; needs unshare, strace, ip, tc, python3)
//   npm run capture -- --only NAME   (only scripts/capture/NAME.mjs, merged into fixtures/)
//
// More captures live in scripts/capture/*.mjs, one file per subject. Each exports `groups` (the
// fixtures/ folders it alone writes) and a default `async function (ctx)`; each runs in a fresh
// network namespace of its own (only lo, down) and writes through ctx (see pluginContext()).
//
// Everything happens inside network namespaces this script makes with `unshare --net`; the
// host namespace is never touched, no named namespace (/run/netns) is created, and when the
// script ends no namespace survives (a namespace made by unshare dies with its last process).
//
// Bytes come from strace's hex dumps of the netlink syscalls (`-e read=all -e write=all`).
// Expected values come from oracles independent of rtnl: strace's own netlink decoding of the
// same syscalls (`-X raw`, numbers instead of names), `ip -j` documents of the same state,
// iproute2's stderr, and scripts/nlcapture.py's struct.unpack reading. See fixtures/README.md.
//
// Only node builtins are used.

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = path.join(ROOT, 'fixtures');
const SELF = fileURLToPath(import.meta.url);
const INNER_FLAG = '--inside-private-netns';
const GROUPS = ['link', 'address', 'route', 'errors', 'acks', 'requests'];

// linux/netlink.h, linux/rtnetlink.h
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLMSGERR_ATTR_MSG = 1;
const NLMSGERR_ATTR_OFFS = 2;
const NLA_TYPE_MASK = 0x3fff;
const SOL_NETLINK = 270;
const NETLINK_CAP_ACK = 10;
const NETLINK_EXT_ACK = 11;
const NETLINK_GET_STRICT_CHK = 12;
const MSG_PEEK = 2;
const RTM = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  NEWADDR: 20,
  GETADDR: 22,
  NEWROUTE: 24,
  GETROUTE: 26,
  NEWTCLASS: 40,
};

const STRACE_OPTS = [
  '-f',
  '-qq',
  '-e',
  'signal=none',
  '-xx',
  '-s',
  '65535',
  '-X',
  'raw',
  '-e',
  'trace=socket,setsockopt,sendto,sendmsg,recvfrom,recvmsg',
  '-e',
  'read=all',
  '-e',
  'write=all',
];

function fail(message) {
  throw new Error(`capture-fixtures: ${message}`);
}

// ---------------------------------------------------------------------------------------------
// Outer process: re-run this file inside a fresh network namespace.

function outer() {
  if (process.getuid?.() !== 0) fail('must run as root (it creates network namespaces)');
  for (const tool of ['unshare', 'nsenter', 'strace', 'ip', 'tc', 'python3']) {
    const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
    if (r.status !== 0) fail(`${tool} not found`);
  }
  const only = process.argv.indexOf('--only');
  const extra = only >= 0 ? ['--only', process.argv[only + 1] ?? fail('--only needs a name')] : [];
  const r = spawnSync('unshare', ['--net', '--', process.execPath, SELF, INNER_FLAG, ...extra], {
    stdio: 'inherit',
    env: { ...process.env, RTNL_CAPTURE_PARENT_NETNS: fs.readlinkSync('/proc/self/ns/net') },
  });
  if (r.error) throw r.error;
  process.exit(r.status ?? 1);
}

// ---------------------------------------------------------------------------------------------
// Running commands.

function run(argv, { input, allowFail = false } = {}) {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    input,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  if (r.status !== 0 && !allowFail) {
    fail(`${argv.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  }
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let straceCount = 0;
let workDir = '';

/** Runs argv under strace; returns the parsed syscalls and the command's own output. */
function traced(argv, { input, allowFail = false } = {}) {
  const log = path.join(workDir, `strace-${++straceCount}.log`);
  const r = run(['strace', ...STRACE_OPTS, '-o', log, '--', ...argv], { input, allowFail: true });
  if (r.status !== 0 && !allowFail) {
    fail(`${argv.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  }
  const events = parseStraceLog(fs.readFileSync(log, 'utf8'));
  return {
    ...r,
    events,
    exchanges: exchangesOf(events),
    capturedWith: ['strace', ...STRACE_OPTS, '-o', '<log>', '--', ...argv].join(' '),
  };
}

// ---------------------------------------------------------------------------------------------
// strace output: a small parser for the value syntax strace prints (structs, arrays, strings,
// atoms such as 0x8000|0x3e or inet_addr("...")). With -xx every string byte is \xNN, so a
// quote or parenthesis inside a string never confuses the scan.

class StraceValueParser {
  constructor(text) {
    this.s = text;
    this.i = 0;
  }

  ws() {
    while (this.s[this.i] === ' ') this.i++;
  }

  value() {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.members('}', 'struct');
    if (c === '[') return this.members(']', 'array');
    if (c === '"') return this.string();
    return this.atom();
  }

  members(close, kind) {
    this.i++;
    const items = [];
    this.ws();
    if (this.s[this.i] === close) {
      this.i++;
      return { kind, items };
    }
    for (;;) {
      this.ws();
      const m = /^(\[\d+\]|[A-Za-z_][A-Za-z0-9_]*)=/.exec(this.s.slice(this.i, this.i + 80));
      let key;
      if (m) {
        key = m[1];
        this.i += m[0].length;
      }
      const value = this.value();
      items.push(key === undefined ? { value } : { key, value });
      this.ws();
      const c = this.s[this.i];
      if (c === ',') {
        this.i++;
        continue;
      }
      if (c === close) {
        this.i++;
        return { kind, items };
      }
      fail(
        `strace parse: expected ',' or '${close}' at ${this.i}: ${this.s.slice(this.i, this.i + 60)}`,
      );
    }
  }

  skipString() {
    let j = this.i + 1;
    while (this.s[j] !== '"') {
      if (j >= this.s.length) fail('strace parse: unterminated string');
      if (this.s[j] === '\\') j++;
      j++;
    }
    const body = this.s.slice(this.i + 1, j);
    this.i = j + 1;
    return body;
  }

  string() {
    const body = this.skipString();
    let truncated = false;
    if (this.s.startsWith('...', this.i)) {
      truncated = true;
      this.i += 3;
    }
    return { kind: 'string', bytes: unescapeStrace(body), truncated };
  }

  atom() {
    const start = this.i;
    let depth = 0;
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) break;
      if (c === '"') {
        this.skipString();
        continue;
      }
      if (c === '(') depth++;
      else if (c === ')') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0 && (c === ',' || c === '}' || c === ']')) break;
      this.i++;
    }
    return { kind: 'atom', text: this.s.slice(start, this.i).trim() };
  }
}

function unescapeStrace(body) {
  const out = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out.push(body.charCodeAt(i));
      continue;
    }
    const n = body[++i];
    if (n === 'x') {
      out.push(Number.parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (n !== undefined && n >= '0' && n <= '7') {
      let j = i;
      while (j < i + 3 && body[j] !== undefined && body[j] >= '0' && body[j] <= '7') j++;
      out.push(Number.parseInt(body.slice(i, j), 8));
      i = j - 1;
    } else {
      const map = { n: 10, t: 9, r: 13, v: 11, f: 12, '\\': 92, '"': 34 };
      out.push(map[n] ?? n.charCodeAt(0));
    }
  }
  return Buffer.from(out);
}

const SYSCALL_RE =
  /^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?([a-z_0-9]+)\((.*)\)\s+=\s+(-?\d+|\?)(?:\s.*)?$/;

function parseStraceLog(text) {
  const events = [];
  let current;
  for (const line of text.split('\n')) {
    if (line.startsWith(' | ')) {
      if (!current) fail(`hex dump without a syscall: ${line}`);
      const m = /^ \| [0-9a-f]+ {2}((?:[0-9a-f]{2} {1,2}){1,16})/.exec(line);
      if (!m) fail(`unparsable hex dump line: ${line}`);
      for (const h of m[1].trim().split(/\s+/)) current.hex.push(Number.parseInt(h, 16));
      continue;
    }
    if (
      line.startsWith(' * ') ||
      line === '' ||
      /^(\[pid\s+\d+\] |\d+\s+)?(---|\+\+\+)/.test(line)
    ) {
      continue;
    }
    if (line.includes('<unfinished ...>') || line.includes('resumed>')) {
      fail(`interleaved syscalls in strace log are not handled: ${line}`);
    }
    const m = SYSCALL_RE.exec(line);
    if (!m) fail(`unparsable strace line: ${line.slice(0, 200)}`);
    const args = new StraceValueParser(`[${m[4]}]`).value().items.map((it) => it.value);
    const pid = m[1] ?? m[2];
    current = {
      pid: pid ? Number(pid) : undefined,
      name: m[3],
      args,
      ret: m[5] === '?' ? Number.NaN : Number(m[5]),
      hex: [],
      line,
    };
    events.push(current);
  }
  return events.map((e) => ({ ...e, bytes: Buffer.from(e.hex) }));
}

function atomNumber(v) {
  if (v?.kind !== 'atom') return undefined;
  return parseNumberText(v.text);
}

function parseNumberText(text) {
  const parts = text.split('|');
  let acc = 0n;
  for (const p of parts) {
    if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(p)) return undefined;
    acc |= BigInt(p.startsWith('-') ? -BigInt(p.slice(1)) : BigInt(p));
  }
  if (parts.length > 1) acc = BigInt.asUintN(64, acc);
  if (acc > BigInt(Number.MAX_SAFE_INTEGER) || acc < BigInt(Number.MIN_SAFE_INTEGER)) {
    return acc.toString();
  }
  return Number(acc);
}

function field(struct, key) {
  if (struct?.kind !== 'struct') return undefined;
  return struct.items.find((it) => it.key === key)?.value;
}

/** Groups syscalls into exchanges: one send and the datagrams read on that fd after it. */
function exchangesOf(events) {
  const sockets = new Map();
  const open = new Map();
  const out = [];
  for (const ev of events) {
    if (ev.name === 'socket') {
      if (ev.ret >= 0) sockets.set(ev.ret, { options: [] });
      continue;
    }
    const fd = atomNumber(ev.args[0]);
    if (ev.name === 'setsockopt') {
      const level = atomNumber(ev.args[1]);
      const opt = atomNumber(ev.args[2]);
      const value =
        ev.args[3]?.kind === 'array' ? atomNumber(ev.args[3].items[0]?.value) : undefined;
      sockets.get(fd)?.options.push({ level, opt, value, ok: ev.ret === 0 });
      continue;
    }
    const iov =
      ev.name === 'sendto' || ev.name === 'recvfrom'
        ? ev.args[1]
        : field(field(ev.args[1], 'msg_iov')?.items?.[0]?.value, 'iov_base');
    if (ev.name === 'sendto' || ev.name === 'sendmsg') {
      if (ev.bytes.length !== ev.ret) {
        fail(`hex dump of ${ev.name} has ${ev.bytes.length} bytes, syscall returned ${ev.ret}`);
      }
      const ex = { fd, socket: socketOptions(sockets.get(fd)), request: { ev, iov }, replies: [] };
      out.push(ex);
      open.set(fd, ex);
    } else if (ev.name === 'recvfrom' || ev.name === 'recvmsg') {
      const flags = atomNumber(ev.name === 'recvfrom' ? ev.args[3] : ev.args[2]) ?? 0;
      if (flags & MSG_PEEK || !(ev.ret > 0)) continue;
      if (ev.bytes.length !== ev.ret) {
        fail(`hex dump of ${ev.name} has ${ev.bytes.length} bytes, syscall returned ${ev.ret}`);
      }
      open.get(fd)?.replies.push({ ev, iov });
    }
  }
  return out;
}

function socketOptions(sock) {
  const set = (opt) =>
    sock?.options.some((o) => o.level === SOL_NETLINK && o.opt === opt && o.value && o.ok) ?? false;
  return {
    NETLINK_EXT_ACK: set(NETLINK_EXT_ACK),
    NETLINK_CAP_ACK: set(NETLINK_CAP_ACK),
    NETLINK_GET_STRICT_CHK: set(NETLINK_GET_STRICT_CHK),
    setsockopt: (sock?.options ?? []).map((o) => [o.level, o.opt, o.value]),
  };
}

// ---------------------------------------------------------------------------------------------
// strace's decode -> expected values.

function isStruct(v, key) {
  return v?.kind === 'struct' && v.items.some((it) => it.key === key);
}

/** The messages strace printed for one datagram. */
function straceMessages(iov) {
  if (isStruct(iov, 'nlmsg_len')) return [iov];
  if (iov?.kind !== 'array') return [];
  if (isStruct(iov.items[0]?.value, 'nlmsg_len')) return [iov];
  return iov.items
    .map((it) => it.value)
    .filter((v) => isStruct(v, 'nlmsg_len') || isStruct(v?.items?.[0]?.value, 'nlmsg_len'));
}

function u32(n) {
  return typeof n === 'number' ? n >>> 0 : n;
}

function headerOf(node) {
  const h = node.kind === 'struct' ? node : node.items[0].value;
  return {
    len: atomNumber(field(h, 'nlmsg_len')),
    type: atomNumber(field(h, 'nlmsg_type')),
    flags: atomNumber(field(h, 'nlmsg_flags')),
    seq: u32(atomNumber(field(h, 'nlmsg_seq'))),
    pid: u32(atomNumber(field(h, 'nlmsg_pid'))),
  };
}

function structValues(s) {
  const out = {};
  for (const it of s.items) {
    if (it.key === undefined) continue;
    const n = atomNumber(it.value);
    if (n !== undefined) out[it.key] = n;
    else if (it.value.kind === 'atom') out[it.key] = it.value.text;
    else if (it.value.kind === 'string') out[it.key] = `hex:${it.value.bytes.toString('hex')}`;
  }
  return out;
}

function isNlaNode(v) {
  return isStruct(v, 'nla_len') || (v?.kind === 'array' && isStruct(v.items[0]?.value, 'nla_len'));
}

function attrList(v) {
  if (!v) return [];
  if (isNlaNode(v)) return [attrOf(v)];
  if (v.kind === 'array' && v.items.length > 0 && v.items.every((it) => isNlaNode(it.value))) {
    return v.items.map((it) => attrOf(it.value));
  }
  return undefined;
}

function leafOf(v) {
  if (v.kind === 'atom') {
    const n = parseNumberText(v.text);
    if (n !== undefined) return { value: n };
    const addr = /^(?:inet_addr\(|inet_pton\((?:0x[0-9a-f]+|AF_INET6?), )"(.*)"\)$/.exec(v.text);
    if (addr) return { address: unescapeStrace(addr[1]).toString('latin1') };
    return { text: v.text };
  }
  if (v.kind === 'string') return { hex: v.bytes.toString('hex') };
  if (v.kind === 'struct') return { struct: structValues(v) };
  // An array of structs, each optionally followed by attributes: RTA_MULTIPATH's rtnexthops.
  const entries = v.items.map((it) => it.value);
  const isEntry = (e) =>
    (e.kind === 'struct' && !isStruct(e, 'nla_len')) ||
    (e.kind === 'array' &&
      e.items[0]?.value.kind === 'struct' &&
      !isStruct(e.items[0].value, 'nla_len'));
  if (entries.length > 0 && entries.every(isEntry)) {
    return {
      items: entries.map((e) => {
        if (e.kind === 'struct') return { struct: structValues(e) };
        const rest = e.items.slice(1);
        const attrs =
          rest.length === 1 ? attrList(rest[0].value) : attrList({ kind: 'array', items: rest });
        return { struct: structValues(e.items[0].value), ...(attrs ? { attrs } : {}) };
      }),
    };
  }
  return { decoded: 'array' };
}

function attrOf(node) {
  const nla = node.kind === 'struct' ? node : node.items[0].value;
  const out = { type: atomNumber(field(nla, 'nla_type')), len: atomNumber(field(nla, 'nla_len')) };
  const v = node.kind === 'array' ? node.items[1]?.value : undefined;
  if (!v) return out;
  const nested = v.kind === 'array' ? attrList(v) : undefined;
  if (nested) return { ...out, nested };
  return { ...out, ...leafOf(v) };
}

function errorOf(payload) {
  const errStruct = payload?.kind === 'array' ? payload.items[0]?.value : payload;
  const echo = field(errStruct, 'msg');
  const out = { errno: atomNumber(field(errStruct, 'error')) };
  if (echo) {
    const echoed = straceMessages(echo)[0];
    if (echoed) {
      out.echoed = headerOf(echoed);
      out.echoed_whole_request = echoed.kind === 'array';
    }
  }
  if (payload?.kind === 'array') {
    const rest = { kind: 'array', items: payload.items.slice(1) };
    const tlvs = payload.items.length === 2 ? attrList(payload.items[1].value) : attrList(rest);
    out.tlvs = tlvs ?? [];
  } else {
    out.tlvs = [];
  }
  return out;
}

function expectMessage(node) {
  const hdr = headerOf(node);
  const payload = node.kind === 'array' ? node.items.slice(1).map((it) => it.value) : [];
  const out = { ...hdr };
  if (hdr.type === NLMSG_ERROR) {
    out.error = errorOf(payload[0]);
  } else if (hdr.type === NLMSG_DONE) {
    const n = atomNumber(payload[0]);
    if (n !== undefined) out.done_errno = n;
    else if (payload[0]?.kind === 'string') {
      out.done_payload_hex = payload[0].bytes.toString('hex');
      out.done_errno = payload[0].bytes.length >= 4 ? payload[0].bytes.readInt32LE(0) : undefined;
    }
  } else {
    let rest = payload;
    if (rest[0]?.kind === 'struct' && !isStruct(rest[0], 'nla_len')) {
      out.header = structValues(rest[0]);
      rest = rest.slice(1);
    }
    if (rest.length === 1) {
      const attrs = attrList(rest[0]);
      if (attrs) out.attrs = attrs;
      else out.payload = leafOf(rest[0]);
    } else if (rest.length > 1) {
      out.attrs = attrList({ kind: 'array', items: rest.map((value) => ({ value })) }) ?? [];
    }
  }
  return out;
}

/** Expected datagram from strace's decode, cross-checked against the bytes' framing. */
function expectDatagram(bytes, iov) {
  const messages = straceMessages(iov).map(expectMessage);
  const real = messages.filter((m) => m.len >= 16);
  let end = 0;
  for (const m of real) end = end + ((m.len + 3) & ~3);
  if (end > bytes.length && real.length > 0) {
    const last = real[real.length - 1];
    end = end - ((last.len + 3) & ~3) + last.len;
  }
  const trailing = bytes.length - end;
  if (trailing < 0) fail(`strace messages overrun the datagram (${end} > ${bytes.length})`);
  const out = { bytes: bytes.length, messages: real };
  if (trailing > 0) {
    if (bytes.subarray(end).some((b) => b !== 0))
      fail('non-zero trailing bytes after the messages');
    out.trailing_bytes = trailing;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing fixtures.

/** JSON laid out for reading: containers of plain values, short containers and whole message
 * headers stay on one line, so each message or attribute reads as one row. */
function formatJson(v, indent = '') {
  const flat = JSON.stringify(v);
  if (flat === undefined) return 'null';
  if (v === null || typeof v !== 'object') return flat;
  const children = Array.isArray(v) ? v : Object.values(v);
  const plain = children.every((x) => x === null || typeof x !== 'object');
  const isMessage = !Array.isArray(v) && 'len' in v && 'type' in v && 'seq' in v;
  if (plain || flat.length + indent.length <= 100 || (isMessage && flat.length <= 480)) return flat;
  const next = `${indent}  `;
  if (Array.isArray(v)) {
    return `[\n${v.map((x) => next + formatJson(x, next)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(v).filter(([, x]) => x !== undefined);
  const body = entries.map(([k, x]) => `${next}${JSON.stringify(k)}: ${formatJson(x, next)}`);
  return `{\n${body.join(',\n')}\n${indent}}`;
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${formatJson(value)}\n`);
}

const index = [];
let staging = '';
let tools = {};

function hexLines(buf, messageStarts) {
  const lines = [];
  let line = [];
  let lineStart = 0;
  const flush = () => {
    if (line.length > 0) {
      lines.push(`${line.join(' ').padEnd(47)}  # ${lineStart.toString(16).padStart(4, '0')}`);
    }
    line = [];
  };
  for (let i = 0; i < buf.length; i++) {
    const note = messageStarts.get(i);
    if (note !== undefined) {
      flush();
      lines.push(note);
    }
    if (line.length === 0) lineStart = i;
    line.push(buf[i].toString(16).padStart(2, '0'));
    if (line.length === 16) flush();
  }
  flush();
  return lines;
}

function writeFixture(name, { description, proves, direction, datagrams, provenance, expect }) {
  const arrow = direction === 'request' ? 'user->kernel' : 'kernel->user';
  const out = [
    `# rtnl golden fixture ${name}`,
    `# ${description}`,
    `# command: ${provenance.command}`,
    `# captured ${provenance.date} on Linux ${provenance.kernel} by scripts/capture-fixtures.mjs`,
    `# expected values and provenance: ${path.basename(name)}.json`,
    '# format: hex bytes separated by whitespace; everything after "#" is a comment',
    '',
  ];
  const expectDatagrams = [];
  datagrams.forEach((d, i) => {
    const exp = d.expect;
    expectDatagrams.push(exp);
    out.push(`# datagram ${i + 1} (direction: ${arrow}, ${d.bytes.length} bytes)`);
    const starts = new Map();
    let off = 0;
    exp.messages.forEach((m, j) => {
      starts.set(
        off,
        `# message ${j + 1} @${off}: nlmsg_len=${m.len} nlmsg_type=${m.type} nlmsg_flags=0x${m.flags.toString(16)} nlmsg_seq=${m.seq} nlmsg_pid=${m.pid}`,
      );
      off += (m.len + 3) & ~3;
    });
    if (exp.trailing_bytes) {
      starts.set(
        d.bytes.length - exp.trailing_bytes,
        `# ${exp.trailing_bytes} trailing bytes (nlmsg_len 0: not a message; the kernel stops here)`,
      );
    }
    out.push(...hexLines(d.bytes, starts), '');
  });
  const file = path.join(staging, `${name}.hex`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, out.join('\n'));
  const meta = {
    name,
    description,
    proves,
    direction,
    provenance,
    expect: { datagrams: expectDatagrams, ...expect },
  };
  writeJson(path.join(staging, `${name}.json`), meta);
  index.push({
    name,
    direction,
    datagrams: datagrams.length,
    messages: expectDatagrams.reduce((n, d) => n + d.messages.length, 0),
    bytes: datagrams.reduce((n, d) => n + d.bytes.length, 0),
    tool: provenance.tool,
    proves,
  });
}

function baseProvenance(command, capturedWith, socket, extra = {}) {
  return {
    kernel: tools.kernel,
    iproute2: tools.iproute2,
    strace: tools.strace,
    ...(extra.python ? { python: tools.python } : {}),
    command,
    captured_with: capturedWith,
    tool: extra.python ? 'python3 scripts/nlcapture.py' : command.split(' ')[0],
    date: new Date().toISOString(),
    socket: {
      NETLINK_EXT_ACK: socket.NETLINK_EXT_ACK,
      NETLINK_CAP_ACK: socket.NETLINK_CAP_ACK,
      NETLINK_GET_STRICT_CHK: socket.NETLINK_GET_STRICT_CHK,
      setsockopt: socket.setsockopt,
      source: 'setsockopt calls seen by strace on the socket that carried the exchange',
    },
    ...(extra.state ? { namespace_state: extra.state } : {}),
    ...(extra.other ? { other_exchanges: extra.other } : {}),
  };
}

function summary(ex) {
  const m = straceMessages(ex.request.iov)[0];
  const h = m ? headerOf(m) : undefined;
  return {
    fd: ex.fd,
    request: h
      ? { len: h.len, type: h.type, flags: h.flags }
      : { bytes: ex.request.ev.bytes.length },
    reply_datagrams: ex.replies.length,
  };
}

/** Picks the exchange whose request is of `type` (and has all `flagsAll` bits). iproute2 may
 * send preparatory requests of the same type first (`ip link` probes RTM_NEWLINK support with
 * an empty request), so the last match is the command's own request unless `nth` says which. */
function pick(t, type, flagsAll = 0, nth = -1) {
  const hits = t.exchanges.filter((ex) => {
    const m = straceMessages(ex.request.iov)[0];
    if (!m) return false;
    const h = headerOf(m);
    return h.type === type && (h.flags & flagsAll) === flagsAll;
  });
  const ex = hits.at(nth);
  if (!ex) fail(`no exchange of type ${type} in trace of: ${t.capturedWith}`);
  return ex;
}

function errnoName(errno) {
  const n = -errno;
  // Linux aliases: prefer the name the kernel uses.
  const preferred = { 95: 'EOPNOTSUPP', 11: 'EAGAIN', 35: 'EDEADLK' };
  if (preferred[n]) return preferred[n];
  for (const [k, v] of Object.entries(os.constants.errno)) if (v === n) return k;
  return '';
}

/** Writes NAME.request and NAME.reply for one exchange. */
function writePair(
  name,
  t,
  ex,
  { command, description, proves, state, expectReply = {}, expectRequest = {}, python },
) {
  const others = t.exchanges.filter((e) => e !== ex).map(summary);
  const prov = baseProvenance(command, t.capturedWith, ex.socket, {
    state,
    other: others.length > 0 ? others : undefined,
    python,
  });
  if (ex.replies.length === 0) fail(`${name}: no reply datagrams`);
  writeFixture(`${name}.request`, {
    description: `${description} (the request)`,
    proves: proves.request,
    direction: 'request',
    provenance: prov,
    datagrams: [
      { bytes: ex.request.ev.bytes, expect: expectDatagram(ex.request.ev.bytes, ex.request.iov) },
    ],
    expect: { oracle: 'strace -X raw decode of the same sendto/sendmsg', ...expectRequest },
  });
  writeFixture(`${name}.reply`, {
    description: `${description} (the kernel's reply)`,
    proves: proves.reply,
    direction: 'reply',
    provenance: prov,
    datagrams: ex.replies.map((r) => ({
      bytes: r.ev.bytes,
      expect: expectDatagram(r.ev.bytes, r.iov),
    })),
    expect: { oracle: 'strace -X raw decode of the same recvmsg/recvfrom', ...expectReply },
  });
}

/** The ext-ack view of an NLMSG_ERROR as strace decoded it, checked against ip's stderr. */
function errorExpect(ex, t) {
  const last = ex.replies[ex.replies.length - 1];
  const msgs = straceMessages(last.iov).map(expectMessage);
  const err = msgs.find((m) => m.type === NLMSG_ERROR)?.error;
  if (!err) fail(`no NLMSG_ERROR in reply to ${t.capturedWith}`);
  const msgTlv = err.tlvs.find((a) => (a.type & NLA_TYPE_MASK) === NLMSGERR_ATTR_MSG);
  const offsTlv = err.tlvs.find((a) => (a.type & NLA_TYPE_MASK) === NLMSGERR_ATTR_OFFS);
  const extAck = msgTlv?.hex
    ? Buffer.from(msgTlv.hex, 'hex').toString('latin1').replace(/\0.*$/s, '')
    : null;
  const out = {
    errno: err.errno,
    errno_name: errnoName(err.errno),
    ext_ack_msg: extAck,
    attr_offs: typeof offsTlv?.value === 'number' ? offsTlv.value : null,
    tlv_types: err.tlvs.map((a) => a.type),
  };
  if (/ -- (ip|tc) /.test(t.capturedWith)) {
    const line = t.stderr.split('\n').find((l) => /^(Error|Warning): /.test(l));
    out.tool_stderr = t.stderr;
    out.tool_exit_status = t.status;
    if (line) {
      // iproute2 prints "Error: <msg>" and adds a '.' when the kernel's text lacks one.
      const text = line.replace(/^(Error|Warning): /, '');
      out.ext_ack_msg_from_stderr =
        extAck && !extAck.endsWith('.') ? text.replace(/\.$/, '') : text;
      if (extAck !== null && out.ext_ack_msg_from_stderr !== extAck) {
        fail(`stderr "${line}" disagrees with strace's NLMSGERR_ATTR_MSG "${extAck}"`);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Python captures: nlcapture.py under strace; bytes from strace, cross-checked with the
// script's own record, plus the script's struct.unpack analysis.

let pythonExe = '';

function pythonCapture(name, scenario, args, { description, proves, state }) {
  const argv = ['scripts/nlcapture.py', scenario, ...args];
  const t = traced([pythonExe, ...argv]);
  const doc = JSON.parse(t.stdout);
  if (t.exchanges.length !== 1)
    fail(`${scenario}: expected one exchange, saw ${t.exchanges.length}`);
  const ex = t.exchanges[0];
  if (ex.request.ev.bytes.toString('hex') !== doc.sent[0]) fail(`${scenario}: sent bytes differ`);
  const got = ex.replies.map((r) => r.ev.bytes.toString('hex'));
  if (JSON.stringify(got) !== JSON.stringify(doc.received))
    fail(`${scenario}: received bytes differ`);
  for (const k of ['NETLINK_EXT_ACK', 'NETLINK_CAP_ACK', 'NETLINK_GET_STRICT_CHK']) {
    if (ex.socket[k] !== doc.sockopts[k])
      fail(`${scenario}: ${k} differs between strace and python`);
  }
  const command = ['python3', ...argv].join(' ');
  const { request_layout, ...analysis } = doc.analysis;
  const python = { scenario: doc.scenario, args: doc.args, recv: doc.recv, ...analysis };
  const expectReply = { python };
  if (analysis.error) {
    // strace and struct.unpack must agree before either is written down as expected.
    const e = errorExpect(ex, t);
    const p = analysis.error;
    if (
      e.errno !== p.errno ||
      (e.ext_ack_msg ?? undefined) !== p.msg ||
      (e.attr_offs ?? undefined) !== p.offs
    ) {
      fail(`${scenario}: strace and nlcapture.py disagree about the error`);
    }
    expectReply.error = { ...e, attr_offs_points_to: p.offs_points_to ?? null };
  }
  if (analysis.done) {
    const d = analysis.done;
    const last = ex.replies[ex.replies.length - 1];
    const done = straceMessages(last.iov)
      .map(expectMessage)
      .find((m) => m.type === NLMSG_DONE);
    if (!done || done.done_errno !== d.errno)
      fail(`${scenario}: strace and nlcapture.py disagree about NLMSG_DONE`);
    expectReply.done = {
      errno: d.errno,
      errno_name: d.errno ? errnoName(d.errno) : '',
      ext_ack_msg: d.msg ?? null,
      nlmsg_flags: d.nlmsg_flags,
      tlv_types: d.tlvs.map((x) => x.type),
    };
  }
  writePair(name, t, ex, {
    command,
    description,
    proves,
    state,
    python: true,
    expectRequest: { python: { request_layout } },
    expectReply,
  });
  return doc;
}

// ---------------------------------------------------------------------------------------------
// The captures.

function ipJson(args) {
  return JSON.parse(run(['ip', '-j', ...args]).stdout);
}

async function inner() {
  // Refuse to touch anything unless this really is a namespace of our own.
  const ours = fs.readlinkSync('/proc/self/ns/net');
  const parent = process.env.RTNL_CAPTURE_PARENT_NETNS;
  if (!parent || ours === parent) fail('not inside a private network namespace; refusing to run');
  const links = run(['ip', '-o', 'link', 'show']).stdout.trim().split('\n');
  if (links.length !== 1 || !/^1: lo:/.test(links[0])) fail('namespace is not fresh');

  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtnl-capture-'));
  staging = path.join(workDir, 'fixtures');
  fs.mkdirSync(staging);
  pythonExe = run(['python3', '-c', 'import sys; print(sys.executable)']).stdout.trim();
  tools = {
    kernel: run(['uname', '-r']).stdout.trim(),
    iproute2: run(['ip', '-V']).stdout.trim(),
    strace: run(['strace', '-V']).stdout.split('\n')[0].trim(),
    python: run([pythonExe, '-V']).stdout.trim(),
  };

  let peer;
  const stop = (signal) => {
    if (peer?.pid) {
      try {
        process.kill(peer.pid, 'SIGKILL');
      } catch {}
    }
    fs.rmSync(workDir, { recursive: true, force: true });
    process.exit(128 + (os.constants.signals[signal] ?? 0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined;
  try {
    if (only === undefined) {
      captureAll((p) => {
        peer = p;
      });
    }
    const plugins = await loadPlugins(only);
    for (const plugin of plugins) runPlugin(plugin);
    publish(only === undefined ? undefined : plugins);
  } finally {
    if (peer?.pid) {
      try {
        process.kill(peer.pid, 'SIGKILL');
      } catch {}
    }
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function captureAll(setPeer) {
  const state = [];
  const sh = (argv, opts) => {
    state.push(argv.join(' '));
    return run(argv, opts);
  };
  const ip = (args, opts) => {
    state.push(['ip', ...args].join(' '));
    return traced(['ip', ...args], opts);
  };

  sh(['ip', 'link', 'set', 'lo', 'up']);

  // 9. Requests iproute2 sends, with their acks, from a namespace holding only lo.
  const lifecycle = [
    [
      'link-add-ifb',
      ['link', 'add', 't1', 'type', 'ifb'],
      RTM.NEWLINK,
      'RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL and IFLA_LINKINFO{IFLA_INFO_KIND "ifb"}',
    ],
    [
      'link-set-up-mtu',
      ['link', 'set', 't1', 'up', 'mtu', '1400'],
      RTM.NEWLINK,
      'RTM_NEWLINK on an existing ifindex with ifi_flags/ifi_change IFF_UP and IFLA_MTU',
    ],
    [
      'addr-add',
      ['addr', 'add', '192.0.2.1/24', 'dev', 't1'],
      RTM.NEWADDR,
      'RTM_NEWADDR with IFA_LOCAL and IFA_ADDRESS',
    ],
    [
      'route-add-dev',
      ['route', 'add', '198.51.100.0/24', 'dev', 't1'],
      RTM.NEWROUTE,
      'RTM_NEWROUTE with RTA_DST and RTA_OIF',
    ],
    ['link-del', ['link', 'del', 't1'], RTM.DELLINK, 'RTM_DELLINK by ifindex'],
  ];
  for (const [name, args, type, what] of lifecycle) {
    const t = ip(args);
    if (name === 'link-add-ifb') {
      // Before any `ip link add|set`, iproute2 6.1 probes for RTM_NEWLINK support with an
      // empty RTM_NEWLINK (iplink_have_newlink); the kernel answers ENODEV.
      const probe = pick(t, RTM.NEWLINK, 0, 0);
      writePair('errors/link-probe-enodev-ip', t, probe, {
        command: `ip ${args.join(' ')}`,
        description:
          "iproute2's RTM_NEWLINK probe (ifi_index 0, no attributes) sent before ip link add",
        proves: {
          request: 'a bare RTM_NEWLINK with NLM_F_REQUEST|NLM_F_ACK: 32 bytes, no attributes',
          reply:
            'NLMSG_ERROR ENODEV with no TLVs and flags 0 although NETLINK_EXT_ACK is set (the kernel had no message), whole request echoed',
        },
        state: [...state],
        expectReply: { error: errorExpect(probe, t) },
      });
    }
    writePair(`requests/${name}`, t, pick(t, type), {
      command: `ip ${args.join(' ')}`,
      description: `ip ${args.join(' ')}`,
      proves: {
        request: `iproute2's exact request bytes: ${what}`,
        reply:
          'success ack: NLMSG_ERROR with error 0, NLM_F_CAPPED set, only the request header echoed',
      },
      state: [...state],
    });
  }

  // State for the dumps: lo, an ifb, a veth whose peer sits in a second namespace, a bridge
  // with the veth enslaved, a vxlan and a macvlan; IPv4/IPv6 addresses; routes.
  // The peer namespace lives as long as this sleep; it is killed when the capture ends, and
  // the timeout bounds its life should this process itself be killed.
  const peer = spawn('unshare', ['--net', '--', 'sleep', '300'], { stdio: 'ignore' });
  setPeer(peer);
  waitForNetns(peer.pid);
  sh(['ip', 'link', 'add', 'ifb0', 'type', 'ifb']);
  const setupCaptures = [
    [
      'link-add-veth-peer-netns',
      ['link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1', 'netns', String(peer.pid)],
      RTM.NEWLINK,
      'veth with VETH_INFO_PEER (a nested ifinfomsg) and IFLA_NET_NS_PID in the peer',
    ],
    [
      'link-add-bridge',
      ['link', 'add', 'br0', 'type', 'bridge'],
      RTM.NEWLINK,
      'IFLA_LINKINFO{IFLA_INFO_KIND "bridge"}',
    ],
    ['link-set-master', ['link', 'set', 'veth0', 'master', 'br0'], RTM.NEWLINK, 'IFLA_MASTER'],
    [
      'link-add-vxlan',
      [
        'link',
        'add',
        'vx0',
        'type',
        'vxlan',
        'id',
        '42',
        'dstport',
        '4789',
        'local',
        '10.0.0.1',
        'dev',
        'ifb0',
      ],
      RTM.NEWLINK,
      'IFLA_INFO_DATA for vxlan (IFLA_VXLAN_ID, _LOCAL, _LINK, _PORT in network byte order)',
    ],
    [
      'link-add-macvlan',
      ['link', 'add', 'mv0', 'link', 'ifb0', 'type', 'macvlan', 'mode', 'bridge'],
      RTM.NEWLINK,
      'IFLA_LINK plus IFLA_INFO_DATA{IFLA_MACVLAN_MODE}',
    ],
  ];
  for (const [name, args, type, what] of setupCaptures) {
    const t = ip(args);
    writePair(`requests/${name}`, t, pick(t, type), {
      command: `ip ${args.join(' ')}`,
      description: `ip ${args.join(' ')}`,
      proves: {
        request: `iproute2's exact request bytes: ${what}`,
        reply: 'success ack (error 0, NLM_F_CAPPED)',
      },
      state: [...state],
    });
  }
  run(['nsenter', '-t', String(peer.pid), '-n', 'ip', 'link', 'set', 'veth1', 'up']);
  state.push('(in the peer namespace) ip link set veth1 up');
  for (const d of ['ifb0', 'veth0', 'br0', 'vx0', 'mv0']) sh(['ip', 'link', 'set', d, 'up']);

  const addrCaptures = [
    ['addr-add-plain', ['addr', 'add', '10.0.0.1/24', 'dev', 'br0'], 'IFA_LOCAL/IFA_ADDRESS'],
    [
      'addr-add-label-brd',
      ['addr', 'add', '10.0.1.1/24', 'brd', '+', 'dev', 'ifb0', 'label', 'ifb0:main'],
      'IFA_LABEL and IFA_BROADCAST',
    ],
    [
      'addr-add-peer',
      ['addr', 'add', '10.0.2.1', 'peer', '10.0.2.2/32', 'dev', 'ifb0'],
      'IFA_LOCAL differing from IFA_ADDRESS (peer)',
    ],
    [
      'addr-add-lifetimes',
      ['addr', 'add', '10.0.3.1/24', 'dev', 'ifb0', 'valid_lft', '100', 'preferred_lft', '50'],
      'IFA_CACHEINFO with ifa_valid 100, ifa_prefered 50',
    ],
    [
      'addr-add-ipv6-nodad',
      ['addr', 'add', '2001:db8::1/64', 'dev', 'ifb0', 'nodad'],
      'AF_INET6 with IFA_F_NODAD in ifa_flags and IFA_FLAGS',
    ],
    [
      'addr-add-ipv6-nodad-lifetimes',
      [
        'addr',
        'add',
        '2001:db8:1::1/64',
        'dev',
        'ifb0',
        'nodad',
        'valid_lft',
        '100',
        'preferred_lft',
        '50',
      ],
      'AF_INET6 with nodad and IFA_CACHEINFO',
    ],
  ];
  for (const [name, args, what] of addrCaptures) {
    const t = ip(args);
    writePair(`requests/${name}`, t, pick(t, RTM.NEWADDR), {
      command: `ip ${args.join(' ')}`,
      description: `ip ${args.join(' ')}`,
      proves: {
        request: `iproute2's exact request bytes: RTM_NEWADDR, ${what}`,
        reply: 'success ack (error 0, NLM_F_CAPPED)',
      },
      state: [...state],
    });
  }

  const routeCaptures = [
    [
      'route-add-metrics',
      ['route', 'add', '10.20.0.0/24', 'via', '10.0.0.2', 'mtu', '1400'],
      'RTA_GATEWAY and RTA_METRICS{RTAX_MTU}',
    ],
    [
      'route-add-table-1000',
      ['route', 'add', '10.30.0.0/24', 'dev', 'ifb0', 'table', '1000'],
      'rtm_table RT_TABLE_UNSPEC (0) plus RTA_TABLE 1000',
    ],
    [
      'route-add-blackhole',
      ['route', 'add', 'blackhole', '10.40.0.0/24'],
      'rtm_type RTN_BLACKHOLE',
    ],
    [
      'route-add-multipath',
      [
        'route',
        'add',
        '10.50.0.0/24',
        'nexthop',
        'via',
        '10.0.0.2',
        'weight',
        '1',
        'nexthop',
        'via',
        '10.0.1.2',
        'weight',
        '2',
      ],
      'RTA_MULTIPATH with two struct rtnexthop (rtnh_hops = weight-1)',
    ],
    [
      'route-add-ipv6-table-1000',
      ['-6', 'route', 'add', '2001:db8:2::/64', 'via', '2001:db8::2', 'table', '1000'],
      'AF_INET6 with RTA_GATEWAY and RTA_TABLE 1000',
    ],
    [
      'route-add-ipv6-blackhole',
      ['-6', 'route', 'add', 'blackhole', '2001:db8:3::/64'],
      'AF_INET6 RTN_BLACKHOLE',
    ],
    [
      'route-add-ipv6-metrics',
      ['-6', 'route', 'add', '2001:db8:4::/64', 'dev', 'ifb0', 'mtu', '1300'],
      'AF_INET6 RTA_METRICS{RTAX_MTU}',
    ],
    [
      'route-add-ipv6-multipath',
      [
        '-6',
        'route',
        'add',
        '2001:db8:5::/64',
        'nexthop',
        'via',
        '2001:db8::2',
        'weight',
        '1',
        'nexthop',
        'via',
        '2001:db8::3',
        'weight',
        '2',
      ],
      'AF_INET6 RTA_MULTIPATH',
    ],
  ];
  for (const [name, args, what] of routeCaptures) {
    const t = ip(args);
    writePair(`requests/${name}`, t, pick(t, RTM.NEWROUTE), {
      command: `ip ${args.join(' ')}`,
      description: `ip ${args.join(' ')}`,
      proves: {
        request: `iproute2's exact request bytes: RTM_NEWROUTE, ${what}`,
        reply: 'success ack (error 0, NLM_F_CAPPED)',
      },
      state: [...state],
    });
  }

  // 1-3. Dumps of that state, each followed at once by the `ip -j` document of the same state.
  {
    const t = traced(['ip', '-d', 'link', 'show']);
    const ipj = ipJson(['-d', 'link', 'show']);
    writePair('link/dump', t, pick(t, RTM.GETLINK, 0x300), {
      command: 'ip -d link show',
      description: 'RTM_GETLINK dump of lo, ifb0, veth0 (peer in another netns), br0, vx0, mv0',
      proves: {
        request: "iproute2's link dump request: NLM_F_DUMP, ifinfomsg, IFLA_EXT_MASK",
        reply:
          'real RTM_NEWLINK dump replies: IFLA_LINKINFO for veth/bridge/bridge_slave/vxlan/macvlan/ifb, IFLA_LINK_NETNSID, IFLA_MASTER, nested IFLA_AF_SPEC, stats, NLMSG_DONE',
      },
      state: [...state],
      expectReply: { ip_json: ipj, ip_json_command: 'ip -j -d link show' },
    });
  }
  {
    const t = traced(['ip', 'addr', 'show']);
    const ipj = ipJson(['addr', 'show']);
    writePair('address/dump', t, pick(t, RTM.GETADDR, 0x300), {
      command: 'ip addr show',
      description:
        'RTM_GETADDR dump: IPv4 with label, broadcast, peer, lifetimes; IPv6 with nodad and lifetimes',
      proves: {
        request:
          "iproute2's address dump request (ip addr show also dumps links first; that exchange is listed in provenance.other_exchanges)",
        reply:
          'real RTM_NEWADDR replies: IFA_LOCAL/IFA_ADDRESS/IFA_LABEL/IFA_BROADCAST/IFA_CACHEINFO/IFA_FLAGS, both families, NLMSG_DONE',
      },
      state: [...state],
      expectReply: { ip_json: ipj, ip_json_command: 'ip -j addr show' },
    });
  }
  {
    const t = traced(['ip', 'route', 'show', 'table', 'all']);
    const ipj = ipJson(['route', 'show', 'table', 'all']);
    writePair('route/dump-all', t, pick(t, RTM.GETROUTE, 0x300), {
      command: 'ip route show table all',
      description:
        'RTM_GETROUTE dump (AF_UNSPEC) of every table: main, local, 1000; IPv4 and IPv6; blackhole, multipath, metrics',
      proves: {
        request:
          "iproute2's route dump request: a 28-byte message sent in a 156-byte datagram (sizeof its request buffer; the tail is zero)",
        reply:
          'real RTM_NEWROUTE replies: RTA_TABLE > 255, RTA_MULTIPATH, RTA_METRICS, RTN_BLACKHOLE, RTA_CACHEINFO, RTA_PREF, NLMSG_DONE',
      },
      state: [...state],
      expectReply: { ip_json: ipj, ip_json_command: 'ip -j route show table all' },
    });
  }

  // 4. Errors from iproute2's own socket (NETLINK_EXT_ACK and NETLINK_GET_STRICT_CHK set; it
  // does not set NETLINK_CAP_ACK, so the kernel echoes the whole request).
  const ipErrors = [
    [
      'errors/addr-exists-ip',
      ['addr', 'add', '10.0.1.1/24', 'dev', 'ifb0'],
      RTM.NEWADDR,
      'EEXIST for an address that is already assigned',
    ],
    [
      'errors/route-invalid-gateway-ip',
      ['route', 'add', '10.9.0.0/24', 'via', '10.99.99.1'],
      RTM.NEWROUTE,
      'ENETUNREACH for a gateway with no route to it',
    ],
  ];
  for (const [name, args, type, what] of ipErrors) {
    const t = ip(args, { allowFail: true });
    if (t.status === 0) fail(`ip ${args.join(' ')} unexpectedly succeeded`);
    const ex = pick(t, type);
    writePair(name, t, ex, {
      command: `ip ${args.join(' ')}`,
      description: `ip ${args.join(' ')}: ${what}`,
      proves: {
        request: "iproute2's request that the kernel refuses",
        reply:
          'NLMSG_ERROR, uncapped (iproute2 6.1 does not set NETLINK_CAP_ACK): the whole request is echoed, then NLMSGERR_ATTR_MSG; NLM_F_ACK_TLVS set, NLM_F_CAPPED clear',
      },
      state: [...state],
      expectReply: { error: errorExpect(ex, t) },
    });
  }

  // Link kinds this kernel lacks: iproute2's request bytes are still the golden reference.
  const missingKinds = [
    ['dummy', ['link', 'add', 'd0', 'type', 'dummy']],
    ['vlan', ['link', 'add', 'link', 'ifb0', 'name', 'ifb0.10', 'type', 'vlan', 'id', '10']],
    ['vrf', ['link', 'add', 'vrf0', 'type', 'vrf', 'table', '10']],
    ['bond', ['link', 'add', 'bond0', 'type', 'bond', 'mode', 'active-backup']],
    ['gre', ['link', 'add', 'gre1', 'type', 'gre', 'remote', '10.1.1.1', 'local', '10.1.1.2']],
  ];
  for (const [kind, args] of missingKinds) {
    const t = ip(args, { allowFail: true });
    const ex = pick(t, RTM.NEWLINK, 0x400);
    writePair(`requests/link-add-${kind}-unsupported`, t, ex, {
      command: `ip ${args.join(' ')}`,
      description: `ip ${args.join(' ')} (kind "${kind}" is not built into this kernel)`,
      proves: {
        request: `iproute2's exact request bytes for a ${kind} link (IFLA_LINKINFO{IFLA_INFO_KIND, IFLA_INFO_DATA})`,
        reply: 'NLMSG_ERROR EOPNOTSUPP with ext-ack "Unknown device type", uncapped',
      },
      state: [...state],
      expectReply: { error: errorExpect(ex, t) },
    });
  }

  // 5. Uncapped and capped errors from a socket whose options we choose.
  const py = (name, scenario, args, description, proves) =>
    pythonCapture(name, scenario, args, { description, proves, state: [...state] });
  py(
    'errors/addr-exists-capped',
    'addr-exists',
    ['ext=1', 'cap=1'],
    'RTM_NEWADDR 127.0.0.1/8 on lo (exists): EEXIST with NETLINK_CAP_ACK',
    {
      request: 'request laid out by nlcapture.py',
      reply:
        'NLMSG_ERROR with NLM_F_CAPPED|NLM_F_ACK_TLVS: only the 16-byte request header echoed, TLVs right after it',
    },
  );
  py(
    'errors/addr-exists-uncapped',
    'addr-exists',
    ['ext=1', 'cap=0'],
    'RTM_NEWADDR 127.0.0.1/8 on lo (exists): EEXIST without NETLINK_CAP_ACK',
    {
      request: 'request laid out by nlcapture.py',
      reply: 'NLMSG_ERROR with NLM_F_ACK_TLVS only: the whole request echoed, TLVs after it',
    },
  );
  py(
    'errors/addr-exists-no-ext-ack',
    'addr-exists',
    ['ext=0', 'cap=0'],
    'RTM_NEWADDR 127.0.0.1/8 on lo (exists): EEXIST with neither NETLINK_EXT_ACK nor NETLINK_CAP_ACK',
    {
      request: 'request laid out by nlcapture.py',
      reply: 'NLMSG_ERROR with no flags: the whole request echoed, no TLVs',
    },
  );
  py(
    'errors/route-invalid-gateway-capped',
    'route-gateway',
    ['ext=1', 'cap=1'],
    'RTM_NEWROUTE 10.9.0.0/24 via 10.99.99.1: ENETUNREACH with NETLINK_CAP_ACK',
    {
      request:
        'request laid out by nlcapture.py (same as ip route add 10.9.0.0/24 via 10.99.99.1 apart from seq)',
      reply: 'capped NLMSG_ERROR with NLMSGERR_ATTR_MSG "Nexthop has invalid gateway"',
    },
  );
  py(
    'errors/link-mtu-policy-uncapped',
    'link-mtu-policy',
    ['ext=1', 'cap=0', 'dev=ifb0'],
    'RTM_NEWLINK with a valid IFLA_TXQLEN then a 2-byte IFLA_MTU: ERANGE from policy validation, uncapped',
    {
      request: 'request laid out by nlcapture.py; IFLA_MTU sits at byte 40',
      reply:
        'NLMSGERR_ATTR_OFFS = 40 (the IFLA_MTU attribute, measured from the request nlmsghdr) plus NLMSGERR_ATTR_POLICY; whole request echoed',
    },
  );
  py(
    'errors/link-mtu-policy-capped',
    'link-mtu-policy',
    ['ext=1', 'cap=1', 'dev=ifb0'],
    'RTM_NEWLINK with a valid IFLA_TXQLEN then a 2-byte IFLA_MTU: ERANGE from policy validation, capped',
    {
      request: 'request laid out by nlcapture.py; IFLA_MTU sits at byte 40',
      reply:
        'capped: NLMSGERR_ATTR_OFFS is still 40, an offset into the request, which the capped ack does not carry',
    },
  );

  // 6. Errors that arrive in NLMSG_DONE at the end of a dump.
  py(
    'errors/route-dump-strict-done',
    'route-dump-bad-header',
    ['ext=1', 'strict=1'],
    'strict RTM_GETROUTE dump with rtm_dst_len=8 (AF_INET)',
    {
      request: 'a dump request whose rtmsg fails strict validation',
      reply:
        'NLMSG_DONE (flags NLM_F_MULTI|NLM_F_ACK_TLVS) carrying -EINVAL and NLMSGERR_ATTR_MSG; no NLMSG_ERROR',
    },
  );
  py(
    'errors/route-dump-strict-done-no-ext-ack',
    'route-dump-bad-header',
    ['ext=0', 'strict=1'],
    'strict RTM_GETROUTE dump with rtm_dst_len=8, NETLINK_EXT_ACK off',
    {
      request: 'a dump request whose rtmsg fails strict validation',
      reply: 'NLMSG_DONE carrying -EINVAL and no TLVs (20 bytes)',
    },
  );
  py(
    'errors/link-dump-strict-done',
    'link-dump-ifindex',
    ['ext=1', 'strict=1'],
    'strict RTM_GETLINK dump with ifi_index=1',
    {
      request: 'a link dump request with ifi_index set',
      reply:
        'NLMSG_DONE carrying -EINVAL and "Filter by device index not supported for link dumps"',
    },
  );

  // 8. A successful ack that carries an ext-ack warning (rtnetlink, from sch_htb).
  sh(['tc', 'qdisc', 'add', 'dev', 'ifb0', 'root', 'handle', '1:', 'htb']);
  {
    const args = [
      'class',
      'add',
      'dev',
      'ifb0',
      'parent',
      '1:',
      'classid',
      '1:1',
      'htb',
      'rate',
      '10gbit',
    ];
    state.push(['tc', ...args].join(' '));
    const t = traced(['tc', ...args]);
    const ex = pick(t, RTM.NEWTCLASS);
    writePair('acks/tc-htb-class-warning', t, ex, {
      command: `tc ${args.join(' ')}`,
      description: 'tc class add ... htb rate 10gbit: accepted with a warning',
      proves: {
        request: "tc's RTM_NEWTCLASS request",
        reply:
          'NLMSG_ERROR with error 0 and NLM_F_CAPPED|NLM_F_ACK_TLVS: a success ack carrying NLMSGERR_ATTR_MSG (a warning)',
      },
      state: [...state],
      expectReply: { error: errorExpect(ex, t) },
    });
  }

  // 7. A dump spanning several datagrams: 300 routes in table 2000.
  const batch = [];
  for (let n = 0; n < 300; n++) {
    batch.push(`route add 10.${200 + (n >> 8)}.${n & 255}.0/24 dev ifb0 table 2000`);
  }
  run(['ip', '-batch', '-'], { input: `${batch.join('\n')}\n` });
  state.push(
    'ip -batch - (300 lines: route add 10.200.0.0/24 ... 10.201.43.0/24 dev ifb0 table 2000)',
  );
  {
    const ipj = ipJson(['route', 'show', 'table', '2000']);
    const doc = pythonCapture('route/dump-multipart', 'route-dump-table', ['table=2000'], {
      description:
        'strict RTM_GETROUTE dump of table 2000 (300 routes) read with datagram-sized buffers',
      proves: {
        request: 'a strict dump request filtered by RTA_TABLE',
        reply:
          'one dump spread over several datagrams (NLMSG_GOODSIZE each), every message NLM_F_MULTI|NLM_F_DUMP_FILTERED, NLMSG_DONE alone at the end',
      },
      state: [...state],
    });
    if (doc.analysis.data_messages !== ipj.length) {
      fail(`multipart dump has ${doc.analysis.data_messages} routes, ip -j shows ${ipj.length}`);
    }
    if (doc.received.length < 3) fail(`multipart dump came in ${doc.received.length} datagrams`);
    // Record the independent count next to the fixture.
    const file = path.join(staging, 'route/dump-multipart.reply.json');
    const meta = JSON.parse(fs.readFileSync(file, 'utf8'));
    meta.expect.routes = {
      ip_json_command: 'ip -j route show table 2000',
      ip_json_count: ipj.length,
      ip_json_dsts: ipj.map((r) => r.dst),
      datagram_message_counts: meta.expect.datagrams.map((d) => d.messages.length),
    };
    writeJson(file, meta);
  }
}

function waitForNetns(pid) {
  const host = fs.readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 200; i++) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/ns/net`) !== host) return;
    } catch {}
    spawnSync('sleep', ['0.02']);
  }
  fail('peer namespace did not appear');
}

// ---------------------------------------------------------------------------------------------
// Publishing: replace the generated groups and INDEX.md in one go, after every capture passed.

function publish(onlyPlugins) {
  const groups = onlyPlugins
    ? onlyPlugins.flatMap((p) => p.groups)
    : [...GROUPS, ...index.map((r) => r.name.split('/')[0])];
  for (const g of new Set(groups))
    fs.rmSync(path.join(FIXTURES, g), { recursive: true, force: true });
  fs.mkdirSync(FIXTURES, { recursive: true });
  for (const g of new Set(groups)) {
    const from = path.join(staging, g);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(FIXTURES, g), { recursive: true });
  }
  const fresh = index.map(
    (r) =>
      `| \`${r.name}\` | ${r.direction} | ${r.datagrams} | ${r.messages} | ${r.bytes} | ${r.tool} | ${r.proves.replaceAll('|', '\\|')} |`,
  );
  // A partial run keeps the rows of every other group as they were.
  const kept = [];
  const indexFile = path.join(FIXTURES, 'INDEX.md');
  if (onlyPlugins && fs.existsSync(indexFile)) {
    for (const line of fs.readFileSync(indexFile, 'utf8').split('\n')) {
      const m = /^\| `([^`]+)` \|/.exec(line);
      if (m && !groups.some((g) => m[1].startsWith(`${g}/`))) kept.push(line);
    }
  }
  const rows = [...kept, ...fresh].sort((a, b) => a.localeCompare(b));
  const text = [
    '# Fixture index',
    '',
    'Generated by `npm run capture` (scripts/capture-fixtures.mjs); do not edit by hand.',
    `Captured on Linux ${tools.kernel}, ${tools.iproute2}, ${tools.strace}, ${tools.python}.`,
    'See README.md for the format and the provenance rules.',
    '',
    '| Fixture | Direction | Datagrams | Messages | Bytes | Captured from | What it proves |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(FIXTURES, 'INDEX.md'), text);
  console.log(
    `capture-fixtures: wrote ${index.length} fixtures to ${path.relative(ROOT, FIXTURES)}/`,
  );
}

// ---------------------------------------------------------------------------------------------
// Plugins: scripts/capture/*.mjs, each run in a fresh namespace by a child of its own.

const PLUGIN_DIR = path.join(ROOT, 'scripts', 'capture');
const PLUGIN_FLAG = '--plugin';

async function loadPlugins(only) {
  const files = fs.existsSync(PLUGIN_DIR)
    ? fs
        .readdirSync(PLUGIN_DIR)
        .filter((f) => f.endsWith('.mjs'))
        .sort()
    : [];
  const chosen = only === undefined ? files : files.filter((f) => f === `${only}.mjs`);
  if (only !== undefined && chosen.length === 0) fail(`no scripts/capture/${only}.mjs`);
  const out = [];
  for (const f of chosen) {
    const mod = await import(path.join(PLUGIN_DIR, f));
    if (!Array.isArray(mod.groups) || mod.groups.length === 0)
      fail(`${f}: export const groups = ['folder', ...] is missing`);
    for (const g of mod.groups)
      if (GROUPS.includes(g)) fail(`${f}: group ${g} belongs to the core captures`);
    out.push({ file: f, name: f.replace(/\.mjs$/, ''), groups: mod.groups });
  }
  return out;
}

function runPlugin(plugin) {
  const r = spawnSync(
    'unshare',
    ['--net', '--', process.execPath, SELF, PLUGIN_FLAG, plugin.file],
    {
      stdio: 'inherit',
      env: {
        ...process.env,
        RTNL_CAPTURE_PARENT_NETNS: fs.readlinkSync('/proc/self/ns/net'),
        RTNL_CAPTURE_STAGING: staging,
        RTNL_CAPTURE_WORKDIR: workDir,
      },
    },
  );
  if (r.error) throw r.error;
  if (r.status !== 0) fail(`scripts/capture/${plugin.file} failed (exit ${r.status})`);
  const file = path.join(workDir, `index-${plugin.name}.json`);
  index.push(...JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** The child side: a fresh namespace, the plugin's captures into the parent's staging dir. */
async function pluginChild(file) {
  const ours = fs.readlinkSync('/proc/self/ns/net');
  if (ours === process.env.RTNL_CAPTURE_PARENT_NETNS)
    fail('plugin: not inside a private network namespace; refusing to run');
  const links = run(['ip', '-o', 'link', 'show']).stdout.trim().split('\n');
  if (links.length !== 1 || !/^1: lo:/.test(links[0])) fail('plugin: namespace is not fresh');
  staging = process.env.RTNL_CAPTURE_STAGING;
  workDir = fs.mkdtempSync(path.join(process.env.RTNL_CAPTURE_WORKDIR, 'plugin-'));
  pythonExe = run(['python3', '-c', 'import sys; print(sys.executable)']).stdout.trim();
  tools = {
    kernel: run(['uname', '-r']).stdout.trim(),
    iproute2: run(['ip', '-V']).stdout.trim(),
    strace: run(['strace', '-V']).stdout.split('\n')[0].trim(),
    python: run([pythonExe, '-V']).stdout.trim(),
  };
  const mod = await import(path.join(PLUGIN_DIR, file));
  const peers = [];
  try {
    await mod.default(pluginContext(peers));
  } finally {
    for (const p of peers) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {}
    }
  }
  for (const entry of index) {
    if (!mod.groups.some((g) => entry.name.startsWith(`${g}/`)))
      fail(`${file}: fixture ${entry.name} is outside its groups ${mod.groups.join(', ')}`);
  }
  fs.writeFileSync(
    path.join(process.env.RTNL_CAPTURE_WORKDIR, `index-${file.replace(/\.mjs$/, '')}.json`),
    JSON.stringify(index),
  );
}

/**
 * What a plugin gets. `state` is the list of commands that made the namespace's state (it goes
 * into each fixture's provenance); `sh` and `ip` add to it.
 */
function pluginContext(peers) {
  const state = [];
  return {
    RTM,
    state,
    fail,
    /** Runs argv (no strace), recording it in the state. */
    sh(argv, opts) {
      state.push(argv.join(' '));
      return run(argv, opts);
    },
    /** Runs argv without recording it (queries). */
    run,
    /** `ip ARGS` under strace, recorded in the state; returns the trace. */
    ip(args, opts) {
      state.push(['ip', ...args].join(' '));
      return traced(['ip', ...args], opts);
    },
    /** Any argv under strace, recorded in the state. */
    traced(argv, opts) {
      state.push(argv.join(' '));
      return traced(argv, opts);
    },
    ipJson,
    /** The exchange of `type` in a trace (the last one unless `nth`). */
    pick,
    /** NAME.request + NAME.reply for an exchange; see writePair(). `state` defaults to ctx.state. */
    writePair(name, t, ex, opts) {
      writePair(name, t, ex, { state: [...state], ...opts });
    },
    /** The NLMSG_ERROR of an exchange as strace decoded it (errno, ext-ack text, offset). */
    errorExpect,
    /**
     * The common case of a plugin: `ip ARGS` under strace, then FILE.request + FILE.reply for its
     * exchange of `type` (the last one, or the `nth`), with the command as provenance and
     * `what` saying what the request proves. The reply is a success ack; with `json`, a dump
     * kept with the `ip -j` document ip printed (ARGS then start with -j); with `allowFail`,
     * possibly the kernel's refusal, described by its errno and ext-ack text (plus
     * `refusalNote(error)`; `refusalLabel` names it). `reply` replaces the text of a success or
     * a dump. `check(t)` may assert more of the trace first. Returns the trace.
     */
    captureIp(file, args, type, what, opts = {}) {
      const { nth, allowFail = false, json = false, reply, refusalNote, check } = opts;
      const refusalLabel = opts.refusalLabel ?? 'refusal';
      state.push(['ip', ...args].join(' '));
      const t = traced(['ip', ...args], { allowFail });
      check?.(t);
      const ex = nth === undefined ? pick(t, type) : pick(t, type, 0, nth);
      const command = `ip ${args.join(' ')}`;
      const failed = t.status !== 0;
      let expectReply = {};
      let replyText;
      if (failed) {
        const error = errorExpect(ex, t);
        expectReply = { error };
        replyText = `the kernel's ${refusalLabel} (${error.errno_name}${
          error.ext_ack_msg ? `, "${error.ext_ack_msg}"` : ''
        })${refusalNote?.(error) ?? ''}`;
      } else if (json) {
        expectReply = { ip_json: JSON.parse(t.stdout), ip_json_command: command };
        replyText = reply ?? 'the kernel dump, with the `ip -j` document of the same state';
      } else {
        replyText = reply ?? 'success ack (error 0)';
      }
      writePair(file, t, ex, {
        state: [...state],
        command,
        description: command,
        proves: { request: `iproute2's exact request bytes: ${what}`, reply: replyText },
        expectReply,
      });
      return t;
    },
    /** python3 scripts/nlcapture.py SCENARIO ARGS under strace; see pythonCapture(). */
    pythonCapture(name, scenario, args, opts) {
      return pythonCapture(name, scenario, args, { state: [...state], ...opts });
    },
    /** A second namespace (a sleeping process in `unshare --net`), killed when the plugin ends. */
    peerNamespace() {
      const p = spawn('unshare', ['--net', '--', 'sleep', '300'], { stdio: 'ignore' });
      peers.push(p);
      waitForNetns(p.pid);
      return p.pid;
    },
  };
}

if (process.argv.includes(PLUGIN_FLAG)) {
  await pluginChild(process.argv[process.argv.indexOf(PLUGIN_FLAG) + 1]);
} else if (process.argv.includes(INNER_FLAG)) {
  await inner();
} else {
  outer();
}
