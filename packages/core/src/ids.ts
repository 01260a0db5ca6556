/**
 * Identifiers: UUIDv7 (RFC 9562) so ids sort by creation time as plain strings, and a device id
 * that survives reloads where the host gives us somewhere to keep it. Uses only
 * `crypto.getRandomValues`, present in browsers and Node 20 as a global.
 */

export interface IdGenerator {
  (): string;
}

/**
 * A UUIDv7 generator that is monotonic within one generator: ids made in the same millisecond
 * (or while the clock steps backwards) still sort in creation order, because the 12-bit `rand_a`
 * field becomes a counter seeded randomly on each new millisecond.
 */
export function createUuidV7Generator(now: () => number = Date.now): IdGenerator {
  let lastMs = -1;
  let counter = 0;
  return () => {
    let ms = now();
    if (ms <= lastMs) {
      counter++;
      if (counter > 0xfff) {
        // Counter exhausted: borrow the next millisecond rather than lose ordering.
        lastMs++;
        counter = 0;
      }
      ms = lastMs;
    } else {
      lastMs = ms;
      counter = randomBytes(2).reduce((a, b) => (a << 8) | b, 0) & 0x7ff; // leave headroom for increments
    }
    const bytes = randomBytes(16);
    // 48-bit big-endian milliseconds; split because bit operators are 32-bit.
    const high = Math.floor(ms / 2 ** 16);
    bytes[0] = (high >>> 24) & 0xff;
    bytes[1] = (high >>> 16) & 0xff;
    bytes[2] = (high >>> 8) & 0xff;
    bytes[3] = high & 0xff;
    bytes[4] = (ms >>> 8) & 0xff;
    bytes[5] = ms & 0xff;
    bytes[6] = 0x70 | ((counter >>> 8) & 0x0f);
    bytes[7] = counter & 0xff;
    bytes[8] = 0x80 | (bytes[8]! & 0x3f);
    return format(bytes);
  };
}

/** The default process-wide generator. */
export const uuidv7: IdGenerator = createUuidV7Generator();

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isUuidV7(id: string): boolean {
  return UUID_V7.test(id);
}

/** Milliseconds since epoch encoded in a UUIDv7 (its creation time on the creating device). */
export function uuidV7Time(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

/** The subset of Web Storage the device id needs (localStorage fits; so does a Map wrapper). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const DEVICE_ID_KEY = 'parley.deviceId';

/**
 * The id of this device: read from `store` when present, otherwise made and kept there. Without a
 * store (Node workers, private mode) every call returns a fresh id, which is honest: nothing
 * persists, so the device is new each time. Storage failures (quota, disabled) fall back the same way.
 */
export function deviceId(store?: KeyValueStore): string {
  try {
    const existing = store?.getItem(DEVICE_ID_KEY);
    if (existing) return existing;
  } catch {
    // unreadable storage: treat as none
  }
  const id = uuidv7();
  try {
    store?.setItem(DEVICE_ID_KEY, id);
  } catch {
    // unwritable storage: the id still works for this session
  }
  return id;
}

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  return bytes;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function format(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
    s += HEX[b[i]!];
  }
  return s;
}
