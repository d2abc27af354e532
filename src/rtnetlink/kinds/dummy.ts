// dummy: no IFLA_INFO_DATA, the kind alone makes one.
import { defineAttributes } from '../../netlink/schema.js';

export const dummyAttributes = defineAttributes('dummy', {});
