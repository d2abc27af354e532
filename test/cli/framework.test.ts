// The rtnl framework: global options (ip's words and prefix rule), the JSON writer (iproute2's
// json_writer layout), -V, help, usage errors, -n, and -batch (1000 lines, first error with its
// line number, -force, `-` for stdin, comments, continuations, quotes) against ip.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getInteger, getU32, matches, parsePrefix } from '../../src/cli/args.js';
import { batchCommands, splitWords } from '../../src/cli/batch.js';
import { parseGlobalOptions } from '../../src/cli/main.js';
import { formatG, formatNum, JsonWriter } from '../../src/cli/output.js';
import { asRtnl, type CliNs, cliNs, RTNL_BIN, type Twin, twin } from './helpers.js';

describe('global options, as ip/ip.c main() reads them', () => {
  it.each([
    [['-j', 'link'], { json: true }],
    [['-json', '-pretty', 'link'], { json: true, pretty: true }],
    [['--json', 'link'], { json: true }],
    [['-s', '-s', '-stats', 'link'], { stats: 3 }],
    [['-d', '-details', 'link'], { details: 2 }],
    [['-h', 'link'], { human: true }],
    [['-human-readable', 'link'], { human: true }],
    [['-iec', 'link'], { iec: true }],
    [['-br', 'link'], { brief: true }],
    [['-o', 'link'], { oneline: true }],
    [['-N', 'link'], { numeric: true }],
    [['-a', 'link'], { all: true }],
    [['-r', 'link'], { resolve: true }],
    [['-t', 'link'], { timestamp: 1 }],
    [['-ts', 'link'], { timestamp: 2 }],
    [['-4', 'addr'], { family: 'inet' }],
    [['-6', 'addr'], { family: 'inet6' }],
    [['-0', 'addr'], { family: 'link' }],
    [['-B', 'link'], { family: 'bridge' }],
    [['-M', 'route'], { family: 'mpls' }],
    [['-f', 'inet6', 'addr'], { family: 'inet6' }],
    [['-family', 'link', 'addr'], { family: 'link' }],
    [['-n', 'blue', 'link'], { netns: 'blue' }],
    [['-netns', '/proc/1/ns/net', 'link'], { netns: '/proc/1/ns/net' }],
    [['-l', '3', 'addr'], { loops: 3 }],
    [['-force', 'link'], { force: true }],
  ])('%j', (argv, want) => {
    const p = parseGlobalOptions(argv);
    expect(p.opts).toMatchObject(want);
    expect(p.rest).toEqual([argv[argv.length - 1]]);
  });

  it('-b is -batch, -br is -brief, -c is colour (ip’s order of tests)', () => {
    expect(parseGlobalOptions(['-b', 'file']).batchFile).toBe('file');
    expect(parseGlobalOptions(['-c', 'link']).color).toBe('always');
    expect(parseGlobalOptions(['-color=auto', 'link']).color).toBe('auto');
    expect(parseGlobalOptions(['-c=never', 'link']).color).toBe('never');
    expect(parseGlobalOptions(['-V']).version).toBe(true);
    expect(parseGlobalOptions(['-help']).usage).toBe(true);
    expect(parseGlobalOptions(['-he']).usage).toBe(true);
    expect(parseGlobalOptions(['--', '-x']).rest).toEqual(['-x']);
  });

  it('an unknown option or family is a usage error naming it', () => {
    expect(() => parseGlobalOptions(['-x'])).toThrow('Option "-x" is unknown, try "rtnl -help".');
    expect(() => parseGlobalOptions(['-f', 'foo', 'link'])).toThrow(
      'Error: argument "foo" is wrong: invalid protocol family',
    );
  });
});

describe('argument helpers', () => {
  it('matches() is iproute2’s prefix rule', () => {
    expect(matches('li', 'link')).toBe(true);
    expect(matches('link', 'link')).toBe(true);
    expect(matches('links', 'link')).toBe(false);
    expect(matches('', 'link')).toBe(false);
  });

  it.each([
    ['10', 10],
    ['0x10', 16],
    ['010', 8],
    ['4294967295', 4294967295],
    ['4294967296', undefined],
    ['-1', undefined],
    ['1x', undefined],
    ['', undefined],
  ])('getU32(%j) = %j (strtoul base 0)', (arg, want) => {
    expect(getU32(arg)).toBe(want);
  });

  it.each([
    ['-5', -5],
    ['2147483647', 2147483647],
    ['2147483648', undefined],
  ])('getInteger(%j) = %j', (arg, want) => {
    expect(getInteger(arg)).toBe(want);
  });

  it.each([
    ['10.8', 'inet', '10.8.0.0', 32],
    ['10.8/16', 'inet', '10.8.0.0', 16],
    ['192.0.2.1/255.255.255.0', 'inet', '192.0.2.1', 24],
    ['0x0a.1.2.3', 'inet', '10.1.2.3', 32],
    ['2001:db8::1/64', 'inet6', '2001:db8::1', 64],
    ['::ffff:192.0.2.1', 'inet6', '::ffff:192.0.2.1', 128],
  ])('parsePrefix(%j) is ip’s get_prefix', (arg, family, address, len) => {
    const p = parsePrefix(arg);
    expect({ family: p.family, address: p.address, prefixlen: p.prefixlen }).toEqual({
      family,
      address,
      prefixlen: len,
    });
  });

  it('`default` carries ip’s bytelen: the family’s length when one is known, else 0', () => {
    expect(parsePrefix('default', 'inet')).toMatchObject({ any: true, prefixlen: 0, bytelen: 4 });
    expect(parsePrefix('default', 'inet6')).toMatchObject({ any: true, bytelen: 16 });
    expect(parsePrefix('default')).toMatchObject({ any: true, prefixlen: 0, bytelen: 0 });
    expect(parsePrefix('all', 'inet')).toMatchObject({ any: true, bytelen: 0 });
    expect(parsePrefix('192.0.2.0/24').bytelen).toBe(4);
  });

  it.each([['1.2.3.4.5'], ['256.1.1.1'], ['1.2.3.4/33'], ['2001:db8::1::2'], ['x']])(
    'parsePrefix(%j) fails in ip’s words',
    (arg) => {
      expect(() => parsePrefix(arg)).toThrow(
        `Error: any valid prefix is expected rather than "${arg}".`,
      );
    },
  );
});

describe('JSON writer: iproute2 json_writer.c byte for byte', () => {
  const write = (pretty: boolean, fn: (w: JsonWriter) => void) => {
    let s = '';
    const w = new JsonWriter(pretty, (t) => {
      s += t;
    });
    fn(w);
    return s;
  };

  it('compact', () => {
    expect(
      write(false, (w) => {
        w.startArray();
        w.value({ a: 1, b: 'x"y\\z\t', c: [true, null], d: {}, e: [] });
        w.value({ big: 18446744073709551615n });
        w.endArray();
      }),
    ).toBe(
      '[{"a":1,"b":"x\\"y\\\\z\\t","c":[true,null],"d":{},"e":[]},{"big":18446744073709551615}]',
    );
  });

  it('pretty: 4-space indent, "[ {" / "},{" / "} ]", inline arrays, "[ ]" when empty', () => {
    expect(
      write(true, (w) => {
        w.startArray();
        w.value({ a: 1, flags: ['UP', 'LOWER_UP'], o: { x: 2 }, e: [] });
        w.value({ b: 2 });
        w.endArray();
      }),
    ).toBe(
      '[ {\n        "a": 1,\n        "flags": [ "UP","LOWER_UP" ],\n        "o": {\n            "x": 2\n        },\n        "e": [ ]\n    },{\n        "b": 2\n    } ]',
    );
    expect(write(true, (w) => w.value([]))).toBe('[ ]');
    expect(write(false, (w) => w.value([]))).toBe('[]');
  });

  it('floats as %g; raw tokens as given (bridge timers print "0.00")', () => {
    expect(formatG(0.1)).toBe('0.1');
    expect(formatG(1234567)).toBe('1.23457e+06');
    expect(formatG(0.00001)).toBe('1e-05');
    expect(write(false, (w) => w.raw('0.00'))).toBe('0.00');
  });

  it('print_num: -h units', () => {
    expect(formatNum(7, 123n, false, false)).toBe('    123 ');
    expect(formatNum(7, 123456n, true, false)).toBe('   123k ');
    expect(formatNum(7, 1234567n, true, false)).toBe('  1.23M ');
    expect(formatNum(7, 2048n, true, true)).toBe(' 2.00ki ');
  });
});

describe('batch file syntax (ip’s getcmdline + makeargs)', () => {
  it('comments, blank lines, continuation, quotes and line numbers', () => {
    const text = [
      '# a comment',
      '',
      'link set dev lo up # trailing comment',
      'link set dev lo \\',
      '   mtu 1500',
      `link set lo alias "two words" 'x'`,
      '   ',
    ].join('\n');
    expect([...batchCommands(`${text}\n`)]).toEqual([
      { words: ['link', 'set', 'dev', 'lo', 'up'], line: 3 },
      { words: ['link', 'set', 'dev', 'lo', 'mtu', '1500'], line: 5 },
      { words: ['link', 'set', 'lo', 'alias', 'two words', 'x'], line: 6 },
    ]);
  });

  it('an unterminated quote is an error', () => {
    expect(() => splitWords('link set "open')).toThrow('Unterminated quoted string');
  });
});

describe('the command line against ip', () => {
  let t: CliNs;
  beforeAll(() => {
    t = cliNs(['link set lo up', 'link add d0 type ifb']);
  });
  afterAll(() => t?.close());

  it('-V names rtnl and its version', () => {
    const r = t.rtnl('-V');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^rtnl utility, rtnl-\d+\.\d+\.\d+\n$/);
  });

  it('no object: usage on stderr, status 255 (as ip)', () => {
    const r = t.rtnlRun([], { nsenter: true });
    const i = t.ipRun([]);
    expect(r.status).toBe(i.status);
    expect(r.stderr).toMatch(/^Usage: rtnl \[ OPTIONS \] OBJECT/);
  });

  it.each([
    [['help']],
    [['link', 'help']],
    [['address', 'help']],
    [['addr', 'help']],
    [['route', 'help']],
    [['rule', 'help']],
    [['neighbour', 'help']],
    [['neigh', 'help']],
    [['netns', 'help']],
    [['tunnel', 'help']],
  ])('%j prints usage on stderr with ip’s status', (args) => {
    const r = t.rtnl(...args);
    const i = t.ipRun(args);
    expect(r.status).toBe(i.status);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Usage:\s+rtnl /);
  });

  it.each([
    [['foo']],
    [['-x', 'link']],
    [['-f', 'foo', 'link']],
    [['link', 'show', 'dev', 'nope']],
    [['link', 'bogus']],
    [['address', 'bogus']],
  ])('usage error %j: same text (program name aside) and status as ip', (args) => {
    const r = t.rtnlRun(args, { nsenter: true });
    const i = t.ipRun(args);
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: i.status,
      stderr: asRtnl(i.stderr),
    });
  });

  it('-n with a namespace that does not exist', () => {
    const r = t.rtnl('-n', 'no-such-namespace-rtnl-test', 'link');
    expect(r.status).toBe(255);
    expect(r.stderr).toBe(
      'Cannot open network namespace "no-such-namespace-rtnl-test": No such file or directory\n',
    );
  });

  it('a kernel refusal is ip’s "RTNETLINK answers" / "Error:" text, status 2', () => {
    for (const args of [
      ['link', 'add', 'd0', 'type', 'ifb'],
      ['link', 'add', 'x1', 'type', 'nosuchkind'],
    ]) {
      const r = t.rtnl(...args);
      const i = t.ipRun(args);
      expect({ status: r.status, stderr: r.stderr }).toEqual({
        status: i.status,
        stderr: i.stderr,
      });
      expect(r.status).toBe(2);
    }
  });

  it('rtnl … | head: a closed pipe ends the output quietly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtnl-pipe-'));
    try {
      const f = join(dir, 'many.batch');
      writeFileSync(f, 'link show\n'.repeat(5000));
      const r = spawnSync(
        'bash',
        [
          '-c',
          `"${process.execPath}" "${RTNL_BIN}" -n "${t.path}" -batch "${f}" | head -n 1; echo "rc=\${PIPESTATUS[0]}" >&2`,
        ],
        { encoding: 'utf8' },
      );
      expect(r.stdout.split('\n')).toHaveLength(2);
      expect(r.stderr).toBe('rc=0\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('-batch against ip -batch', () => {
  let tw: Twin;
  let dir: string;
  const file = (name: string, lines: string[]) => {
    const p = join(dir, name);
    writeFileSync(p, `${lines.join('\n')}\n`);
    return p;
  };
  const STATE = ['addr', 'show'];
  const PATHS = ['*.address', '**.valid_life_time', '**.preferred_life_time'];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rtnl-batch-'));
    tw = twin(['link set lo up', 'link add d0 type ifb', 'link set d0 addrgenmode none']);
  });
  afterEach(() => {
    tw?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a link deleted and made again between route lines is looked up afresh (link lines drop the ifindex cache)', () => {
    const f = file('relink.batch', [
      'link add x0 type ifb',
      'link set x0 up',
      'route add 192.0.2.0/24 dev x0',
      'link del x0',
      'link add x0 type ifb',
      'link set x0 up',
      'route add 198.51.100.0/24 dev x0',
    ]);
    const r = tw.rtnl('-batch', f);
    const i = tw.ip('-batch', f);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect({ status: i.status, stderr: i.stderr }).toEqual({ status: 0, stderr: '' });
    tw.expectSameState(['route', 'show', 'dev', 'x0']);
  });

  it('a file of 1000 lines runs to the end and leaves the state ip leaves', () => {
    const lines: string[] = ['# 1000 commands', 'link set d0 up'];
    for (let i = 0; i < 998; i++) {
      lines.push(`address add 10.${(i >> 8) & 255}.${i & 255}.1/32 dev d0`);
    }
    lines.push('link set d0 mtu 1400');
    const f = file('thousand.batch', lines);
    const r = tw.rtnl('-batch', f);
    const i = tw.ip('-batch', f);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: i.status, stderr: i.stderr });
    expect(r.status).toBe(0);
    tw.expectSameState(STATE, PATHS);
    const addrs = (tw.a.ipJson('addr', 'show', 'dev', 'd0') as { addr_info: unknown[] }[])[0]!;
    expect(addrs.addr_info).toHaveLength(998);
  });

  // Route lines on known devices take the fast lane (runs sent by the shim while the next
  // lines are parsed): the outcome must still be ip's, line by line.
  const routeRun = (n: number, at: (i: number) => string | undefined = () => undefined) => {
    const lines: string[] = ['link set d0 up', 'route add 203.0.113.0/24 dev d0'];
    for (let i = 0; i < n; i++) {
      lines.push(at(i) ?? `route add 10.${(i >> 8) & 255}.${i & 255}.0/24 dev d0`);
    }
    return lines;
  };
  const ROUTES = ['route', 'show', 'dev', 'd0'];

  it('a run of route adds refused in its middle stops there: nothing after the failing line is applied', () => {
    // Line 2 + 150: the route of line 3 again (EEXIST); more after it, in the same run.
    const f = file(
      'route-fail.batch',
      routeRun(600, (i) => (i === 147 ? 'route add 10.0.0.0/24 dev d0' : undefined)),
    );
    const r = tw.rtnl('-batch', f);
    const i = tw.ip('-batch', f);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: i.status, stderr: i.stderr });
    expect(r.stderr).toContain(`Command failed ${f}:150`);
    tw.expectSameState(ROUTES);
    expect(tw.a.ipJson(...ROUTES)).toHaveLength(1 + 147);
  });

  it('a usage error after a run of route lines is reported once the run is applied, and stops', () => {
    const f = file(
      'route-usage.batch',
      routeRun(300, (i) => (i === 250 ? 'route add 10.999.0.0/24 dev d0' : undefined)),
    );
    const r = tw.rtnl('-batch', f);
    const i = tw.ip('-batch', f);
    // ip exit()s on a usage error without naming the line; rtnl names it (see below).
    expect(r.stderr).toBe(`${i.stderr}Command failed ${f}:253\n`);
    expect(r.status).toBe(1);
    tw.expectSameState(ROUTES);
    expect(tw.a.ipJson(...ROUTES)).toHaveLength(1 + 250);
  });

  it('-force: every route line is tried, failures reported in line order', () => {
    const bad = new Map([
      [10, 'route add 10.0.1.0/24 dev d0'],
      [200, 'route del 198.51.100.0/24 dev d0'],
      [201, 'route add 10.0.2.0/24 dev d0'],
      [350, 'route add 10.0.3.0/24 dev nope'],
    ]);
    const f = file(
      'route-force.batch',
      routeRun(400, (i) => bad.get(i)),
    );
    const r = tw.rtnl('-force', '-batch', f);
    const i = tw.ip('-force', '-batch', f);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: i.status, stderr: i.stderr });
    expect(r.status).toBe(1);
    tw.expectSameState(ROUTES);
  });

  it('runs of different changes, and a show line between them, see the lines before them applied', () => {
    const lines = routeRun(100);
    for (let i = 0; i < 50; i++) lines.push(`route del 10.0.${i}.0/24 dev d0`);
    lines.push('route show dev d0 table main');
    for (let i = 0; i < 50; i++) lines.push(`route replace 10.0.${i}.0/24 dev d0 metric 7`);
    for (let i = 0; i < 20; i++) lines.push(`route append 10.1.${i}.0/24 dev d0 metric 9`);
    lines.push('link add d1 type ifb', 'link set d1 up', 'route add 10.2.0.0/24 dev d1');
    lines.push('route show dev d0');
    const f = file('route-mixed.batch', lines);
    const r = tw.rtnl('-batch', f);
    const i = tw.ip('-batch', f);
    expect(r).toEqual(i);
    tw.expectSameState(['route', 'show']);
  });

  it('lines that differ only in the destination, in every shape the reuse must see through', () => {
    // route's plan reuses the last line it parsed in full when a line differs from it only in
    // the destination word: these shapes must still give what ip gives, line by line.
    const lines = ['link set d0 up', 'link add d1 type ifb', 'link set d1 up'];
    for (let i = 0; i < 40; i++) lines.push(`route add 10.3.${i}.0/24 dev d0`);
    // Texts ip reads with get_prefix's general rules (leading zeros, short forms, no length).
    lines.push(
      'route add 10.4.0.0/024 dev d0',
      'route add 10.5 dev d0',
      'route add 10.6.1.1 dev d0',
    );
    lines.push('route add 10.7.0.0/16 dev d0', 'route add 010.8.0.0/16 dev d0');
    // Another family, then back; `default` in the destination's place.
    lines.push('route add 2001:db8:1::/64 dev d0', 'route add 2001:db8:2::/64 dev d0');
    lines.push('route add 10.9.0.0/16 dev d0', 'route add default dev d0 table 50');
    lines.push('route add 10.10.0.0/16 dev d0 table 50', 'route add 10.11.0.0/16 dev d0 table 51');
    // Neighbours that differ in one other word: the device, the protocol, the table.
    lines.push('route add 10.21.0.0/16 dev d0', 'route add 10.22.0.0/16 dev d1');
    lines.push(
      'route add 10.23.0.0/16 dev d0 proto static',
      'route add 10.24.0.0/16 dev d0 proto boot',
    );
    lines.push('route add 10.25.0.0/16 table 52 dev d0', 'route add 10.26.0.0/16 table 53 dev d0');
    // The same words around it, another device; `to` and a type before the destination.
    lines.push('route add 10.12.0.0/16 dev d1', 'route add 10.13.0.0/16 dev d1');
    lines.push('route add to 10.14.0.0/16 dev d1', 'route add to 10.15.0.0/16 dev d1');
    lines.push('route add blackhole 10.16.0.0/16', 'route add blackhole 10.17.0.0/16');
    // A link line between two that would reuse each other (the ifindex cache starts afresh).
    lines.push('route add 10.18.0.0/16 dev d1', 'link del d1', 'link add d1 type ifb');
    lines.push('link set d1 up', 'route add 10.19.0.0/16 dev d1', 'route add 10.20.0.0/16 dev d1');
    // Other ops, a bad destination last (its usage error is the line's own).
    for (let i = 0; i < 10; i++) lines.push(`route del 10.3.${i}.0/24 dev d0`);
    lines.push(
      'route replace 10.3.20.0/24 dev d0 metric 3',
      'route replace 10.3.21.0/24 dev d0 metric 3',
    );
    lines.push('route add 10.3.300.0/24 dev d0');
    const f = file('route-shapes.batch', lines);
    const r = tw.rtnl('-batch', f);
    const i = tw.ip('-batch', f);
    expect(r.stderr).toBe(`${i.stderr}Command failed ${f}:${lines.length}\n`);
    expect(r.status).toBe(1);
    for (const t of ['main', '50', '51', '52', '53']) {
      tw.expectSameState(['route', 'show', 'table', t]);
    }
    tw.expectSameState(['-6', 'route', 'show', 'dev', 'd0']);
  });

  it('stops at the first failing line and names it (kernel refusal)', () => {
    const f = file('fail.batch', [
      'address add 192.0.2.1/24 dev d0',
      'address add 192.0.2.2/24 dev d0',
      '',
      'address add 192.0.2.1/24 dev d0',
      'address add 192.0.2.3/24 dev d0',
    ]);
    const r = tw.rtnl('-batch', f);
    const i = tw.ip('-batch', f);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: i.status, stderr: i.stderr });
    expect(r.stderr).toContain(`Command failed ${f}:4`);
    tw.expectSameState(STATE, PATHS);
  });

  it('-force goes on after failing lines; the status is 1', () => {
    const f = file('force.batch', [
      'address add 192.0.2.1/24 dev d0',
      'address add 192.0.2.1/24 dev d0',
      'link show dev nope',
      'address add 192.0.2.3/24 dev d0',
    ]);
    const r = tw.rtnl('-force', '-batch', f);
    const i = tw.ip('-force', '-batch', f);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: i.status, stderr: i.stderr });
    expect(r.status).toBe(1);
    tw.expectSameState(STATE, PATHS);
  });

  it('`-` reads the commands from stdin; output of each line as ip prints it', () => {
    // (Not `link show` before `address show`: ip's do_link flag outlives its batch line, so
    // its `address show` after a `link show` prints the link alone. rtnl does not copy that.)
    const input = 'address show dev lo\naddress add 192.0.2.9/24 dev d0\nlink show dev lo\n';
    const r = tw.a.rtnlRun(['-batch', '-'], { input });
    const i = tw.b.ipRun(['-batch', '-'], { input });
    expect(r).toEqual(i);
    const j = tw.a.rtnlRun(['-j', '-batch', '-'], {
      input: 'link show dev lo\nlink show dev lo\n',
    });
    expect(j.stdout).toBe(
      tw.b.ipRun(['-j', '-batch', '-'], { input: 'link show dev lo\nlink show dev lo\n' }).stdout,
    );
    tw.expectSameState(STATE, PATHS);
  });

  it('comments, continuation lines and quoted words', () => {
    const f = file('syntax.batch', [
      '# set things up',
      'link set d0 \\',
      '  alias "a quoted alias" # and a comment',
      "link set d0 mtu '1300'",
    ]);
    const r = tw.rtnl('-batch', f);
    const i = tw.ip('-batch', f);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: i.status, stderr: i.stderr });
    tw.expectSameState(['-d', 'link', 'show'], PATHS);
  });

  it('a file that cannot be opened', () => {
    const r = tw.rtnl('-batch', join(dir, 'missing'));
    const i = tw.ip('-batch', join(dir, 'missing'));
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: i.status, stderr: i.stderr });
  });

  it('an unknown object on a line fails that line', () => {
    const f = file('object.batch', ['link show dev lo', 'frobnicate', 'link show dev lo']);
    const r = tw.rtnl('-batch', f);
    const i = tw.ip('-batch', f);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: i.status,
      stdout: i.stdout,
      stderr: asRtnl(i.stderr),
    });
  });

  // Deliberate difference: ip exits at once (status 255) on a usage error inside a batch, even
  // with -force, and does not say which line. rtnl treats it as a failed line: it names the line
  // (`Command failed FILE:N`), stops (status 1), or goes on with -force.
  it('a usage error on a line: rtnl names the line (ip exits without saying which)', () => {
    const f = file('usage.batch', [
      'address add 192.0.2.1/24 dev d0',
      'link set dev d0 mtu x',
      'address add 192.0.2.2/24 dev d0',
    ]);
    const r = tw.rtnl('-batch', f);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `Error: argument "x" is wrong: Invalid "mtu" value\n\nCommand failed ${f}:2\n`,
    );
    const rf = tw.rtnl('-force', '-batch', f);
    expect(rf.status).toBe(1);
    const addrs = (
      tw.a.ipJson('-4', 'addr', 'show', 'dev', 'd0') as { addr_info: unknown[] }[]
    )[0]!;
    expect(addrs.addr_info).toHaveLength(2);
    // ip's own behaviour, for the record.
    expect(tw.ip('-batch', f).status).toBe(255);
  });
});
