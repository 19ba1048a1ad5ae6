import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { fieldErr, type FieldError } from '../../api/errors.js';
import {
  aesCbcTransformer,
  aesGcmTransformer,
  identityTransformer,
  PrefixTransformers,
  secretboxTransformer,
  type PrefixedTransformer,
  type ValueTransformer,
} from './providers.js';
import { ENCRYPTION_CONFIG_API_VERSION, ENCRYPTION_CONFIG_KIND } from './secrets-encryption.js';

/** kube-apiserver's EncryptionConfiguration (apiserver.config.k8s.io/v1), the parts Tugboat serves. */
interface KeyConfig {
  name?: string;
  secret?: string;
}
interface ProviderConfig {
  aescbc?: { keys?: KeyConfig[] };
  aesgcm?: { keys?: KeyConfig[] };
  secretbox?: { keys?: KeyConfig[] };
  identity?: object;
  kms?: object;
}
interface ResourceConfig {
  resources?: string[];
  providers?: ProviderConfig[];
}

const KEYED_PROVIDERS = {
  aescbc: { sizes: [16, 24, 32], make: aesCbcTransformer },
  aesgcm: { sizes: [16, 24, 32], make: aesGcmTransformer },
  secretbox: { sizes: [32], make: secretboxTransformer },
} as const;
type KeyedProvider = keyof typeof KEYED_PROVIDERS;
const PROVIDER_NAMES = ['kms', 'aesgcm', 'aescbc', 'secretbox', 'identity'] as const;

interface GroupResource {
  group: string;
  resource: string;
}

/** `secrets` → core secrets, `deployments.apps`, `*.` → every core resource, `*.apps`, `*.*` (Go's ParseGroupResource). */
function parseGroupResource(text: string): GroupResource {
  const dot = text.indexOf('.');
  return dot < 0
    ? { group: '', resource: text }
    : { group: text.slice(dot + 1), resource: text.slice(0, dot) };
}

const grKey = (gr: GroupResource): string => `${gr.resource}.${gr.group}`;

/** Which transformer stores which resources: an exact entry, else `*.group`, else `*.*`, as upstream resolves them. */
export class EncryptionConfig {
  constructor(
    private readonly byResource: Map<string, ValueTransformer>,
    /** What writes use per configured resource, for the start-up log: `secrets → aescbc:key1`. */
    readonly summary: string[],
  ) {}

  transformerFor(group: string, resource: string): ValueTransformer | undefined {
    return (
      this.byResource.get(grKey({ group, resource })) ??
      this.byResource.get(grKey({ group, resource: '*' })) ??
      this.byResource.get(grKey({ group: '*', resource: '*' }))
    );
  }
}

export async function loadEncryptionConfig(path: string): Promise<EncryptionConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(
      `error opening encryption provider configuration file ${JSON.stringify(path)}: ${(err as Error).message}`,
    );
  }
  try {
    return parseEncryptionConfig(text);
  } catch (err) {
    throw new Error(
      `error while parsing encryption provider configuration file ${JSON.stringify(path)}: ${(err as Error).message}`,
    );
  }
}

export function parseEncryptionConfig(text: string): EncryptionConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new Error(`error while parsing file: ${(err as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error('error while parsing file: not an EncryptionConfiguration object');
  }
  const { apiVersion, kind, resources } = doc as {
    apiVersion?: unknown;
    kind?: unknown;
    resources?: unknown;
  };
  if (apiVersion !== ENCRYPTION_CONFIG_API_VERSION || kind !== ENCRYPTION_CONFIG_KIND) {
    throw new Error(
      `error while parsing file: no kind ${JSON.stringify(typeof kind === 'string' ? kind : '')} is registered ` +
        `for version ${JSON.stringify(typeof apiVersion === 'string' ? apiVersion : '')}: expected apiVersion ${ENCRYPTION_CONFIG_API_VERSION}, ` +
        `kind ${ENCRYPTION_CONFIG_KIND}`,
    );
  }
  const configs = (Array.isArray(resources) ? resources : []) as ResourceConfig[];
  const errors = validate(configs);
  if (errors.length > 0) {
    const lines = errors.map((e) => `${e.field}: ${e.message}`);
    throw new Error(lines.length === 1 ? lines[0] : `[${lines.join(', ')}]`);
  }
  return build(configs);
}

function validate(configs: ResourceConfig[]): FieldError[] {
  if (configs.length === 0) return [fieldErr.required('resources', 'at least one resources is required')];
  const errors: FieldError[] = [];
  configs.forEach((conf, i) => {
    const r = `resources[${i}].resources`;
    const p = `resources[${i}].providers`;
    const names = Array.isArray(conf.resources) ? conf.resources : [];
    if (names.length === 0) errors.push(fieldErr.required(r, `at least one ${r} is required`));
    errors.push(...resourceOverlap(names, r), ...resourceNames(names, r));
    const providers = Array.isArray(conf.providers) ? conf.providers : [];
    if (providers.length === 0) errors.push(fieldErr.required(p, `at least one ${p} is required`));
    providers.forEach((provider, j) => errors.push(...validateProvider(provider, `${p}[${j}]`)));
  });
  return errors;
}

function validateProvider(provider: ProviderConfig, path: string): FieldError[] {
  const present = PROVIDER_NAMES.filter((name) => provider?.[name] != null);
  if (present.length === 0) {
    return [
      fieldErr.invalid(
        path,
        provider,
        'provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity',
      ),
    ];
  }
  if (present.length > 1) {
    return [
      fieldErr.invalid(
        path,
        provider,
        'more than one provider specified in a single element, should split into different list elements',
      ),
    ];
  }
  const name = present[0]!;
  if (name === 'kms') {
    return [fieldErr.invalid(`${path}.kms`, 'kms', 'KMS providers are not supported by tugboat')];
  }
  if (name === 'identity') return [];
  return validateKeys(provider[name]?.keys, `${path}.${name}.keys`, KEYED_PROVIDERS[name].sizes);
}

function validateKeys(keys: KeyConfig[] | undefined, path: string, sizes: readonly number[]): FieldError[] {
  if (!Array.isArray(keys) || keys.length === 0)
    return [fieldErr.required(path, 'at least one keys is required')];
  const errors: FieldError[] = [];
  keys.forEach((key, i) => {
    const at = `${path}[${i}]`;
    if (!key?.name) errors.push(fieldErr.required(`${at}.name`, 'name is a mandatory field for a key'));
    if (!key?.secret) {
      errors.push(fieldErr.required(`${at}.secret`, 'secret is a mandatory field for a key'));
      return;
    }
    const secret = decodeBase64(key.secret);
    if (!secret) {
      errors.push(fieldErr.invalid(`${at}.secret`, 'REDACTED', 'secrets must be base64 encoded'));
    } else if (!sizes.includes(secret.length)) {
      errors.push(
        fieldErr.invalid(
          `${at}.secret`,
          'REDACTED',
          `secret is not of the expected length, got ${secret.length}, expected one of [${sizes.join(' ')}]`,
        ),
      );
    }
  });
  return errors;
}

/** Strict standard base64, as Go's StdEncoding (Node's decoder would skip bad characters). */
function decodeBase64(text: string): Buffer | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

function resourceOverlap(names: string[], path: string): FieldError[] {
  if (names.length < 2) return [];
  const parsed = names.map(parseGroupResource);
  let duplicate = false;
  let overlap = false;
  parsed.forEach((a, i) =>
    parsed.forEach((b, j) => {
      if (i === j) return;
      if (a.group === b.group && a.resource === b.resource) duplicate = true;
      else if (a.group === '*' && a.resource === '*') overlap = true;
      else if (a.group === b.group && (a.resource === '*' || b.resource === '*')) overlap = true;
    }),
  );
  const errors: FieldError[] = [];
  if (duplicate)
    errors.push(fieldErr.invalid(path, names, 'the same resource cannot be specified multiple times'));
  if (overlap) {
    errors.push(
      fieldErr.invalid(
        path,
        names,
        "using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked",
      ),
    );
  }
  return errors;
}

const NON_REST_RESOURCES = new Set(['apiserveripinfo', 'serviceipallocations', 'servicenodeportallocations']);

function resourceNames(names: string[], path: string): FieldError[] {
  const errors: FieldError[] = [];
  names.forEach((name, j) => {
    const at = `${path}[${j}]`;
    const gr = parseGroupResource(name);
    const why =
      name.toLowerCase() !== name
        ? 'resource name should not contain capital letters'
        : name === '*'
          ? "use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources"
          : NON_REST_RESOURCES.has(name)
            ? 'resources which do not have REST API/s cannot be encrypted'
            : gr.group === 'events.k8s.io'
              ? "'*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file"
              : gr.group === 'extensions'
                ? "'extensions' group has been removed and cannot be used for encryption"
                : gr.group === '*' && gr.resource !== '*'
                  ? 'encrypting the same resource across groups is not supported'
                  : undefined;
    if (why) errors.push(fieldErr.invalid(at, name, why));
  });
  return errors;
}

/** A resource named in several entries reads with all their providers, in order; the first entry's writes. */
function build(configs: ResourceConfig[]): EncryptionConfig {
  const chains = new Map<string, PrefixedTransformer[]>();
  const summary: string[] = [];
  for (const conf of configs) {
    const providers = (conf.providers ?? []).map(prefixedTransformer);
    for (const name of conf.resources ?? []) {
      const key = grKey(parseGroupResource(name));
      if (!chains.has(key)) summary.push(`${name} → ${describe(conf.providers![0]!)}`);
      chains.set(key, [...(chains.get(key) ?? []), ...providers]);
    }
  }
  const byResource = new Map<string, ValueTransformer>();
  for (const [key, chain] of chains) {
    byResource.set(key, new PrefixTransformers(chain, 'no matching prefix found'));
  }
  return new EncryptionConfig(byResource, summary);
}

function keyedProviderOf(provider: ProviderConfig): KeyedProvider | undefined {
  return (['aescbc', 'aesgcm', 'secretbox'] as const).find((name) => provider[name] != null);
}

/** `k8s:enc:aescbc:v1:` then one transformer per key, each under its `name:` prefix. */
function prefixedTransformer(provider: ProviderConfig): PrefixedTransformer {
  const kind = keyedProviderOf(provider);
  if (!kind) return { prefix: Buffer.alloc(0), transformer: identityTransformer };
  const keys = provider[kind]!.keys!.map((key) => ({
    prefix: Buffer.from(`${key.name}:`),
    transformer: KEYED_PROVIDERS[kind].make(Buffer.from(key.secret!, 'base64')),
  }));
  return {
    prefix: Buffer.from(`k8s:enc:${kind}:v1:`),
    transformer: new PrefixTransformers(
      keys,
      `no matching key was found for the provided ${kind === 'secretbox' ? 'Secretbox' : 'AES'} transformer`,
    ),
  };
}

function describe(provider: ProviderConfig): string {
  const kind = keyedProviderOf(provider);
  return kind ? `${kind}:${provider[kind]!.keys![0]!.name}` : 'identity';
}
