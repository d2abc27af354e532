// Minimal typings for buffer-layout 1.2 (the package ships none): only what rtnl uses.
declare module 'buffer-layout' {
  export class Layout {
    constructor(span: number, property?: string);
    span: number;
    property: string | undefined;
    decode(b: Uint8Array, offset?: number): unknown;
    encode(src: unknown, b: Uint8Array, offset?: number): number;
    getSpan(b?: Uint8Array, offset?: number): number;
    replicate(property: string): this;
  }
  export class UInt extends Layout {}
  export class UIntBE extends Layout {}
  export class Int extends Layout {}
  export class IntBE extends Layout {}
  export class Blob extends Layout {}
  export class Structure extends Layout {
    fields: Layout[];
    offsetOf(property: string): number | undefined;
  }
  export function u8(property?: string): UInt;
  export function u16(property?: string): UInt;
  export function u32(property?: string): UInt;
  export function s8(property?: string): Int;
  export function s16(property?: string): Int;
  export function s32(property?: string): Int;
  export function u16be(property?: string): UIntBE;
  export function u32be(property?: string): UIntBE;
  export function blob(length: number, property?: string): Blob;
  export function struct(fields: Layout[], property?: string): Structure;
  const _default: {
    Layout: typeof Layout;
    UInt: typeof UInt;
    UIntBE: typeof UIntBE;
    Int: typeof Int;
    IntBE: typeof IntBE;
    Blob: typeof Blob;
    Structure: typeof Structure;
    u8: typeof u8;
    u16: typeof u16;
    u32: typeof u32;
    s8: typeof s8;
    s16: typeof s16;
    s32: typeof s32;
    u16be: typeof u16be;
    u32be: typeof u32be;
    blob: typeof blob;
    struct: typeof struct;
  };
  export default _default;
}
