// Capture plugin (see scripts/capture-fixtures.mjs): iproute2's requests and the kernel's replies
// for routes (every kind of `ip route add`, replace, append, del, get, filtered dumps), rules,
// neighbours (ARP/NDP and bridge FDB) and addresses with IPv6 flags, metric and label.
// Runs in a fresh namespace of its own; dumps carry the `ip -j` document of the same run.

export const groups = ['route-requests', 'route-more', 'rule', 'neigh', 'address-more'];

// <linux/rtnetlink.h>
const RTM = {
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
  NEWROUTE: 24,
  DELROUTE: 25,
  GETROUTE: 26,
  NEWNEIGH: 28,
  DELNEIGH: 29,
  GETNEIGH: 30,
  NEWRULE: 32,
  DELRULE: 33,
  GETRULE: 34,
};
const NLM_F_DUMP = 0x300;

export default async function capture(ctx) {
  const { sh } = ctx;

  /**
   * Run `argv` under strace and write FOLDER/NAME.request + .reply for its exchange of `type`.
   * `refused`: the kernel may say no (this kernel lacks MPLS, …); the refusal is kept.
   * `json`: the command ran with `-j`; its stdout is the `ip -j` document of the same dump.
   */
  function cap(name, argv, type, what, { refused = false, json = false, flags = 0 } = {}) {
    const t = ctx.traced(argv, { allowFail: refused });
    const ex = ctx.pick(t, type, flags);
    const command = argv.join(' ');
    const last = ex.replies[ex.replies.length - 1];
    const failed = t.status !== 0;
    const expectReply = {};
    if (failed) expectReply.error = ctx.errorExpect(ex, t);
    if (json) {
      expectReply.ip_json = JSON.parse(t.stdout);
      expectReply.ip_json_command = command;
    }
    ctx.writePair(name, t, ex, {
      command,
      description: command,
      proves: {
        request: `${argv[0]}'s exact request bytes: ${what}`,
        reply: failed
          ? `the kernel's refusal: ${(expectReply.error.ext_ack_msg ?? expectReply.error.errno_name) || 'error'}`
          : json
            ? 'the kernel dump (one message per object), with the `ip -j` document of the same state'
            : last
              ? 'the kernel reply'
              : 'none',
      },
      expectReply,
    });
  }
  const ip = (name, args, type, what, opts) => cap(name, ['ip', ...args], type, what, opts);

  // -- State: two ifb links with IPv4 and IPv6 addresses. ---------------------------------------
  sh(['ip', 'link', 'set', 'lo', 'up']);
  for (const d of ['d0', 'd1']) {
    sh(['ip', 'link', 'add', d, 'type', 'ifb']);
    sh(['ip', 'link', 'set', d, 'up']);
  }
  sh(['ip', 'addr', 'add', '10.0.0.1/24', 'dev', 'd0']);
  sh(['ip', 'addr', 'add', '10.0.1.1/24', 'dev', 'd1']);
  sh(['ip', 'addr', 'add', '2001:db8::1/64', 'dev', 'd0', 'nodad']);
  sh(['ip', 'addr', 'add', '2001:db8:1::1/64', 'dev', 'd1', 'nodad']);

  // -- Routes: requests. -------------------------------------------------------------------------
  const R = 'route-requests';
  const routeAdds = [
    ['add-via', ['198.51.100.0/24', 'via', '10.0.0.2'], 'RTA_DST + RTA_GATEWAY'],
    [
      'add-dev-table-metric-src',
      [
        '203.0.113.0/24',
        'dev',
        'd0',
        'table',
        '1000',
        'metric',
        '50',
        'proto',
        'static',
        'scope',
        'link',
        'src',
        '10.0.0.1',
      ],
      'rtm_table 252 + RTA_TABLE 1000, RTA_PRIORITY, rtm_protocol static, rtm_scope link, RTA_PREFSRC, RTA_OIF',
    ],
    [
      'add-proto-bird',
      ['203.0.113.64/26', 'via', '10.0.0.2', 'proto', 'bird', 'metric', '100'],
      'rtm_protocol bird (12)',
    ],
    ['add-blackhole', ['blackhole', '10.10.1.0/24'], 'rtm_type blackhole'],
    ['add-unreachable', ['unreachable', '10.10.2.0/24'], 'rtm_type unreachable'],
    ['add-prohibit', ['prohibit', '10.10.3.0/24'], 'rtm_type prohibit'],
    ['add-throw', ['throw', '10.10.4.0/24', 'table', '1000'], 'rtm_type throw in table 1000'],
    [
      'add-local',
      ['local', '10.10.5.1', 'dev', 'd0', 'table', '1000'],
      'rtm_type local, host scope',
    ],
    [
      'add-broadcast',
      ['broadcast', '10.10.6.255', 'dev', 'd0', 'table', '1000'],
      'rtm_type broadcast, link scope',
    ],
    [
      'add-metrics',
      [
        '10.20.0.0/24',
        'via',
        '10.0.0.2',
        'mtu',
        'lock',
        '1400',
        'advmss',
        '1360',
        'window',
        '65535',
        'rtt',
        '100',
        'rttvar',
        '50',
        'ssthresh',
        '10',
        'cwnd',
        '10',
        'initcwnd',
        '10',
        'initrwnd',
        '20',
        'hoplimit',
        '64',
        'reordering',
        '3',
        'rto_min',
        '200',
        'quickack',
        '1',
        'features',
        'ecn',
        'congctl',
        'cubic',
        'fastopen_no_cookie',
        '1',
      ],
      'RTA_METRICS with every RTAX_* iproute2 can set, RTAX_LOCK for mtu',
    ],
    [
      'add-multipath-weights',
      [
        '10.30.0.0/24',
        'nexthop',
        'via',
        '10.0.0.2',
        'weight',
        '2',
        'nexthop',
        'via',
        '10.0.1.2',
        'weight',
        '3',
      ],
      'RTA_MULTIPATH: two rtnexthops with rtnh_hops 1 and 2, each with RTA_GATEWAY',
    ],
    [
      'add-multipath-dev-onlink',
      [
        '10.31.0.0/24',
        'nexthop',
        'via',
        '10.0.0.2',
        'dev',
        'd0',
        'weight',
        '2',
        'onlink',
        'nexthop',
        'via',
        '10.0.1.2',
        'dev',
        'd1',
      ],
      'RTA_MULTIPATH: rtnh_ifindex and RTNH_F_ONLINK',
    ],
    [
      'add-via-inet6',
      ['10.40.0.0/24', 'via', 'inet6', '2001:db8::2', 'dev', 'd0'],
      'RTA_VIA (struct rtvia, AF_INET6) on an IPv4 route',
    ],
    [
      'add-encap-seg6-inet',
      [
        '10.60.0.0/24',
        'encap',
        'seg6',
        'mode',
        'encap',
        'segs',
        '2001:db8::10,2001:db8::20',
        'dev',
        'd0',
      ],
      'RTA_ENCAP_TYPE seg6 + RTA_ENCAP{SEG6_IPTUNNEL_SRH}: mode encap and a two-segment SRH',
    ],
    [
      'add-encap-ip',
      ['10.70.0.0/24', 'encap', 'ip', 'id', '5', 'dst', '10.0.0.9', 'ttl', '10', 'dev', 'd0'],
      'RTA_ENCAP_TYPE ip + RTA_ENCAP{LWTUNNEL_IP_ID (be64), _DST, _TTL}',
    ],
  ];
  for (const [name, args, what] of routeAdds) {
    ip(`${R}/${name}`, ['route', 'add', ...args], RTM.NEWROUTE, `RTM_NEWROUTE, ${what}`);
  }
  // This kernel has no MPLS: the request bytes are what matters, the refusal is kept.
  ip(
    `${R}/add-encap-mpls`,
    ['route', 'add', '10.50.0.0/24', 'encap', 'mpls', '100/200', 'ttl', '10', 'via', '10.0.0.2'],
    RTM.NEWROUTE,
    'RTM_NEWROUTE, RTA_ENCAP_TYPE mpls + RTA_ENCAP{MPLS_IPTUNNEL_DST labels 100/200, MPLS_IPTUNNEL_TTL}',
    { refused: true },
  );
  ip(
    `${R}/add-multicast`,
    ['route', 'add', 'multicast', '239.1.1.0/24', 'dev', 'd0', 'table', '1000'],
    RTM.NEWROUTE,
    'RTM_NEWROUTE, rtm_type multicast',
    { refused: true },
  );
  const route6Adds = [
    [
      'add-ipv6-pref-expires',
      ['2001:db8:10::/64', 'via', '2001:db8::2', 'pref', 'high', 'expires', '300'],
      'AF_INET6, RTA_PREF high (1) and RTA_EXPIRES 300',
    ],
    [
      'add-ipv6-encap-seg6',
      [
        '2001:db8:20::/64',
        'encap',
        'seg6',
        'mode',
        'encap',
        'segs',
        '2001:db8::10,2001:db8::20,2001:db8::30',
        'dev',
        'd0',
      ],
      'AF_INET6 with a three-segment seg6 encap',
    ],
    [
      'add-ipv6-encap-seg6-inline',
      ['2001:db8:21::/64', 'encap', 'seg6', 'mode', 'inline', 'segs', '2001:db8::10', 'dev', 'd0'],
      'AF_INET6 with seg6 mode inline (SEG6_IPTUN_MODE_INLINE 0) and one segment',
    ],
    [
      'add-ipv6-multipath',
      [
        '2001:db8:30::/64',
        'nexthop',
        'via',
        '2001:db8::2',
        'dev',
        'd0',
        'weight',
        '1',
        'nexthop',
        'via',
        '2001:db8:1::2',
        'dev',
        'd1',
        'weight',
        '4',
      ],
      'AF_INET6 RTA_MULTIPATH with ifindexes and weights',
    ],
  ];
  for (const [name, args, what] of route6Adds) {
    ip(`${R}/${name}`, ['-6', 'route', 'add', ...args], RTM.NEWROUTE, `RTM_NEWROUTE, ${what}`);
  }
  ip(
    `${R}/replace`,
    ['route', 'replace', '198.51.100.0/24', 'via', '10.0.1.2'],
    RTM.NEWROUTE,
    'RTM_NEWROUTE with NLM_F_CREATE|NLM_F_REPLACE',
  );
  ip(
    `${R}/append`,
    ['route', 'append', '10.20.0.0/24', 'via', '10.0.1.2', 'metric', '5'],
    RTM.NEWROUTE,
    'RTM_NEWROUTE with NLM_F_CREATE|NLM_F_APPEND',
  );
  ip(
    `${R}/del-blackhole`,
    ['route', 'del', 'blackhole', '10.10.1.0/24'],
    RTM.DELROUTE,
    'RTM_DELROUTE of a blackhole route',
  );
  ip(
    `${R}/del-table`,
    ['route', 'del', 'throw', '10.10.4.0/24', 'table', '1000'],
    RTM.DELROUTE,
    'RTM_DELROUTE in table 1000',
  );

  // -- Routes: gets and dumps. -------------------------------------------------------------------
  const M = 'route-more';
  ip(
    `${M}/get`,
    ['route', 'get', '198.51.100.7'],
    RTM.GETROUTE,
    'RTM_GETROUTE for one address (RTM_F_LOOKUP_TABLE): the reply is one RTM_NEWROUTE',
  );
  ip(
    `${M}/get-fibmatch`,
    ['route', 'get', 'fibmatch', '10.20.0.7'],
    RTM.GETROUTE,
    'RTM_GETROUTE with RTM_F_FIB_MATCH: the reply is the matching FIB entry, metrics and all',
  );
  ip(
    `${M}/get-selectors`,
    [
      'route',
      'get',
      '10.30.0.7',
      'from',
      '10.0.0.1',
      'mark',
      '5',
      'uid',
      '1000',
      'ipproto',
      'tcp',
      'sport',
      '1000',
      'dport',
      '80',
    ],
    RTM.GETROUTE,
    'RTM_GETROUTE with RTA_SRC, RTA_MARK, RTA_UID, RTA_IP_PROTO, RTA_SPORT, RTA_DPORT',
  );
  ip(
    `${M}/get-ipv6`,
    ['-6', 'route', 'get', '2001:db8:10::7'],
    RTM.GETROUTE,
    'AF_INET6 RTM_GETROUTE: the reply carries RTA_CACHEINFO with the expiry, and RTA_PREF',
  );
  ip(
    `${M}/dump-table-1000`,
    ['-j', 'route', 'show', 'table', '1000'],
    RTM.GETROUTE,
    'a strict dump request filtered by table in the header and RTA_TABLE (kernel-side filtering)',
    { json: true, flags: NLM_F_DUMP },
  );
  ip(`${M}/dump-main`, ['-j', 'route', 'show'], RTM.GETROUTE, 'an IPv4 dump of the main table', {
    json: true,
    flags: NLM_F_DUMP,
  });
  ip(
    `${M}/dump-ipv6`,
    ['-j', '-6', 'route', 'show'],
    RTM.GETROUTE,
    'an IPv6 dump of the main table (pref, expires, seg6, multipath)',
    { json: true, flags: NLM_F_DUMP },
  );

  // -- Rules. ------------------------------------------------------------------------------------
  const rules = [
    [
      'add-from-lookup',
      ['from', '192.0.2.0/24', 'lookup', '100', 'pref', '100'],
      'FRA_SRC, src_len, FRA_TABLE, FRA_PRIORITY',
    ],
    ['add-to', ['to', '198.51.100.0/24', 'lookup', '101', 'pref', '101'], 'FRA_DST, dst_len'],
    [
      'add-fwmark-mask',
      ['fwmark', '0x10/0xff', 'lookup', '102', 'pref', '102'],
      'FRA_FWMARK and FRA_FWMASK',
    ],
    ['add-iif', ['iif', 'd0', 'lookup', '103', 'pref', '103'], 'FRA_IIFNAME'],
    ['add-oif', ['oif', 'd1', 'lookup', '104', 'pref', '104'], 'FRA_OIFNAME'],
    [
      'add-not',
      ['not', 'from', '10.0.0.0/8', 'lookup', '105', 'pref', '105'],
      'FIB_RULE_INVERT in flags',
    ],
    ['add-tos', ['tos', '0x10', 'lookup', '106', 'pref', '106'], 'tos in fib_rule_hdr'],
    [
      'add-uidrange',
      ['uidrange', '1000-2000', 'lookup', '107', 'pref', '107'],
      'FRA_UID_RANGE (struct fib_rule_uid_range)',
    ],
    [
      'add-ipproto-ports',
      ['ipproto', 'tcp', 'sport', '1000-2000', 'dport', '80', 'lookup', '108', 'pref', '108'],
      'FRA_IP_PROTO, FRA_SPORT_RANGE, FRA_DPORT_RANGE (struct fib_rule_port_range)',
    ],
    [
      'add-suppress-prefixlength',
      ['lookup', 'main', 'suppress_prefixlength', '0', 'pref', '109'],
      'FRA_SUPPRESS_PREFIXLEN 0 with the main table',
    ],
    [
      'add-goto',
      ['goto', '200', 'pref', '110'],
      'action FR_ACT_GOTO + FRA_GOTO (unresolved until rule 200 exists)',
    ],
    ['add-nop', ['nop', 'pref', '200'], 'action FR_ACT_NOP'],
    ['add-blackhole', ['blackhole', 'pref', '111'], 'action FR_ACT_BLACKHOLE'],
    ['add-unreachable', ['unreachable', 'pref', '112'], 'action FR_ACT_UNREACHABLE'],
    ['add-prohibit', ['prohibit', 'pref', '113'], 'action FR_ACT_PROHIBIT'],
    [
      'add-protocol',
      ['from', '192.0.2.1', 'table', '2000', 'pref', '114', 'protocol', 'static'],
      'FRA_PROTOCOL static, FRA_TABLE 2000',
    ],
    [
      'add-tun-id',
      ['tun_id', '5', 'lookup', '115', 'pref', '115'],
      'FRA_TUN_ID (u64 in network byte order)',
    ],
  ];
  for (const [name, args, what] of rules) {
    ip(`rule/${name}`, ['rule', 'add', ...args], RTM.NEWRULE, `RTM_NEWRULE, ${what}`);
  }
  ip(
    'rule/add-l3mdev',
    ['rule', 'add', 'l3mdev', 'pref', '116'],
    RTM.NEWRULE,
    'RTM_NEWRULE, FRA_L3MDEV 1',
    { refused: true },
  );
  ip(
    'rule/add-ipv6-from',
    ['-6', 'rule', 'add', 'from', '2001:db8::/32', 'lookup', '100', 'pref', '100'],
    RTM.NEWRULE,
    'AF_INET6, FRA_SRC /32',
  );
  ip(
    'rule/add-ipv6-to-iif',
    ['-6', 'rule', 'add', 'to', '2001:db8:1::/48', 'iif', 'd0', 'lookup', '101', 'pref', '101'],
    RTM.NEWRULE,
    'AF_INET6, FRA_DST /48 and FRA_IIFNAME',
  );
  ip('rule/del-pref', ['rule', 'del', 'pref', '105'], RTM.DELRULE, 'RTM_DELRULE by priority');
  ip('rule/dump-ipv4', ['-j', 'rule', 'show'], RTM.GETRULE, 'an IPv4 rule dump', {
    json: true,
    flags: NLM_F_DUMP,
  });
  ip('rule/dump-ipv6', ['-j', '-6', 'rule', 'show'], RTM.GETRULE, 'an IPv6 rule dump', {
    json: true,
    flags: NLM_F_DUMP,
  });

  // -- Neighbours. -------------------------------------------------------------------------------
  const neighs = [
    [
      'add-permanent',
      ['add', '10.0.0.5', 'lladdr', '02:00:00:00:00:05', 'dev', 'd0'],
      'NDA_DST + NDA_LLADDR, NUD_PERMANENT by default',
    ],
    [
      'add-reachable',
      ['add', '10.0.0.6', 'lladdr', '02:00:00:00:00:06', 'dev', 'd0', 'nud', 'reachable'],
      'ndm_state NUD_REACHABLE',
    ],
    [
      'add-stale',
      ['add', '10.0.0.7', 'lladdr', '02:00:00:00:00:07', 'dev', 'd0', 'nud', 'stale'],
      'ndm_state NUD_STALE',
    ],
    [
      'add-noarp',
      ['add', '10.0.0.8', 'lladdr', '02:00:00:00:00:08', 'dev', 'd0', 'nud', 'noarp'],
      'ndm_state NUD_NOARP',
    ],
    [
      'replace',
      ['replace', '10.0.0.6', 'lladdr', '02:00:00:00:00:16', 'dev', 'd0', 'nud', 'permanent'],
      'NLM_F_CREATE|NLM_F_REPLACE',
    ],
    ['add-proxy', ['add', 'proxy', '10.0.0.9', 'dev', 'd0'], 'ndm_flags NTF_PROXY, no NDA_LLADDR'],
  ];
  for (const [name, args, what] of neighs) {
    ip(`neigh/${name}`, ['neigh', ...args], RTM.NEWNEIGH, `RTM_NEWNEIGH, ${what}`);
  }
  ip(
    'neigh/add-ipv6-router',
    ['-6', 'neigh', 'add', '2001:db8::5', 'lladdr', '02:00:00:00:00:25', 'dev', 'd0', 'router'],
    RTM.NEWNEIGH,
    'AF_INET6, ndm_flags NTF_ROUTER',
  );
  ip(
    'neigh/add-ipv6-proxy',
    ['-6', 'neigh', 'add', 'proxy', '2001:db8::9', 'dev', 'd0'],
    RTM.NEWNEIGH,
    'AF_INET6 proxy entry',
  );
  ip('neigh/del', ['neigh', 'del', '10.0.0.7', 'dev', 'd0'], RTM.DELNEIGH, 'RTM_DELNEIGH');
  ip('neigh/dump', ['-j', 'neigh', 'show'], RTM.GETNEIGH, 'a neighbour dump (IPv4 and IPv6)', {
    json: true,
    flags: NLM_F_DUMP,
  });
  ip(
    'neigh/dump-proxy',
    ['-j', 'neigh', 'show', 'proxy'],
    RTM.GETNEIGH,
    'a proxy-entry dump (ndm_flags NTF_PROXY in the request)',
    {
      json: true,
      flags: NLM_F_DUMP,
    },
  );

  // Bridge FDB (AF_BRIDGE): a bridge port and a vxlan with a remote.
  sh(['ip', 'link', 'add', 'br0', 'type', 'bridge']);
  sh(['ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
  sh(['ip', 'link', 'set', 'v0', 'master', 'br0']);
  for (const d of ['br0', 'v0', 'v1']) sh(['ip', 'link', 'set', d, 'up']);
  sh([
    'ip',
    'link',
    'add',
    'vx0',
    'type',
    'vxlan',
    'id',
    '42',
    'dstport',
    '4789',
    'local',
    '10.0.0.1',
    'dev',
    'd0',
  ]);
  cap(
    'neigh/fdb-add-master-static',
    ['bridge', 'fdb', 'add', '02:00:00:00:00:aa', 'dev', 'v0', 'master', 'static'],
    RTM.NEWNEIGH,
    'AF_BRIDGE RTM_NEWNEIGH with NTF_MASTER, NUD_NOARP, NDA_LLADDR only',
  );
  cap(
    'neigh/fdb-add-vxlan-remote',
    [
      'bridge',
      'fdb',
      'add',
      '00:00:00:00:00:00',
      'dev',
      'vx0',
      'dst',
      '10.0.0.99',
      'port',
      '4790',
      'vni',
      '43',
      'self',
      'permanent',
    ],
    RTM.NEWNEIGH,
    'AF_BRIDGE with NTF_SELF, NDA_DST, NDA_PORT (be16), NDA_VNI',
  );
  cap('neigh/fdb-dump', ['bridge', '-j', 'fdb', 'show'], RTM.GETNEIGH, 'an AF_BRIDGE FDB dump', {
    json: true,
    flags: NLM_F_DUMP,
  });

  // -- Addresses. --------------------------------------------------------------------------------
  const A = 'address-more';
  const addrs = [
    [
      'add-ipv6-noprefixroute',
      ['2001:db8:2::1/64', 'dev', 'd0', 'nodad', 'noprefixroute'],
      'IFA_FLAGS nodad|noprefixroute (0x202)',
    ],
    [
      'add-ipv6-mngtmpaddr',
      ['2001:db8:3::1/64', 'dev', 'd0', 'nodad', 'mngtmpaddr'],
      'IFA_FLAGS with IFA_F_MANAGETEMPADDR',
    ],
    ['add-ipv6-home', ['2001:db8:4::1/64', 'dev', 'd0', 'nodad', 'home'], 'IFA_F_HOMEADDRESS'],
    [
      'add-metric-label',
      ['10.0.2.1/24', 'dev', 'd0', 'metric', '300', 'label', 'd0:x'],
      'IFA_RT_PRIORITY and IFA_LABEL',
    ],
    [
      'add-ipv6-metric',
      ['2001:db8:5::1/64', 'dev', 'd0', 'nodad', 'metric', '400'],
      'AF_INET6 IFA_RT_PRIORITY',
    ],
  ];
  for (const [name, args, what] of addrs) {
    ip(`${A}/${name}`, ['addr', 'add', ...args], RTM.NEWADDR, `RTM_NEWADDR, ${what}`);
  }
  // iproute2 6.1 has no `proto` for addresses: IFA_PROTO is proven by hand-built bytes only.
  sh(['ip', 'addr', 'add', '10.0.3.1/24', 'dev', 'd1']);
  ip(`${A}/del`, ['addr', 'del', '10.0.3.1/24', 'dev', 'd1'], RTM.DELADDR, 'RTM_DELADDR');
  ip(
    `${A}/dump`,
    ['-j', 'addr', 'show'],
    RTM.GETADDR,
    'an address dump with IPv6 flags, metrics and labels',
    {
      json: true,
      flags: NLM_F_DUMP,
    },
  );
}
