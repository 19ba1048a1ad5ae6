/**
 * Makes a container's image present per imagePullPolicy (upstream images.imageManager.EnsureImageExists):
 * Never → ErrImageNeverPull when absent; a failed pull → ErrImagePull and a back-off (10 s doubling to 5 min)
 * during which attempts answer ImagePullBackOff. Credentials from imagePullSecrets are tried in turn.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../util/clock.js';
import { CrashBackoff } from './crash-backoff.js';
import type { ImageService } from './cri/services.js';
import type { AuthConfig } from './cri/types.js';
import { defaultPullPolicy, normalizeImage } from './image-reference.js';

export class ImagePullError extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName',
    message: string,
  ) {
    super(message);
  }
}

export type PullEvent = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

export class ImagePuller {
  private readonly backoff = new CrashBackoff();

  constructor(
    private readonly images: ImageService,
    private readonly clock: Clock,
  ) {}

  /** Returns the normalized reference and the image id. */
  async ensure(
    pod: Pod,
    container: Container,
    auths: AuthConfig[],
    event: PullEvent,
  ): Promise<{ image: string; imageRef: string }> {
    const spec = container.image ?? '';
    if (!spec) throw new ImagePullError('InvalidImageName', `Failed to apply default image tag "${spec}"`);
    const image = normalizeImage(spec);
    const policy = container.imagePullPolicy ?? defaultPullPolicy(spec);
    const present = await this.images.imageStatus({ image });
    if (policy !== 'Always' && present) {
      event('Normal', 'Pulled', `Container image "${spec}" already present on machine`);
      return { image, imageRef: present.id };
    }
    if (policy === 'Never') {
      const msg = `Container image "${spec}" is not present with pull policy of Never`;
      event('Warning', 'ErrImageNeverPull', msg);
      throw new ImagePullError('ErrImageNeverPull', msg);
    }
    const key = `${spec}_${pod.metadata?.uid ?? ''}`;
    const now = this.clock.now();
    if (this.backoff.inBackoffSinceUpdate(key, now) !== undefined) {
      event('Normal', 'BackOff', `Back-off pulling image "${spec}"`);
      throw new ImagePullError('ImagePullBackOff', `Back-off pulling image "${spec}"`);
    }
    event('Normal', 'Pulling', `Pulling image "${spec}"`);
    const started = this.clock.now();
    const attempts: (AuthConfig | undefined)[] = auths.length ? auths : [undefined];
    let lastErr: unknown;
    for (const auth of attempts) {
      try {
        const imageRef = await this.images.pullImage({ image }, auth);
        const secs = ((this.clock.now() - started) / 1000).toFixed(3);
        event('Normal', 'Pulled', `Successfully pulled image "${spec}" in ${secs}s`);
        return { image, imageRef };
      } catch (err) {
        lastErr = err;
      }
    }
    this.backoff.next(key, this.clock.now());
    const why = lastErr instanceof Error ? lastErr.message : String(lastErr);
    event('Warning', 'Failed', `Failed to pull image "${spec}": ${why}`);
    throw new ImagePullError('ErrImagePull', why);
  }

  forgetPod(uid: string): void {
    this.backoff.forgetSuffix(`_${uid}`);
  }
}
