/** The node's ImageService and ImageLayerSource over the local image store and a registry client. */
import type { Clock } from '../../util/clock.js';
import type { AuthConfig, FilesystemUsage, Image, ImageRuntimeConfig, ImageSpec } from '../cri/types.js';
import type { ImageLayerSource, ImageService } from '../cri/services.js';
import { DistributionClient } from './distribution-client.js';
import { SingleFlight } from './fs-util.js';
import {
  collectImageGarbage,
  statfsUsage,
  type DiskUsage,
  type ImageGcPolicy,
  type ImageGcResult,
} from './gc.js';
import { ImageStore, type ImageRecord } from './image-store.js';
import type { Platform } from './manifest.js';
import { pullIntoStore } from './pull.js';
import { normalizeReference } from './reference.js';
import { emptyRegistriesConfig, loadRegistriesConfig, type RegistriesConfig } from './registries-config.js';
import { join } from 'node:path';

export interface LocalImageServiceOptions {
  /** Store root, e.g. `DATA_DIR/agent/images`. */
  root: string;
  clock: Clock;
  registries?: RegistriesConfig;
  platform?: Platform;
  privileged?: boolean;
}

export class ImageNotFoundError extends Error {
  constructor(readonly image: string) {
    super(`image "${image}" is not present`);
    this.name = 'ImageNotFoundError';
  }
}

export class LocalImageService implements ImageService, ImageLayerSource {
  readonly store: ImageStore;
  private readonly client: DistributionClient;
  private readonly pulls = new SingleFlight<string>();
  private ready: Promise<void> | undefined;

  constructor(private readonly opts: LocalImageServiceOptions) {
    const storeOpts: { clock: Clock; privileged?: boolean } = { clock: opts.clock };
    if (opts.privileged !== undefined) storeOpts.privileged = opts.privileged;
    this.store = new ImageStore(opts.root, storeOpts);
    this.client = new DistributionClient({ registries: opts.registries ?? emptyRegistriesConfig() });
  }

  /** Creates the store's directories and sweeps leftovers of crashed pulls; called lazily by every method. */
  init(): Promise<void> {
    this.ready ??= this.store.init();
    return this.ready;
  }

  async listImages(): Promise<Image[]> {
    await this.init();
    return (await this.store.list()).map(toImage);
  }

  async imageStatus(image: ImageSpec): Promise<Image | null> {
    await this.init();
    const r = await this.store.find(image.image);
    return r ? toImage(r) : null;
  }

  /** Concurrent pulls of one reference share one download; a pull of a present image re-checks the registry. */
  async pullImage(image: ImageSpec, auth?: AuthConfig): Promise<string> {
    await this.init();
    const ref = normalizeReference(image.image);
    return this.pulls.do(ref, async () => {
      const record = await pullIntoStore(this.client, this.store, ref, auth, this.opts.platform);
      return record.id;
    });
  }

  async removeImage(image: ImageSpec): Promise<void> {
    await this.init();
    await this.store.remove(image.image);
  }

  async imageFsInfo(): Promise<FilesystemUsage[]> {
    await this.init();
    const [{ bytes, inodes }, disk] = await Promise.all([this.store.usage(), statfsUsage(this.opts.root)]);
    return [
      {
        mountpoint: this.opts.root,
        usedBytes: bytes,
        inodesUsed: inodes,
        capacityBytes: disk.capacityBytes,
        availableBytes: disk.availableBytes,
      },
    ];
  }

  async layers(imageId: string): Promise<{ layerDirs: string[]; config: ImageRuntimeConfig }> {
    await this.init();
    const r = await this.store.find(imageId);
    if (!r) throw new ImageNotFoundError(imageId);
    await this.store.touch(r.id);
    return { layerDirs: r.layers.map((l) => this.store.layerDir(l.diffId)), config: r.runtime };
  }

  /** Frees disk by removing unused images at the thresholds; `inUseImageIds` are the running containers' images. */
  async collectGarbage(
    policy: ImageGcPolicy,
    inUseImageIds: ReadonlySet<string>,
    measure?: () => Promise<DiskUsage>,
  ): Promise<ImageGcResult> {
    await this.init();
    return collectImageGarbage(this.store, policy, inUseImageIds, this.opts.clock, measure);
  }
}

/** The agent's image service: store in `DATA_DIR/agent/images`, registries from `DATA_DIR/registries.yaml`. */
export async function openNodeImageService(opts: {
  dataDir: string;
  clock: Clock;
  privileged?: boolean;
}): Promise<LocalImageService> {
  const registries = await loadRegistriesConfig(join(opts.dataDir, 'registries.yaml'));
  const service = new LocalImageService({
    root: join(opts.dataDir, 'agent', 'images'),
    clock: opts.clock,
    registries,
    ...(opts.privileged !== undefined ? { privileged: opts.privileged } : {}),
  });
  await service.init();
  return service;
}

export function toImage(r: ImageRecord): Image {
  const img: Image = {
    id: r.id,
    repoTags: r.repoTags,
    repoDigests: r.repoDigests,
    sizeBytes: r.sizeBytes,
    pinned: false,
  };
  const user = r.runtime.user.split(':')[0] ?? '';
  if (/^\d+$/.test(user)) img.uid = Number(user);
  else if (user !== '') img.username = user;
  return img;
}
