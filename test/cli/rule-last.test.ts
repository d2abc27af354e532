// `rtnl rule save` / `rtnl rule restore` against ip 6.1 (the oracle): rtnl's file holds ip's
// bytes (sequence numbers and port ids aside); a file ip saved is restored by rtnl, a file rtnl
// saved is restored by ip, each into a fresh namespace, and `ip -j rule show` of the targets
// agree; the refusals (arguments, terminal, bad magic, truncated or malformed file, a rule the
// kernel refuses, a family without rules) have ip's texts, statuses and stdout bytes.
// Runs the built CLI.

import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asRtnl, type CliNs, cliNs, RTNL_BIN } from './helpers.js';

const RULES = [
  'link set lo up',
  'link add d0 type ifb',
  'rule add from 192.0.2.0/24 table 100 pref 100',
  'rule add to 198.51.100.0/24 tos 0x10 table 101 pref 101',
  'rule add iif d0 fwmark 5/7 table 7 pref 5',
  'rule add not from 203.0.113.0/24 goto 101 pref 90',
  'rule add ipproto tcp dport 80-90 prohibit pref 102',
  'rule add uidrange 1000-1999 table 200 suppress_prefixlength 0 pref 103',
  '-6 rule add to 2001:db8::/32 table 200',
  '-6 rule add from 2001:db8:1::/48 oif d0 blackhole pref 20',
];
const SHOWS = [
  ['rule', 'show'],
  ['-6', 'rule', 'show'],
];

/** A run's outcome (stdout as bytes: a save writes binary). */
interface Run {
  status: number;
  stdout: Buffer;
  stderr: string;
}

/** Run ip or rtnl in namespace `t`, stdin from a file or piped bytes, stdout to a file. */
function run(
  t: CliNs,
  tool: 'ip' | 'rtnl',
  args: readonly string[],
  io: { stdin?: string; pipe?: Buffer; stdout?: string } = {},
): Run {
  const inFd = io.stdin === undefined ? undefined : openSync(io.stdin, 'r');
  const outFd = io.stdout === undefined ? undefined : openSync(io.stdout, 'w');
  try {
    const [cmd, argv] =
      tool === 'ip'
        ? ['nsenter', [`--net=${t.path}`, 'ip', ...args]]
        : [process.execPath, [RTNL_BIN, '-n', t.path, ...args]];
    const r = spawnSync(cmd, argv, {
      ...(io.pipe !== undefined ? { input: io.pipe } : {}),
      stdio: [inFd ?? 'pipe', outFd ?? 'pipe', 'pipe'],
    });
    if (r.error) throw r.error;
    return {
      status: r.status ?? 128,
      stdout: Buffer.from(r.stdout ?? Buffer.alloc(0)),
      stderr: asRtnl(String(r.stderr ?? '')),
    };
  } finally {
    if (inFd !== undefined) closeSync(inFd);
    if (outFd !== undefined) closeSync(outFd);
  }
}

/**
 * The file with every message's nlmsg_seq and nlmsg_pid zeroed (they differ between runs),
 * walked here independently of the code under test; bytes after the last whole message (ip's
 * JSON text with -j) are kept.
 */
function withoutSeq(bytes: Buffer): Buffer {
  const b = Buffer.from(bytes);
  for (let off = 4; off + 16 <= b.length; ) {
    const len = b.readUInt32LE(off);
    if (len < 16 || off + len > b.length) break;
    b.writeUInt32LE(0, off + 8);
    b.writeUInt32LE(0, off + 12);
    off += (len + 3) & ~3;
  }
  return b;
}

/**
 * The netlink messages of type `type` a command sent, from strace's hex dump of its
 * sendto/sendmsg calls (`-e write=all`), with nlmsg_seq and nlmsg_pid zeroed.
 */
function sentMessages(t: CliNs, argv: readonly string[], stdin: string, type: number): string[] {
  const log = file('strace.log');
  const inFd = openSync(stdin, 'r');
  try {
    const r = spawnSync(
      'nsenter',
      [
        `--net=${t.path}`,
        'strace',
        '-f',
        '-qq',
        '-e',
        'signal=none',
        '-e',
        'trace=sendto,sendmsg',
      ].concat(['-e', 'write=all', '-o', log, '--', ...argv]),
      { stdio: [inFd, 'pipe', 'pipe'] },
    );
    if (r.error) throw r.error;
  } finally {
    closeSync(inFd);
  }
  const datagrams: number[][] = [];
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (/^\d+\s+send(?:to|msg)\(/.test(line)) datagrams.push([]);
    else if (/^ \| [0-9a-f]{5} {2}/.test(line)) {
      for (const h of line.slice(10, 58).match(/[0-9a-f]{2}/g) ?? []) {
        datagrams.at(-1)?.push(Number.parseInt(h, 16));
      }
    }
  }
  const out: string[] = [];
  for (const d of datagrams) {
    const b = Buffer.from(d);
    for (let off = 0; off + 16 <= b.length; ) {
      const len = b.readUInt32LE(off);
      if (len < 16) break;
      if (b.readUInt16LE(off + 4) === type) {
        const m = Buffer.from(b.subarray(off, off + len));
        m.fill(0, 8, 16);
        out.push(m.toString('hex'));
      }
      off += (len + 3) & ~3;
    }
  }
  return out;
}

/** The offsets of the messages after the 4-byte magic number. */
function messageOffsets(b: Buffer): number[] {
  const out: number[] = [];
  for (let off = 4; off + 16 <= b.length; off += (b.readUInt32LE(off) + 3) & ~3) out.push(off);
  return out;
}

let dir: string;
const file = (name: string) => join(dir, name);
let src: CliNs;
const targets: CliNs[] = [];
/** A fresh namespace with lo and d0 (the default rules only). */
function target(): CliNs {
  const t = cliNs(['link set lo up', 'link add d0 type ifb']);
  targets.push(t);
  return t;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rtnl-rule-last-'));
  src = cliNs(RULES);
});
afterAll(() => {
  src?.close();
  for (const t of targets) t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rtnl rule save', () => {
  it.each([[[]], [['-4']], [['-6']], [['-j']], [['-j', '-p']], [['-6', '-j']]])(
    'save %j writes the bytes ip writes (seq and pid aside)',
    (opts) => {
      const a = run(src, 'ip', [...opts, 'rule', 'save'], { stdout: file('ip.r') });
      const b = run(src, 'rtnl', [...opts, 'rule', 'save'], { stdout: file('rtnl.r') });
      expect(b).toEqual(a);
      expect(a.status).toBe(0);
      const want = withoutSeq(readFileSync(file('ip.r')));
      // The magic number (rule_dump_magic, host order), then the dump.
      expect(want.readUInt32LE(0)).toBe(0x71706986);
      expect(messageOffsets(want).length).toBeGreaterThanOrEqual(opts.includes('-6') ? 4 : 9);
      expect(withoutSeq(readFileSync(file('rtnl.r')))).toEqual(want);
    },
  );

  it("-j leaves ip's empty JSON array after the messages", () => {
    run(src, 'ip', ['-j', 'rule', 'save'], { stdout: file('j.r') });
    expect(readFileSync(file('j.r')).subarray(-3).toString()).toBe('[]\n');
  });

  it('save takes no selector: ip text and status, nothing written', () => {
    const a = run(src, 'ip', ['rule', 'save', 'pref', '100'], { stdout: file('x.r') });
    const b = run(src, 'rtnl', ['rule', 'save', 'pref', '100'], { stdout: file('y.r') });
    expect(b).toEqual(a);
    expect(a.status).toBe(1);
    expect(a.stderr).toBe('"ip rule save" does not take any arguments.\n');
    expect(readFileSync(file('y.r')).length).toBe(0);
  });

  it.each([[['-0']], [['-0', '-j']], [['-0', '-j', '-p']], [['-M']]])(
    "save %j of a family without rules: the magic, then ip's error and status",
    (opts) => {
      const a = run(src, 'ip', [...opts, 'rule', 'save'], { stdout: file('f-ip.r') });
      const b = run(src, 'rtnl', [...opts, 'rule', 'save'], { stdout: file('f-rtnl.r') });
      expect(b).toEqual(a);
      expect(a.status).toBe(255);
      expect(a.stderr).toMatch(/Address family not supported by protocol\nDump terminated\n$/);
      expect(readFileSync(file('f-rtnl.r'))).toEqual(readFileSync(file('f-ip.r')));
    },
  );
});

describe('rtnl rule restore', () => {
  it('a file ip saved, rtnl restores; a file rtnl saved, ip restores', () => {
    for (const fam of [[], ['-6']]) {
      run(src, 'ip', [...fam, 'rule', 'save'], { stdout: file('ip-all.r') });
      run(src, 'rtnl', [...fam, 'rule', 'save'], { stdout: file('rtnl-all.r') });
      const [t1, t2, t3] = [target(), target(), target()];
      const r1 = run(t1, 'rtnl', ['rule', 'restore'], { stdin: file('ip-all.r') });
      const r2 = run(t2, 'ip', ['rule', 'restore'], { stdin: file('ip-all.r') });
      const r3 = run(t3, 'ip', ['rule', 'restore'], { stdin: file('rtnl-all.r') });
      expect(r1).toEqual(r2);
      expect(r3).toEqual(r2);
      expect(r1.status).toBe(0);
      for (const show of SHOWS) {
        const want = t2.ipJson(...show);
        expect(t1.ipJson(...show)).toEqual(want);
        expect(t3.ipJson(...show)).toEqual(want);
      }
      // Every saved rule is back (the default ones twice: restore sends no NLM_F_EXCL).
      const shown = fam.length ? SHOWS[1]! : SHOWS[0]!;
      const restored = t1.ipJson(...shown) as { priority: number }[];
      for (const r of src.ipJson(...shown) as object[]) expect(restored).toContainEqual(r);
      expect(restored.length).toBeGreaterThan((src.ipJson(...shown) as object[]).length);
    }
  });

  it('sends the saved messages as ip does: NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE added', () => {
    run(src, 'ip', ['rule', 'save'], { stdout: file('s.r') });
    const RTM_NEWRULE = 32;
    const ours = sentMessages(
      target(),
      [process.execPath, RTNL_BIN, 'rule', 'restore'],
      file('s.r'),
      RTM_NEWRULE,
    );
    const theirs = sentMessages(target(), ['ip', 'rule', 'restore'], file('s.r'), RTM_NEWRULE);
    expect(ours).toEqual(theirs);
    expect(theirs.length).toBe(messageOffsets(readFileSync(file('s.r'))).length);
    // nlmsg_flags: the dump's NLM_F_MULTI (0x2) kept, 0x1 | 0x4 | 0x400 added, no NLM_F_EXCL.
    for (const m of theirs) expect(Buffer.from(m, 'hex').readUInt16LE(6)).toBe(0x0407);
  });

  it('restores from a pipe too (ip does not seek stdin here)', () => {
    run(src, 'ip', ['rule', 'save'], { stdout: file('p.r') });
    const bytes = readFileSync(file('p.r'));
    const [t1, t2] = [target(), target()];
    const a = run(t2, 'ip', ['rule', 'restore'], { pipe: bytes });
    const b = run(t1, 'rtnl', ['rule', 'restore'], { pipe: bytes });
    expect(b).toEqual(a);
    expect(a.status).toBe(0);
    expect(t1.ipJson('rule', 'show')).toEqual(t2.ipJson('rule', 'show'));
  });

  it("a rule the kernel refuses stops the restore with ip's error and status", () => {
    run(src, 'ip', ['rule', 'save'], { stdout: file('k.r') });
    const bytes = readFileSync(file('k.r'));
    // The rule with priority 100 (FRA_SRC 192.0.2.0/24): fib_rule_hdr.src_len 40.
    const offs = messageOffsets(bytes);
    const at = offs.find((o) => {
      const m = bytes.subarray(o, o + bytes.readUInt32LE(o));
      return m[16 + 2] === 24; // src_len
    });
    expect(at).toBeDefined();
    bytes[at! + 16 + 2] = 40;
    writeFileSync(file('k-bad.r'), bytes);
    const [t1, t2] = [target(), target()];
    const a = run(t2, 'ip', ['rule', 'restore'], { stdin: file('k-bad.r') });
    const b = run(t1, 'rtnl', ['rule', 'restore'], { stdin: file('k-bad.r') });
    expect(b).toEqual(a);
    expect(a.status).toBe(255);
    expect(a.stderr).toMatch(/Invalid source address/);
    // What came before the refused rule was restored, nothing after it.
    expect(t1.ipJson('rule', 'show')).toEqual(t2.ipJson('rule', 'show'));
  });

  it.each([
    ['hello\n', 'Magic mismatch (1 elems, 6c6c6568 magic)\n'],
    ['', 'Magic mismatch (0 elems, 0 magic)\n'],
    ['ab', 'Magic mismatch (0 elems, 6261 magic)\n'],
  ])('a file without the magic (%j): ip text and status', (text, stderr) => {
    writeFileSync(file('bad.r'), text);
    const a = run(src, 'ip', ['rule', 'restore'], { stdin: file('bad.r') });
    const b = run(src, 'rtnl', ['rule', 'restore'], { stdin: file('bad.r') });
    expect(b).toEqual(a);
    expect(a).toMatchObject({ status: 255, stderr });
  });

  it('a route save file is refused (another magic number)', () => {
    run(src, 'ip', ['route', 'save'], { stdout: file('route.r') });
    const a = run(src, 'ip', ['rule', 'restore'], { stdin: file('route.r') });
    const b = run(src, 'rtnl', ['rule', 'restore'], { stdin: file('route.r') });
    expect(b).toEqual(a);
    expect(a.stderr).toMatch(/^Magic mismatch \(1 elems, 45311224 magic\)/);
  });

  it('a truncated or malformed file: ip text, status and partial outcome', () => {
    run(src, 'ip', ['rule', 'save'], { stdout: file('t.r') });
    const whole = readFileSync(file('t.r'));
    const offs = messageOffsets(whole);
    const cases = [
      whole.subarray(0, offs[3]! + 10), // inside the 4th message's header
      whole.subarray(0, offs[3]! + 30), // inside its payload
      Buffer.concat([whole.subarray(0, offs[2]!), Buffer.from([8, 0, 0, 0])]), // len < 16
      Buffer.concat([whole.subarray(0, offs[1]!), Buffer.from([0, 0x50, 0, 0])]), // > 16 KiB
    ];
    for (const bytes of cases) {
      writeFileSync(file('t2.r'), bytes);
      const [t1, t2] = [target(), target()];
      const a = run(t2, 'ip', ['rule', 'restore'], { stdin: file('t2.r') });
      const b = run(t1, 'rtnl', ['rule', 'restore'], { stdin: file('t2.r') });
      expect(b).toEqual(a);
      expect(a.status).toBe(255);
      expect(a.stderr).toMatch(/truncated message|malformed message/);
      expect(t1.ipJson('rule', 'show')).toEqual(t2.ipJson('rule', 'show'));
    }
  });

  it('save refuses a terminal on stdout, restore one on stdin', () => {
    // script(1) gives the command a terminal.
    const term = (tool: string, words: string) =>
      spawnSync('script', ['-qec', `nsenter --net=${src.path} ${tool} ${words}`, '/dev/null'], {
        encoding: 'utf8',
      });
    const rtnl = `${process.execPath} ${RTNL_BIN}`;
    for (const words of ['rule save', 'rule restore']) {
      const a = term('ip', words);
      const b = term(rtnl, words);
      expect({ status: b.status, out: b.stdout }).toEqual({ status: a.status, out: a.stdout });
      expect(a.stdout).toMatch(/Not sending a binary stream to stdout|from a terminal/);
    }
  });
});
