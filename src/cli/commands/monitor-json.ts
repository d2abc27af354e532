// `rtnl -j monitor`: one JSON object per event, one event per line (JSON Lines), never an array.
//
// iproute2 (6.1 and the newest) never opens a JSON context in `ip monitor`: its printers would
// emit the object below if it did, but it prints text. rtnl defines the format instead:
//
//  - Each line is the object `ip -j OBJECT show` prints for the event's object: an element of
//    `ip -j link show`, of the `addr_info` of `ip -j -o address show` (so with `index` and
//    `dev`), of `ip -j route show table all`, `ip -j neigh show`, `ip -j rule show`,
//    `ip -j netconf show`, `ip -j netns list-id`, `ip -j nexthop show`, `ip -j addrlabel show`.
//  - A deletion (RTM_DEL*) starts with iproute2's own key, `"deleted": true`; a neighbour
//    resolution request (RTM_GETNEIGH) with `"miss": null` (both as iproute2's printers emit them).
//  - Keys before those, in the order ip prints their text: `-t` adds iproute2's
//    `"timestamp": "Sun Nov 29 08:09:22 2026 123456 usec"`, `-ts` its
//    `"timestamp_short": "2026-11-29T08:09:22.123456"` (lib/utils.c print_timestamp); `all-nsid`
//    adds `"source_nsid"`: the id this namespace gives the namespace the event came from, -1 for
//    this namespace itself (ip's `[nsid current]`); `label` / `all` add `"object"`: ip's banner
//    word in lower case (`"link"` for `[LINK]`, `"addr"`, `"route"`, `"neigh"`, `"rule"`,
//    `"netconf"`, `"nsid"`, `"nexthop"`, `"nexthopbucket"`, `"addrlabel"`, `"prefix"`).
//  - An IPv6 prefix event (RTM_NEWPREFIX, which ip prints as text only) is
//    `{"prefix": "2001:db8::/64", "dev": "v0", "onlink": true, "autoconf": true, "valid": 2592000,
//    "preferred": 604800}` (the flags only when set, the times only when the kernel sent them).
//  - `monitor file FILE`: a time stamp record rtmon saved is a line of its own,
//    `{"timestamp": "Sun Nov 29 08:33:39 2026 784332 us"}` (ip's text for it, after `Timestamp: `).
//  - `-p` is ignored: an object is always written on one line.
import type { JsonValue } from '../output.js';
import { Output, type OutputOptions, type OutputSink, processSink } from '../output.js';

/** A key and value written at the start of an event's object. */
export type HeadField = readonly [string, JsonValue];

/**
 * The output of `rtnl -j monitor`: each event is a JSON document of its own whose top level is
 * the event's object. The printers write into it as they write into `ip -j OBJECT show`'s
 * array; the first object they open at the top level is the event, and the head fields
 * (timestamp, nsid, object word, deleted) are written into it first. An event for which the
 * printer opened nothing (filtered out) leaves nothing.
 */
export class JsonLinesOutput extends Output {
  private head: readonly HeadField[] = [];
  private capture: string[] | undefined;

  constructor(opts: OutputOptions, sink: OutputSink = processSink) {
    super({ ...opts, json: true, pretty: false, color: false }, sink);
  }

  override print(text: string): void {
    if (this.capture) this.capture.push(text);
    else super.print(text);
  }

  /** Start an event; `head` goes first into its object. */
  beginEvent(head: readonly HeadField[]): void {
    this.endEvent();
    this.head = head;
    this.capture = [];
    this.openJson(false);
  }

  /** End the event: close what the printer left open and write the line (if any). */
  endEvent(): void {
    const captured = this.capture;
    if (!captured) return;
    if (this.jsonContext) {
      while (this.jw.level > 0) this.jw.endObject();
      this.closeJson(false);
    }
    this.capture = undefined;
    this.head = [];
    const text = captured.join('');
    if (text.trim() !== '') super.print(text.endsWith('\n') ? text : `${text}\n`);
  }

  override openObject(key?: string): void {
    const top = this.jsonContext && this.jw.level === 0;
    super.openObject(key);
    if (!top) return;
    for (const [k, v] of this.head) this.jw.field(k, v);
    this.head = [];
  }

  /** An object of head fields only, on a line of its own (a saved stream's time stamp). */
  line(fields: readonly HeadField[]): void {
    this.beginEvent(fields);
    this.openObject();
    this.endEvent();
  }
}
