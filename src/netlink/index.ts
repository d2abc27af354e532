// rtnl/netlink: the generic netlink layer (codec, errors, socket, request engine).
export * from './address.js';
export * from './attributes.js';
export * from './connection.js';
export * from './errno.js';
export * from './errors.js';
export * from './extack.js';
export * from './message.js';
export * from './reference.js';
export * from './schema.js';
export * from './socket.js';
export * from './struct.js';
