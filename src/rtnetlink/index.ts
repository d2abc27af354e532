// rtnetlink schemas: one file per object.
export * from './address.js';
export * from './constants.js';
export * from './link.js';
export * from './reference.js';
export * from './route.js';
