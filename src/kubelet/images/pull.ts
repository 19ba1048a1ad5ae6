import type { AuthConfig } from '../cri/types.js';
import { DigestMismatchError } from './digest-stream.js';
import { RegistryError, type DistributionClient } from './distribution-client.js';
import { readBody } from './http.js';
import { hostPlatform, parseImageConfig, selectPlatform, sha256Digest, type Platform } from './manifest.js';
import type { ImageRecord, ImageStore } from './image-store.js';
import { parseReference, repositoryName } from './reference.js';

/** Pulls `image` (any reference form) into the store for `platform`; resolves with the image record. */
export async function pullIntoStore(
  client: DistributionClient,
  store: ImageStore,
  image: string,
  auth?: AuthConfig,
  platform: Platform = hostPlatform(),
): Promise<ImageRecord> {
  const ref = parseReference(image);
  const { session, fetched } = await client.open(ref, auth);
  let manifest = fetched.manifest;
  let manifestDigest = fetched.digest;
  let manifestBytes = fetched.bytes;
  if (manifest.kind === 'index') {
    const entry = selectPlatform(manifest, platform);
    if (!entry) {
      const offered = manifest.manifests
        .map((m) => `${m.platform?.os}/${m.platform?.architecture}`)
        .join(', ');
      throw new RegistryError(
        `${image}: no manifest for ${platform.os}/${platform.architecture} (offered: ${offered})`,
        'NotFound',
      );
    }
    const platformManifest = await session.manifest(entry.digest);
    if (platformManifest.manifest.kind !== 'manifest')
      throw new RegistryError(`${image}: index entry ${entry.digest} is not an image manifest`, 'Invalid');
    manifest = platformManifest.manifest;
    manifestDigest = platformManifest.digest;
    manifestBytes = platformManifest.bytes;
  }
  if (manifest.kind !== 'manifest') throw new RegistryError(`${image}: nested index`, 'Invalid');

  // Re-pulls of a present image (imagePullPolicy Always) cost one manifest request: the config is local.
  const configBytes =
    (await store.readBlobIfPresent(manifest.config.digest)) ??
    (await readBody(await session.blob(manifest.config.digest), 8 << 20));
  const configDigest = sha256Digest(configBytes);
  if (configDigest !== manifest.config.digest)
    throw new DigestMismatchError(`config of ${image}`, manifest.config.digest, configDigest);
  const config = parseImageConfig(configBytes);
  if (config.diffIds.length !== manifest.layers.length)
    throw new RegistryError(
      `${image}: config lists ${config.diffIds.length} layers, manifest ${manifest.layers.length}`,
      'Invalid',
    );

  const repo = repositoryName(ref);
  return store.addImage({
    id: configDigest,
    configBytes,
    manifestDigest,
    manifestBytes,
    runtime: config.runtime,
    layers: manifest.layers.map((l, i) => ({
      digest: l.digest,
      size: l.size,
      diffId: config.diffIds[i]!,
      open: () => session.blob(l.digest),
    })),
    repoTags: ref.tag !== undefined && ref.digest === undefined ? [`${repo}:${ref.tag}`] : [],
    repoDigests: [`${repo}@${fetched.digest}`],
  });
}
