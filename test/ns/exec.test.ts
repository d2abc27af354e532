// netns.exec / netns.spawn / netns.runIsolated and the helper executable behind them, against
// `ip netns exec` and `ip -n` on the same namespace. The named namespace and its /etc/netns entry
// get unique names and are removed afterwards; everything else runs in anonymous namespaces or
// in the helper's private mount namespace, and the leak guard checks that no mount, file, fd or
// process is left.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkEncodeError, NetlinkSocketError } from '../../src/netlink/errors.js';
import {
  addNamedNetns,
  createNetns,
  execInNetns,
  isNetnsExecError,
  NETNS_RUN_DIR,
  type Netns,
  type NetnsExecError,
  netns,
  nshelperPath,
  runIsolated,
  spawnInNetns,
} from '../../src/ns/index.js';
import { type Bundle, bundleNs } from './bundle.js';
import { leakGuard, namer, removeNamed } from './leaks.js';

const uniqueName = namer('exec');
const quiet = {
  encoding: 'utf8' as const,
  stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[],
};
const ip = (...args: string[]) => execFileSync('ip', args, quiet);

let guard: ReturnType<typeof leakGuard>;
let name: string;
let anon: Netns;
const etcDir = () => `/etc/netns/${name}`;
const RESOLV = `# rtnl test ${process.pid}\nnameserver 192.0.2.53\n`;

beforeAll(() => {
  guard = leakGuard();
  name = uniqueName();
  addNamedNetns(name);
  ip('-n', name, 'link', 'add', 'ifb0', 'type', 'ifb');
  mkdirSync(etcDir(), { recursive: true });
  writeFileSync(`${etcDir()}/resolv.conf`, RESOLV);
  // A file whose /etc counterpart does not exist: nothing to bind it over.
  writeFileSync(`${etcDir()}/rtnl-test-absent-${process.pid}`, 'x\n');
  anon = createNetns();
  execFileSync('nsenter', [
    `--net=/proc/${process.pid}/fd/${anon.fd}`,
    'ip',
    'link',
    'add',
    'ifb9',
    'type',
    'ifb',
  ]);
});

afterAll(() => {
  anon?.close();
  if (name) removeNamed(name);
  if (name) rmSync(etcDir(), { recursive: true, force: true });
  guard.check();
});

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('inside the namespace', () => {
  it('/sys/class/net and `ip -j link` list only its devices, as `ip netns exec` shows them', async () => {
    const sys = await netns.exec(name, 'ls', ['/sys/class/net']);
    expect(sys).toMatchObject({ code: 0, signal: null, stderr: '' });
    expect(lines(sys.stdout).sort()).toEqual(['ifb0', 'lo']);
    const theirs = ip('netns', 'exec', name, 'ls', '/sys/class/net');
    expect(sys.stdout).toBe(theirs);

    const link = await netns.exec(name, 'ip', ['-j', 'link']);
    const names = (JSON.parse(link.stdout) as { ifname: string }[]).map((l) => l.ifname);
    expect(names).toEqual(
      (JSON.parse(ip('-n', name, '-j', 'link')) as { ifname: string }[]).map((l) => l.ifname),
    );
    expect(names.sort()).toEqual(['ifb0', 'lo']);
  });

  it('/etc/resolv.conf is the namespace’s own (/etc/netns/NAME/resolv.conf); ours is untouched', async () => {
    const before = readFileSync('/etc/resolv.conf', 'utf8');
    const inside = await netns.exec(name, 'cat', ['/etc/resolv.conf']);
    expect(inside.stdout).toBe(RESOLV);
    expect(ip('netns', 'exec', name, 'cat', '/etc/resolv.conf')).toBe(RESOLV);
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(before);
    // Only files that exist in /etc are covered; nothing is created there.
    const absent = `/etc/rtnl-test-absent-${process.pid}`;
    const probe = await netns.exec(name, 'sh', ['-c', `test -e ${absent} && echo yes || echo no`]);
    expect(probe.stdout).toBe('no\n');
    expect(existsSync(absent)).toBe(false);
    // etc: false binds nothing; etc: NAME binds another namespace's files.
    const none = await netns.exec(name, 'cat', ['/etc/resolv.conf'], { etc: false });
    expect(none.stdout).toBe(before);
    const other = await netns.exec(anon, 'cat', ['/etc/resolv.conf'], { etc: name });
    expect(other.stdout).toBe(RESOLV);
  });

  it('the command runs in the namespace with a private mount namespace, as the pid it reports', async () => {
    const r = await netns.exec(name, 'sh', [
      '-c',
      'echo $$; readlink /proc/self/ns/net; readlink /proc/self/ns/mnt',
    ]);
    const [pid, net, mnt] = lines(r.stdout);
    expect(Number(pid)).toBe(r.pid);
    expect(net).toBe(`net:[${statSync(`${NETNS_RUN_DIR}/${name}`).ino}]`);
    expect(mnt).not.toBe(readlinkSync('/proc/self/ns/mnt'));
  });

  it.each([
    ['a Netns', () => anon],
    ['a descriptor', () => anon.fd],
    ['a path', () => `/proc/${process.pid}/fd/${anon.fd}`],
  ])('takes %s as the namespace', async (_, ref) => {
    const r = await netns.exec(ref(), 'ls', ['/sys/class/net']);
    expect(lines(r.stdout).sort()).toEqual(['ifb9', 'lo']);
  });

  it('takes { pid } and a namespace made by `ip netns add`', async () => {
    const theirs = uniqueName();
    ip('netns', 'add', theirs);
    try {
      ip('-n', theirs, 'link', 'add', 'ifb3', 'type', 'ifb');
      const r = await netns.exec(theirs, 'ls', ['/sys/class/net']);
      expect(lines(r.stdout).sort()).toEqual(['ifb3', 'lo']);
      const child = spawnInNetns(theirs, 'sleep', ['30'], { stdio: 'ignore' });
      try {
        await new Promise((resolve) => child.once('spawn', resolve));
        // Wait for the helper's exec: the process is then sleep, in the namespace.
        for (let i = 0; i < 400; i++) {
          if (readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim() === 'sleep') break;
          await new Promise((r2) => setTimeout(r2, 5));
        }
        const byPid = await netns.exec({ pid: child.pid! }, 'ls', ['/sys/class/net']);
        expect(lines(byPid.stdout).sort()).toEqual(['ifb3', 'lo']);
        expect(netns.pids(theirs)).toEqual([child.pid]);
      } finally {
        const closed = new Promise((r2) => child.once('close', r2));
        child.kill();
        await closed;
      }
    } finally {
      removeNamed(theirs);
    }
  });
});

describe('exit status and stdio', () => {
  it('returns the exit code, and the signal that ended the command', async () => {
    expect(await netns.exec(anon, 'sh', ['-c', 'exit 7'])).toMatchObject({ code: 7, signal: null });
    expect(await netns.exec(anon, 'sh', ['-c', 'kill -TERM $$'])).toMatchObject({
      code: null,
      signal: 'SIGTERM',
    });
  });

  it('passes arguments as an argv array: spaces, quotes, globs and empty strings arrive intact', async () => {
    const args = ['a b', '"q"', "'s'", '$HOME', '*', '', 'ü\ttab', '--', ';ls'];
    const r = await netns.exec(anon, process.execPath, [
      '-e',
      'process.stdout.write(JSON.stringify(process.argv.slice(1)))',
      '--',
      ...args,
    ]);
    expect(JSON.parse(r.stdout)).toEqual(args);
  });

  it('pipes input, stdout and stderr apart; env and cwd apply; encoding buffer keeps bytes', async () => {
    const r = await netns.exec(anon, 'sh', ['-c', 'cat; echo "$FOO" >&2; pwd'], {
      input: 'in\n',
      env: { FOO: 'bar', PATH: process.env.PATH },
      cwd: '/tmp',
    });
    expect(r).toMatchObject({ code: 0, stdout: 'in\n/tmp\n', stderr: 'bar\n' });
    const b = await netns.exec(anon, 'printf', ['\\377\\000'], { encoding: 'buffer' });
    expect(b.stdout).toEqual(Buffer.from([0xff, 0x00]));
  });

  it("stdio 'inherit' shares the caller's streams (seen from a child process)", async () => {
    const bundle = bundleNs('exec-inherit');
    try {
      const program = `
        const { netns } = require(${JSON.stringify(bundle.file)});
        netns.exec({ pid: process.pid }, 'sh', ['-c', 'echo to-stdout; echo to-stderr >&2; exit 3'], { stdio: 'inherit' })
          .then((r) => console.log(JSON.stringify(r)));
      `;
      const out = spawnSync(process.execPath, ['-e', program], { encoding: 'utf8' });
      const [first, json] = lines(out.stdout);
      expect(first).toBe('to-stdout');
      expect(out.stderr).toBe('to-stderr\n');
      expect(JSON.parse(json!)).toMatchObject({ code: 3, stdout: '', stderr: '' });
    } finally {
      bundle.remove();
    }
  }, 60_000);

  it('spawn returns the command’s ChildProcess', async () => {
    const child = netns.spawn(name, 'sh', ['-c', 'read line; echo "got $line"; exit 4']);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
    });
    child.stdin!.end('x\n');
    const code = await new Promise((r) => child.once('close', (c) => r(c)));
    expect(code).toBe(4);
    expect(out).toBe('got x\n');
  });
});

describe('failures', () => {
  it('a command that is not found is a typed error (ENOENT, step exec)', async () => {
    const e = await netns.exec(name, 'rtnl-no-such-command').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetlinkSocketError);
    expect(isNetnsExecError(e)).toBe(true);
    expect(e).toMatchObject({
      code: 'ENOENT',
      errno: 2,
      step: 'exec',
      syscall: 'execvp',
      command: 'rtnl-no-such-command',
    });
    expect((e as Error).message).toMatch(/command not found: "rtnl-no-such-command"/);
  });

  it('spawn emits the typed error, and the process exits 127 like a shell', async () => {
    const child = netns.spawn(anon, 'rtnl-no-such-command', [], { stdio: 'ignore' });
    const error = new Promise<NetnsExecError>((r) => child.once('error', r));
    const exit = new Promise<number>((r) => child.once('exit', (code) => r(code!)));
    expect(await exit).toBe(127);
    expect(await error).toMatchObject({ code: 'ENOENT', step: 'exec' });
  });

  it('a file that cannot be executed: EACCES at step exec', async () => {
    // execve of a directory is EACCES.
    const e = await netns.exec(anon, '/etc').catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'EACCES', errno: 13, step: 'exec' });
    expect((e as Error).message).toMatch(/cannot execute "\/etc"/);
  });

  it('namespaces that do not exist or are not namespaces are refused before anything runs', async () => {
    const missing = uniqueName();
    const e1 = await netns.exec(missing, 'true').catch((x: unknown) => x);
    expect(e1).toMatchObject({ name: 'NetlinkSocketError', code: 'ENOENT' });
    expect((e1 as Error).message).toContain(missing);
    const e2 = await netns.exec('/etc/hostname', 'true').catch((x: unknown) => x);
    expect(e2).toMatchObject({ code: 'EINVAL' });
    expect((e2 as Error).message).toMatch(/\/etc\/hostname is not a network namespace/);
    const gone = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }));
    expect(await netns.exec({ pid: gone }, 'true').catch((x: unknown) => x)).toMatchObject({
      code: 'ESRCH',
    });
    expect(await netns.exec('..', 'true').catch((x: unknown) => x)).toMatchObject({
      code: 'EINVAL',
    });
    // spawn throws at once for these.
    expect(() => spawnInNetns(missing, 'true')).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });

  it.each([
    ['an empty command', '', [], {}, 'exec.command'],
    ['a command with NUL', 'a\0b', [], {}, 'exec.command'],
    ['a non-string argument', 'true', [1], {}, 'exec.args[0]'],
    ['an argument with NUL', 'true', ['ok', 'x\0'], {}, 'exec.args[1]'],
    [
      'input with inherited stdio',
      'true',
      [],
      { input: 'x', stdio: 'inherit' },
      'exec.options.input',
    ],
    ['a bad stdio', 'true', [], { stdio: 'tty' }, 'exec.options.stdio'],
    ['a negative timeout', 'true', [], { timeout: -1 }, 'exec.options.timeout'],
    ['an unknown encoding', 'true', [], { encoding: 'ebcdic' }, 'exec.options.encoding'],
    ['an invalid etc name', 'true', [], { etc: 'a/b' }, 'exec.options.etc'],
  ])('rejects %s before starting anything', async (_, command, args, options, path) => {
    const e = await execInNetns(anon, command, args as string[], options as never).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect(e).toMatchObject({ code: 'BAD_VALUE', path });
  });

  it('timeout kills and rejects with ETIMEDOUT; abort kills and rejects with the reason', async () => {
    const t0 = Date.now();
    const e = await netns.exec(anon, 'sleep', ['10'], { timeout: 100 }).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'NetlinkSocketError', code: 'ETIMEDOUT', signal: 'SIGTERM' });
    expect(Date.now() - t0).toBeLessThan(5000);
    const controller = new AbortController();
    const running = netns.exec(anon, 'sleep', ['10'], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop it')), 50);
    await expect(running).rejects.toThrow('stop it');
    const pre = new AbortController();
    pre.abort(new Error('already'));
    await expect(netns.exec(anon, 'true', [], { signal: pre.signal })).rejects.toThrow('already');
  });

  it('more output than maxBuffer kills the command', async () => {
    const e = await netns.exec(anon, 'yes', [], { maxBuffer: 1000 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RangeError);
    expect(e).toMatchObject({ code: 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' });
  });
});

describe('isolated registry', () => {
  it('`ip netns list` inside shows nothing, though a named namespace exists outside', async () => {
    expect(ip('netns', 'list')).toContain(name);
    const r = await netns.exec(anon, 'ip', ['netns', 'list'], { isolateRegistry: true });
    expect(r).toMatchObject({ code: 0, stdout: '' });
  });

  it('runIsolated: a whole program adds namespaces privately, in our network namespace, and they vanish', async () => {
    const inner = uniqueName();
    const r = await runIsolated('sh', [
      '-c',
      `ip netns add ${inner} && ip netns list && ip -n ${inner} -o link show && readlink /proc/self/ns/net`,
    ]);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe(inner);
    expect(out[1]).toMatch(/^1: lo:/);
    expect(out[2]).toBe(readlinkSync('/proc/self/ns/net'));
    expect(existsSync(`${NETNS_RUN_DIR}/${inner}`)).toBe(false);
    expect(ip('netns', 'list')).not.toContain(inner);
  });
});

describe('the helper executable', () => {
  // Run by hand: fd 3 is the status pipe.
  const helper = (...args: string[]) => {
    const r = spawnSync(nshelperPath(), ['--status-fd', '3', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    return { code: r.status, status: r.output[3] ?? '', stdout: r.stdout, stderr: r.stderr };
  };

  it.each([
    [
      'a name that does not exist',
      ['--name', 'rtnl-test-none'],
      125,
      'open\t2\t/run/netns/rtnl-test-none',
    ],
    [
      'a file that is not a namespace',
      ['--path', '/etc/hostname'],
      125,
      'check\t22\t/etc/hostname',
    ],
    [
      'another kind of namespace',
      ['--path', '/proc/self/ns/mnt'],
      125,
      'check\t22\t/proc/self/ns/mnt',
    ],
    ['an invalid name', ['--name', '..'], 125, 'usage\t22\t'],
    ['no command', ['--name', 'x', '--'], 125, 'usage\t22\tno command given'],
  ])('reports %s on the status fd', (_, args, code, line) => {
    const r = helper(...args, ...(args.includes('--') ? [] : ['true']));
    expect(r.code).toBe(code);
    expect(r.status).toMatch(new RegExp(`^rtnl-nshelper\\t${line}`));
    expect(r.stdout).toBe('');
  });

  it('by name: enters the namespace, command not found is 127', () => {
    const ok = helper('--name', name, '--', 'ls', '/sys/class/net');
    expect(ok).toMatchObject({ code: 0, status: '' });
    expect(lines(ok.stdout).sort()).toEqual(['ifb0', 'lo']);
    const missing = helper('--name', name, 'rtnl-no-such-command');
    expect(missing.code).toBe(127);
    expect(missing.status).toBe('rtnl-nshelper\texec\t2\trtnl-no-such-command\n');
  });

  it('without a status fd it says what failed on stderr', () => {
    const r = spawnSync(nshelperPath(), ['--name', 'rtnl-test-none', 'true'], { encoding: 'utf8' });
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/open \/run\/netns\/rtnl-test-none: No such file or directory/);
  });
});

describe('without privilege, and without the helper', () => {
  let bundle: Bundle;
  beforeAll(() => {
    bundle = bundleNs('exec');
  }, 60_000);
  afterAll(() => bundle?.remove());

  const run = (program: string, env: NodeJS.ProcessEnv = {}, asNobody = false) => {
    const code = `
      const { netns } = require(${JSON.stringify(bundle.file)});
      (async () => {
        try { const r = await (${program}); console.log(JSON.stringify({ ok: r })); }
        catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, errno: e.errno, step: e.step, message: e.message })); }
      })();
    `;
    const argv = [process.execPath, '-e', code];
    const [file, ...args] = asNobody
      ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...argv]
      : argv;
    return JSON.parse(
      execFileSync(file!, args, { encoding: 'utf8', cwd: '/', env: { ...process.env, ...env } }),
    ) as Record<string, unknown>;
  };

  it('not root: EPERM at step setns, with a hint', () => {
    const r = run(`netns.exec({ pid: process.pid }, 'true')`, {}, true);
    expect(r).toMatchObject({ name: 'NetlinkSocketError', code: 'EPERM', errno: 1, step: 'setns' });
    expect(r.message).toMatch(/CAP_SYS_ADMIN \(run as root\)/);
  });

  it('RTNL_NSHELPER_PATH overrides where the helper is; a wrong one is a clear error', () => {
    const good = run(`netns.exec({ pid: process.pid }, 'echo', ['hi'])`, {
      RTNL_NSHELPER_PATH: nshelperPath(),
    });
    expect(good).toMatchObject({ ok: { code: 0, stdout: 'hi\n' } });
    const bad = run(`netns.exec({ pid: process.pid }, 'true')`, {
      RTNL_NSHELPER_PATH: '/nonexistent/rtnl_nshelper',
    });
    expect(bad).toMatchObject({ name: 'NetlinkSocketError', code: 'ERR_RTNL_ADDON' });
    expect(bad.message).toContain('RTNL_NSHELPER_PATH=/nonexistent/rtnl_nshelper');
  });
});
