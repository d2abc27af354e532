// Capture plugin (see scripts/capture-fixtures.mjs): link kinds.
//
// 1. iproute2's RTM_NEWLINK request for `ip link add NAME type KIND <options>` for every kind
//    rtnl declares, with many of each kind's options (several variants for the bigger kinds),
//    and the kernel's answer: an ack for the kinds this kernel has, its refusal ("Unknown device
//    type", EOPNOTSUPP) for the others. The request bytes are the golden reference either way.
// 2. `ip link set DEV type bridge_slave|bond_slave …` (IFLA_INFO_SLAVE_DATA).
// 3. For every kind this kernel has, the kernel's RTM_NEWLINK reply to `ip -d link show dev X`
//    with the `ip -j -d link show dev X` document of the same state.
//
// Runs in a fresh namespace of its own (only lo); the veth peer goes to ctx.peerNamespace().

export const groups = ['link-kinds'];

const DIR = 'link-kinds';

export default async function capture(ctx) {
  const { sh, RTM } = ctx;

  sh(['ip', 'link', 'set', 'lo', 'up']);
  sh(['ip', 'link', 'add', 'ifb0', 'type', 'ifb']);
  sh(['ip', 'link', 'set', 'ifb0', 'up']);
  // A second lower device: a passthru macvlan takes its lower device over.
  sh(['ip', 'link', 'add', 'ifb9', 'type', 'ifb']);
  const peer = ctx.peerNamespace();

  /** `ip ARGS` under strace; NAME.request/.reply for its (last) RTM_NEWLINK exchange. */
  function add(name, args, what) {
    const t = ctx.captureIp(`${DIR}/${name}`, args, RTM.NEWLINK, what, {
      allowFail: true,
      // iproute2 probes with an empty RTM_NEWLINK first; a second one proves it parsed the
      // command and sent the real request (ctx.pick fails otherwise).
      check: (trace) => ctx.pick(trace, RTM.NEWLINK, 0, 1),
      refusalNote: (e) =>
        e.ext_ack_msg === 'Unknown device type' ? ': this kernel has no such kind' : '',
    });
    return t.status === 0;
  }

  /** `ip -d link show dev DEV` under strace (the GETLINK exchange) + `ip -j -d` of the same state. */
  function show(name, dev, what) {
    const args = ['-d', 'link', 'show', 'dev', dev];
    const t = ctx.traced(['ip', ...args]);
    const ipJson = ctx.ipJson(args);
    // The first GETLINK asks for DEV; ip may then ask for its lower device or master by index.
    ctx.writePair(`${DIR}/${name}`, t, ctx.pick(t, RTM.GETLINK, 0, 0), {
      command: `ip ${args.join(' ')}`,
      description: `ip ${args.join(' ')}: ${what}`,
      proves: {
        request: "iproute2's RTM_GETLINK for one device: ifi_index, IFLA_EXT_MASK",
        reply: `the kernel's RTM_NEWLINK for ${what}, IFLA_LINKINFO with its IFLA_INFO_DATA; ip -j -d of the same state`,
      },
      expectReply: { ip_json: ipJson, ip_json_command: `ip -j ${args.join(' ')}` },
    });
  }

  // ---- kinds this kernel has -----------------------------------------------------------------
  add(
    'veth-add',
    [
      'link',
      'add',
      'v0',
      'address',
      '02:00:00:00:00:01',
      'mtu',
      '1400',
      'type',
      'veth',
      'peer',
      'name',
      'v0p',
      'address',
      '02:00:00:00:00:02',
      'mtu',
      '1300',
      'netns',
      String(peer),
    ],
    'veth with VETH_INFO_PEER: a struct ifinfomsg then IFLA_IFNAME, IFLA_ADDRESS, IFLA_MTU, IFLA_NET_NS_PID of the peer',
  );
  add(
    'veth-add-plain',
    ['link', 'add', 'v1', 'type', 'veth', 'peer', 'name', 'v1p'],
    'veth whose peer has only a name',
  );
  add(
    'bridge-add',
    [
      'link',
      'add',
      'br0',
      'type',
      'bridge',
      'forward_delay',
      '400',
      'hello_time',
      '300',
      'max_age',
      '2500',
      'ageing_time',
      '20000',
      'stp_state',
      '1',
      'priority',
      '4096',
      'group_fwd_mask',
      '0x8',
      'group_address',
      '01:80:c2:00:00:0e',
    ],
    'IFLA_BR_* STP timers, priority, group forward mask and group address',
  );
  add(
    'bridge-add-mcast',
    [
      'link',
      'add',
      'br1',
      'type',
      'bridge',
      'mcast_snooping',
      '1',
      'mcast_router',
      '2',
      'mcast_query_use_ifaddr',
      '1',
      'mcast_querier',
      '1',
      'mcast_hash_max',
      '1024',
      'mcast_last_member_count',
      '3',
      'mcast_startup_query_count',
      '3',
      'mcast_last_member_interval',
      '200',
      'mcast_membership_interval',
      '26000',
      'mcast_querier_interval',
      '25500',
      'mcast_query_interval',
      '12500',
      'mcast_query_response_interval',
      '1000',
      'mcast_startup_query_interval',
      '3125',
      'mcast_stats_enabled',
      '1',
      'mcast_igmp_version',
      '3',
      'mcast_mld_version',
      '2',
      'nf_call_iptables',
      '1',
      'nf_call_ip6tables',
      '1',
      'nf_call_arptables',
      '1',
      'no_linklocal_learn',
      '1',
    ],
    'IFLA_BR_MCAST_* (u8, u32 and u64 intervals), IFLA_BR_NF_CALL_*, IFLA_BR_MULTI_BOOLOPT',
  );
  add(
    'bridge-add-vlan',
    [
      'link',
      'add',
      'br2',
      'type',
      'bridge',
      'vlan_filtering',
      '1',
      'vlan_protocol',
      '802.1ad',
      'vlan_default_pvid',
      '10',
      'vlan_stats_enabled',
      '1',
      'vlan_stats_per_port',
      '1',
    ],
    'IFLA_BR_VLAN_FILTERING, IFLA_BR_VLAN_PROTOCOL (be16), IFLA_BR_VLAN_DEFAULT_PVID, vlan stats',
  );
  add(
    'vxlan-add',
    [
      'link',
      'add',
      'vx0',
      'type',
      'vxlan',
      'id',
      '42',
      'group',
      '239.1.1.1',
      'dev',
      'ifb0',
      'dstport',
      '4789',
      'srcport',
      '5000',
      '6000',
      'ttl',
      '64',
      'tos',
      '0x10',
      'noproxy',
      'nolearning',
      'ageing',
      '300',
      'maxaddress',
      '100',
      'l2miss',
      'l3miss',
    ],
    'IPv4 vxlan: IFLA_VXLAN_ID, _GROUP, _LINK, _PORT_RANGE, _PORT (be16), _TTL, _TOS, _LEARNING, _AGEING, _LIMIT, _L2MISS, _L3MISS',
  );
  add(
    'vxlan-add-ipv6',
    [
      'link',
      'add',
      'vx6',
      'type',
      'vxlan',
      'id',
      '4242',
      'remote',
      '2001:db8::2',
      'local',
      '2001:db8::1',
      'dstport',
      '4790',
      'ttl',
      'inherit',
      'noudpcsum',
      'udp6zerocsumtx',
      'udp6zerocsumrx',
      'flowlabel',
      '0x12345',
      'df',
      'set',
    ],
    'IPv6 vxlan: IFLA_VXLAN_GROUP6, _LOCAL6, _TTL_INHERIT (a flag), _LABEL (be32), _DF, UDP checksum options',
  );
  add(
    'vxlan-add-external',
    ['link', 'add', 'vx1', 'type', 'vxlan', 'external', 'gbp', 'dstport', '4791'],
    'IFLA_VXLAN_COLLECT_METADATA and IFLA_VXLAN_GBP (a flag)',
  );
  add(
    'macvlan-add',
    ['link', 'add', 'mv0', 'link', 'ifb9', 'type', 'macvlan', 'mode', 'passthru', 'nopromisc'],
    'IFLA_LINK, IFLA_MACVLAN_MODE passthru, IFLA_MACVLAN_FLAGS nopromisc (u16)',
  );
  add(
    'macvlan-add-source',
    [
      'link',
      'add',
      'mvs',
      'link',
      'ifb0',
      'type',
      'macvlan',
      'mode',
      'source',
      'macaddr',
      'set',
      '02:00:00:00:00:10',
      '02:00:00:00:00:11',
      'bcqueuelen',
      '500',
    ],
    'mode source: IFLA_MACVLAN_MACADDR_MODE set, IFLA_MACVLAN_MACADDR_DATA (a nest of IFLA_MACVLAN_MACADDR), IFLA_MACVLAN_BC_QUEUE_LEN',
  );
  add(
    'macvtap-add',
    ['link', 'add', 'mvt0', 'link', 'ifb0', 'type', 'macvtap', 'mode', 'vepa'],
    'macvtap with IFLA_MACVLAN_MODE vepa',
  );
  add(
    'ifb-add',
    ['link', 'add', 'ifb1', 'txqueuelen', '64', 'type', 'ifb'],
    'ifb (no IFLA_INFO_DATA)',
  );

  // ---- kinds this kernel lacks: the request is the reference ----------------------------------
  add(
    'dummy-add',
    ['link', 'add', 'd0', 'mtu', '9000', 'type', 'dummy'],
    'dummy (no IFLA_INFO_DATA)',
  );
  add(
    'vlan-add',
    [
      'link',
      'add',
      'link',
      'ifb0',
      'name',
      'ifb0.100',
      'type',
      'vlan',
      'protocol',
      '802.1Q',
      'id',
      '100',
      'reorder_hdr',
      'on',
      'gvrp',
      'on',
      'loose_binding',
      'on',
      'mvrp',
      'on',
      'egress-qos-map',
      '0:1',
      '2:3',
      'ingress-qos-map',
      '1:0',
      '3:2',
    ],
    'IFLA_VLAN_PROTOCOL (be16), IFLA_VLAN_ID, IFLA_VLAN_FLAGS (struct ifla_vlan_flags), egress/ingress QoS nests of struct ifla_vlan_qos_mapping',
  );
  add(
    'vlan-add-8021ad',
    [
      'link',
      'add',
      'link',
      'ifb0',
      'name',
      'ifb0.200',
      'type',
      'vlan',
      'protocol',
      '802.1ad',
      'id',
      '200',
      'bridge_binding',
      'on',
    ],
    '802.1ad vlan with VLAN_FLAG_BRIDGE_BINDING',
  );
  add(
    'bond-add',
    [
      'link',
      'add',
      'bond0',
      'type',
      'bond',
      'mode',
      'active-backup',
      'miimon',
      '100',
      'updelay',
      '200',
      'downdelay',
      '200',
      'primary',
      'ifb0',
      'primary_reselect',
      'better',
      'fail_over_mac',
      'active',
      'num_grat_arp',
      '3',
      'resend_igmp',
      '2',
      'all_slaves_active',
      '1',
      'min_links',
      '1',
      'use_carrier',
      '1',
      'peer_notify_delay',
      '400',
    ],
    'IFLA_BOND_MODE, MII monitor timers, IFLA_BOND_PRIMARY (ifindex), primary_reselect, fail_over_mac, peer notification',
  );
  add(
    'bond-add-8023ad',
    [
      'link',
      'add',
      'bond1',
      'type',
      'bond',
      'mode',
      '802.3ad',
      'lacp_rate',
      'fast',
      'ad_select',
      'bandwidth',
      'xmit_hash_policy',
      'layer3+4',
      'ad_actor_sys_prio',
      '100',
      'ad_user_port_key',
      '5',
      'ad_actor_system',
      '02:00:00:00:00:aa',
      'lacp_active',
      'on',
      'tlb_dynamic_lb',
      '1',
      'packets_per_slave',
      '2',
      'lp_interval',
      '3',
      'arp_missed_max',
      '4',
    ],
    'IFLA_BOND_AD_* (LACP rate, selection, actor system), xmit hash policy, missed_max',
  );
  add(
    'bond-add-arp',
    [
      'link',
      'add',
      'bond2',
      'type',
      'bond',
      'mode',
      'balance-xor',
      'arp_interval',
      '1000',
      'arp_ip_target',
      '192.0.2.1,192.0.2.2',
      'arp_validate',
      'all',
      'arp_all_targets',
      'all',
      'ns_ip6_target',
      '2001:db8::1,2001:db8::2',
    ],
    'IFLA_BOND_ARP_IP_TARGET and IFLA_BOND_NS_IP6_TARGET: nests whose attributes are numbered from 0',
  );
  add('vrf-add', ['link', 'add', 'vrf0', 'type', 'vrf', 'table', '100'], 'IFLA_VRF_TABLE');
  add(
    'ipvlan-add',
    ['link', 'add', 'ipv0', 'link', 'ifb0', 'type', 'ipvlan', 'mode', 'l3', 'private'],
    'IFLA_IPVLAN_MODE l3 and IFLA_IPVLAN_FLAGS private (u16 each)',
  );
  add(
    'ipvtap-add',
    ['link', 'add', 'ipvt0', 'link', 'ifb0', 'type', 'ipvtap', 'mode', 'l2', 'vepa'],
    'ipvtap with IFLA_IPVLAN_MODE l2 and IFLA_IPVLAN_FLAGS vepa',
  );
  add(
    'geneve-add',
    [
      'link',
      'add',
      'gnv0',
      'type',
      'geneve',
      'id',
      '10',
      'remote',
      '192.0.2.2',
      'ttl',
      '64',
      'tos',
      '0x10',
      'dstport',
      '6081',
      'udpcsum',
      'df',
      'set',
    ],
    'IPv4 geneve: IFLA_GENEVE_ID, _REMOTE, _TTL, _TOS, _PORT (be16), _UDP_CSUM, _DF',
  );
  add(
    'geneve-add-ipv6',
    [
      'link',
      'add',
      'gnv1',
      'type',
      'geneve',
      'id',
      '11',
      'remote',
      '2001:db8::2',
      'ttl',
      'inherit',
      'label',
      '0x1234',
      'udp6zerocsumtx',
      'udp6zerocsumrx',
    ],
    'IPv6 geneve: IFLA_GENEVE_REMOTE6, _TTL_INHERIT (u8), _LABEL (be32), zero UDP checksums',
  );
  add(
    'geneve-add-external',
    ['link', 'add', 'gnv2', 'type', 'geneve', 'external', 'innerprotoinherit'],
    'IFLA_GENEVE_COLLECT_METADATA and IFLA_GENEVE_INNER_PROTO_INHERIT (flags)',
  );
  add(
    'wireguard-add',
    ['link', 'add', 'wg0', 'type', 'wireguard'],
    'wireguard (no IFLA_INFO_DATA)',
  );
  add(
    'gre-add',
    [
      'link',
      'add',
      'gre1',
      'type',
      'gre',
      'remote',
      '192.0.2.2',
      'local',
      '192.0.2.1',
      'ttl',
      '64',
      'tos',
      '0x10',
      'key',
      '42',
      'csum',
      'seq',
      'dev',
      'ifb0',
      'encap',
      'fou',
      'encap-sport',
      '5555',
      'encap-dport',
      '6666',
      'encap-csum',
      'encap-remcsum',
      'fwmark',
      '7',
    ],
    'IFLA_GRE_* with key/csum/seq in IFLAGS/OFLAGS (be16 GRE_*), IKEY/OKEY (be32), FOU encapsulation, fwmark',
  );
  add(
    'gre-add-ignore-df',
    [
      'link',
      'add',
      'gre2',
      'type',
      'gre',
      'remote',
      '192.0.2.3',
      'ikey',
      '1',
      'okey',
      '2',
      'icsum',
      'oseq',
      'nopmtudisc',
      'ignore-df',
    ],
    'separate ikey/okey, asymmetric flags, IFLA_GRE_PMTUDISC 0 and IFLA_GRE_IGNORE_DF',
  );
  add(
    'gretap-add',
    [
      'link',
      'add',
      'gt1',
      'type',
      'gretap',
      'remote',
      '192.0.2.2',
      'local',
      '192.0.2.1',
      'key',
      '7',
      'ttl',
      '32',
    ],
    'gretap (Ethernet over GRE), IFLA_GRE_*',
  );
  add(
    'erspan-add',
    [
      'link',
      'add',
      'ers1',
      'type',
      'erspan',
      'remote',
      '192.0.2.2',
      'local',
      '192.0.2.1',
      'seq',
      'key',
      '10',
      'erspan_ver',
      '2',
      'erspan_dir',
      'egress',
      'erspan_hwid',
      '7',
    ],
    'erspan v2: IFLA_GRE_ERSPAN_VER, _DIR, _HWID',
  );
  add(
    'ip6gre-add',
    [
      'link',
      'add',
      'g6',
      'type',
      'ip6gre',
      'remote',
      '2001:db8::2',
      'local',
      '2001:db8::1',
      'hoplimit',
      '40',
      'encaplimit',
      '4',
      'flowlabel',
      '0x1234',
      'tclass',
      'inherit',
      'key',
      '5',
      'allow-localremote',
    ],
    'ip6gre: IPv6 IFLA_GRE_LOCAL/REMOTE, _ENCAP_LIMIT, _FLOWINFO (be32), IFLA_GRE_FLAGS (IP6_TNL_F_*)',
  );
  add(
    'ip6gretap-add',
    [
      'link',
      'add',
      'g6t',
      'type',
      'ip6gretap',
      'remote',
      '2001:db8::2',
      'local',
      '2001:db8::1',
      'key',
      '3',
    ],
    'ip6gretap',
  );
  add(
    'ipip-add',
    [
      'link',
      'add',
      'ipip1',
      'type',
      'ipip',
      'remote',
      '192.0.2.2',
      'local',
      '192.0.2.1',
      'ttl',
      '64',
      'tos',
      'inherit',
      'pmtudisc',
      'dev',
      'ifb0',
      'encap',
      'gue',
      'encap-sport',
      'auto',
      'encap-dport',
      '5000',
      'noencap-csum',
    ],
    'IFLA_IPTUN_* of ipip with GUE encapsulation',
  );
  add(
    'sit-add',
    [
      'link',
      'add',
      'sit1',
      'type',
      'sit',
      'remote',
      '192.0.2.2',
      'local',
      '192.0.2.1',
      'ttl',
      '64',
      'mode',
      'ip6ip',
      '6rd-prefix',
      '2001:db8::/32',
      '6rd-relay_prefix',
      '192.0.2.0/24',
    ],
    'sit with 6rd: IFLA_IPTUN_6RD_PREFIX, _RELAY_PREFIX, their lengths, IFLA_IPTUN_PROTO',
  );
  add(
    'sit-add-isatap',
    ['link', 'add', 'isa0', 'type', 'sit', 'local', '192.0.2.1', 'isatap'],
    'sit with IFLA_IPTUN_FLAGS = SIT_ISATAP (host order)',
  );
  add(
    'ip6tnl-add',
    [
      'link',
      'add',
      't6',
      'type',
      'ip6tnl',
      'mode',
      'ip6ip6',
      'remote',
      '2001:db8::2',
      'local',
      '2001:db8::1',
      'hoplimit',
      '64',
      'encaplimit',
      '5',
      'flowlabel',
      '0x12345',
      'dev',
      'ifb0',
      'fwmark',
      '9',
    ],
    'ip6tnl: IFLA_IPTUN_* with 32-bit flags, IFLA_IPTUN_ENCAP_LIMIT, IFLA_IPTUN_FLOWINFO (be32)',
  );
  add(
    'ip6tnl-add-ipip6',
    [
      'link',
      'add',
      't6b',
      'type',
      'ip6tnl',
      'mode',
      'ipip6',
      'remote',
      '2001:db8::3',
      'local',
      '2001:db8::1',
      'encaplimit',
      'none',
      'tclass',
      'inherit',
      'flowlabel',
      'inherit',
      'allow-localremote',
    ],
    'ip6tnl ipip6 with IP6_TNL_F_IGN_ENCAP_LIMIT, USE_ORIG_TCLASS, USE_ORIG_FLOWLABEL, ALLOW_LOCAL_REMOTE',
  );
  add(
    'vti-add',
    [
      'link',
      'add',
      'vti1',
      'type',
      'vti',
      'remote',
      '192.0.2.2',
      'local',
      '192.0.2.1',
      'ikey',
      '5',
      'okey',
      '6',
      'fwmark',
      '3',
      'dev',
      'ifb0',
    ],
    'IFLA_VTI_* (keys be32)',
  );
  add(
    'vti6-add',
    [
      'link',
      'add',
      'vti61',
      'type',
      'vti6',
      'remote',
      '2001:db8::2',
      'local',
      '2001:db8::1',
      'key',
      '9',
    ],
    'vti6 with IPv6 IFLA_VTI_LOCAL/REMOTE',
  );

  // ---- member options: IFLA_INFO_SLAVE_KIND / IFLA_INFO_SLAVE_DATA -----------------------------
  sh(['ip', 'link', 'set', 'v1', 'master', 'br0']);
  add(
    'bridge-slave-set',
    [
      'link',
      'set',
      'v1',
      'type',
      'bridge_slave',
      'cost',
      '10',
      'priority',
      '32',
      'guard',
      'on',
      'hairpin',
      'on',
      'fastleave',
      'on',
      'root_block',
      'on',
      'learning',
      'off',
      'flood',
      'off',
      'proxy_arp',
      'on',
      'mcast_flood',
      'off',
      'mcast_to_unicast',
      'on',
      'bcast_flood',
      'off',
      'neigh_suppress',
      'on',
      'isolated',
      'on',
      'group_fwd_mask',
      '8',
      'mcast_router',
      '2',
    ],
    'IFLA_INFO_SLAVE_KIND "bridge" with IFLA_BRPORT_* (u8 on/off options, cost u32, priority u16)',
  );
  add(
    'bridge-slave-set-state',
    ['link', 'set', 'v1', 'type', 'bridge_slave', 'state', '3', 'fdb_flush'],
    'IFLA_BRPORT_STATE and IFLA_BRPORT_FLUSH (a flag)',
  );
  add(
    'bond-slave-set',
    ['link', 'set', 'ifb1', 'type', 'bond_slave', 'queue_id', '1', 'prio', '10'],
    'IFLA_INFO_SLAVE_KIND "bond" with IFLA_BOND_SLAVE_QUEUE_ID and IFLA_BOND_SLAVE_PRIO',
  );

  // ---- what the kernel reports --------------------------------------------------------------
  sh(['ip', 'tuntap', 'add', 'dev', 'tun0', 'mode', 'tun']);
  sh([
    'ip',
    'tuntap',
    'add',
    'dev',
    'tap0',
    'mode',
    'tap',
    'multi_queue',
    'user',
    '0',
    'group',
    '0',
  ]);
  show('veth-show', 'v0', 'a veth whose peer is in another namespace (IFLA_LINK_NETNSID)');
  show('bridge-show', 'br0', 'a bridge: IFLA_BR_* with root/bridge ids and timers');
  show('bridge-port-show', 'v1', 'a bridge port: IFLA_INFO_SLAVE_DATA (IFLA_BRPORT_*)');
  show('vxlan-show', 'vx0', 'an IPv4 vxlan');
  show('vxlan-show-ipv6', 'vx6', 'an IPv6 vxlan');
  show('macvlan-show', 'mvs', 'a macvlan in source mode with its MAC list');
  show('macvtap-show', 'mvt0', 'a macvtap');
  show('ifb-show', 'ifb1', 'an ifb');
  show('tun-show', 'tun0', 'a tun device (IFLA_TUN_*)');
  show('tap-show', 'tap0', 'a multi-queue tap owned by uid/gid 0');
}
