#!/usr/bin/env python3
"""Raw rtnetlink exchanges for fixtures that iproute2 cannot produce.

Run by scripts/capture-fixtures.mjs inside a network namespace it made itself; never run this
in the host namespace (the scenarios add and change links, addresses and routes).

    python3 scripts/nlcapture.py SCENARIO [key=value ...]

Prints one JSON document on stdout: the socket options this script set, every datagram it sent
and received (hex), and its own struct.unpack reading of the replies ("analysis"). That reading
is an oracle independent of the rtnl decoder: it is written here from the kernel's uapi headers
(linux/netlink.h, linux/rtnetlink.h, linux/if_link.h), not from rtnl code.

Only the standard library is used.
"""

import errno as errno_mod
import json
import socket
import struct
import sys

# linux/netlink.h
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NETLINK_GET_STRICT_CHK = 12
NLM_F_REQUEST = 0x01
NLM_F_MULTI = 0x02
NLM_F_ACK = 0x04
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLM_F_DUMP = 0x300
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSGERR_ATTR_NAMES = {1: "MSG", 2: "OFFS", 3: "COOKIE", 4: "POLICY", 5: "MISS_TYPE", 6: "MISS_NEST"}
NLA_TYPE_MASK = 0x3FFF

# linux/rtnetlink.h
RTM_NEWLINK = 16
RTM_GETLINK = 18
RTM_NEWADDR = 20
RTM_NEWROUTE = 24
RTM_GETROUTE = 26
RT_TABLE_MAIN = 254
RTPROT_BOOT = 3
RT_SCOPE_UNIVERSE = 0
RT_SCOPE_HOST = 254
RTN_UNICAST = 1
RTA_DST = 1
RTA_GATEWAY = 5
RTA_TABLE = 15
IFA_ADDRESS = 1
IFA_LOCAL = 2
# linux/if_link.h
IFLA_MTU = 4
IFLA_TXQLEN = 13

SEQ = 1


def align4(n):
    return (n + 3) & ~3


class Request:
    """A request laid out by hand, remembering where each attribute starts.

    The offsets are what NLMSGERR_ATTR_OFFS is checked against: the kernel reports the offset
    of the offending attribute from the start of the request's nlmsghdr.
    """

    def __init__(self, msg_type, flags, family_header, header_name):
        self.msg_type = msg_type
        self.flags = flags
        self.body = bytearray(family_header)
        self.layout = [
            {"what": "nlmsghdr", "offset": 0, "len": 16},
            {"what": header_name, "offset": 16, "len": len(family_header)},
        ]

    def attr(self, attr_type, payload, name):
        offset = 16 + len(self.body)
        nla_len = 4 + len(payload)
        self.body += struct.pack("=HH", nla_len, attr_type) + payload
        self.body += b"\0" * (align4(nla_len) - nla_len)
        self.layout.append({"what": name, "type": attr_type, "offset": offset, "len": nla_len})
        return self

    def bytes(self, seq):
        return struct.pack("=IHHII", 16 + len(self.body), self.msg_type, self.flags, seq, 0) + bytes(
            self.body
        )

    def attr_at(self, offset):
        for entry in self.layout:
            if entry["offset"] == offset and "type" in entry:
                return entry
        return None


def open_socket(ext_ack, cap_ack, strict):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    sock.bind((0, 0))
    opts = {"NETLINK_EXT_ACK": False, "NETLINK_CAP_ACK": False, "NETLINK_GET_STRICT_CHK": False}
    if ext_ack:
        sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        opts["NETLINK_EXT_ACK"] = True
    if cap_ack:
        sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        opts["NETLINK_CAP_ACK"] = True
    if strict:
        sock.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1)
        opts["NETLINK_GET_STRICT_CHK"] = True
    return sock, opts


def recv_exact(sock, log):
    """Peek at the next datagram's size (MSG_PEEK|MSG_TRUNC, 1-byte buffer), then read exactly
    that much. The reader never offers a buffer larger than the datagram, so the kernel's
    max_recvmsg_len stays small and every dump skb is sized by NLMSG_GOODSIZE."""
    size = sock.recv_into(bytearray(1), 1, socket.MSG_PEEK | socket.MSG_TRUNC)
    data = sock.recv(size)
    log.append({"peeked": size, "buffer": size, "got": len(data)})
    return data


def headers(datagram):
    out = []
    off = 0
    while off + 16 <= len(datagram):
        length, msg_type, flags, seq, pid = struct.unpack_from("=IHHII", datagram, off)
        if length < 16:
            break
        out.append({"offset": off, "len": length, "type": msg_type, "flags": flags, "seq": seq, "pid": pid})
        off += align4(length)
    return out


def exchange(sock, request, multi):
    """Send one request; read until the ack/error (or NLMSG_DONE for a dump)."""
    sock.send(request)
    received = []
    recv_log = []
    while True:
        data = recv_exact(sock, recv_log)
        received.append(data)
        hdrs = headers(data)
        if not multi:
            break
        if any(h["type"] in (NLMSG_DONE, NLMSG_ERROR) for h in hdrs):
            break
    return received, recv_log


def parse_tlvs(buf, start, end):
    tlvs = []
    off = start
    while off + 4 <= end:
        nla_len, nla_type = struct.unpack_from("=HH", buf, off)
        if nla_len < 4 or off + nla_len > end:
            break
        payload = buf[off + 4 : off + nla_len]
        kind = nla_type & NLA_TYPE_MASK
        entry = {
            "offset": off,
            "len": nla_len,
            "type": nla_type,
            "name": NLMSGERR_ATTR_NAMES.get(kind, "UNKNOWN"),
            "nested": bool(nla_type & 0x8000),
        }
        if kind == 1:
            entry["value"] = payload.split(b"\0", 1)[0].decode()
        elif kind == 2 and len(payload) == 4:
            entry["value"] = struct.unpack("=I", payload)[0]
        elif kind == 4:
            entry["hex"] = payload.hex()
            entry["policy"] = parse_policy(payload)
        else:
            entry["hex"] = payload.hex()
        tlvs.append(entry)
        off += align4(nla_len)
    return tlvs


# linux/netlink.h: enum netlink_policy_type_attr and enum netlink_attribute_type
POLICY_ATTR_NAMES = {
    1: "TYPE", 2: "MIN_VALUE_S", 3: "MAX_VALUE_S", 4: "MIN_VALUE_U", 5: "MAX_VALUE_U",
    6: "MIN_LENGTH", 7: "MAX_LENGTH", 8: "POLICY_IDX", 9: "POLICY_MAXTYPE",
    10: "BITFIELD32_MASK", 11: "PAD", 12: "MASK",
}
ATTR_TYPE_NAMES = {
    0: "INVALID", 1: "FLAG", 2: "U8", 3: "U16", 4: "U32", 5: "U64", 6: "S8", 7: "S16", 8: "S32",
    9: "S64", 10: "BINARY", 11: "STRING", 12: "NUL_STRING", 13: "NESTED", 14: "NESTED_ARRAY",
    15: "BITFIELD32", 16: "SINT", 17: "UINT",
}


def parse_policy(payload):
    """NLMSGERR_ATTR_POLICY: a nest of NL_POLICY_TYPE_ATTR_* describing the violated policy."""
    out = []
    off = 0
    while off + 4 <= len(payload):
        nla_len, nla_type = struct.unpack_from("=HH", payload, off)
        if nla_len < 4 or off + nla_len > len(payload):
            break
        data = payload[off + 4 : off + nla_len]
        entry = {"type": nla_type, "name": POLICY_ATTR_NAMES.get(nla_type, "UNKNOWN"), "len": nla_len}
        if len(data) == 4:
            entry["value"] = struct.unpack("=I", data)[0]
        elif len(data) == 8:
            signed = nla_type in (2, 3)
            entry["value"] = struct.unpack("=q" if signed else "=Q", data)[0]
        else:
            entry["hex"] = data.hex()
        if nla_type == 1 and "value" in entry:
            entry["attr_type"] = ATTR_TYPE_NAMES.get(entry["value"], "UNKNOWN")
        out.append(entry)
        off += align4(nla_len)
    return out


def analyse_error(datagram, req=None):
    """struct nlmsgerr { int error; struct nlmsghdr msg; } followed, when NLM_F_ACK_TLVS is set,
    by TLVs that start after the echoed header if NLM_F_CAPPED, else after the echoed request."""
    length, msg_type, flags, seq, pid = struct.unpack_from("=IHHII", datagram, 0)
    (err,) = struct.unpack_from("=i", datagram, 16)
    e_len, e_type, e_flags, e_seq, e_pid = struct.unpack_from("=IHHII", datagram, 20)
    capped = bool(flags & NLM_F_CAPPED)
    echoed = 16 if capped else e_len
    tlv_start = 20 + align4(echoed)
    out = {
        "nlmsg_type": msg_type,
        "nlmsg_flags": flags,
        "capped": capped,
        "ack_tlvs": bool(flags & NLM_F_ACK_TLVS),
        "errno": err,
        "errno_name": errno_mod.errorcode.get(-err, "") if err < 0 else "",
        "echoed_header": {"len": e_len, "type": e_type, "flags": e_flags, "seq": e_seq, "pid": e_pid},
        "echoed_bytes": echoed,
        "tlv_offset": tlv_start if flags & NLM_F_ACK_TLVS else None,
        "tlvs": parse_tlvs(datagram, tlv_start, length) if flags & NLM_F_ACK_TLVS else [],
    }
    for tlv in out["tlvs"]:
        if tlv["name"] == "MSG":
            out["msg"] = tlv["value"]
        if tlv["name"] == "OFFS":
            out["offs"] = tlv["value"]
            if req is not None:
                out["offs_points_to"] = req.attr_at(tlv["value"])
    return out


def analyse_done(datagram, offset):
    """NLMSG_DONE carries an int (the dump's final errno); with NLM_F_ACK_TLVS the TLVs follow
    it directly (no echoed request)."""
    length, msg_type, flags, seq, pid = struct.unpack_from("=IHHII", datagram, offset)
    (err,) = struct.unpack_from("=i", datagram, offset + 16)
    out = {
        "nlmsg_flags": flags,
        "errno": err,
        "errno_name": errno_mod.errorcode.get(-err, "") if err < 0 else "",
        "ack_tlvs": bool(flags & NLM_F_ACK_TLVS),
        "tlv_offset": 20 if flags & NLM_F_ACK_TLVS else None,
        "tlvs": parse_tlvs(datagram, offset + 20, offset + length) if flags & NLM_F_ACK_TLVS else [],
    }
    for tlv in out["tlvs"]:
        if tlv["name"] == "MSG":
            out["msg"] = tlv["value"]
    return out


def ifinfomsg(index):
    # struct ifinfomsg { u8 family; u8 pad; u16 type; int index; u32 flags; u32 change; }
    return struct.pack("=BBHiII", socket.AF_UNSPEC, 0, 0, index, 0, 0)


def rtmsg(family, dst_len, table, protocol, scope, rtype):
    # struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; }
    return struct.pack("=BBBBBBBBI", family, dst_len, 0, 0, table, protocol, scope, rtype, 0)


def ifaddrmsg(family, prefixlen, scope, index):
    # struct ifaddrmsg { u8 family, prefixlen, flags, scope; u32 index; }
    return struct.pack("=BBBBI", family, prefixlen, 0, scope, index)


def flag(args, key, default):
    return args.get(key, default) in ("1", "yes", "true", True)


def scenario_addr_exists(args):
    """RTM_NEWADDR for 127.0.0.1/8 on lo, which the kernel already has: EEXIST."""
    req = Request(
        RTM_NEWADDR,
        NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE,
        ifaddrmsg(socket.AF_INET, 8, RT_SCOPE_HOST, socket.if_nametoindex("lo")),
        "ifaddrmsg",
    )
    req.attr(IFA_LOCAL, socket.inet_aton("127.0.0.1"), "IFA_LOCAL")
    req.attr(IFA_ADDRESS, socket.inet_aton("127.0.0.1"), "IFA_ADDRESS")
    return req, False


def scenario_route_gateway(args):
    """RTM_NEWROUTE 10.9.0.0/24 via 10.99.99.1: no route to the gateway, ENETUNREACH."""
    req = Request(
        RTM_NEWROUTE,
        NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE,
        rtmsg(socket.AF_INET, 24, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST),
        "rtmsg",
    )
    req.attr(RTA_DST, socket.inet_aton("10.9.0.0"), "RTA_DST")
    req.attr(RTA_GATEWAY, socket.inet_aton("10.99.99.1"), "RTA_GATEWAY")
    return req, False


def scenario_link_mtu_policy(args):
    """RTM_NEWLINK on an existing device: a valid IFLA_TXQLEN, then an IFLA_MTU with a 2-byte
    payload. ifla_policy says NLA_U32, so policy validation fails on the second attribute and
    the kernel names it with NLMSGERR_ATTR_OFFS."""
    dev = args.get("dev", "ifb0")
    req = Request(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, ifinfomsg(socket.if_nametoindex(dev)), "ifinfomsg")
    req.attr(IFLA_TXQLEN, struct.pack("=I", 1000), "IFLA_TXQLEN (valid u32)")
    req.attr(IFLA_MTU, struct.pack("=H", 1400), "IFLA_MTU (2-byte payload, policy wants u32)")
    return req, False


def scenario_route_dump_bad_header(args):
    """RTM_GETROUTE dump with rtm_dst_len=8: with NETLINK_GET_STRICT_CHK the FIB dump
    validates the header inside the dump callback, so the error comes back in NLMSG_DONE."""
    req = Request(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, rtmsg(socket.AF_INET, 8, 0, 0, 0, 0), "rtmsg")
    return req, True


def scenario_link_dump_ifindex(args):
    """RTM_GETLINK dump with ifi_index set: strict link dumps refuse to filter by index."""
    req = Request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, ifinfomsg(1), "ifinfomsg")
    return req, True


def scenario_route_dump_table(args):
    """Strict RTM_GETROUTE dump of one table (RTA_TABLE filter), read with buffers no larger
    than each datagram so the reply spans several NLMSG_GOODSIZE datagrams."""
    table = int(args.get("table", "2000"))
    req = Request(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, rtmsg(socket.AF_INET, 0, 0, 0, 0, 0), "rtmsg")
    req.attr(RTA_TABLE, struct.pack("=I", table), "RTA_TABLE")
    return req, True


SCENARIOS = {
    "addr-exists": (scenario_addr_exists, {"ext": "1", "cap": "0", "strict": "0"}),
    "route-gateway": (scenario_route_gateway, {"ext": "1", "cap": "0", "strict": "0"}),
    "link-mtu-policy": (scenario_link_mtu_policy, {"ext": "1", "cap": "0", "strict": "0"}),
    "route-dump-bad-header": (scenario_route_dump_bad_header, {"ext": "1", "cap": "0", "strict": "1"}),
    "link-dump-ifindex": (scenario_link_dump_ifindex, {"ext": "1", "cap": "0", "strict": "1"}),
    "route-dump-table": (scenario_route_dump_table, {"ext": "1", "cap": "0", "strict": "1"}),
}


def main(argv):
    if len(argv) < 2 or argv[1] not in SCENARIOS:
        sys.stderr.write("usage: nlcapture.py {%s} [key=value ...]\n" % ",".join(SCENARIOS))
        return 2
    name = argv[1]
    build, defaults = SCENARIOS[name]
    args = dict(defaults)
    for item in argv[2:]:
        key, _, value = item.partition("=")
        args[key] = value
    sock, opts = open_socket(flag(args, "ext", False), flag(args, "cap", False), flag(args, "strict", False))
    req, multi = build(args)
    request = req.bytes(SEQ)
    received, recv_log = exchange(sock, request, multi)
    sock.close()

    analysis = {"request_layout": req.layout, "datagrams": []}
    for data in received:
        hdrs = headers(data)
        analysis["datagrams"].append(
            {
                "bytes": len(data),
                "messages": len(hdrs),
                "types": [h["type"] for h in hdrs],
            }
        )
        for h in hdrs:
            if h["type"] == NLMSG_ERROR:
                analysis["error"] = analyse_error(data[h["offset"] : h["offset"] + h["len"]], req)
            elif h["type"] == NLMSG_DONE:
                analysis["done"] = analyse_done(data, h["offset"])
    analysis["total_messages"] = sum(d["messages"] for d in analysis["datagrams"])
    analysis["data_messages"] = sum(
        1 for d in analysis["datagrams"] for t in d["types"] if t not in (NLMSG_DONE, NLMSG_ERROR)
    )

    json.dump(
        {
            "scenario": name,
            "args": args,
            "sockopts": opts,
            "recv": recv_log,
            "sent": [request.hex()],
            "received": [d.hex() for d in received],
            "analysis": analysis,
        },
        sys.stdout,
        indent=1,
    )
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
