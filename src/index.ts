// rtnl: netlink and rtnetlink for Node.js.

export * from './monitor/index.js';
export * from './netlink/index.js';
export * from './ns/index.js';
export * from './rtnetlink/index.js';
