/**
 * Attachments, loaded on first use (picker, drop or paste). The document holds only a reference
 * (content hash, name, type, size); the bytes go to the relay's blob store. Uploads wait in
 * IndexedDB until they succeed, so a file attached offline goes out on reconnect, even after a reload.
 */
import type { ChatStore, ConversationHandle } from '../store/chat-store.js';
import type { AttachmentRef } from '../model.js';

export function checkLimit(file: Blob, maxBytes: number): { max: number } | null {
  return file.size > maxBytes ? { max: maxBytes } : null;
}

export async function contentHash(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sendAttachment(file: File, conversation: ConversationHandle, store: ChatStore): Promise<AttachmentRef> {
  const hash = await contentHash(file);
  const ref: AttachmentRef = { hash, name: file.name || 'image.png', type: file.type || 'application/octet-stream', size: file.size };
  await queue.put(hash, { blob: file, conversationId: conversation.get().id });
  conversation.sendAttachment(ref, file);
  void drain(store);
  return ref;
}

/** Uploads everything still queued; called after connecting and whenever the browser comes online. */
export async function drain(store: ChatStore): Promise<void> {
  if (!store.upload) return;
  for (const [hash, { blob, conversationId }] of await queue.all()) {
    try {
      await store.upload(hash, blob, conversationId);
      await queue.remove(hash);
    } catch {
      // Offline or relay trouble: keep it queued; the next `online` event retries.
      addEventListener('online', () => void drain(store), { once: true });
      return;
    }
  }
}

const DB = 'parley-uploads';
const STORE = 'queue';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('indexedDB open failed'));
  });
}

function run<T>(mode: IDBTransactionMode, body: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return openDb().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const req = body(tx.objectStore(STORE));
        tx.oncomplete = () => {
          db.close();
          resolve(req.result);
        };
        tx.onerror = () => reject(tx.error ?? new Error('indexedDB transaction failed'));
      }),
  );
}

interface Queued {
  blob: Blob;
  conversationId: string;
}

const queue = {
  put: (hash: string, item: Queued) => run('readwrite', (s) => s.put(item, hash)).then(() => undefined),
  remove: (hash: string) => run('readwrite', (s) => s.delete(hash)).then(() => undefined),
  async all(): Promise<[string, Queued][]> {
    const keys = (await run('readonly', (s) => s.getAllKeys())) as string[];
    const values = (await run('readonly', (s) => s.getAll())) as Queued[];
    return keys.map((k, i) => [k, values[i]!]);
  },
};
