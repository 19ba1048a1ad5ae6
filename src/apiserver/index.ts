import type { ApiServerConfig } from './config.js';
import { createDefaultExtensions } from './default-extensions.js';
import { buildOpenApi, loadSchemas } from './openapi/index.js';
import { aliasesByResource } from './registry/conversion/index.js';
import { fieldSets } from './registry/fieldsets.js';
import { buildResourceDefs, type RegistryParts } from './registry/index.js';
import { workloadNameValidators, workloadStrategies } from './registry/strategies/index.js';
import { nameValidators, otherStrategies } from './registry/strategies/others.js';
import { tableConvertors } from './registry/tables/index.js';
import { startApiServerWith, type RunningApiServer } from './server.js';

export type { ApiServerConfig, Authenticator, UserInfo, TlsMaterial } from './config.js';
export type { RunningApiServer } from './server.js';

/** Every built-in kind with its behaviour: tables, field selectors, older served versions. */
export function builtinRegistryParts(): RegistryParts {
  return {
    strategies: { ...otherStrategies, ...workloadStrategies },
    tables: tableConvertors,
    fieldSets,
    aliases: aliasesByResource,
  };
}

/** Starts the API server with every built-in kind and request feature. */
export async function startApiServer(config: ApiServerConfig): Promise<RunningApiServer> {
  const registryParts = builtinRegistryParts();
  const openapi = buildOpenApi(buildResourceDefs(registryParts), {
    schemas: loadSchemas(undefined, config.logger),
  });
  return startApiServerWith(config, {
    extensions: createDefaultExtensions({
      openapi,
      nameValidators: { ...nameValidators, ...workloadNameValidators },
    }),
    registryParts,
  });
}
