// Rewrites the comments of every fixtures/**/*.hex so each header, struct and attribute sits on
// its own line(s) with what rtnl's schema says it is. The bytes are not touched (the fixture
// tests check them against the JSON written at capture time); only the reading aid changes.
// Run after `npm run build`: node scripts/annotate-fixtures.mjs [fixture-dir]
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  addressMessage,
  errnoName,
  extAckAttributes,
  flagNames,
  linkMessage,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSG_DONE,
  NLMSG_ERROR,
  neighborMessage,
  nlmsgAlign,
  routeMessage,
  rtmTypeName,
  ruleMessage,
} from '../dist/index.js';

const SCHEMAS = new Map([
  [16, linkMessage],
  [17, linkMessage],
  [18, linkMessage],
  [19, linkMessage],
  [20, addressMessage],
  [21, addressMessage],
  [22, addressMessage],
  [24, routeMessage],
  [25, routeMessage],
  [26, routeMessage],
  [28, neighborMessage],
  [29, neighborMessage],
  [30, neighborMessage],
  [32, ruleMessage],
  [33, ruleMessage],
  [34, ruleMessage],
]);
const CONTROL = ['', 'NLMSG_NOOP', 'NLMSG_ERROR', 'NLMSG_DONE', 'NLMSG_OVERRUN'];
const WIDTH = 16;

/** Rows of at most 16 bytes; the first carries the comment, the rest a continuation mark. */
function rows(buf, start, end, comment, indent = 0) {
  const out = [];
  for (let off = start; off < end; off += WIDTH) {
    const bytes = [...buf.subarray(off, Math.min(end, off + WIDTH))].map((b) =>
      b.toString(16).padStart(2, '0'),
    );
    const text = `${bytes.join(' ').padEnd(WIDTH * 3 - 1)}  # ${off.toString(16).padStart(4, '0')} `;
    out.push(
      text + (off === start ? `${'  '.repeat(indent)}${comment}` : `${'  '.repeat(indent)}…`),
    );
  }
  return out;
}

function flagContext(type, flags) {
  if (type === NLMSG_ERROR) return 'ack';
  if (type === NLMSG_DONE) return 'other';
  const name = rtmTypeName(type) ?? '';
  if (name.includes('GET')) return 'get';
  if (name.includes('NEW')) return 'new';
  if (name.includes('DEL')) return 'delete';
  return flags & 0x300 ? 'get' : 'other';
}

function headerComment(buf, off) {
  const len = buf.readUInt32LE(off);
  const type = buf.readUInt16LE(off + 4);
  const flags = buf.readUInt16LE(off + 6);
  const name = CONTROL[type] || rtmTypeName(type) || `type ${type}`;
  const f = flagNames(flags, flagContext(type, flags)).join('|') || '0';
  return `nlmsghdr len=${len} ${name} flags=${f} seq=${buf.readUInt32LE(off + 8)} pid=${buf.readUInt32LE(off + 12)}`;
}

/** Attribute rows from a schema annotation: nests print their header, leaves header + payload. */
function attributeRows(buf, base, annotations, indent) {
  const out = [];
  annotations.forEach((a, i) => {
    const next = annotations[i + 1];
    const container = next !== undefined && next.depth > a.depth;
    const label = `${a.path.replace(/^[^.]+\./, '')}${a.constant ? ` (${a.constant})` : ''}`;
    const start = base + a.offset;
    if (container) {
      // The nest's header, and any fixed struct before its first child (VETH_INFO_PEER's
      // ifinfomsg): every byte up to the first child's offset.
      out.push(
        ...rows(
          buf,
          start,
          base + next.offset,
          `${label} nest, ${a.length - 4} bytes${a.value ? ` ${a.value}` : ''}`,
          indent + a.depth,
        ),
      );
    } else {
      const end = start + nlmsgAlign(a.length);
      const value =
        a.value === '' ? '' : ` = ${a.value.length > 80 ? `${a.value.slice(0, 77)}...` : a.value}`;
      out.push(
        ...rows(
          buf,
          start,
          Math.min(end, buf.length),
          `${label} ${a.kind}${value}`,
          indent + a.depth,
        ),
      );
    }
  });
  return out;
}

function annotateMessage(buf, off) {
  const len = buf.readUInt32LE(off);
  const type = buf.readUInt16LE(off + 4);
  const flags = buf.readUInt16LE(off + 6);
  const end = off + len;
  const payload = buf.subarray(off + 16, end);
  const out = rows(buf, off, off + 16, headerComment(buf, off));
  const schema = SCHEMAS.get(type);
  try {
    if (schema) {
      const size = schema.header.size;
      const hdr = schema.header.decode(payload, 0, size);
      const fields = Object.entries(hdr)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      out.push(
        ...rows(buf, off + 16, off + 16 + nlmsgAlign(size), `${schema.header.name} ${fields}`),
      );
      const anns = schema.attributes.annotate(payload, nlmsgAlign(size));
      out.push(...attributeRows(buf, off + 16, anns, 0));
      return out;
    }
    if (type === NLMSG_ERROR || type === NLMSG_DONE) {
      const error = payload.readInt32LE(0);
      const what = type === NLMSG_DONE ? 'errno' : 'nlmsgerr.error';
      out.push(
        ...rows(
          buf,
          off + 16,
          off + 20,
          `${what} = ${error}${error ? ` (-${errnoName(-error)})` : ' (success)'}`,
        ),
      );
      let tlvs = 4;
      if (type === NLMSG_ERROR) {
        out.push(
          ...rows(buf, off + 20, off + 36, `echoed request ${headerComment(buf, off + 20)}`),
        );
        tlvs = 20;
        if (!(flags & NLM_F_CAPPED)) {
          const echoed = buf.readUInt32LE(off + 20);
          if (echoed > 16)
            out.push(
              ...rows(
                buf,
                off + 36,
                off + 20 + nlmsgAlign(echoed),
                'echoed request payload (ack not capped)',
              ),
            );
          tlvs = 4 + nlmsgAlign(echoed);
        }
      }
      if (flags & NLM_F_ACK_TLVS)
        out.push(...attributeRows(buf, off + 16, extAckAttributes.annotate(payload, tlvs), 0));
      return out;
    }
  } catch (err) {
    // A payload the schema refuses (a fixture of a malformed request): plain rows, and why.
    return [
      ...rows(buf, off, off + 16, headerComment(buf, off)),
      ...rows(buf, off + 16, nlmsgAlign(end), `payload (not decodable: ${err.message})`),
    ];
  }
  out.push(...rows(buf, off + 16, Math.min(buf.length, off + nlmsgAlign(len)), 'payload'));
  return out;
}

function annotateDatagram(buf) {
  const out = [];
  let off = 0;
  let n = 0;
  while (off + 16 <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < 16 || off + len > buf.length) break;
    out.push(`# message ${++n}`);
    out.push(...annotateMessage(buf, off));
    off += nlmsgAlign(len);
  }
  if (off < buf.length)
    out.push(...rows(buf, off, buf.length, `${buf.length - off} bytes after the last message`));
  return out;
}

function annotateFile(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  const first = lines.findIndex((l) => l.startsWith('# datagram'));
  const preamble = lines.slice(0, first);
  const out = [...preamble];
  let bytes = [];
  let header;
  const flush = () => {
    if (header === undefined) return;
    out.push(header, ...annotateDatagram(Buffer.from(bytes)));
    bytes = [];
  };
  for (const line of lines.slice(first)) {
    if (line.startsWith('# datagram')) {
      flush();
      header = line;
      continue;
    }
    const data = line.replace(/#.*/, '').trim();
    if (data) bytes.push(...data.split(/\s+/).map((h) => Number.parseInt(h, 16)));
  }
  flush();
  writeFileSync(path, `${out.join('\n').trimEnd()}\n`);
}

function walk(dir) {
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.hex')) annotateFile(p);
  }
}

walk(process.argv[2] ?? new URL('../fixtures', import.meta.url).pathname);
