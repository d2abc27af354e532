// Runs one JS case long enough for a useful CPU profile; started by run.mjs as
//   node --cpu-prof --cpu-prof-dir=DIR bench/profile-child.mjs NETNS_PATH ack|decode TABLE
// when a target is missed. The profile is written when the process exits.
import { ackRoundTrips, dumpDecode, openConnection } from './cases.mjs';

const [netnsPath, which, tableArg] = process.argv.slice(2);
if (!netnsPath || !['ack', 'decode'].includes(which)) {
  console.error('usage: node --cpu-prof profile-child.mjs NETNS_PATH ack|decode TABLE');
  process.exit(2);
}

const conn = await openConnection(netnsPath);
if (which === 'ack') {
  await ackRoundTrips(conn, 200_000);
} else {
  for (let i = 0; i < 20; i++) await dumpDecode(conn, Number(tableArg));
}
conn.close();
