// `rtnl tunnel` against a fake kernel. This kernel has none of the tunnel kinds, so:
//  - the requests `tunnel add` sends are held to iproute2's bytes for the `ip link add … type
//    KIND …` command that says the same (fixtures/tunnel/, fixtures/link-kinds/), and the
//    kernel's captured refusal is played back;
//  - `tunnel show` is fed link dumps built by hand and must print what iproute2 6.1's
//    print_tunnel (ip/iptunnel.c, ip/ip6tunnel.c) and tnl_print_gre_flags / tnl_print_stats
//    (ip/tunnel.c) print for the same parameters: the expected texts below are written from
//    that code, field by field;
//  - change / del / 6rd are checked request by request.
// Constants come from the kernel headers (C compiler), bytes from the independent builder.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { describeError } from '../../src/cli/errors.js';
import { parseGlobalOptions, runCommand } from '../../src/cli/main.js';
import { Output } from '../../src/cli/output.js';
import { Connection } from '../../src/netlink/connection.js';
import { RtNetlink } from '../../src/rtnetlink/client.js';
import { be16, be32, cat, nla, str, u8, u16le, u32le, u64le, zeros } from '../helpers/bytes.js';
import {
  ack,
  datagram,
  done,
  FakeKernel,
  type FakeRequest,
  reply,
} from '../helpers/fake-kernel.js';
import { loadFixture } from '../helpers/fixtures.js';
import { cValues } from '../helpers/uapi.js';

const NAMES = [
  'RTM_NEWLINK',
  'RTM_DELLINK',
  'RTM_GETLINK',
  'NLM_F_REQUEST',
  'NLM_F_ACK',
  'NLM_F_CREATE',
  'NLM_F_EXCL',
  'NLM_F_DUMP',
  'IFLA_IFNAME',
  'IFLA_LINKINFO',
  'IFLA_INFO_KIND',
  'IFLA_INFO_DATA',
  'IFLA_STATS64',
  'IFLA_GRE_LINK',
  'IFLA_GRE_IFLAGS',
  'IFLA_GRE_OFLAGS',
  'IFLA_GRE_IKEY',
  'IFLA_GRE_OKEY',
  'IFLA_GRE_LOCAL',
  'IFLA_GRE_REMOTE',
  'IFLA_GRE_TTL',
  'IFLA_GRE_TOS',
  'IFLA_GRE_PMTUDISC',
  'IFLA_GRE_ENCAP_LIMIT',
  'IFLA_GRE_FLOWINFO',
  'IFLA_GRE_FLAGS',
  'IFLA_GRE_ENCAP_TYPE',
  'IFLA_GRE_FWMARK',
  'IFLA_IPTUN_LINK',
  'IFLA_IPTUN_LOCAL',
  'IFLA_IPTUN_REMOTE',
  'IFLA_IPTUN_TTL',
  'IFLA_IPTUN_TOS',
  'IFLA_IPTUN_ENCAP_LIMIT',
  'IFLA_IPTUN_FLOWINFO',
  'IFLA_IPTUN_FLAGS',
  'IFLA_IPTUN_PROTO',
  'IFLA_IPTUN_PMTUDISC',
  'IFLA_IPTUN_6RD_PREFIX',
  'IFLA_IPTUN_6RD_RELAY_PREFIX',
  'IFLA_IPTUN_6RD_PREFIXLEN',
  'IFLA_IPTUN_6RD_RELAY_PREFIXLEN',
  'IFLA_IPTUN_FWMARK',
  'IFLA_VTI_LINK',
  'IFLA_VTI_IKEY',
  'IFLA_VTI_OKEY',
  'IFLA_VTI_LOCAL',
  'IFLA_VTI_REMOTE',
  'ARPHRD_ETHER',
  'ARPHRD_TUNNEL',
  'ARPHRD_TUNNEL6',
  'ARPHRD_SIT',
  'ARPHRD_IPGRE',
  'ARPHRD_IP6GRE',
  'SIT_ISATAP',
  'IP6_TNL_F_IGN_ENCAP_LIMIT',
  'IP6_TNL_F_USE_ORIG_TCLASS',
  'IP6_TNL_F_RCV_DSCP_COPY',
  'IP6_TNL_F_ALLOW_LOCAL_REMOTE',
  'IPPROTO_IPIP',
  'IPPROTO_IPV6',
  'ENODEV',
  'EOPNOTSUPP',
  'EEXIST',
] as const;
const { values: C, unknown } = cValues(
  {
    ...Object.fromEntries(NAMES.map((n) => [n, n])),
    // GRE_* are __be16 constants: their value as the bytes of IFLA_GRE_[IO]FLAGS read big-endian.
    GRE_KEY: '__be16_to_cpu(GRE_KEY)',
    GRE_CSUM: '__be16_to_cpu(GRE_CSUM)',
    GRE_SEQ: '__be16_to_cpu(GRE_SEQ)',
  },
  [
    'linux/in.h',
    'linux/netlink.h',
    'linux/rtnetlink.h',
    'linux/if_link.h',
    'linux/if_tunnel.h',
    'linux/ip6_tunnel.h',
    'linux/if_arp.h',
    'asm/byteorder.h',
    'errno.h',
  ],
);
const c = (name: (typeof NAMES)[number] | 'GRE_KEY' | 'GRE_CSUM' | 'GRE_SEQ'): number => {
  const v = C[name];
  if (v === undefined) throw new Error(`no value for ${name}`);
  return v;
};

it('every constant came from the headers', () => {
  expect(unknown).toEqual([]);
});

// ---- a fake kernel holding links -----------------------------------------------------------

interface FakeLink {
  index: number;
  name: string;
  type: number;
  kind?: string;
  /** IFLA_INFO_DATA attributes, built by hand. */
  data?: Buffer[];
  stats64?: bigint[];
}

const IFF_UP = 0x1;
const IFF_POINTOPOINT = 0x10;
const IFF_NOARP = 0x80;

function ifinfomsg(index: number, type = 0, flags = 0): Buffer {
  const b = zeros(16);
  b.writeUInt16LE(type, 2);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  return b;
}

function linkPayload(l: FakeLink): Buffer {
  return cat(
    ifinfomsg(l.index, l.type, IFF_UP | IFF_POINTOPOINT | IFF_NOARP),
    nla(c('IFLA_IFNAME'), str(l.name)),
    ...(l.stats64 ? [nla(c('IFLA_STATS64'), ...l.stats64.map((v) => u64le(v)))] : []),
    ...(l.kind
      ? [
          nla(
            c('IFLA_LINKINFO'),
            nla(c('IFLA_INFO_KIND'), str(l.kind)),
            ...(l.data ? [nla(c('IFLA_INFO_DATA'), ...l.data)] : []),
          ),
        ]
      : []),
  );
}

/** The attributes of a run: type (flag bits cleared) → payload. */
function attrs(buf: Buffer, start = 0, end = buf.length): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let off = start; off + 4 <= end; off += (buf.readUInt16LE(off) + 3) & ~3) {
    const len = buf.readUInt16LE(off);
    out.set(buf.readUInt16LE(off + 2) & 0x3fff, buf.subarray(off + 4, off + len));
  }
  return out;
}

interface Kernel {
  k: FakeKernel;
  links: FakeLink[];
}

/**
 * Answers link gets (by index or IFLA_IFNAME) and dumps from `links`, and changes with an ack,
 * or with `answer(req)` when given (a captured reply, say).
 */
function fakeKernel(links: FakeLink[], answer?: (req: FakeRequest) => Buffer[]): Kernel {
  const k = new FakeKernel((req) => {
    if (req.type === c('RTM_GETLINK') && (req.flags & c('NLM_F_DUMP')) === c('NLM_F_DUMP')) {
      return [
        datagram(...links.map((l) => reply(req, c('RTM_NEWLINK'), linkPayload(l)))),
        done(req),
      ];
    }
    if (req.type === c('RTM_GETLINK')) {
      const index = req.payload.readInt32LE(4);
      const name = attrs(req.payload, 16)
        .get(c('IFLA_IFNAME'))
        ?.toString('utf8')
        .replace(/\0+$/, '');
      const l = links.find((x) => (index ? x.index === index : x.name === name));
      if (!l) return [ack(req, c('ENODEV'))];
      return [datagram(reply(req, c('RTM_NEWLINK'), linkPayload(l), 0), ack(req))];
    }
    return answer ? answer(req) : [ack(req)];
  });
  return { k, links };
}

interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** `rtnl ARGS` through the framework's option parser and dispatcher, on the fake kernel. */
async function rtnl(kernel: Kernel, line: string): Promise<Result> {
  const parsed = parseGlobalOptions(line.split(' '));
  // run()'s colour rule: -c alone is "always", never with -j.
  parsed.opts.color = !parsed.opts.json && parsed.color === 'always';
  let stdout = '';
  let stderr = '';
  const out = new Output(parsed.opts, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  kernel.k.closed = false; // the fake socket serves one client after another
  const rt = RtNetlink.fromConnection(Connection.fromSocket(kernel.k));
  const ctx: CliContext = { opts: parsed.opts, out, batch: false, rt: async () => rt };
  let status: number;
  try {
    status = await runCommand(ctx, parsed.rest);
  } catch (err) {
    const d = await describeError(err);
    out.error(d.message);
    status = d.exitCode;
  } finally {
    out.flush();
    rt.close();
  }
  return { status, stdout, stderr };
}

const ok = (stdout: string): Result => ({ status: 0, stdout, stderr: '' });

const ifb0: FakeLink = { index: 2, name: 'ifb0', type: 1, kind: 'ifb' };
const lo: FakeLink = { index: 1, name: 'lo', type: 772 };

/** nlmsghdr with seq and pid zeroed (they differ between two runs). */
function sansSeq(msg: Buffer): Buffer {
  const b = Buffer.from(msg);
  b.fill(0, 8, 16);
  return b;
}

// ---- add: iproute2's bytes -------------------------------------------------------------------

// [fixture, the rtnl command that says what the fixture's `ip link add` says]
const ADDS: [string, string][] = [
  [
    'tunnel/gre-add',
    'tunnel add gre1 mode gre remote 192.0.2.2 local 192.0.2.1 ttl 64 tos 0x10 key 42 csum seq dev ifb0',
  ],
  [
    'tunnel/gre-add-keys',
    'tunnel add gre2 mode gre remote 192.0.2.3 ikey 1 okey 1.2.3.4 iseq ocsum nopmtudisc tos inherit',
  ],
  ['tunnel/gre-add-multicast', 'tunnel add gre3 mode gre remote 239.1.1.1 local 192.0.2.1'],
  [
    'tunnel/ipip-add',
    'tunnel add ipip1 mode ipip remote 192.0.2.2 local 192.0.2.1 ttl 32 tos 0x28 dev ifb0',
  ],
  ['tunnel/sit-add', 'tunnel add sit1 mode sit remote 192.0.2.2 local 192.0.2.1 ttl 64'],
  ['tunnel/sit-add-isatap', 'tunnel add isa1 mode isatap local 192.0.2.1'],
  [
    'tunnel/vti-add',
    'tunnel add vti1 mode vti remote 192.0.2.2 local 192.0.2.1 ikey 5 okey 6 dev ifb0',
  ],
  [
    'tunnel/ip6tnl-add',
    '-6 tunnel add t6 mode ip6ip6 remote 2001:db8::2 local 2001:db8::1 hoplimit 32 encaplimit 5 tclass 0x10 flowlabel 0x12345 dev ifb0',
  ],
  ['tunnel/ip6tnl-add-any', '-6 tunnel add t6c mode any remote 2001:db8::4 dscp inherit'],
  [
    'tunnel/ip6gre-add-seq',
    '-6 tunnel add g6b mode ip6gre remote 2001:db8::5 ikey 7 okey 8 seq csum hoplimit 10',
  ],
  // Captured for `ip link add` of the kinds; these three say nothing ip tunnel cannot.
  ['link-kinds/vti6-add', 'tunnel add vti61 mode vti6 remote 2001:db8::2 local 2001:db8::1 key 9'],
  [
    'link-kinds/ip6tnl-add-ipip6',
    'tunnel add t6b mode ipip6 remote 2001:db8::3 local 2001:db8::1 encaplimit none tclass inherit flowlabel inherit allow-localremote',
  ],
  [
    'link-kinds/ip6gre-add',
    'tunnel add g6 mode ip6gre remote 2001:db8::2 local 2001:db8::1 hoplimit 40 encaplimit 4 flowlabel 0x1234 tclass inherit key 5 allow-localremote',
  ],
];

describe('tunnel add sends the RTM_NEWLINK of the equivalent `ip link add`', () => {
  it.each(ADDS)('%s ← rtnl %s', async (fixture, line) => {
    const request = loadFixture(`${fixture}.request`).messages[0]!;
    const refusal = loadFixture(`${fixture}.reply`).messages[0]!;
    expect(loadFixture(`${fixture}.request`).meta.provenance.command).toMatch(/^ip link add /);
    // The kernel's captured answer, replayed with this request's seq and port.
    const kernel = fakeKernel([lo, ifb0], (req) => {
      const answer = Buffer.from(refusal);
      answer.writeUInt32LE(req.seq, 8);
      answer.writeUInt32LE(req.pid, 12);
      return [answer];
    });
    const r = await rtnl(kernel, line);
    const sent = kernel.k.requests.filter((q) => q.type === c('RTM_NEWLINK'));
    expect(sent).toHaveLength(1);
    const want = request.subarray(0, request.readUInt32LE(0));
    expect(sansSeq(sent[0]!.raw).toString('hex')).toBe(sansSeq(want).toString('hex'));
    // ip's rtnetlink error form for the kernel's extended ack.
    expect(r).toEqual({ status: 2, stdout: '', stderr: 'Error: Unknown device type.\n' });
  });

  it('a lower device named by `dev` is looked up first; a missing one is ip\'s "Cannot find device"', async () => {
    const kernel = fakeKernel([lo]);
    const r = await rtnl(kernel, 'tunnel add gre1 mode gre remote 192.0.2.2 dev ifb9');
    expect(r).toEqual({ status: 1, stdout: '', stderr: 'Cannot find device "ifb9"\n' });
    expect(kernel.k.requests.map((q) => q.type)).toEqual([c('RTM_GETLINK')]);
  });

  it.each([
    ['tunnel add foo mode gre ttl 300', 255, 'Error: argument "300" is wrong: invalid TTL\n\n'],
    ['tunnel add foo mode ipip key 5', 1, 'Keys are not allowed with ipip and sit tunnels\n'],
    ['tunnel add foo mode gre ttl 3 nopmtudisc', 1, 'ttl != 0 and nopmtudisc are incompatible\n'],
    [
      'tunnel add foo mode gre key x1',
      255,
      'invalid value for "key": "x1"; it should be an unsigned integer\n',
    ],
    [
      'tunnel add foo mode gre remote 1.2.3.4.5',
      1,
      'Error: an IP address is expected rather than "1.2.3.4.5"\n',
    ],
    [
      'tunnel add foo mode gre remote 239.1.1.1',
      1,
      'A broadcast tunnel requires a source address\n',
    ],
    [
      'tunnel add foo mode vti mode gre',
      255,
      'You managed to ask for more than one tunnel mode.\n',
    ],
    ['tunnel add foo mode xyz', 255, 'Unknown tunnel mode "xyz"\n'],
    ['tunnel add foo bar', 255, 'Error: either "name" is duplicate, or "bar" is a garbage.\n'],
    ['tunnel add foo', 1, 'cannot determine tunnel mode (ipip, gre, vti or sit)\n'],
    ['tunnel add foo mode gre tos zz', 255, 'Error: argument "zz" is wrong: bad TOS value\n'],
    ['tunnel add foo mode gre remote', 255, 'Command line is not complete. Try option "help"\n'],
    [
      '-6 tunnel add foo mode ip6gre flowlabel 0x123456',
      255,
      'Error: argument "0x123456" is wrong: invalid Flowlabel\n',
    ],
    [
      '-6 tunnel add foo mode ip6gre tclass 0x100',
      255,
      'Error: argument "0x100" is wrong: invalid TClass\n',
    ],
    ['-6 tunnel add foo mode ip6gre dscp 1', 255, 'Error: argument "1" is wrong: not inherit\n'],
    [
      '-6 tunnel add foo remote 192.0.2.1',
      1,
      'Error: inet6 address is expected rather than "192.0.2.1".\n',
    ],
    ['-0 tunnel show', 255, 'Unsupported protocol family: 17\n'],
    ['tunnel frob', 255, 'Command "frob" is unknown, try "rtnl tunnel help"\n'],
    ['-6 tunnel frob', 255, 'Command "frob" is unknown, try "rtnl -f inet6 tunnel help".\n'],
  ])('%s: refused before anything is sent (%i)', async (line, status, stderr) => {
    const kernel = fakeKernel([lo, ifb0]);
    expect(await rtnl(kernel, line)).toEqual({ status, stdout: '', stderr });
    expect(kernel.k.requests.filter((q) => q.type !== c('RTM_GETLINK'))).toEqual([]);
  });

  it('the name prefix chooses the mode, as in ip (gre*, ipip*, sit*, isatap*, vti*)', async () => {
    for (const [name, kind] of [
      ['gre5', 'gre'],
      ['ipip5', 'ipip'],
      ['sit5', 'sit'],
      ['isatap5', 'sit'],
      ['vti5', 'vti'],
    ] as const) {
      const kernel = fakeKernel([lo]);
      expect((await rtnl(kernel, `tunnel add ${name}`)).status).toBe(0);
      const req = kernel.k.requests.find((q) => q.type === c('RTM_NEWLINK'))!;
      const info = attrs(attrs(req.payload, 16).get(c('IFLA_LINKINFO'))!);
      expect(info.get(c('IFLA_INFO_KIND'))!.toString()).toBe(kind);
    }
  });
});

// ---- show ------------------------------------------------------------------------------------

const GRE = (o: {
  link?: number;
  iflags: number;
  oflags: number;
  ikey: number;
  okey: number;
  local?: string;
  remote?: string;
  ttl: number;
  tos: number;
  pmtudisc: number;
}) => [
  nla(c('IFLA_GRE_LINK'), u32le(o.link ?? 0)),
  nla(c('IFLA_GRE_IFLAGS'), be16(o.iflags)),
  nla(c('IFLA_GRE_OFLAGS'), be16(o.oflags)),
  nla(c('IFLA_GRE_IKEY'), be32(o.ikey)),
  nla(c('IFLA_GRE_OKEY'), be32(o.okey)),
  nla(c('IFLA_GRE_LOCAL'), ip4(o.local ?? '0.0.0.0')),
  nla(c('IFLA_GRE_REMOTE'), ip4(o.remote ?? '0.0.0.0')),
  nla(c('IFLA_GRE_TTL'), u8(o.ttl)),
  nla(c('IFLA_GRE_TOS'), u8(o.tos)),
  nla(c('IFLA_GRE_PMTUDISC'), u8(o.pmtudisc)),
  nla(c('IFLA_GRE_ENCAP_TYPE'), u16le(0)),
  nla(c('IFLA_GRE_FWMARK'), u32le(7)),
];

function ip4(a: string): Buffer {
  return Buffer.from(a.split('.').map(Number));
}

function ip6(a: string): Buffer {
  const [head, tail = ''] = a.split('::');
  const words = (s: string) => (s ? s.split(':').map((w) => Number.parseInt(w, 16)) : []);
  const h = words(head!);
  const t = a.includes('::') ? words(tail) : [];
  const all = [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
  const b = zeros(16);
  for (const [i, w] of all.entries()) b.writeUInt16BE(w, 2 * i);
  return b;
}

const IPTUN = (o: {
  link?: number;
  local?: string;
  remote?: string;
  ttl: number;
  tos: number;
  pmtudisc: number;
  proto: number;
  flags?: number;
  sixrd?: [string, number, string, number];
}) => [
  nla(c('IFLA_IPTUN_LINK'), u32le(o.link ?? 0)),
  nla(c('IFLA_IPTUN_LOCAL'), ip4(o.local ?? '0.0.0.0')),
  nla(c('IFLA_IPTUN_REMOTE'), ip4(o.remote ?? '0.0.0.0')),
  nla(c('IFLA_IPTUN_TTL'), u8(o.ttl)),
  nla(c('IFLA_IPTUN_TOS'), u8(o.tos)),
  nla(c('IFLA_IPTUN_PMTUDISC'), u8(o.pmtudisc)),
  nla(c('IFLA_IPTUN_PROTO'), u8(o.proto)),
  nla(c('IFLA_IPTUN_FWMARK'), u32le(0)),
  ...(o.flags !== undefined ? [nla(c('IFLA_IPTUN_FLAGS'), u16le(o.flags))] : []),
  ...(o.sixrd
    ? [
        nla(c('IFLA_IPTUN_6RD_PREFIX'), ip6(o.sixrd[0])),
        nla(c('IFLA_IPTUN_6RD_RELAY_PREFIX'), ip4(o.sixrd[2])),
        nla(c('IFLA_IPTUN_6RD_PREFIXLEN'), u16le(o.sixrd[1])),
        nla(c('IFLA_IPTUN_6RD_RELAY_PREFIXLEN'), u16le(o.sixrd[3])),
      ]
    : []),
];

const IP6TNL = (o: {
  link?: number;
  local: string;
  remote: string;
  ttl: number;
  encapLimit: number;
  flowinfo: number;
  flags: number;
  proto: number;
}) => [
  nla(c('IFLA_IPTUN_LINK'), u32le(o.link ?? 0)),
  nla(c('IFLA_IPTUN_LOCAL'), ip6(o.local)),
  nla(c('IFLA_IPTUN_REMOTE'), ip6(o.remote)),
  nla(c('IFLA_IPTUN_TTL'), u8(o.ttl)),
  nla(c('IFLA_IPTUN_ENCAP_LIMIT'), u8(o.encapLimit)),
  nla(c('IFLA_IPTUN_FLOWINFO'), be32(o.flowinfo)),
  nla(c('IFLA_IPTUN_FLAGS'), u32le(o.flags)),
  nla(c('IFLA_IPTUN_PROTO'), u8(o.proto)),
  nla(c('IFLA_IPTUN_FWMARK'), u32le(0)),
];

const VTI = (o: { link?: number; ikey: number; okey: number; local: Buffer; remote: Buffer }) => [
  nla(c('IFLA_VTI_LINK'), u32le(o.link ?? 0)),
  nla(c('IFLA_VTI_IKEY'), be32(o.ikey)),
  nla(c('IFLA_VTI_OKEY'), be32(o.okey)),
  nla(c('IFLA_VTI_LOCAL'), o.local),
  nla(c('IFLA_VTI_REMOTE'), o.remote),
];

const KEY_ALL = c('GRE_KEY') | c('GRE_CSUM') | c('GRE_SEQ');

const TUNNELS: FakeLink[] = [
  lo,
  ifb0,
  {
    index: 3,
    name: 'gre1',
    type: c('ARPHRD_IPGRE'),
    kind: 'gre',
    data: GRE({
      link: 2,
      iflags: KEY_ALL,
      oflags: KEY_ALL,
      ikey: 42,
      okey: 42,
      local: '192.0.2.1',
      remote: '192.0.2.2',
      ttl: 64,
      tos: 0x10,
      pmtudisc: 1,
    }),
    stats64: Array.from({ length: 25 }, (_, i) => BigInt(100 + i)),
  },
  {
    index: 4,
    name: 'gre2',
    type: c('ARPHRD_IPGRE'),
    kind: 'gre',
    data: GRE({
      iflags: c('GRE_KEY') | c('GRE_SEQ'),
      oflags: c('GRE_KEY') | c('GRE_CSUM'),
      ikey: 1,
      okey: 0x01020304,
      ttl: 0,
      tos: 1,
      pmtudisc: 0,
    }),
  },
  // A gretap (Ethernet over GRE) is not an `ip tunnel`.
  { index: 5, name: 'gt0', type: c('ARPHRD_ETHER'), kind: 'gretap', data: [] },
  {
    index: 6,
    name: 'ipip1',
    type: c('ARPHRD_TUNNEL'),
    kind: 'ipip',
    data: IPTUN({ remote: '192.0.2.9', ttl: 0, tos: 0x29, pmtudisc: 1, proto: c('IPPROTO_IPIP') }),
  },
  {
    index: 7,
    name: 'sit1',
    type: c('ARPHRD_SIT'),
    kind: 'sit',
    data: IPTUN({
      local: '192.0.2.1',
      ttl: 64,
      tos: 0,
      pmtudisc: 1,
      proto: c('IPPROTO_IPV6'),
      flags: c('SIT_ISATAP'),
      sixrd: ['2001:db8::', 32, '192.0.2.0', 24],
    }),
  },
  {
    index: 8,
    name: 'vti1',
    type: c('ARPHRD_TUNNEL'),
    kind: 'vti',
    data: VTI({ link: 2, ikey: 5, okey: 6, local: ip4('192.0.2.1'), remote: ip4('192.0.2.2') }),
    stats64: Array.from({ length: 25 }, () => 0n),
  },
  {
    index: 9,
    name: 't6',
    type: c('ARPHRD_TUNNEL6'),
    kind: 'ip6tnl',
    data: IP6TNL({
      link: 2,
      local: '2001:db8::1',
      remote: '2001:db8::2',
      ttl: 32,
      encapLimit: 5,
      flowinfo: 0x01012345,
      flags: 0,
      proto: c('IPPROTO_IPV6'),
    }),
  },
  {
    index: 10,
    name: 'g6',
    type: c('ARPHRD_IP6GRE'),
    kind: 'ip6gre',
    data: [
      nla(c('IFLA_GRE_IFLAGS'), be16(c('GRE_KEY'))),
      nla(c('IFLA_GRE_OFLAGS'), be16(c('GRE_KEY'))),
      nla(c('IFLA_GRE_IKEY'), be32(5)),
      nla(c('IFLA_GRE_OKEY'), be32(5)),
      nla(c('IFLA_GRE_LOCAL'), ip6('::')),
      nla(c('IFLA_GRE_REMOTE'), ip6('2001:db8::2')),
      nla(c('IFLA_GRE_TTL'), u8(0)),
      nla(c('IFLA_GRE_ENCAP_LIMIT'), u8(4)),
      nla(c('IFLA_GRE_FLOWINFO'), be32(0x1234)),
      nla(
        c('IFLA_GRE_FLAGS'),
        u32le(
          c('IP6_TNL_F_IGN_ENCAP_LIMIT') |
            c('IP6_TNL_F_USE_ORIG_TCLASS') |
            c('IP6_TNL_F_RCV_DSCP_COPY') |
            c('IP6_TNL_F_ALLOW_LOCAL_REMOTE'),
        ),
      ),
    ],
  },
  {
    index: 11,
    name: 'vti61',
    type: c('ARPHRD_TUNNEL6'),
    kind: 'vti6',
    data: VTI({ ikey: 9, okey: 9, local: ip6('2001:db8::1'), remote: ip6('2001:db8::2') }),
  },
];

// The texts iproute2 6.1 prints for these parameters, written from ip/iptunnel.c print_tunnel
// (name, "MODE/ip ", "remote X ", "local Y", " dev", " ttl N|inherit", " tos …", " nopmtudisc",
// " 6rd-prefix …", keys) and ip/tunnel.c tnl_print_gre_flags (keys, then one line per GRE flag).
const GRE1 =
  'gre1: gre/ip remote 192.0.2.2 local 192.0.2.1 dev ifb0 ttl 64 tos 0x10 key 42\n' +
  '  Drop packets out of sequence.\n' +
  '  Checksum in received packet is required.\n' +
  '  Sequence packets on output.\n' +
  '  Checksum output packets.';
const GRE2 =
  'gre2: gre/ip remote any local any ttl inherit tos inherit nopmtudisc ikey 1 okey 16909060\n' +
  '  Drop packets out of sequence.\n' +
  '  Checksum output packets.';
// tos 0x29: the inherit bit with 0x28, which rt_dsfield may name.
const dsfield28 = /^0x28\s+(\S+)/m.exec(
  (() => {
    try {
      return readFileSync('/etc/iproute2/rt_dsfield', 'utf8');
    } catch {
      return '';
    }
  })(),
)?.[1];
const IPIP1 = `ipip1: ip/ip remote 192.0.2.9 local any ttl inherit tos inherit/${dsfield28 ?? '0x28'}`;
const SIT1 =
  'sit1: ipv6/ip remote any local 192.0.2.1 ttl 64 6rd-prefix 2001:db8::/32 6rd-relay_prefix 192.0.2.0/24';
// vti over rtnetlink has no TTL/TOS/PMTU settings (0, 0, no DF), and the kernel's vti ioctl
// reports GRE_KEY in both flag words.
const VTI1 =
  'vti1: ip/ip remote 192.0.2.2 local 192.0.2.1 dev ifb0 ttl inherit nopmtudisc ikey 5 okey 6';
// ip/ip6tunnel.c print_tunnel.
const T6 =
  't6: ipv6/ipv6 remote 2001:db8::2 local 2001:db8::1 dev ifb0 encaplimit 5 hoplimit 32 tclass 0x10 flowlabel 0x12345 (flowinfo 0x01012345)';
const G6 =
  'g6: gre/ipv6 remote 2001:db8::2 local :: encaplimit none hoplimit inherit tclass inherit flowlabel 0x01234 (flowinfo 0x00001234) dscp inherit allow-localremote key 5';
const VTI61 =
  'vti61: ipv6/ipv6 remote 2001:db8::2 local 2001:db8::1 encaplimit 0 hoplimit inherit tclass 0x00 flowlabel 0x00000 (flowinfo 0x00000000) key 9';

describe('tunnel show: ip tunnel show text and JSON', () => {
  it('lists the IPv4 tunnels (ARPHRD_TUNNEL, _IPGRE, _SIT) in dump order, one per line', async () => {
    const kernel = fakeKernel(TUNNELS);
    expect(await rtnl(kernel, 'tunnel show')).toEqual(
      ok(`${[GRE1, GRE2, IPIP1, SIT1, VTI1].join('\n')}\n`),
    );
    expect(await rtnl(kernel, 'tunnel')).toEqual(
      ok(`${[GRE1, GRE2, IPIP1, SIT1, VTI1].join('\n')}\n`),
    );
    expect(await rtnl(kernel, 'tunnel list')).toEqual(
      ok(`${[GRE1, GRE2, IPIP1, SIT1, VTI1].join('\n')}\n`),
    );
  });

  it('lists the IPv6 tunnels (ARPHRD_TUNNEL6, _IP6GRE) with -6', async () => {
    const kernel = fakeKernel(TUNNELS);
    expect(await rtnl(kernel, '-6 tunnel show')).toEqual(ok(`${T6}\n${G6}\n${VTI61}\n`));
    expect(await rtnl(kernel, '-f inet6 tunnel')).toEqual(ok(`${T6}\n${G6}\n${VTI61}\n`));
  });

  it('-j: the keys print_tunnel writes (ttl and tos left out when inherited, 0.0.0.0 for any)', async () => {
    const kernel = fakeKernel(TUNNELS);
    const r = await rtnl(kernel, '-j tunnel show');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        ifname: 'gre1',
        mode: 'gre/ip',
        remote: '192.0.2.2',
        local: '192.0.2.1',
        dev: 'ifb0',
        ttl: 64,
        tos: '0x10',
        key: 42,
        flags: ['rx_drop_ooseq', 'rx_csum', 'tx_seq', 'tx_csum'],
      },
      {
        ifname: 'gre2',
        mode: 'gre/ip',
        remote: '0.0.0.0',
        local: '0.0.0.0',
        nopmtudisc: null,
        ikey: 1,
        okey: 16909060,
        flags: ['rx_drop_ooseq', 'tx_csum'],
      },
      // In JSON the whole TOS byte, inherit bit included.
      { ifname: 'ipip1', mode: 'ip/ip', remote: '192.0.2.9', local: '0.0.0.0', tos: '0x29' },
      {
        ifname: 'sit1',
        mode: 'ipv6/ip',
        remote: '0.0.0.0',
        local: '192.0.2.1',
        ttl: 64,
        '6rd-prefix': '2001:db8::',
        '6rd-prefixlen': 32,
        '6rd-relay_prefix': '192.0.2.0',
        '6rd-relay_prefixlen': 24,
      },
      {
        ifname: 'vti1',
        mode: 'ip/ip',
        remote: '192.0.2.2',
        local: '192.0.2.1',
        dev: 'ifb0',
        nopmtudisc: null,
        ikey: 5,
        okey: 6,
      },
    ]);
    // Key order and compact form as json_writer writes them.
    expect(r.stdout.split('},{')[1]).toBe(
      '"ifname":"gre2","mode":"gre/ip","remote":"0.0.0.0","local":"0.0.0.0","nopmtudisc":null,"ikey":1,"okey":16909060,"flags":["rx_drop_ooseq","tx_csum"]',
    );
  });

  it('-6 -j: the IPv6 keys (link, encap_limit, hoplimit, the ip6_tnl_f_* nulls)', async () => {
    const kernel = fakeKernel(TUNNELS);
    const r = await rtnl(kernel, '-6 -j tunnel show');
    expect(r.stdout).toBe(
      `${JSON.stringify([
        {
          ifname: 't6',
          mode: 'ipv6/ipv6',
          remote: '2001:db8::2',
          local: '2001:db8::1',
          link: 'ifb0',
          encap_limit: 5,
          hoplimit: 32,
          tclass: '0x10',
          flowlabel: '0x12345',
          flowinfo: '0x01012345',
        },
        {
          ifname: 'g6',
          mode: 'gre/ipv6',
          remote: '2001:db8::2',
          local: '::',
          ip6_tnl_f_ign_encap_limit: null,
          ip6_tnl_f_use_orig_tclass: null,
          flowlabel: '0x01234',
          flowinfo: '0x00001234',
          ip6_tnl_f_rcv_dscp_copy: null,
          ip6_tnl_f_allow_local_remote: null,
          key: 5,
          flags: [],
        },
        {
          ifname: 'vti61',
          mode: 'ipv6/ipv6',
          remote: '2001:db8::2',
          local: '2001:db8::1',
          encap_limit: 0,
          tclass: '0x00',
          flowlabel: '0x00000',
          flowinfo: '0x00000000',
          key: 9,
        },
      ])}\n`,
    );
  });

  it('-j -p: json_writer pretty layout', async () => {
    const kernel = fakeKernel([lo, TUNNELS[5]!]);
    expect((await rtnl(kernel, '-j -p tunnel show')).stdout).toBe(
      '[ {\n' +
        '        "ifname": "ipip1",\n' +
        '        "mode": "ip/ip",\n' +
        '        "remote": "192.0.2.9",\n' +
        '        "local": "0.0.0.0",\n' +
        '        "tos": "0x29"\n' +
        '    } ]\n',
    );
  });

  it('filters: remote, local, dev, key, a name that is not a mode prefix', async () => {
    const kernel = fakeKernel(TUNNELS);
    expect(await rtnl(kernel, 'tunnel show remote 192.0.2.2')).toEqual(ok(`${GRE1}\n${VTI1}\n`));
    expect(await rtnl(kernel, 'tunnel show local 192.0.2.1')).toEqual(
      ok(`${GRE1}\n${SIT1}\n${VTI1}\n`),
    );
    expect(await rtnl(kernel, 'tunnel show dev ifb0')).toEqual(ok(`${GRE1}\n${VTI1}\n`));
    // ip's own check: a key filter without a GRE or vti mode is refused.
    expect(await rtnl(kernel, 'tunnel show ikey 1')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'Keys are not allowed with ipip and sit tunnels\n',
    });
    expect(await rtnl(kernel, 'tunnel show foo')).toEqual(ok(''));
    expect(await rtnl(kernel, '-6 tunnel show mode ip6gre')).toEqual(ok(`${G6}\n`));
    expect(await rtnl(kernel, '-6 tunnel show remote 2001:db8::2')).toEqual(
      ok(`${T6}\n${G6}\n${VTI61}\n`),
    );
    expect(await rtnl(kernel, '-6 tunnel show encaplimit none')).toEqual(ok(`${G6}\n`));
  });

  it("a name with a mode prefix (or a mode) asks for that device, as ip's SIOCGETTUNNEL path", async () => {
    const kernel = fakeKernel(TUNNELS);
    expect(await rtnl(kernel, 'tunnel show gre2')).toEqual(ok(`${GRE2}\n`));
    expect(await rtnl(kernel, 'tunnel show mode vti vti1')).toEqual(ok(`${VTI1}\n`));
    expect(await rtnl(kernel, '-6 tunnel show t6')).toEqual(ok(`${T6}\n`));
    expect(await rtnl(kernel, 'tunnel show gre9')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'get tunnel "gre9" failed: No such device\n',
    });
    expect(await rtnl(kernel, 'tunnel show mode ipip')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'get tunnel "tunl0" failed: No such device\n',
    });
    expect(await rtnl(kernel, '-6 tunnel show ifb0')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'get tunnel "ifb0" failed: Operation not supported\n',
    });
  });

  it('-s adds tnl_print_stats counters (text)', async () => {
    const kernel = fakeKernel(TUNNELS);
    const r = await rtnl(kernel, '-s tunnel show gre1');
    // rtnl_link_stats64 field order: rx_packets 100, tx_packets 101, rx_bytes 102, tx_bytes 103,
    // rx_errors 104, tx_errors 105, rx_dropped 106, tx_dropped 107, multicast 108,
    // collisions 109, … rx_frame_errors 113, rx_fifo_errors 114, … tx_carrier_errors 117.
    expect(r).toEqual(ok(`${GRE1}\n`));
    const all = await rtnl(kernel, '-s tunnel show local 192.0.2.1 remote 192.0.2.2');
    expect(all).toEqual(
      ok(
        `${GRE1}\n` +
          'RX: Packets    Bytes        Errors CsumErrs OutOfSeq Mcasts\n' +
          '    100        102          104    113      114      108     \n' +
          'TX: Packets    Bytes        Errors DeadLoop NoRoute  NoBufs\n' +
          '    101        103          105    109      117      107   \n' +
          `${VTI1}\n` +
          'RX: Packets    Bytes        Errors CsumErrs OutOfSeq Mcasts\n' +
          '    0          0            0      0        0        0       \n' +
          'TX: Packets    Bytes        Errors DeadLoop NoRoute  NoBufs\n' +
          '    0          0            0      0        0        0     \n',
      ),
    );
  });

  it('-o joins the GRE flag lines with "\\"', async () => {
    const kernel = fakeKernel(TUNNELS);
    expect(await rtnl(kernel, '-o tunnel show gre2')).toEqual(
      ok(
        'gre2: gre/ip remote any local any ttl inherit tos inherit nopmtudisc ikey 1 okey 16909060\\  Drop packets out of sequence.\\  Checksum output packets.\n',
      ),
    );
  });

  it('-c colours the name and the addresses as lib/color.c does', async () => {
    const kernel = fakeKernel(TUNNELS);
    const r = await rtnl(kernel, '-c tunnel show vti1');
    expect(r.stdout).toBe(
      '\x1b[36mvti1: \x1b[0mip/ip remote \x1b[35m192.0.2.2 \x1b[0mlocal \x1b[35m192.0.2.1\x1b[0m dev ifb0 ttl inherit nopmtudisc ikey 5 okey 6\n',
    );
  });
});

// ---- change / del / 6rd / prl -----------------------------------------------------------------

/** The IFLA_INFO_KIND and IFLA_INFO_DATA attributes of a link request. */
function linkinfo(req: FakeRequest): { kind: string; data: Map<number, Buffer> } {
  const info = attrs(attrs(req.payload, 16).get(c('IFLA_LINKINFO'))!);
  const data = info.get(c('IFLA_INFO_DATA'))!;
  return { kind: info.get(c('IFLA_INFO_KIND'))!.toString(), data: attrs(data) };
}

describe('tunnel change / del / 6rd / prl', () => {
  it("change NAME …: the device's settings, changed, re-sent whole (fwmark kept)", async () => {
    const kernel = fakeKernel(TUNNELS);
    expect(await rtnl(kernel, 'tunnel change gre1 ttl 10 okey 9')).toEqual(ok(''));
    const req = kernel.k.requests.find((q) => q.type === c('RTM_NEWLINK'))!;
    expect(req.flags & (c('NLM_F_CREATE') | c('NLM_F_EXCL'))).toBe(0);
    expect(req.payload.readInt32LE(4)).toBe(3);
    const { kind, data } = linkinfo(req);
    expect(kind).toBe('gre');
    expect(data.get(c('IFLA_GRE_TTL'))).toEqual(u8(10));
    expect(data.get(c('IFLA_GRE_IKEY'))).toEqual(be32(42));
    expect(data.get(c('IFLA_GRE_OKEY'))).toEqual(be32(9));
    expect(data.get(c('IFLA_GRE_IFLAGS'))).toEqual(be16(KEY_ALL));
    expect(data.get(c('IFLA_GRE_REMOTE'))).toEqual(ip4('192.0.2.2'));
    expect(data.get(c('IFLA_GRE_LINK'))).toEqual(u32le(2));
    expect(data.get(c('IFLA_GRE_FWMARK'))).toEqual(u32le(7));
  });

  it("change with the name later starts from ip's defaults (as SIOCCHGTUNNEL does)", async () => {
    const kernel = fakeKernel(TUNNELS);
    expect(await rtnl(kernel, 'tunnel change ttl 10 name gre1')).toEqual(ok(''));
    const { data } = linkinfo(kernel.k.requests.find((q) => q.type === c('RTM_NEWLINK'))!);
    expect(data.get(c('IFLA_GRE_TTL'))).toEqual(u8(10));
    expect(data.get(c('IFLA_GRE_IKEY'))).toEqual(be32(0));
    expect(data.get(c('IFLA_GRE_IFLAGS'))).toEqual(be16(0));
    // Not given: "any", as the ioctl's fresh parameters say.
    expect(data.get(c('IFLA_GRE_REMOTE'))).toEqual(ip4('0.0.0.0'));
    expect(data.get(c('IFLA_GRE_LINK'))).toEqual(u32le(0));
    expect(data.get(c('IFLA_GRE_PMTUDISC'))).toEqual(u8(1));
    expect(data.get(c('IFLA_GRE_FWMARK'))).toEqual(u32le(7));
  });

  it('change refuses what ip refuses', async () => {
    const kernel = fakeKernel(TUNNELS);
    expect(await rtnl(kernel, 'tunnel change gre1 mode ipip')).toEqual({
      status: 255,
      stdout: '',
      stderr: 'You managed to ask for more than one tunnel mode.\n',
    });
    expect(await rtnl(kernel, 'tunnel change ifb0 ttl 3')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'get tunnel "ifb0" failed: Operation not supported\n',
    });
    expect(await rtnl(kernel, 'tunnel change ttl 3 mode gre name ipip1')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'add tunnel "ipip1" failed: Invalid argument\n',
    });
    expect(kernel.k.requests.filter((q) => q.type === c('RTM_NEWLINK'))).toEqual([]);
  });

  it('-6 change keeps the IPv6 settings not given', async () => {
    const kernel = fakeKernel(TUNNELS);
    expect(await rtnl(kernel, '-6 tunnel change t6 hoplimit 9 flowlabel inherit')).toEqual(ok(''));
    const { kind, data } = linkinfo(kernel.k.requests.find((q) => q.type === c('RTM_NEWLINK'))!);
    expect(kind).toBe('ip6tnl');
    expect(data.get(c('IFLA_IPTUN_TTL'))).toEqual(u8(9));
    expect(data.get(c('IFLA_IPTUN_ENCAP_LIMIT'))).toEqual(u8(5));
    expect(data.get(c('IFLA_IPTUN_FLOWINFO'))).toEqual(be32(0x01000000));
    expect(data.get(c('IFLA_IPTUN_FLAGS'))).toEqual(u32le(0x4)); // IP6_TNL_F_USE_ORIG_FLOWLABEL
    expect(data.get(c('IFLA_IPTUN_REMOTE'))).toEqual(ip6('2001:db8::2'));
  });

  it('del NAME deletes a tunnel device, and only one', async () => {
    const kernel = fakeKernel(TUNNELS);
    expect(await rtnl(kernel, 'tunnel del gre2')).toEqual(ok(''));
    const del = kernel.k.requests.filter((q) => q.type === c('RTM_DELLINK'));
    expect(del).toHaveLength(1);
    expect(del[0]!.payload.readInt32LE(4)).toBe(4);
    expect(await rtnl(kernel, 'tunnel del ifb0')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'delete tunnel "ifb0" failed: Operation not supported\n',
    });
    expect(await rtnl(kernel, 'tunnel del nope')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'delete tunnel "nope" failed: No such device\n',
    });
    expect(await rtnl(kernel, '-6 tunnel del vti61')).toEqual(ok(''));
    expect(kernel.k.requests.filter((q) => q.type === c('RTM_DELLINK'))).toHaveLength(2);
  });

  it('del without a name: the tunnel of the mode those parameters describe', async () => {
    const gre0: FakeLink = {
      index: 12,
      name: 'gre0',
      type: c('ARPHRD_IPGRE'),
      kind: 'gre',
      data: GRE({ iflags: 0, oflags: 0, ikey: 0, okey: 0, ttl: 0, tos: 0, pmtudisc: 0 }),
    };
    const kernel = fakeKernel([...TUNNELS, gre0]);
    expect(await rtnl(kernel, 'tunnel del mode gre remote 192.0.2.9')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'delete tunnel "gre0" failed: No such file or directory\n',
    });
    expect(
      await rtnl(kernel, 'tunnel del mode gre remote 192.0.2.2 local 192.0.2.1 dev ifb0 key 42'),
    ).toEqual(ok(''));
    const del = kernel.k.requests.filter((q) => q.type === c('RTM_DELLINK'));
    expect(del.map((q) => q.payload.readInt32LE(4))).toEqual([3]);
    // Without the fallback device: ip's ioctl finds no device.
    expect(await rtnl(fakeKernel(TUNNELS), 'tunnel del mode ipip')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'delete tunnel "tunl0" failed: No such device\n',
    });
  });

  it('a kernel refusal of del is printed as ip prints rtnetlink errors', async () => {
    const kernel = fakeKernel(TUNNELS, (req) => [ack(req, c('EOPNOTSUPP'))]);
    expect(await rtnl(kernel, 'tunnel del gre1')).toEqual({
      status: 2,
      stdout: '',
      stderr: 'RTNETLINK answers: Operation not supported\n',
    });
  });

  it('6rd sets all four IFLA_IPTUN_6RD_* of a sit device (SIOCADD6RD semantics)', async () => {
    const kernel = fakeKernel(TUNNELS);
    expect(
      await rtnl(
        kernel,
        'tunnel 6rd dev sit1 6rd-prefix 2001:db8:1::/48 6rd-relay_prefix 10.0.0.0/8',
      ),
    ).toEqual(ok(''));
    expect(await rtnl(kernel, 'tunnel 6rd dev sit1 6rd-reset')).toEqual(ok(''));
    const [set, reset] = kernel.k.requests
      .filter((q) => q.type === c('RTM_NEWLINK'))
      .map((q) => linkinfo(q).data);
    expect(set!.get(c('IFLA_IPTUN_6RD_PREFIX'))).toEqual(ip6('2001:db8:1::'));
    expect(set!.get(c('IFLA_IPTUN_6RD_PREFIXLEN'))).toEqual(u16le(48));
    expect(set!.get(c('IFLA_IPTUN_6RD_RELAY_PREFIX'))).toEqual(ip4('10.0.0.0'));
    expect(set!.get(c('IFLA_IPTUN_6RD_RELAY_PREFIXLEN'))).toEqual(u16le(8));
    expect(set!.get(c('IFLA_IPTUN_FLAGS'))).toEqual(u16le(c('SIT_ISATAP')));
    expect(reset!.get(c('IFLA_IPTUN_6RD_PREFIX'))).toEqual(ip6('2002::'));
    expect(reset!.get(c('IFLA_IPTUN_6RD_PREFIXLEN'))).toEqual(u16le(16));
    expect(reset!.get(c('IFLA_IPTUN_6RD_RELAY_PREFIXLEN'))).toEqual(u16le(0));
    expect(await rtnl(kernel, 'tunnel 6rd dev gre1 6rd-reset')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'gre1: ioctl 89fa failed: Operation not supported\n',
    });
    expect(await rtnl(kernel, 'tunnel 6rd 6rd-reset')).toEqual({
      status: 255,
      stdout: '',
      stderr: 'Must specify device\n',
    });
  });

  it('prl: checked as ip checks it, then refused (no rtnetlink equivalent)', async () => {
    const kernel = fakeKernel(TUNNELS);
    expect(await rtnl(kernel, 'tunnel prl dev gre1 prl-default 192.0.2.7')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'gre1: ioctl 89f5 failed: Operation not supported\n',
    });
    const r = await rtnl(kernel, 'tunnel prl dev sit1 prl-default 192.0.2.7');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^sit1: .*ioctl/);
    expect(
      await rtnl(kernel, 'tunnel prl dev sit1 prl-default 192.0.2.7 prl-delete 192.0.2.8'),
    ).toEqual({
      status: 255,
      stdout: '',
      stderr: 'One PRL entry at a time\n',
    });
    expect(kernel.k.requests.filter((q) => q.type !== c('RTM_GETLINK'))).toEqual([]);
  });
});
