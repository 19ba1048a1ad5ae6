import assert from 'node:assert/strict';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import {
  aesCbcTransformer,
  aesGcmTransformer,
  identityTransformer,
  PrefixTransformers,
  secretboxTransformer,
} from './providers.js';

const plain = Buffer.from('{"apiVersion":"v1","kind":"Secret","data":{"password":"aHVudGVyMg=="}}');
const KEY = '/registry/core/secrets/default/db';

void test('each cipher reads back what it wrote, never the same bytes twice, and not the plain text', () => {
  for (const [name, make, keyLength] of [
    ['aescbc', aesCbcTransformer, 32],
    ['aescbc-128', aesCbcTransformer, 16],
    ['aesgcm', aesGcmTransformer, 32],
    ['aesgcm-192', aesGcmTransformer, 24],
    ['secretbox', secretboxTransformer, 32],
  ] as const) {
    const t = make(randomBytes(keyLength));
    const a = t.toStorage(plain, KEY);
    const b = t.toStorage(plain, KEY);
    assert.notDeepEqual(a, b, `${name}: a fresh IV or nonce per write`);
    assert.equal(a.includes(Buffer.from('aHVudGVyMg==')), false, `${name}: ciphertext`);
    assert.deepEqual(t.fromStorage(a, KEY), { value: plain, stale: false }, name);
  }
});

void test('the stored layouts are upstream’s: IV then CBC ciphertext; nonce, ciphertext, then the GCM tag', () => {
  const key = randomBytes(32);
  const cbc = aesCbcTransformer(key).toStorage(plain, KEY);
  assert.equal((cbc.length - 16) % 16, 0);
  const d = createDecipheriv('aes-256-cbc', key, cbc.subarray(0, 16));
  assert.deepEqual(Buffer.concat([d.update(cbc.subarray(16)), d.final()]), plain);

  const gcm = aesGcmTransformer(key).toStorage(plain, KEY);
  assert.equal(gcm.length, 12 + plain.length + 16);
  const g = createDecipheriv('aes-256-gcm', key, gcm.subarray(0, 12));
  g.setAAD(Buffer.from(KEY));
  g.setAuthTag(gcm.subarray(gcm.length - 16));
  assert.deepEqual(Buffer.concat([g.update(gcm.subarray(12, gcm.length - 16)), g.final()]), plain);
});

void test('tampering, a wrong key or another key path is refused with upstream’s messages', () => {
  const key = randomBytes(32);
  const gcm = aesGcmTransformer(key);
  const sealed = gcm.toStorage(plain, KEY);
  assert.throws(() => gcm.fromStorage(sealed, '/registry/core/secrets/default/other'), {
    message: 'cipher: message authentication failed',
  });
  const flipped = Buffer.from(sealed);
  flipped[20]! ^= 1;
  assert.throws(() => gcm.fromStorage(flipped, KEY), { message: 'cipher: message authentication failed' });

  const box = secretboxTransformer(key).toStorage(plain, KEY);
  assert.throws(() => secretboxTransformer(randomBytes(32)).fromStorage(box, KEY), {
    message: 'output array was not large enough for encryption',
  });
  assert.throws(() => secretboxTransformer(key).fromStorage(box.subarray(0, 30), KEY), {
    message: 'the stored data was shorter than the required size',
  });

  const cbc = aesCbcTransformer(key);
  assert.throws(() => cbc.fromStorage(Buffer.alloc(8), KEY), {
    message: 'the stored data was shorter than the required size',
  });
  assert.throws(() => cbc.fromStorage(Buffer.alloc(40), KEY), {
    message: 'the stored data is not a multiple of the block size',
  });
  // A wrong key almost always leaves bad padding; a value that happens to unpad is still not the plain text.
  const other = aesCbcTransformer(randomBytes(32));
  const written = cbc.toStorage(plain, KEY);
  let read: Buffer | undefined;
  try {
    read = other.fromStorage(written, KEY).value;
  } catch (err) {
    assert.equal((err as Error).message, 'invalid padding on input');
  }
  assert.notDeepEqual(read, plain);
});

void test('identity passes plain values and refuses encrypted ones', () => {
  assert.deepEqual(identityTransformer.fromStorage(plain, KEY), { value: plain, stale: false });
  assert.throws(() => identityTransformer.fromStorage(Buffer.from('k8s:enc:aescbc:v1:k:xyz'), KEY), {
    message: 'identity transformer tried to read encrypted data',
  });
});

void test('prefix chains write with the first provider and call whatever another provider reads stale', () => {
  const oldKey = aesCbcTransformer(randomBytes(32));
  const newKey = aesCbcTransformer(randomBytes(32));
  const before = new PrefixTransformers(
    [
      { prefix: Buffer.from('k1:'), transformer: oldKey },
      { prefix: Buffer.alloc(0), transformer: identityTransformer },
    ],
    'no matching prefix found',
  );
  const after = new PrefixTransformers(
    [
      { prefix: Buffer.from('k2:'), transformer: newKey },
      { prefix: Buffer.from('k1:'), transformer: oldKey },
    ],
    'no matching prefix found',
  );
  const written = before.toStorage(plain, KEY);
  assert.equal(written.subarray(0, 3).toString(), 'k1:');
  assert.deepEqual(before.fromStorage(written, KEY), { value: plain, stale: false });
  assert.deepEqual(before.fromStorage(plain, KEY), { value: plain, stale: true }, 'plain, read by identity');
  assert.deepEqual(after.fromStorage(written, KEY), { value: plain, stale: true });
  assert.deepEqual(after.fromStorage(after.toStorage(plain, KEY), KEY), { value: plain, stale: false });
  assert.throws(() => after.fromStorage(plain, KEY), { message: 'no matching prefix found' });
});
