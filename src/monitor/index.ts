// rtnl/monitor: live rtnetlink events as typed streams, with loss detection and resync.
//
//   import { Monitor } from 'rtnl/monitor';
//   await using mon = await Monitor.open({ groups: ['link', 'route'], listExisting: true });
//   for await (const e of mon) console.log(e.action, e.object, e.value);
export {
  ALL_GROUPS,
  GROUP_ALIASES,
  groupName,
  type MonitorGroup,
  type MonitorGroupAlias,
  type MonitorGroupName,
  RTNLGRP,
  resolveGroups,
} from './groups.js';
export {
  DEFAULT_MAX_BUFFERED,
  DEFAULT_MONITOR_RCVBUF,
  Monitor,
  type MonitorOptions,
  type MonitorSocket,
} from './monitor.js';
export { actionOfType, decodeValue, eventKey, objectOfType } from './objects.js';
export type {
  EventOrigin,
  MonitorErrorEvent,
  MonitorEvent,
  MonitorEvents,
  MonitorObject,
  MonitorValues,
  NsidInfo,
  ObjectEvent,
  ObjectEventOf,
  OverrunEvent,
  SyncedEvent,
  TrackedObject,
} from './types.js';
