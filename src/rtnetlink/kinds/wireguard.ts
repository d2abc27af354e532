// wireguard: no IFLA_INFO_DATA (keys and peers are configured over generic netlink), the kind
// alone makes the link.
import { defineAttributes } from '../../netlink/schema.js';

export const wireguardAttributes = defineAttributes('wireguard', {});
