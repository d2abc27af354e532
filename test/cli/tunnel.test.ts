// `rtnl tunnel` against `ip tunnel` on this kernel, in a namespace the test made. The kernel has
// no IP tunnel kinds (gre, ipip, sit, vti, ip6tnl, ip6gre, vti6 are modules that are not there),
// so what can be compared live is: the listings (empty, in text and JSON, with every filter),
// the lookups by name and their failures, and every argument check. What rtnl sends for a real
// tunnel is held to iproute2's bytes in tunnel-fake.test.ts; how it prints one, to texts written
// from iproute2's print code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliNs,
  cliNs,
  expectSameJson,
  expectSameText,
  type RunResult,
  twin,
} from './helpers.js';

let t: CliNs;
beforeAll(() => {
  t = cliNs(['link add ifb0 type ifb', 'link set ifb0 up', 'link add v0 type veth peer name v1']);
});
afterAll(() => t?.close());

/** rtnl names itself where ip names ip ("try … help", usage texts); nothing else may differ. */
const asIp = (s: string) => s.replace(/\brtnl\b/g, 'ip');

describe('tunnel show: the same (empty) listings as ip', () => {
  it.each([
    ['tunnel'],
    ['tunnel show'],
    ['tunnel list'],
    ['tunnel lst'],
    ['-4 tunnel show'],
    ['-6 tunnel show'],
    ['-f inet6 tunnel'],
    ['-s tunnel show'],
    ['-s -6 tunnel show'],
    ['-d tunnel show'],
    ['tunnel show ifb0'],
    ['tunnel show name v0'],
    ['tunnel show remote 192.0.2.1'],
    ['tunnel show local 192.0.2.1 remote 192.0.2.2'],
    ['tunnel show dev ifb0'],
    ['-6 tunnel show remote 2001:db8::1'],
    ['-6 tunnel show mode ip6gre'],
    ['-s -6 tunnel show ifb0'],
    ['tunnel show mode any'],
  ])('%s', (line) => {
    const r = expectSameText(t, line.split(' '));
    expect(r.status).toBe(0);
  });

  it.each([
    ['tunnel', 'show'],
    ['-6', 'tunnel', 'show'],
    ['tunnel', 'show', 'dev', 'ifb0'],
  ])('-j %s', (...args) => {
    const { ip } = expectSameJson(t, args);
    expect(ip).toEqual([]);
  });

  it('-j -p prints the empty array as json_writer does', () => {
    expectSameText(t, ['-j', '-p', 'tunnel', 'show']);
  });
});

describe('tunnel: lookups and their failures, as ip words them', () => {
  it.each([
    // A name with a mode prefix, or a mode: ip asks that device (SIOCGETTUNNEL).
    'tunnel show gre1',
    'tunnel show mode gre',
    'tunnel show mode vti',
    'tunnel show isatap0',
    '-6 tunnel show ifb0',
    '-6 tunnel show t6',
    // change reads the device first.
    'tunnel change ifb0 ttl 3',
    'tunnel change gre1 ttl 3',
    '-6 tunnel change v0 hoplimit 3',
    'tunnel change mode gre',
    // del of a device that is not a tunnel, or of none.
    'tunnel del ifb0',
    'tunnel del nope',
    'tunnel del',
    '-6 tunnel del v0',
    '-6 tunnel del',
    'tunnel del mode sit',
    // add without a name goes to the fallback device, which this kernel does not have.
    'tunnel add mode gre remote 192.0.2.2',
    '-6 tunnel add mode ip6gre',
    // the `dev` lookup.
    'tunnel add gre1 mode gre dev nope',
    '-6 tunnel add t6 mode ip6ip6 dev nope',
    'tunnel show dev nope',
    // 6rd and prl act on a sit device.
    'tunnel 6rd dev ifb0 6rd-prefix 2001:db8::/32',
    'tunnel 6rd dev nope 6rd-reset',
    'tunnel prl dev ifb0 prl-default 192.0.2.7',
    'tunnel prl dev nope prl-delete 192.0.2.7',
  ])('%s', (line) => {
    const r = expectSameText(t, line.split(' '));
    expect(r.status).not.toBe(0);
  });
});

describe("tunnel: argument errors name the argument, with ip's status", () => {
  it.each([
    'tunnel add foo mode gre ttl 300',
    'tunnel add foo mode gre ttl x',
    'tunnel add foo mode gre tos xyz',
    'tunnel add foo mode gre tos inherit/zz',
    'tunnel add foo mode gre key abc',
    'tunnel add foo mode gre ikey 1.2.3.4.5',
    'tunnel add foo mode gre remote 1.2.3.4.5',
    'tunnel add foo mode gre local ::1',
    'tunnel add foo mode gre remote',
    'tunnel add foo mode gre remote 239.1.1.1',
    'tunnel add foo mode ipip key 5',
    'tunnel add foo mode sit okey 5',
    'tunnel add foo mode gre ttl 3 nopmtudisc',
    'tunnel add foo mode xyz',
    'tunnel add foo mode gre mode ipip',
    'tunnel add foo mode vti mode sit',
    'tunnel add foo bar',
    'tunnel add name foo name bar',
    'tunnel add waytoolongname12345 mode gre',
    'tunnel add a/b mode gre',
    'tunnel add foo',
    'tunnel add',
    '-6 tunnel add foo mode ip6gre hoplimit 300',
    '-6 tunnel add foo mode ip6gre tclass 0x100',
    '-6 tunnel add foo mode ip6gre tclass zz',
    '-6 tunnel add foo mode ip6gre flowlabel 0x123456',
    '-6 tunnel add foo mode ip6gre dscp 5',
    '-6 tunnel add foo mode ip6gre remote 192.0.2.1',
    '-6 tunnel add foo mode ip6gre key x',
    '-6 tunnel add foo mode nope',
    'tunnel add foo mode ip6gre local 192.0.2.1',
    '-0 tunnel show',
    '-M tunnel show',
    'tunnel 6rd dev ifb0',
    'tunnel 6rd 6rd-prefix 2001:db8::/32',
    'tunnel 6rd dev ifb0 6rd-prefix nope',
    'tunnel 6rd dev ifb0 6rd-relay_prefix 2001:db8::/32',
    'tunnel 6rd dev ifb0 frob',
    'tunnel prl dev ifb0',
    'tunnel prl prl-default 192.0.2.1',
    'tunnel prl dev ifb0 prl-default 192.0.2.1 prl-nodefault 192.0.2.2',
    'tunnel prl dev ifb0 frob',
    'tunnel frob',
    '-6 tunnel frob',
    'tunnel help',
    // (`-6 tunnel help` is answered by the framework with the IPv4 usage: see the report.)
    'tunnel add foo help',
  ])('%s', (line) => {
    const r = expectSameText(t, line.split(' '), asIp);
    expect(r.status).not.toBe(0);
  });
});

describe('tunnel add / change / del leave the namespace as ip does', () => {
  it('adds that this kernel refuses leave nothing behind; rtnl reports the rtnetlink refusal', () => {
    const tw = twin(['link add ifb0 type ifb']);
    try {
      for (const line of [
        'tunnel add gre1 mode gre remote 192.0.2.2 local 192.0.2.1 ttl 64 key 42 dev ifb0',
        'tunnel add ipip1 mode ipip remote 192.0.2.2',
        'tunnel add sit1 mode sit remote 192.0.2.2 ttl 64',
        'tunnel add vti1 mode vti remote 192.0.2.2 key 7',
        'tunnel add t6 mode ip6ip6 remote 2001:db8::2 local 2001:db8::1',
        'tunnel add g6 mode ip6gre remote 2001:db8::2 key 5',
        '-6 tunnel add v6 mode vti6 remote 2001:db8::2',
      ]) {
        const ours: RunResult = tw.rtnl(...line.split(' '));
        const theirs: RunResult = tw.ip(...line.split(' '));
        // ip's ioctl goes to the kind's fallback device (gre0, …), which is not there; rtnl's
        // RTM_NEWLINK is refused by the kernel, whose extended ack says why.
        expect(theirs).toMatchObject({ status: 1, stdout: '' });
        expect(theirs.stderr).toMatch(/^add tunnel "[a-z0-9_]+0" failed: No such device\n$/);
        expect(ours).toEqual({ status: 2, stdout: '', stderr: 'Error: Unknown device type.\n' });
      }
      // ifb addresses are random: the rest must be the same.
      tw.expectSameState(['link', 'show'], ['*.address']);
    } finally {
      tw.close();
    }
  });
});
