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
