/** OCI and Docker schema 2 manifests, indexes and image configs: parsing, validation and platform choice. */
import { createHash } from 'node:crypto';
import type { ImageRuntimeConfig } from '../cri/types.js';

export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** Every manifest kind we read, for the Accept header: without the OCI ones an OCI image answers 404. */
export const MANIFEST_ACCEPT = [
  MediaType.ociManifest,
  MediaType.ociIndex,
  MediaType.dockerManifest,
  MediaType.dockerManifestList,
].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

/** The parts of an image config we keep. */
export interface ImageConfig {
  os: string;
  architecture: string;
  diffIds: string[];
  runtime: ImageRuntimeConfig;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Parses a manifest or index; `contentType` (from the response) wins over the body's mediaType. */
export function parseManifest(bytes: Buffer, contentType?: string): ImageManifest | ImageIndex {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new ManifestError('manifest is not JSON');
  }
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const header = contentType?.split(';')[0]?.trim();
  const known = (t: string | undefined): t is string =>
    t !== undefined && (Object.values(MediaType) as string[]).includes(t);
  let mediaType = known(header) ? header : declared;
  if (mediaType === undefined)
    mediaType = Array.isArray(doc.manifests) ? MediaType.ociIndex : MediaType.ociManifest;
  if (mediaType === MediaType.dockerSchema1Signed || doc.schemaVersion === 1)
    throw new ManifestError(
      'Docker schema 1 manifests are not supported; push the image with schema 2 or OCI',
    );
  if (mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList) {
    if (!Array.isArray(doc.manifests)) throw new ManifestError('index has no manifests list');
    return { kind: 'index', mediaType, manifests: doc.manifests.map((d) => descriptor(d, 'manifests[]')) };
  }
  if (mediaType !== MediaType.ociManifest && mediaType !== MediaType.dockerManifest)
    throw new ManifestError(`unsupported manifest media type ${mediaType}`);
  if (!Array.isArray(doc.layers)) throw new ManifestError('manifest has no layers list');
  return {
    kind: 'manifest',
    mediaType,
    config: descriptor(doc.config, 'config'),
    layers: doc.layers.map((d) => descriptor(d, 'layers[]')),
  };
}

function descriptor(v: unknown, where: string): Descriptor {
  const d = v as Partial<Descriptor> | null;
  if (typeof d !== 'object' || d === null) throw new ManifestError(`${where} is not a descriptor`);
  if (typeof d.digest !== 'string' || !DIGEST_RE.test(d.digest))
    throw new ManifestError(`${where}: unsupported or malformed digest ${String(d.digest)}`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0)
    throw new ManifestError(`${where}: bad size`);
  const out: Descriptor = {
    mediaType: typeof d.mediaType === 'string' ? d.mediaType : '',
    digest: d.digest,
    size: d.size,
  };
  if (d.platform && typeof d.platform === 'object') out.platform = d.platform;
  if (d.annotations && typeof d.annotations === 'object') out.annotations = d.annotations;
  return out;
}

/** The host's platform in OCI terms. */
export function hostPlatform(): Platform {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
  return { os: 'linux', architecture: arch };
}

/** The index entry for `platform`: exact variant first, then one without a variant, then any variant. */
export function selectPlatform(index: ImageIndex, platform: Platform): Descriptor | undefined {
  const matching = index.manifests.filter(
    (m) => m.platform?.os === platform.os && m.platform?.architecture === platform.architecture,
  );
  return (
    matching.find((m) => platform.variant !== undefined && m.platform?.variant === platform.variant) ??
    matching.find((m) => !m.platform?.variant) ??
    matching[0]
  );
}

export function parseImageConfig(bytes: Buffer): ImageConfig {
  let doc: {
    os?: unknown;
    architecture?: unknown;
    rootfs?: { diff_ids?: unknown };
    config?: Record<string, unknown> | null;
  };
  try {
    doc = JSON.parse(bytes.toString('utf8')) as typeof doc;
  } catch {
    throw new ManifestError('image config is not JSON');
  }
  const diffIds = doc.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.some((d) => typeof d !== 'string' || !DIGEST_RE.test(d)))
    throw new ManifestError('image config has no valid rootfs.diff_ids');
  const c = doc.config ?? {};
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  return {
    os: typeof doc.os === 'string' ? doc.os : '',
    architecture: typeof doc.architecture === 'string' ? doc.architecture : '',
    diffIds: diffIds as string[],
    runtime: {
      entrypoint: strings(c.Entrypoint),
      cmd: strings(c.Cmd),
      env: strings(c.Env),
      workingDir: typeof c.WorkingDir === 'string' ? c.WorkingDir : '',
      user: typeof c.User === 'string' ? c.User : '',
    },
  };
}
