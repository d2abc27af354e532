// Protodown reasons in `rtnl link show` / `address show` against iproute2 6.1 (ip/ipaddress.c
// print_proto_down, lib/rt_names.c protodown_reason_n2a): `protodown_reason <NAME,…>` in text,
// "proto_down_reason": [ … ] in JSON, names from /etc/iproute2/protodown_reasons.d/*.conf,
// numbers when unnamed or with -N. ip is the oracle for every expectation.
//
// This kernel lets vxlan and macvlan devices go protodown; ifb, veth and bridge refuse
// ("Protodown not supported by device."). The reason names come from a private copy of
// /etc/iproute2 bind-mounted over the real one in a private mount namespace of each command
// (`unshare --mount`): the real /etc/iproute2 is never written, and nothing outlives the command.
// Runs the built CLI (npm test builds dist/ first).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cat, hex, nest, nla, nlmsg, str, u8, u16le, u32le } from '../helpers/bytes.js';
import {
  asRtnl,
  type CliNs,
  cliNs,
  expectSameJson,
  expectSameText,
  RTNL_BIN,
  type RunResult,
} from './helpers.js';

// Reasons are bits 0..31 of IFLA_PROTO_DOWN_REASON_VALUE. ip reads only its low byte, so bit 9
// of vx0 never shows and vx1 (bit 9 alone) shows no reason at all; mv0 has reasons while
// protodown is off (ip then glues `protodown_reason` to the broadcast address).
const SETUP = [
  'link add vx0 type vxlan id 10 dstport 4789',
  'link set vx0 protodown_reason 0 on',
  'link set vx0 protodown_reason 3 on',
  'link set vx0 protodown_reason 5 on',
  'link set vx0 protodown_reason 9 on',
  'link set vx0 protodown on',
  'link add vx1 type vxlan id 11 dstport 4789',
  'link set vx1 protodown_reason 9 on',
  'link add vx2 type vxlan id 12 dstport 4789',
  'link set vx2 protodown on',
  'link add ve0 type veth peer name ve1',
  'link add mv0 link ve0 type macvlan mode bridge',
  'link set mv0 protodown_reason 2 on',
  'link set mv0 protodown_reason 31 on',
  'link add t0 type ifb',
];

let t: CliNs;

beforeAll(() => {
  t = cliNs(SETUP);
});

afterAll(() => t?.close());

describe('what this kernel accepts (ip is the oracle)', () => {
  it.each(['t0', 've0'])('%s (ifb / veth) refuses protodown, through rtnl as through ip', (dev) => {
    const r = expectSameText(t, ['link', 'set', dev, 'protodown', 'on']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Protodown not supported by device/);
  });

  it('ip shows the reasons the setup made (only the low byte of the value)', () => {
    const text = t.ip('link', 'show');
    expect(text).toMatch(/ protodown on protodown_reason <0,3,5>\n/);
    expect(text).toMatch(/ff:ff:ff:ff:ff:ffprotodown_reason <2>\n/);
    expect(text).not.toMatch(/vx1:[^\n]*\n[^\n]*protodown/);
  });
});

describe('rtnl = ip without reason names (numbers)', () => {
  it.each([
    [['link', 'show']],
    [['-d', 'link', 'show']],
    [['-N', 'link', 'show']],
    [['-d', '-N', 'link', 'show']],
    [['-o', 'link', 'show']],
    [['-br', 'link', 'show']],
    [['link', 'show', 'dev', 'mv0']],
    [['address', 'show']],
    [['-d', 'address', 'show', 'dev', 'vx0']],
  ])('text: %j', (args) => {
    expectSameText(t, args);
  });

  it.each([
    [['link', 'show']],
    [['-d', 'link', 'show']],
    [['-N', 'link', 'show']],
    [['-d', '-N', 'link', 'show']],
    [['-p', 'link', 'show', 'dev', 'vx0']],
    [['address', 'show']],
  ])('-j: %j', (args) => {
    const { ip } = expectSameJson(t, args);
    expect(JSON.stringify(ip)).toContain('"proto_down_reason":');
  });
});

// ---- names from protodown_reasons.d --------------------------------------------------------

// Read: *.conf files, hex or decimal ids, trailing comments; ignored: other suffixes and dot
// files. Reason 5 stays unnamed (printed as a number).
const CONF: Record<string, string> = {
  'site.conf': '# protodown reasons of this test\n0 mlag\n0x3 evpn\t# hex id\n9 beyond-low-byte\n',
  'more.conf': '2 peer-link\n31 last\n',
  'skipped.txt': '5 not-a-conf-file\n',
  '.hidden.conf': '5 hidden-file\n',
};

let etc: string;

/** Run `cmd ARGS` in t's namespace with the private /etc/iproute2 mounted over the real one. */
function withNames(cmd: 'ip' | 'rtnl', args: readonly string[]): RunResult {
  const exe = cmd === 'ip' ? ['ip'] : [process.execPath, RTNL_BIN];
  const r = spawnSync(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      'sh',
      '-c',
      'mount --bind "$0" /etc/iproute2 && exec "$@"',
      etc,
      'nsenter',
      `--net=${t.path}`,
      ...exe,
      ...args,
    ],
    { encoding: 'utf8' },
  );
  if (r.error) throw r.error;
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

describe('rtnl = ip with names from /etc/iproute2/protodown_reasons.d/*.conf', () => {
  beforeAll(() => {
    etc = mkdtempSync(join(tmpdir(), 'rtnl-protodown-'));
    cpSync('/etc/iproute2', etc, { recursive: true });
    mkdirSync(join(etc, 'protodown_reasons.d'), { recursive: true });
    for (const [file, text] of Object.entries(CONF)) {
      writeFileSync(join(etc, 'protodown_reasons.d', file), text);
    }
  });

  afterAll(() => {
    if (etc) rmSync(etc, { recursive: true, force: true });
  });

  const same = (args: string[]) => {
    const theirs = withNames('ip', args);
    const ours = withNames('rtnl', args);
    expect(ours).toEqual({ ...theirs, stderr: asRtnl(theirs.stderr) });
    expect(theirs.status).toBe(0);
    return theirs.stdout;
  };

  it('ip uses the names (the mount works, the real /etc/iproute2 has none of them)', () => {
    const text = same(['link', 'show']);
    expect(text).toMatch(/ protodown on protodown_reason <mlag,evpn,5>\n/);
    expect(text).toMatch(/protodown_reason <peer-link>\n/);
    expect(t.ip('link', 'show')).not.toMatch(/mlag/);
  });

  it.each([
    [['-d', 'link', 'show']],
    [['-N', 'link', 'show']],
    [['-o', 'link', 'show', 'dev', 'vx0']],
    [['address', 'show']],
  ])('text: %j', (args) => {
    same(args);
  });

  it.each([
    [['-j', 'link', 'show']],
    [['-j', '-d', 'link', 'show']],
    [['-j', '-N', 'link', 'show']],
    [['-j', 'address', 'show', 'dev', 'vx0']],
  ])('%j', (args) => {
    const doc = JSON.parse(same(args)) as { ifname: string; proto_down_reason?: string[] }[];
    const reasons = Object.fromEntries(doc.map((l) => [l.ifname, l.proto_down_reason]));
    const numeric = args.includes('-N');
    if (reasons.vx0) expect(reasons.vx0).toEqual(numeric ? ['0', '3', '5'] : ['mlag', 'evpn', '5']);
    expect(reasons.vx1).toBeUndefined();
  });
});

// ---- messages the kernel here cannot make ------------------------------------------------------

// ip's test for the reason nest looks at the link's own attribute 2 (IFLA_BROADCAST), and a
// reason only above the low byte shows nothing. Every device that can go protodown here has a
// broadcast address, so these RTM_NEWLINK messages are written by hand and read back from a
// file by `monitor file`, which prints links with the same print_linkinfo (ip 6.1's monitor has
// no JSON output, so text only).
describe('rtnl monitor file = ip monitor file on hand-made RTM_NEWLINK messages', () => {
  let dir: string;
  let file: string;

  const RTM_NEWLINK = 16;
  const IFF_BROADCAST_MULTICAST = 0x1002;
  const link = (index: number, name: string, brd: boolean, protoDown: number, reason?: number) =>
    nlmsg(
      { type: RTM_NEWLINK, flags: 0, seq: 0, pid: 0 },
      // ifinfomsg: family, pad, type ARPHRD_ETHER, index, flags, change
      cat(u8(0), u8(0), u16le(1), u32le(index), u32le(IFF_BROADCAST_MULTICAST), u32le(0)),
      nla(3, str(name)), // IFLA_IFNAME
      nla(1, hex('02 00 00 00 00 01')), // IFLA_ADDRESS
      ...(brd ? [nla(2, hex('ff ff ff ff ff ff'))] : []), // IFLA_BROADCAST
      nla(39, u8(protoDown)), // IFLA_PROTO_DOWN
      // IFLA_PROTO_DOWN_REASON { IFLA_PROTO_DOWN_REASON_VALUE }
      ...(reason === undefined ? [] : [nest(55, nla(2, u32le(reason)))]),
    );

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rtnl-protodown-'));
    file = join(dir, 'links');
    writeFileSync(
      file,
      cat(
        link(2, 'a0', true, 1, 0x20d),
        link(3, 'a1', false, 1, 0x0d),
        link(4, 'a2', true, 0, 0x80000081),
        link(5, 'a3', true, 0, 0x100),
        link(6, 'a4', true, 1, 0),
        link(7, 'a5', true, 0xff, 0xff),
      ),
    );
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([[['monitor', 'file']], [['-N', 'monitor', 'file']]])('%j', (args) => {
    const r = expectSameText(t, [...args, file]);
    expect(r.stdout).toContain('protodown_reason');
  });

  it('ip skips the reasons of a link without a broadcast address', () => {
    const text = t.ip('monitor', 'file', file);
    expect(text).toMatch(/a0:[^\n]*\n[^\n]* protodown on protodown_reason <0,2,3>/);
    expect(text).toMatch(/a1:[^\n]*\n[^\n]*02:00:00:00:00:01 protodown on \n/);
  });
});
