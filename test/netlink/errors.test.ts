// The four error classes: stable name and code, fields, messages, and `instanceof` that survives
// two copies of the package (branded with Symbol.for('rtnl.error')).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  NetlinkDecodeError,
  NetlinkEncodeError,
  NetlinkError,
  NetlinkSocketError,
} from '../../src/netlink/errors.js';

const ROOT = resolve(import.meta.dirname, '../..');

const classes = {
  NetlinkError,
  NetlinkDecodeError,
  NetlinkEncodeError,
  NetlinkSocketError,
} as const;
type ClassName = keyof typeof classes;

const instances: Record<ClassName, Error> = {
  NetlinkError: new NetlinkError({ errno: 17 }),
  NetlinkDecodeError: new NetlinkDecodeError('BAD_LENGTH', 'bad', 3),
  NetlinkEncodeError: new NetlinkEncodeError('BAD_VALUE', 'bad'),
  NetlinkSocketError: new NetlinkSocketError('ERR_RTNL_CLOSED', 'closed'),
};

/** What a second copy of rtnl (its CJS build, another version) would create. */
function foreign(brand: ClassName): Error {
  const e = Object.create(Error.prototype) as Error;
  Object.defineProperty(e, Symbol.for('rtnl.error'), { value: brand });
  return e;
}

const names = Object.keys(classes) as ClassName[];

describe('instanceof', () => {
  it.each(names)('a %s is an instance of its class and of Error, of no other', (name) => {
    const e = instances[name];
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe(name);
    for (const other of names) expect(e instanceof classes[other]).toBe(other === name);
  });

  it.each(names)('an object branded %s by a different copy of the class is an instance', (name) => {
    const e = foreign(name);
    for (const other of names) expect(e instanceof classes[other]).toBe(other === name);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'NetlinkError'],
    ['a plain Error', new Error('x')],
    ['an object with a look-alike name', { name: 'NetlinkError', code: 'EEXIST' }],
    ['a brand under a private symbol', { [Symbol('rtnl.error')]: 'NetlinkError' }],
  ])('%s is not an instance', (_name, value) => {
    for (const c of names) expect(value instanceof classes[c]).toBe(false);
  });

  it('the brand is not enumerable (invisible to JSON and spreads)', () => {
    const e = instances.NetlinkError;
    expect(Object.getOwnPropertySymbols({ ...e })).toEqual([]);
  });
});

describe('NetlinkError', () => {
  it('carries the kernel’s text and the errno name in its message', () => {
    const e = new NetlinkError({ errno: 17, kernelMessage: 'ipv4: Address already assigned' });
    expect(e.message).toBe('ipv4: Address already assigned (EEXIST)');
    expect(e.code).toBe('EEXIST');
    expect(e.errno).toBe(17);
    expect(e.kernelMessage).toBe('ipv4: Address already assigned');
  });

  it('falls back to strerror text without a kernel message', () => {
    const e = new NetlinkError({ errno: 22 });
    expect(e.code).toBe('EINVAL');
    expect(e.message).toMatch(/\(EINVAL\)$/);
    // libuv's strerror text (node:util getSystemErrorMap), in whatever case it uses.
    if (process.platform === 'linux') expect(e.message).toMatch(/^invalid argument \(EINVAL\)$/i);
    expect(e.kernelMessage).toBeUndefined();
  });

  it('names the attribute and keeps every detail', () => {
    const policy = new Uint8Array([1, 2]);
    const e = new NetlinkError({
      errno: 34,
      kernelMessage: 'MTU too large',
      attributePath: 'link.mtu',
      offset: 40,
      missingType: 3,
      missingNest: 32,
      policy,
      seq: 7,
      requestType: 16,
    });
    expect(e.message).toBe('MTU too large (ERANGE) at attribute link.mtu');
    expect(e).toMatchObject({
      name: 'NetlinkError',
      code: 'ERANGE',
      errno: 34,
      attributePath: 'link.mtu',
      offset: 40,
      missingType: 3,
      missingNest: 32,
      policy,
      seq: 7,
      requestType: 16,
    });
  });
});

describe('NetlinkDecodeError / NetlinkEncodeError / NetlinkSocketError', () => {
  it('NetlinkDecodeError says where', () => {
    const e = new NetlinkDecodeError(
      'BAD_PAYLOAD_SIZE',
      'u32 needs 4 bytes, got 3',
      36,
      'link.mtu',
    );
    expect(e.message).toBe('u32 needs 4 bytes, got 3 at byte 36 (link.mtu)');
    expect(e).toMatchObject({ code: 'BAD_PAYLOAD_SIZE', offset: 36, path: 'link.mtu' });
    expect(new NetlinkDecodeError('BAD_LENGTH', 'x', 0).message).toBe('x at byte 0');
  });

  it('NetlinkEncodeError prefixes the path', () => {
    expect(new NetlinkEncodeError('OUT_OF_RANGE', 'too big', 'link.mtu').message).toBe(
      'link.mtu: too big',
    );
    expect(new NetlinkEncodeError('OUT_OF_RANGE', 'too big').message).toBe('too big');
    expect(new NetlinkEncodeError('BAD_TYPE', 'x', 'p')).toMatchObject({
      code: 'BAD_TYPE',
      path: 'p',
    });
  });

  it('NetlinkSocketError.fromErrno names the call and the errno', () => {
    const e = NetlinkSocketError.fromErrno(105, 'recvmsg', 'on fd 3');
    expect(e).toBeInstanceOf(NetlinkSocketError);
    expect(e).toMatchObject({ code: 'ENOBUFS', errno: 105, syscall: 'recvmsg' });
    expect(e.message).toMatch(/^recvmsg on fd 3: .* \(ENOBUFS\)$/);
  });
});

describe('docs/errors.md documents every code', () => {
  // Read the literal unions from the source, so a code added there and not to the doc fails here.
  const source = readFileSync(resolve(ROOT, 'src/netlink/errors.ts'), 'utf8');
  const union = (typeName: string): string[] => {
    const m = new RegExp(`export type ${typeName} =([^;]*);`).exec(source);
    if (!m) throw new Error(`type ${typeName} not found in errors.ts`);
    return [...m[1]!.matchAll(/'([A-Z0-9_]+)'/g)].map((x) => x[1]!);
  };
  const codes = [
    ...union('DecodeErrorCode').map((c) => ['NetlinkDecodeError', c]),
    ...union('EncodeErrorCode').map((c) => ['NetlinkEncodeError', c]),
  ];
  const docPath = resolve(ROOT, 'docs/errors.md');

  it('found the codes of both unions in errors.ts', () => {
    expect(codes.filter(([cls]) => cls === 'NetlinkDecodeError').length).toBeGreaterThan(0);
    expect(codes.filter(([cls]) => cls === 'NetlinkEncodeError').length).toBeGreaterThan(0);
  });

  it('docs/errors.md exists', () => {
    expect(existsSync(docPath), `${docPath} is missing`).toBe(true);
  });

  it.each(codes)('%s code %s appears in docs/errors.md', (_cls, code) => {
    const doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '';
    expect(doc).toMatch(new RegExp(`\\b${code}\\b`));
  });
});
