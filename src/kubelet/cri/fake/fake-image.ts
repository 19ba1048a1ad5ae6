/** An in-memory ImageService for tests: records pulls (with their auth), injects pull errors per image. */
import type { ImageService } from '../services.js';
import type { AuthConfig, FilesystemUsage, Image, ImageSpec } from '../types.js';

export class FakeImageService implements ImageService {
  readonly images = new Map<string, Image>();
  readonly pulls: { image: string; auth?: AuthConfig }[] = [];
  private readonly pullErrors = new Map<string, { err: Error; times: number }>();

  /** Makes `image` present, as if pulled earlier. */
  addImage(image: string): Image {
    const id = `sha256:${Buffer.from(image).toString('hex').padEnd(64, '0').slice(0, 64)}`;
    const img: Image = { id, repoTags: [image], repoDigests: [], sizeBytes: 1024, pinned: false };
    this.images.set(image, img);
    return img;
  }

  /** The next `times` pulls of `image` fail with err (Infinity: until clearPullError). */
  injectPullError(image: string, err: Error, times = 1): void {
    this.pullErrors.set(image, { err, times });
  }

  clearPullError(image: string): void {
    this.pullErrors.delete(image);
  }

  async listImages(): Promise<Image[]> {
    await Promise.resolve();
    return [...this.images.values()];
  }

  async imageStatus(image: ImageSpec): Promise<Image | null> {
    await Promise.resolve();
    return this.find(image.image) ?? null;
  }

  async pullImage(image: ImageSpec, auth?: AuthConfig): Promise<string> {
    await Promise.resolve();
    this.pulls.push(auth ? { image: image.image, auth } : { image: image.image });
    const e = this.pullErrors.get(image.image);
    if (e) {
      if (--e.times <= 0) this.pullErrors.delete(image.image);
      throw e.err;
    }
    return (this.find(image.image) ?? this.addImage(image.image)).id;
  }

  async removeImage(image: ImageSpec): Promise<void> {
    await Promise.resolve();
    const found = this.find(image.image);
    if (found) for (const [k, v] of this.images) if (v === found) this.images.delete(k);
  }

  async imageFsInfo(): Promise<FilesystemUsage[]> {
    await Promise.resolve();
    return [{ mountpoint: '/fake', usedBytes: this.images.size * 1024, inodesUsed: this.images.size }];
  }

  private find(ref: string): Image | undefined {
    return this.images.get(ref) ?? [...this.images.values()].find((i) => i.id === ref);
  }
}
