// The error a function throws, for tests that inspect its fields.

/** What a codec error carries, decode or encode. */
export interface CodecError extends Error {
  code: string;
  path: string;
  offset?: number;
}

/** The error `f` throws; fails the test when it throws nothing. */
export function caught<E extends Error = CodecError>(f: () => unknown): E {
  try {
    f();
  } catch (e) {
    return e as E;
  }
  throw new Error('expected an error, none was thrown');
}
