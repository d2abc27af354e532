// rtnetlink schemas: one file per object.
export * from './address.js';
export * from './api/addresses.js';
export type { DevRef } from './api/inet.js';
export * from './api/links.js';
export * from './api/neighbors.js';
export * from './api/nsid.js';
export * from './api/routes.js';
export * from './api/rules.js';
// The typed client and its objects.
export * from './client.js';
export * from './constants.js';
export * from './kinds/index.js';
export * from './link.js';
export * from './neighbor.js';
export * from './nsid.js';
export * from './reference.js';
export type {
  AddressCommand,
  AddressSpec,
} from './requests/address.js';
export type {
  LinkChanges,
  LinkOptions,
  LinkSpec,
  NetnsTarget,
  ProtodownReason,
  RequestMessage,
  VethPeer,
} from './requests/link.js';
export type {
  FdbOp,
  FdbSpec,
  NeighborDumpFilter,
  NeighborFamily,
  NeighborOp,
  NeighborSpec,
} from './requests/neighbor.js';
export type {
  EncapSpec,
  FamilyInput,
  NexthopSpec,
  RequestPlan,
  RouteDumpFilter,
  RouteGetSpec,
  RouteMetrics,
  RouteOp,
  RouteSpec,
} from './requests/route.js';
export type { RangeInput, RuleSpec } from './requests/rule.js';
export * from './route.js';
export * from './route-codecs.js';
export * from './rule.js';
