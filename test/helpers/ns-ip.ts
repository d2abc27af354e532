// iproute2 run inside a namespace a test holds by fd (`nsenter --net=/proc/PID/fd/N ip …`): the
// oracle the kernel tests read state back with. The namespace is read lazily, at each call.
import { execFileSync, spawnSync } from 'node:child_process';

/** `ip` helpers bound to the namespace `netns()` returns when each is called. */
export function ipIn(netns: () => { fd: number }) {
  /** nsenter's arguments that enter the namespace. */
  const nsenter = () => [`--net=/proc/${process.pid}/fd/${netns().fd}`];
  /** `ip ARGS…`: its stdout; throws when ip fails. */
  const ip = (...args: string[]) =>
    execFileSync('nsenter', [...nsenter(), 'ip', ...args], { encoding: 'utf8' });
  /** `ip -j ARGS…`, parsed. */
  const ipJson = <T = Record<string, unknown>[]>(...args: string[]): T =>
    JSON.parse(ip('-j', ...args)) as T;
  /** What `ip` prints on stderr for a command the kernel refuses. */
  const ipError = (...args: string[]) =>
    spawnSync('nsenter', [...nsenter(), 'ip', ...args], { encoding: 'utf8' }).stderr.trim();
  /** `ip -batch -` fed these lines on stdin; throws when ip fails. */
  const ipBatch = (lines: string[]) =>
    execFileSync('nsenter', [...nsenter(), 'ip', '-batch', '-'], {
      input: `${lines.join('\n')}\n`,
    });
  return { nsenter, ip, ipJson, ipError, ipBatch };
}
