// ifb (Intermediate Functional Block): no IFLA_INFO_DATA, the kind alone makes one.
import { defineAttributes } from '../../netlink/schema.js';

export const ifbAttributes = defineAttributes('ifb', {});
