// Load and validate the service catalogue (data/services.json).

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Catalogue } from './types.ts';
import { parseJson, validateCatalogue } from './schema.ts';

/** Every problem found in a catalogue file, one line each. */
export class CatalogueError extends Error {
  readonly errors: string[];
  constructor(errors: string[]) {
    super(errors.join('\n'));
    this.name = 'CatalogueError';
    this.errors = errors;
  }
}

/** Parse and validate catalogue JSON text; throws CatalogueError listing every problem. */
export function parseCatalogue(text: string, label: string): Catalogue {
  const parsed = parseJson(text, label);
  if (!parsed.ok) throw new CatalogueError([parsed.error]);
  const errors = validateCatalogue(parsed.value, label);
  if (errors.length > 0) throw new CatalogueError(errors);
  return parsed.value as Catalogue;
}

/**
 * Read, parse and validate a catalogue file synchronously.
 * `label` names the file in error messages; by default its path relative to the working directory.
 */
export function loadCatalogue(path: string, label?: string): Catalogue {
  const name = label ?? (relative(process.cwd(), path) || path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CatalogueError([`${name}: cannot read file: ${e instanceof Error ? e.message : String(e)}`]);
  }
  return parseCatalogue(text, name);
}
