// `rtnl netns` against `ip netns` (iproute2 is the oracle). Named namespaces live under
// /run/netns, which is host state: every command here runs inside a network namespace the test
// made AND with a private, empty /run/netns (the library's isolated registry: a tmpfs in a mount
// namespace of its own), so nothing a test adds is visible outside it or survives it, and the
// ids `netns set` gives are given in the test's namespace only.
//
// A "session" is one such sandbox running a list of commands in order (ip and rtnl alike), so a
// later command sees what an earlier one made.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, execInNetns, type Netns } from '../../src/ns/index.js';
import { RTNL_BIN, type RunResult } from './helpers.js';

type Step = readonly string[];

// Runs the steps with spawnSync, one after the other, and prints their results as JSON.
const DRIVER = `
const { spawnSync } = require('node:child_process');
const [bin, stepsJson] = process.argv.slice(1);
const results = JSON.parse(stepsJson).map(([cmd, ...args]) => {
  const r = cmd === 'rtnl'
    ? spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' })
    : spawnSync(cmd, args, { encoding: 'utf8' });
  return { status: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
});
process.stdout.write(JSON.stringify(results));
`;

/** Run `steps` in `ns` with a private /run/netns; each step's status, stdout and stderr. */
async function session(ns: Netns, steps: readonly Step[]): Promise<RunResult[]> {
  const r = await execInNetns(
    ns,
    process.execPath,
    ['-e', DRIVER, RTNL_BIN, JSON.stringify(steps)],
    { isolateRegistry: true, timeout: 60_000 },
  );
  if (r.code !== 0) throw new Error(`session failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as RunResult[];
}

const words = (line: string): string[] => line.split(' ').filter(Boolean);
const ip = (line: string): Step => ['ip', ...words(line)];
const rtnl = (line: string): Step => ['rtnl', ...words(line)];

/** rtnl names itself where ip names ip (usage texts, "try … help"); nothing else may differ. */
const asIp = (r: RunResult): RunResult => ({
  ...r,
  stderr: r.stderr.replace(/\brtnl\b/g, 'ip'),
});

let ns: Netns;
let ns2: Netns;
beforeAll(() => {
  ns = createNetns();
  ns2 = createNetns();
});
afterAll(() => {
  ns?.close();
  ns2?.close();
});

/** For each command: run it through ip and through rtnl in the same state; expect the same. */
async function expectSame(setup: readonly Step[], commands: readonly string[]): Promise<void> {
  const steps: Step[] = [...setup];
  for (const c of commands) steps.push(ip(c), rtnl(c));
  const results = (await session(ns, steps)).slice(setup.length);
  for (const [i, c] of commands.entries()) {
    const theirs = results[2 * i]!;
    const ours = asIp(results[2 * i + 1]!);
    expect({ command: c, ...ours }).toEqual({ command: c, ...theirs });
  }
}

const SETUP = [ip('netns add a'), ip('netns add b'), ip('netns add c'), ip('netns set a 5')];

describe('netns list / list-id (text and -j, with ids)', () => {
  it('with no /run/netns entries', async () => {
    await expectSame(
      [],
      ['netns', 'netns list', '-j netns list', 'netns list-id', '-j netns list-id'],
    );
  });

  it('names in directory order, ids given by number and by auto', async () => {
    await expectSame(
      [...SETUP, ip('netns set b auto')],
      [
        'netns',
        'netns list',
        'netns show',
        'netns lst',
        '-j netns list',
        '-j -p netns list',
        'netns list-id',
        '-j netns list-id',
        '-j -p netns list-id',
        'netns list-id nsid 5',
        '-j netns list-id nsid 0',
        // A nsid nobody has: the kernel's refusal, as ip prints it.
        'netns list-id nsid 7',
      ],
    );
  });

  it('-n NAME: the ids as the namespace NAME sees them; list-id target-nsid', async () => {
    await expectSame(
      [...SETUP, ip('-n a netns set b 3'), ip('-n a netns set a 9')],
      [
        '-n a netns list',
        '-j -n a netns list',
        '-n a netns list-id',
        '-n b netns list-id',
        'netns list-id target-nsid 5',
        '-j netns list-id target-nsid 5',
        'netns list-id target-nsid 5 nsid 3',
        'netns list-id target-nsid 6',
      ],
    );
  });
});

describe('netns identify / pids / exec', () => {
  it('identify (self, -n, a pid), pids, exec: output and exit statuses', async () => {
    await expectSame(SETUP, [
      'netns identify',
      '-n a netns identify',
      'netns identify 1',
      'netns identify 999999999',
      'netns pids a',
      'netns exec a ip netns identify',
      'netns exec b ip -j link show',
      'netns exec a sh -c echo\u0020out;echo\u0020err>&2;exit\u00203',
      'netns exec a false',
      'netns exec a /nonexistent/cmd',
      'netns exec zz true',
      '-all netns exec ip netns identify',
    ]);
  });

  it('exec passes stdin through and reports a signal as a shell does', async () => {
    const results = await session(ns, [
      ip('netns add a'),
      ['sh', '-c', `echo hello | ${process.execPath} ${RTNL_BIN} netns exec a cat`],
      ['sh', '-c', `${process.execPath} ${RTNL_BIN} netns exec a sh -c 'kill -TERM $$'; echo $?`],
      ['sh', '-c', `ip netns exec a sh -c 'kill -TERM $$'; echo $?`],
    ]);
    expect(results[1]).toEqual({ status: 0, stdout: 'hello\n', stderr: '' });
    // ip execs the command, so the shell sees it die of SIGTERM (128 + 15); rtnl exits with it.
    expect(results[2]!.stdout).toBe(results[3]!.stdout);
    expect(results[2]!.stdout).toBe('143\n');
  });

  it('pids lists the processes in the namespace', async () => {
    const results = await session(ns, [
      ip('netns add a'),
      [
        'sh',
        '-c',
        `ip netns exec a sleep 30 & S=$!; sleep 0.3; ${process.execPath} ${RTNL_BIN} netns pids a; ip netns pids a; kill $S`,
      ],
    ]);
    const lines = results[1]!.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d+$/);
    expect(lines[0]).toBe(lines[1]);
  });
});

describe('netns add / attach / set / delete leave what ip leaves', () => {
  const WRITES = [
    'netns add red',
    'netns add blue',
    'netns add red',
    'netns set red 7',
    'netns set blue auto',
    'netns set red 8',
    'netns set green 1',
    'netns attach green 99999999',
    'netns delete blue',
    'netns delete blue',
    'netns add blue',
  ];
  const STATE = ['-j netns list', '-j netns list-id', 'netns list'].map(ip);

  it('the same writes through ip (in one sandbox) and rtnl (in another): same results and state', async () => {
    const theirs = await session(ns, [...WRITES.map(ip), ...STATE]);
    const ours = await session(ns2, [...WRITES.map(rtnl), ...STATE]);
    expect(ours.map(asIp)).toEqual(theirs);
    // The state after the writes is not trivial.
    expect(JSON.parse(theirs[WRITES.length]!.stdout)).toEqual([
      { name: 'blue' },
      { name: 'red', id: 7 },
    ]);
  });

  it('attach names the namespace of a process', async () => {
    const attach = (tool: string) =>
      `sleep 30 & S=$!; ${tool} netns attach green $S; ip netns identify $S; ip -j netns list; kill $S`;
    const [theirs, ours] = await Promise.all([
      session(ns, [['sh', '-c', attach('ip')]]),
      session(ns2, [['sh', '-c', attach(`${process.execPath} ${RTNL_BIN}`)]]),
    ]);
    expect(ours).toEqual(theirs);
    expect(ours[0]!.stdout).toBe('green\n[{"name":"green"}]\n');
  });

  it('-all delete removes every name', async () => {
    const results = await session(ns, [...SETUP, rtnl('-all netns delete'), ip('-j netns list')]);
    expect(results[SETUP.length]).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(results[SETUP.length + 1]!.stdout).toBe('[]\n');
  });

  it("usage errors and refusals: ip's texts and statuses", async () => {
    await expectSame(SETUP, [
      'netns add',
      'netns add a/b',
      'netns add ..',
      'netns delete',
      'netns delete zz',
      'netns set',
      'netns set a',
      'netns set a x',
      'netns set a -3',
      'netns set zz 1',
      'netns set b 5',
      'netns attach',
      'netns attach q',
      'netns attach q xx',
      'netns attach q 0',
      'netns attach q 99999999',
      'netns identify a b',
      'netns identify abc',
      'netns pids',
      'netns pids a b',
      'netns pids zz',
      'netns exec',
      'netns exec a',
      'netns list-id nsid',
      'netns list-id nsid x',
      'netns list-id nsid -1',
      'netns list-id target-nsid 1 target-nsid 2',
      'netns list-id frob',
      'netns frob',
      'netns help',
    ]);
  });
});

describe('netns monitor', () => {
  it('prints add and delete as names come and go', async () => {
    const results = await session(ns, [
      [
        'sh',
        '-c',
        `${process.execPath} ${RTNL_BIN} netns monitor & M=$!; sleep 1; ip netns add x; sleep 0.3; ip netns del x; sleep 0.5; kill $M`,
      ],
    ]);
    expect(results[0]!.stdout).toBe('add x\ndelete x\n');
  });
});
