// rtnetlink schemas: one file per object.
export * from './address.js';
export * from './constants.js';
export * from './kinds/index.js';
export * from './link.js';
export * from './neighbor.js';
export * from './nsid.js';
export * from './reference.js';
export * from './route.js';
export * from './route-codecs.js';
export * from './rule.js';
// The typed client and its objects.
export * from './client.js';
export * from './api/links.js';
export * from './api/addresses.js';
export * from './api/routes.js';
export * from './api/rules.js';
export * from './api/neighbors.js';
export * from './api/nsid.js';
export type { DevRef } from './api/inet.js';
