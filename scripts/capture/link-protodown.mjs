// Capture plugin (see scripts/capture-fixtures.mjs): `ip link set DEV protodown_reason N
// { on | off }`: a nested IFLA_PROTO_DOWN_REASON (55, NLA_F_NESTED) holding
// IFLA_PROTO_DOWN_REASON_MASK (1 << N) then IFLA_PROTO_DOWN_REASON_VALUE. Only devices with
// protodown support take it (vxlan and macvlan here); an ifb refuses it.
//
// Runs in a fresh namespace of its own (only lo).

export const groups = ['link-protodown'];

const DIR = 'link-protodown';
// <linux/rtnetlink.h>
const RTM_NEWLINK = 16;

export default async function capture(ctx) {
  const { sh } = ctx;
  sh(['ip', 'link', 'set', 'lo', 'up']);
  sh(['ip', 'link', 'add', 'd0', 'type', 'ifb']);
  sh(['ip', 'link', 'add', 'x0', 'type', 'vxlan', 'id', '5', 'dstport', '4789']);

  /** `ip ARGS` under strace; DIR/NAME.request + .reply for its exchange of `type`. */
  function cap(name, args, type, what, { refused = false } = {}) {
    ctx.captureIp(`${DIR}/${name}`, args, type, what, { allowFail: refused });
  }

  cap(
    'set-reason-on',
    ['link', 'set', 'x0', 'protodown_reason', '3', 'on'],
    RTM_NEWLINK,
    'IFLA_PROTO_DOWN_REASON { MASK 0x8, VALUE 0x8 }',
  );
  cap(
    'set-reason-31-on-protodown',
    ['link', 'set', 'x0', 'protodown_reason', '31', 'on', 'protodown', 'on'],
    RTM_NEWLINK,
    'MASK and VALUE 0x80000000 (1 << 31), then IFLA_PROTO_DOWN 1',
  );
  cap(
    'set-reason-off',
    ['link', 'set', 'x0', 'protodown_reason', '3', 'off'],
    RTM_NEWLINK,
    'IFLA_PROTO_DOWN_REASON { MASK 0x8, VALUE 0 } (reason 31 stays set)',
  );
  cap(
    'set-reason-unsupported',
    ['link', 'set', 'd0', 'protodown_reason', '1', 'on'],
    RTM_NEWLINK,
    'a protodown reason for a device without protodown support',
    { refused: true },
  );
}
