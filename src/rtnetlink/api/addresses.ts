// rt.addresses: list / iterate / add / replace / delete / flush. Requests come from the pure
// builders in ../requests/address.ts; replies are decoded with the address schema.
import { NetlinkEncodeError, NetlinkError } from '../../netlink/errors.js';
import type { NetlinkMessage } from '../../netlink/message.js';
import type { Decoded, FlagSet } from '../../netlink/schema.js';
import { addressMessage } from '../address.js';
import type { RtNetlink } from '../client.js';
import { IFA_F, RT_SCOPE, RTM_NEWADDR } from '../constants.js';
import {
  type AddressCommand,
  type AddressSpec,
  addressDumpRequest,
  addressRequest,
  type ScopeInput,
} from '../requests/address.js';
import type { RequestMessage } from '../requests/link.js';
import {
  checkDevRef,
  type DevRef,
  enumName,
  enumValue,
  flagSetOf,
  parseFamily,
  parseInetAddress,
  parseInetPrefix,
} from './inet.js';

/** EADDRNOTAVAIL: the address is gone (a flush deleting a primary takes its secondaries). */
const EADDRNOTAVAIL = 99;

/** The decoded IFA_* attributes of an address (the address schema's decode). */
export type AddressAttributes = Decoded<typeof addressMessage.attributes.attrs>;

/**
 * An interface address as the kernel reported it: the ifaddrmsg fields with natural values, the
 * `address` convenience, and every attribute as the address schema decodes it.
 */
export interface Address {
  /** AF_INET (2) or AF_INET6 (10). */
  family: number;
  /** ifa_prefixlen */
  prefixlen: number;
  /** All 32 flag bits (IFA_FLAGS when the kernel sent it, else the 8-bit ifa_flags). */
  flags: FlagSet<keyof typeof IFA_F>;
  /** ifa_scope: `universe` (iproute2's `global`), `site`, `link`, `host`, … or the number. */
  scope: keyof typeof RT_SCOPE | number;
  /** ifa_index: the device's ifindex. */
  index: number;
  /** The local address and prefix length, `'192.0.2.1/24'` (IFA_LOCAL, else IFA_ADDRESS). */
  address: string;
  /** Every IFA_* attribute, decoded. */
  attributes: AddressAttributes;
}

/**
 * What {@link Addresses.list} selects. `dev` and `family` go into the dump request and the
 * kernel filters on them (so only matching addresses travel); `scope`, `label` and `address`
 * are checked on each decoded address, as the kernel cannot filter on them.
 */
export interface AddressFilter {
  /** Only addresses of this device (kernel-side: ifa_index). */
  dev?: DevRef;
  /** Only IPv4 (`inet`, 4) or IPv6 (`inet6`, 6) addresses (kernel-side: ifa_family). */
  family?: 'inet' | 'inet6' | 2 | 4 | 6 | 10;
  /** Only addresses of this scope. */
  scope?: ScopeInput;
  /** Only IPv4 addresses with this label. */
  label?: string;
  /** Only this address: `'a.b.c.d/len'`, or a bare address matching any prefix length. */
  address?: string;
}

/** An {@link AddressSpec} whose device is a name or an ifindex. */
export type AddressSpecInput = AddressSpec<DevRef>;

/** Turn an RTM_NEWADDR message (or its payload) into an {@link Address}. */
export function decodeAddress(msg: NetlinkMessage | Uint8Array): Address {
  const payload = msg instanceof Uint8Array ? msg : msg.payload;
  const { header: h, attributes } = addressMessage.decode(payload);
  const local = attributes.local ?? attributes.address;
  return {
    family: h.family,
    prefixlen: h.prefixlen,
    flags: attributes.flags ?? flagSetOf(IFA_F, h.flags),
    scope: enumName(RT_SCOPE, h.scope),
    index: h.index,
    address: local === undefined ? '' : `${local}/${h.prefixlen}`,
    attributes,
  };
}

/** IPv4 and IPv6 interface addresses (RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR). Reach it as `rt.addresses`. */
export class Addresses {
  readonly #rt: RtNetlink;

  constructor(rt: RtNetlink) {
    this.#rt = rt;
  }

  /** Every address matching `filter` (every address without one). See {@link AddressFilter}. */
  async list(filter: AddressFilter = {}): Promise<Address[]> {
    const { req, keep } = await this.#dump(filter);
    const messages = await this.#rt.connection
      .dump(req.type, req.payload, { flags: req.flags, schema: addressMessage })
      .list();
    const out: Address[] = [];
    for (const m of messages) {
      if (m.type !== RTM_NEWADDR) continue;
      const a = decodeAddress(m);
      if (keep(a)) out.push(a);
    }
    return out;
  }

  /** The addresses matching `filter`, decoded one by one as the dump arrives. */
  async *iterate(filter: AddressFilter = {}): AsyncGenerator<Address, void, undefined> {
    const { req, keep } = await this.#dump(filter);
    for await (const m of this.#rt.connection.dump(req.type, req.payload, {
      flags: req.flags,
      schema: addressMessage,
    })) {
      if (m.type !== RTM_NEWADDR) continue;
      const a = decodeAddress(m);
      if (keep(a)) yield a;
    }
  }

  async #dump(
    filter: AddressFilter,
  ): Promise<{ req: RequestMessage; keep: (a: Address) => boolean }> {
    if (typeof filter !== 'object' || filter === null) filter = {};
    const family =
      filter.family === undefined ? undefined : parseFamily(filter.family, 'address.family');
    const dev = filter.dev === undefined ? undefined : checkDevRef(filter.dev, 'address.dev');
    const scope =
      filter.scope === undefined
        ? undefined
        : filter.scope === 'global'
          ? 0
          : enumValue(RT_SCOPE, filter.scope, 255, 'address.scope');
    const { label } = filter;
    if (label !== undefined && typeof label !== 'string') {
      throw new NetlinkEncodeError('BAD_VALUE', 'expected a label string', 'address.label');
    }
    const match = filter.address === undefined ? undefined : addressMatcher(filter.address);
    const index = dev === undefined ? undefined : await this.#rt.links.index(dev);
    const req = addressDumpRequest({
      ...(family !== undefined ? { family } : {}),
      ...(index !== undefined ? { index } : {}),
    });
    // The kernel-side filters are checked again: a kernel without strict checking ignores them.
    const keep = (a: Address): boolean =>
      (family === undefined || a.family === family) &&
      (index === undefined || a.index === index) &&
      (scope === undefined || a.scope === enumName(RT_SCOPE, scope)) &&
      (label === undefined || a.attributes.label === label) &&
      (match === undefined || match(a));
    return { req, keep };
  }

  /**
   * Add an address (`ip addr add`): RTM_NEWADDR with NLM_F_CREATE | NLM_F_EXCL.
   *
   * ```ts
   * await rt.addresses.add({ dev: 'eth0', address: '192.0.2.1/24', broadcast: '+' });
   * await rt.addresses.add({ dev: 'eth0', address: '2001:db8::1/64', flags: ['nodad'] });
   * ```
   *
   * @throws {NetlinkEncodeError} BAD_VALUE naming the field before anything is sent.
   * @throws {NetlinkError} the kernel's refusal (EEXIST "…already assigned…", …).
   */
  add(spec: AddressSpecInput): Promise<void> {
    return this.#change('add', spec);
  }

  /**
   * Change an address (`ip addr change`): RTM_NEWADDR with NLM_F_REPLACE alone, as iproute2
   * sends it. Lifetimes, flags, metric and proto are what one changes this way. (Linux does not
   * check NLM_F_CREATE for addresses: a missing address is added, as with replace.)
   */
  change(spec: AddressSpecInput): Promise<void> {
    return this.#change('change', spec);
  }

  /** Add an address or change an existing one (`ip addr replace`): NLM_F_CREATE | NLM_F_REPLACE. */
  replace(spec: AddressSpecInput): Promise<void> {
    return this.#change('replace', spec);
  }

  /**
   * Delete an address (`ip addr del`). An IPv4 address given without a prefix length matches
   * whatever prefix length it has.
   */
  delete(spec: AddressSpecInput): Promise<void> {
    return this.#change('delete', spec);
  }

  /**
   * Delete every address matching `filter` (`ip addr flush`), which must select something
   * (at least one field); resolves with the number deleted. Deleting a primary IPv4 address
   * also takes its secondaries; those are counted as deleted.
   */
  async flush(filter: AddressFilter): Promise<number> {
    if (
      typeof filter !== 'object' ||
      filter === null ||
      Object.values(filter).every((v) => v === undefined)
    ) {
      throw new NetlinkEncodeError(
        'BAD_VALUE',
        'flush needs a filter (dev, family, scope, label or address): it would delete every address',
        'address.filter',
      );
    }
    const found = await this.list(filter);
    await Promise.all(
      found.map(async (a) => {
        const local = a.attributes.local ?? a.attributes.address;
        if (local === undefined) return;
        const peer =
          a.attributes.local !== undefined &&
          a.attributes.address !== undefined &&
          a.attributes.address !== a.attributes.local
            ? `${a.attributes.address}/${a.prefixlen}`
            : undefined;
        const req = addressRequest('delete', {
          dev: a.index,
          address: `${local}/${a.prefixlen}`,
          ...(peer !== undefined ? { peer } : {}),
        });
        try {
          await this.#send(req);
        } catch (err) {
          if (!(err instanceof NetlinkError && err.errno === EADDRNOTAVAIL)) throw err;
        }
      }),
    );
    return found.length;
  }

  async #change(command: AddressCommand, spec: AddressSpecInput): Promise<void> {
    if (typeof spec !== 'object' || spec === null) {
      throw new NetlinkEncodeError('BAD_VALUE', 'expected an address spec', 'address');
    }
    const dev = checkDevRef(spec.dev, 'address.dev');
    // A device given by ifindex: one build, nothing to look up (the bulk path).
    if (typeof dev === 'number') return this.#send(addressRequest(command, spec as AddressSpec));
    // Validate everything before the device lookup sends anything.
    addressRequest(command, { ...spec, dev: 1 });
    const index = await this.#rt.links.index(dev);
    await this.#send(addressRequest(command, { ...spec, dev: index }));
  }

  async #send(req: RequestMessage): Promise<void> {
    await this.#rt.connection.request(req.type, req.payload, {
      flags: req.flags,
      schema: addressMessage,
    });
  }
}

/** A predicate for `filter.address`: exact prefix, or a bare address matching any length. */
function addressMatcher(text: unknown): (a: Address) => boolean {
  const want = parseInetPrefix(text, 'address.address');
  const bare = !(text as string).includes('/');
  const wanted = Buffer.from(want.bytes);
  return (a) => {
    if (a.family !== want.family || (!bare && a.prefixlen !== want.prefixLen)) return false;
    const local = a.attributes.local ?? a.attributes.address;
    return local !== undefined && wanted.equals(parseInetAddress(local, 'address').bytes);
  };
}
