import type { ApiServerConfig } from './config.js';
import { buildCustomOpenApi } from './crd/custom-openapi.js';
import { crdStrategy, crdTable } from './crd/index.js';
import type { ServedCustomResource } from './crd/crd-controller.js';
import { createDefaultExtensions } from './default-extensions.js';
import type { OpenApiDocs } from './extensions.js';
import { buildOpenApi, loadSchemas, type OpenApi, type OpenApiV2, type SchemaSet } from './openapi/index.js';
import { aliasesByResource } from './registry/conversion/index.js';
import { buildResourceDefs, type RegistryParts } from './registry/index.js';
import { workloadNameValidators, workloadStrategies } from './registry/strategies/index.js';
import { nameValidators, otherStrategies } from './registry/strategies/others.js';
import { tableConvertors } from './registry/tables/index.js';
import { startApiServerWith, type RunningApiServer } from './server.js';

export type { ApiServerConfig, Authenticator, UserInfo, TlsMaterial } from './config.js';
export type { RunningApiServer } from './server.js';

const CRD_RESOURCE = 'customresourcedefinitions.apiextensions.k8s.io';

/** Every built-in kind with its behaviour: strategies, tables, older served versions. */
export function builtinRegistryParts(): RegistryParts {
  return {
    strategies: { ...otherStrategies, ...workloadStrategies, [CRD_RESOURCE]: crdStrategy },
    tables: { ...tableConvertors, [CRD_RESOURCE]: crdTable },
    aliases: aliasesByResource,
  };
}

/** Starts the API server with every built-in kind and request feature. */
export async function startApiServer(config: ApiServerConfig): Promise<RunningApiServer> {
  const registryParts = builtinRegistryParts();
  // Built on first use: the documents are large and most clients never ask for them. Each build reads the
  // schemas with their descriptions anew rather than keeping a second, fuller copy of the checking set.
  const schemaSet = (): SchemaSet => loadSchemas(undefined, config.logger);
  let built: OpenApi | undefined;
  const docs = (): OpenApi =>
    (built ??= buildOpenApi(buildResourceDefs(registryParts), { schemas: schemaSet() }));
  let builtV2: Promise<OpenApiV2> | undefined;
  // Custom resources' documents, rebuilt on the first request after their CRDs changed.
  let customServed: readonly ServedCustomResource[] = [];
  let custom: OpenApi | undefined;
  const customDocs = (): OpenApi => (custom ??= buildCustomOpenApi(customServed, schemaSet()));
  const openapi: OpenApiDocs = {
    index: () => {
      const builtin = docs().index() as { paths: Record<string, unknown> };
      if (customServed.length === 0) return builtin;
      const extra = customDocs().index() as { paths: Record<string, unknown> };
      return { paths: { ...builtin.paths, ...extra.paths } };
    },
    groupVersionDoc: (key) =>
      docs().groupVersionDoc(key) ?? (customServed.length ? customDocs().groupVersionDoc(key) : undefined),
    setCustomResources: (served) => {
      customServed = served;
      custom = undefined;
    },
    // Its module (and protobufjs) loads with the first request; a failed build is retried by the next one.
    v2: () =>
      (builtV2 ??= import('./openapi/v2/document.js')
        .then(({ buildOpenApiV2 }) =>
          buildOpenApiV2(buildResourceDefs(registryParts), { schemas: schemaSet() }),
        )
        .catch((err: unknown) => {
          builtV2 = undefined;
          throw err;
        })),
  };
  return startApiServerWith(config, {
    extensions: createDefaultExtensions({
      openapi,
      nameValidators: { ...nameValidators, ...workloadNameValidators },
    }),
    registryParts,
  });
}
