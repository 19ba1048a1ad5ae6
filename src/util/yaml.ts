import type * as Yaml from 'yaml';
import { lazyRequire } from './lazy-require.js';

/**
 * The `yaml` package, loaded when a YAML request, response, patch or file first needs it: a server whose
 * clients speak JSON (kubectl, controllers) never holds it in its heap.
 */
export const yaml = lazyRequire<typeof Yaml>('yaml');
