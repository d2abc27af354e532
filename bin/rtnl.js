#!/usr/bin/env node
// rtnl: an ip-compatible command line on rtnl's public API. This first cut answers
// `link show` (text, -j, -p, -n NETNS); the full iproute2 grammar is its own piece of work.
import { Connection, linkMessage, NetlinkError, RTM_GETLINK } from '../dist/index.js';

const USAGE = `Usage: rtnl [ OPTIONS ] link show [ [dev] NAME ]
OPTIONS := { -j[son] | -p[retty] | -n[etns] NAME }`;

// IFF_* bits (<linux/if.h>) in the order iproute2's print_link_flags prints them.
const IFF_RUNNING = 0x40;
const IFF_UP = 0x1;
const FLAG_ORDER = [
  ['LOOPBACK', 0x8],
  ['BROADCAST', 0x2],
  ['POINTOPOINT', 0x10],
  ['MULTICAST', 0x1000],
  ['NOARP', 0x80],
  ['ALLMULTI', 0x200],
  ['PROMISC', 0x100],
  ['MASTER', 0x400],
  ['SLAVE', 0x800],
  ['DEBUG', 0x4],
  ['DYNAMIC', 0x8000],
  ['AUTOMEDIA', 0x4000],
  ['PORTSEL', 0x2000],
  ['NOTRAILERS', 0x20],
  ['UP', 0x1],
  ['LOWER_UP', 0x10000],
  ['DORMANT', 0x20000],
  ['ECHO', 0x40000],
];
// ARPHRD_* (<linux/if_arp.h>) as iproute2's ll_type_n2a names them.
const LINK_TYPES = {
  1: 'ether',
  772: 'loopback',
  65534: 'none',
  768: 'ipip',
  769: 'tunnel6',
  776: 'sit',
  778: 'gre',
  823: 'ip6gre',
  65535: 'void',
};
const LINKMODES = ['DEFAULT', 'DORMANT', 'TESTING'];

function flagNames(raw) {
  const out = [];
  let flags = raw;
  if (flags & IFF_UP && !(flags & IFF_RUNNING)) out.push('NO-CARRIER');
  flags &= ~IFF_RUNNING;
  for (const [name, bit] of FLAG_ORDER) {
    if (flags & bit) {
      flags &= ~bit;
      out.push(name);
    }
  }
  if (flags) out.push(flags.toString(16));
  return out;
}

function toJson(link, names) {
  const { header: h, attributes: a } = link;
  const o = { ifindex: h.index, ifname: a.ifname };
  if (a.link !== undefined && a.linkNetnsid === undefined) o.link = names.get(a.link) ?? null;
  o.flags = flagNames(h.flags);
  o.mtu = a.mtu;
  if (a.qdisc !== undefined) o.qdisc = a.qdisc;
  if (a.master !== undefined) o.master = names.get(a.master);
  o.operstate = typeof a.operstate === 'string' ? a.operstate.toUpperCase() : String(a.operstate);
  o.linkmode =
    typeof a.linkmode === 'string'
      ? a.linkmode.toUpperCase()
      : (LINKMODES[a.linkmode] ?? String(a.linkmode));
  o.group = a.group === 0 ? 'default' : String(a.group);
  if (a.txqlen !== undefined) o.txqlen = a.txqlen;
  o.link_type = LINK_TYPES[h.type] ?? `[${h.type}]`;
  if (a.address !== undefined) o.address = a.address;
  if (a.broadcast !== undefined) o.broadcast = a.broadcast;
  if (a.linkNetnsid !== undefined) o.link_netnsid = a.linkNetnsid;
  return o;
}

function toText(o) {
  let line = `${o.ifindex}: ${o.ifname}${o.link ? `@${o.link}` : ''}: <${o.flags.join(',')}> mtu ${o.mtu}`;
  if (o.qdisc) line += ` qdisc ${o.qdisc}`;
  if (o.master) line += ` master ${o.master}`;
  line += ` state ${o.operstate} mode ${o.linkmode} group ${o.group}`;
  if (o.txqlen !== undefined) line += ` qlen ${o.txqlen}`;
  line += `\n    link/${o.link_type}`;
  if (o.address !== undefined) line += ` ${o.address}`;
  if (o.broadcast !== undefined) line += ` brd ${o.broadcast}`;
  if (o.link_netnsid !== undefined) line += ` link-netnsid ${o.link_netnsid}`;
  return line;
}

function usage(message) {
  if (message) process.stderr.write(`${message}\n`);
  process.stderr.write(`${USAGE}\n`);
  process.exit(message ? 255 : 0);
}

async function main(argv) {
  let json = false;
  let pretty = false;
  let netns;
  const args = [...argv];
  while (args[0]?.startsWith('-')) {
    const opt = args.shift();
    if (/^--?j(son)?$/.test(opt)) json = true;
    else if (/^--?p(retty)?$/.test(opt)) pretty = true;
    else if (/^--?n(etns)?$/.test(opt)) {
      netns = args.shift();
      if (!netns) usage('Option "-n" needs a namespace name');
    } else if (/^--?h(elp)?$/.test(opt)) usage();
    else usage(`Option "${opt}" is unknown, try "rtnl -help".`);
  }
  const [object, command = 'show', ...rest] = args;
  if (!object) usage();
  if (!'link'.startsWith(object)) {
    process.stderr.write(
      `rtnl: "${object}" is not implemented yet; this version answers "link show".\n`,
    );
    process.exit(2);
  }
  if (!['show', 'list', 'lst'].some((c) => c.startsWith(command))) {
    process.stderr.write(
      `rtnl: "link ${command}" is not implemented yet; this version answers "link show".\n`,
    );
    process.exit(2);
  }
  let dev;
  if (rest[0] === 'dev') rest.shift();
  if (rest.length > 1) usage(`Either "dev" is duplicate, or "${rest[1]}" is a garbage.`);
  dev = rest[0];

  const conn = await Connection.open(
    netns ? { netns: netns.includes('/') ? netns : `/run/netns/${netns}` } : {},
  );
  try {
    const links = [];
    for await (const msg of conn.dump(RTM_GETLINK, (w) =>
      linkMessage.encode(w, { header: {}, attributes: { extMask: 1 } }),
    )) {
      links.push(linkMessage.decode(msg.payload));
    }
    const names = new Map(links.map((l) => [l.header.index, l.attributes.ifname]));
    const shown = links
      .filter((l) => dev === undefined || l.attributes.ifname === dev)
      .map((l) => toJson(l, names));
    if (dev !== undefined && shown.length === 0) {
      process.stderr.write(`Device "${dev}" does not exist.\n`);
      process.exitCode = 1;
      return;
    }
    if (json)
      process.stdout.write(`${pretty ? JSON.stringify(shown, null, 4) : JSON.stringify(shown)}\n`);
    else for (const o of shown) process.stdout.write(`${toText(o)}\n`);
  } finally {
    conn.close();
  }
}

// `rtnl link | head`: a closed pipe ends the output quietly, as it does for ip.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv.slice(2)).catch((err) => {
  if (err instanceof NetlinkError)
    process.stderr.write(`Error: ${err.kernelMessage ?? err.message}\n`);
  else process.stderr.write(`rtnl: ${err.message}\n`);
  process.exit(err instanceof NetlinkError ? 2 : 1);
});
