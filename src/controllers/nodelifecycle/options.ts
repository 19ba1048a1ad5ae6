import type { ControllerOptions } from '../context.js';

/** A numeric tunable from the controller options, or its default when unset or not a finite number. */
export function numberOption(options: ControllerOptions, name: string, fallback: number): number {
  const v = options[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}
