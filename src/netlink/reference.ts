// The protocol reference, generated from the schema declarations (docs/protocol.md is its
// output): one table per fixed struct and per attribute set, nests followed to their sets.
import type { AttributeSet, AttrSpec, MessageSchema, ValueSpec } from './schema.js';
import type { StructDef } from './struct.js';

function kindOf(spec: ValueSpec): string {
  switch (spec.kind) {
    case 'nested':
      return `nest → \`${spec.set.name}\``;
    case 'indexed':
      return `array of ${kindOf(spec.item)}`;
    case 'submessage':
      return `by \`${spec.selector}\`: ${
        Object.keys(spec.sets).length
          ? Object.entries(spec.sets)
              .map(([k, s]) => `${k} → \`${s.name}\``)
              .join(', ')
          : 'raw bytes until kinds are declared'
      }`;
    case 'struct':
      return `struct \`${spec.struct.name}\``;
    case 'message':
      return `struct \`${spec.message.header.name}\` + nest → \`${spec.message.attributes.name}\``;
    case 'custom':
      return spec.codec.name;
    default: {
      const extra =
        'enum' in spec && spec.enum ? ' (enum)' : 'flags' in spec && spec.flags ? ' (flags)' : '';
      return `${spec.kind}${extra}`;
    }
  }
}

function structTable(def: StructDef<object>): string {
  const rows = def.fields.map((f) => `| ${f.offset} | ${f.size} | \`${f.name}\` | ${f.kind} |`);
  const grew =
    def.minSize < def.size
      ? `\n\nOlder kernels send ${def.minSize} bytes; fields past that are then absent.`
      : '';
  return `### struct ${def.name} (${def.size} bytes)\n\n| offset | size | field | type |\n|---|---|---|---|\n${rows.join('\n')}${grew}\n`;
}

function enumLine(spec: AttrSpec): string {
  const table =
    'enum' in spec && spec.enum
      ? spec.enum
      : 'flags' in spec && spec.flags
        ? spec.flags
        : undefined;
  if (!table) return '';
  return Object.entries(table)
    .map(([k, v]) => `${k}=${'flags' in spec && spec.flags ? `0x${v.toString(16)}` : v}`)
    .join(', ');
}

/** Markdown reference of a message body: its struct, its attribute sets, nested sets, structs. */
export function referenceMarkdown(
  title: string,
  messages: readonly MessageSchema<object, never>[],
): string {
  const sets: AttributeSet[] = [];
  const structs: StructDef<object>[] = [];
  const seen = new Set<unknown>();
  const visitSpec = (spec: ValueSpec) => {
    if (spec.kind === 'nested') visitSet(spec.set);
    else if (spec.kind === 'submessage') for (const s of Object.values(spec.sets)) visitSet(s);
    else if (spec.kind === 'indexed') visitSpec(spec.item);
    else if (spec.kind === 'message') {
      if (!seen.has(spec.message.header)) {
        seen.add(spec.message.header);
        structs.push(spec.message.header);
      }
      visitSet(spec.message.attributes);
    } else if (spec.kind === 'struct' && !seen.has(spec.struct)) {
      seen.add(spec.struct);
      structs.push(spec.struct);
    }
  };
  const visitSet = (set: AttributeSet) => {
    if (seen.has(set)) return;
    seen.add(set);
    sets.push(set);
    for (const spec of Object.values(set.attrs)) visitSpec(spec);
  };
  const out: string[] = [
    `# ${title}`,
    '',
    'Generated from the schema declarations by `npm run docs`; do not edit by hand.',
    '',
  ];
  for (const m of messages) {
    if (!seen.has(m.header)) {
      seen.add(m.header);
      structs.push(m.header as StructDef<object>);
    }
  }
  for (const m of messages) visitSet(m.attributes as AttributeSet);
  out.push('## Fixed structs', '');
  for (const s of structs) out.push(structTable(s));
  out.push('## Attribute sets', '');
  for (const set of sets) {
    out.push(
      `### ${set.name}`,
      '',
      '| # | constant | key | type | notes |',
      '|---|---|---|---|---|',
    );
    const specs = Object.entries(set.attrs).sort(([, a], [, b]) => a.type - b.type);
    for (const [key, spec] of specs) {
      const notes = [spec.doc, spec.multi ? 'repeats' : undefined, enumLine(spec) || undefined]
        .filter(Boolean)
        .join('; ');
      out.push(`| ${spec.type} | ${spec.c ?? ''} | \`${key}\` | ${kindOf(spec)} | ${notes} |`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
