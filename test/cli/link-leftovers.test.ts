// `rtnl link add … link-netns NAME|PATH` / `link-netnsid ID` and `rtnl link set DEV
// protodown_reason REASON { on | off }` against `ip link`: rtnl writes in one namespace, ip in
// its twin, compared as `ip -j -d link show` of both (and of their peer namespaces), with ip's
// errors and statuses. Runs the built CLI.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, type Netns } from '../../src/ns/index.js';
import { type CliNs, normalise, type Twin, twin } from './helpers.js';

/** Random MAC addresses differ between the twins. */
const MACS = ['*.address', '*.perm_address', '**.info_data.peer_address'];

function linkState(t: CliNs): unknown {
  return normalise(t.ipJson('-d', 'link', 'show'), MACS);
}

describe('rtnl link add … link-netns / link-netnsid (twin namespaces)', () => {
  let tw: Twin;
  // The namespace each twin's lower devices go to (a peer of a's, a peer of b's).
  let peerA: Netns;
  let peerB: Netns;
  let pathA: string;
  let pathB: string;
  /** `ip -j -d link show` inside a peer namespace. */
  const peerState = (path: string) => normalise(ipJsonAt(path, ['-d', 'link', 'show']), MACS);

  beforeAll(() => {
    tw = twin(['link set lo up']);
    peerA = createNetns();
    peerB = createNetns();
    pathA = `/proc/${process.pid}/fd/${peerA.fd}`;
    pathB = `/proc/${process.pid}/fd/${peerB.fd}`;
  });
  afterAll(() => {
    tw?.close();
    peerA?.close();
    peerB?.close();
  });

  function expectSame(): void {
    expect(linkState(tw.a)).toEqual(linkState(tw.b));
    expect(tw.a.ipJson('netns', 'list-id')).toEqual(tw.b.ipJson('netns', 'list-id'));
    expect(peerState(pathA)).toEqual(peerState(pathB));
  }

  /** rtnl in a with PEER → peer A's path, ip in b with PEER → peer B's: same status, stderr. */
  function both(line: string): { rtnl: { status: number; stderr: string } } {
    const words = line.split(' ');
    const r = tw.a.rtnlRun(words.map((w) => (w === 'PEER' ? pathA : w)));
    const i = tw.b.ipRun(words.map((w) => (w === 'PEER' ? pathB : w)));
    expect({ status: r.status, stderr: r.stderr.replaceAll(pathA, 'PEER') }).toEqual({
      status: i.status,
      stderr: i.stderr.replaceAll(pathB, 'PEER'),
    });
    return { rtnl: r };
  }

  it.each([
    // No id yet for the peer namespace: both give it one (0) first.
    'link add v0 link-netns PEER type veth peer name v1',
    // It has one now: used as it is.
    'link add v2 link-netns PEER type veth peer name v3',
    'link add v4 link-netnsid 0 type veth peer name v5',
    'link add v6 type veth peer name v7 link-netnsid 0',
    'link add v8 type veth peer name v9 link-netns PEER',
    'link add va link-netns PEER mtu 1400 type veth peer name vb mtu 1300',
  ])('%s', (line) => {
    expect(both(line).rtnl.status).toBe(0);
    expectSame();
  });

  it.each([
    'link add e0 link-netns /nonexistent/ns type veth peer name e1',
    'link add e0 link-netns no-such-netns-name type veth peer name e1',
    'link add e0 link-netns PEER link-netnsid 0 type veth peer name e1',
    'link add e0 link-netnsid 0 link-netns PEER type veth peer name e1',
    'link add e0 link-netns',
    'link add e0 link-netnsid x type veth peer name e1',
  ])('error as ip reports it: %s', (line) => {
    expect(both(line).rtnl.status).not.toBe(0);
    expectSame();
  });
});

describe('rtnl link set … protodown_reason (twin namespaces)', () => {
  let tw: Twin;
  beforeAll(() => {
    tw = twin([
      'link set lo up',
      'link add d0 type ifb',
      'link add x0 type vxlan id 5 dstport 4789',
      'link add m0 link d0 type macvlan',
    ]);
  });
  afterAll(() => tw?.close());

  const sameState = () => {
    expect(linkState(tw.a)).toEqual(linkState(tw.b));
  };

  it.each([
    'link set x0 protodown_reason 3 on',
    'link set x0 protodown_reason 31 on protodown on',
    'link set x0 protodown_reason 3 off',
    'link set x0 protodown_reason 0x2 o',
    'link set dev m0 protodown_reason 0 on',
    'link set m0 protodown_reason 0 of',
    'link set x0 protodown_reason 31 off',
    'link set x0 protodown_reason 2 off protodown off',
  ])('%s', (line) => {
    const { rtnl } = tw.both(...line.split(' '));
    expect(rtnl.status).toBe(0);
    sameState();
  });

  it('the reasons reach the kernel (ip -j -d shows them)', () => {
    tw.both('link', 'set', 'x0', 'protodown_reason', '7', 'on', 'protodown', 'on');
    const [x0] = tw.a.ipJson('-d', 'link', 'show', 'x0') as { proto_down_reason?: string[] }[];
    expect(x0?.proto_down_reason).toEqual(['7']);
    sameState();
  });

  it.each([
    'link set x0 protodown_reason 32 on',
    'link set x0 protodown_reason -1 on',
    'link set x0 protodown_reason foo on',
    'link set x0 protodown_reason 3 bogus',
    'link set x0 protodown_reason 3',
    'link set x0 protodown_reason',
    'link set d0 protodown_reason 1 on',
    // The kernel reads the last IFLA_PROTO_DOWN_REASON only: reason 7 stays, protodown too.
    'link set x0 protodown_reason 7 off protodown_reason 3 off protodown off',
  ])('error as ip reports it: %s', (line) => {
    const { rtnl, ip } = tw.both(...line.split(' '));
    expect(rtnl.status).not.toBe(0);
    expect(rtnl.stdout).toBe(ip.stdout);
    sameState();
  });
});

/** `ip -j ARGS` in the namespace at `path`. */
function ipJsonAt(path: string, args: readonly string[]): unknown {
  const out = execFileSync('nsenter', [`--net=${path}`, 'ip', '-j', ...args], { encoding: 'utf8' });
  return JSON.parse(out);
}
