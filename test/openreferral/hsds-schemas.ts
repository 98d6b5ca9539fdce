// The official HSDS 3.0 JSON schemas (vendored in hsds-3.0/, see its README:
// openreferral/specification tag v3.0, CC BY-SA 4.0), compiled once with ajv.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const DIR = path.join(import.meta.dirname, 'hsds-3.0');
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export type Shape =
  | 'service'
  | 'service_list'
  | 'organization'
  | 'organization_list'
  | 'service_at_location'
  | 'service_at_location_list'
  | 'taxonomy'
  | 'taxonomy_term';

function load(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

// strict: false because the files carry the specification's own keywords
// (constraints, datapackage_metadata, core, example...).
const ajv = addFormats(new Ajv({ strict: false, allErrors: true }));
const compiled = new Map<string, ValidateFunction>();

// taxonomy.json and taxonomy_term.json are the uncompiled files: they refer
// to "taxonomy.json" and "metadata.json" by name. metadata.json is not among
// the copies; the compiled service.json carries it inline (its metadata
// items), and that is what is registered under its name.
const metadata = (load('service') as { properties: { metadata: { items: Record<string, unknown> } } }).properties.metadata.items;
ajv.addSchema(metadata, 'metadata.json');
ajv.addSchema(load('taxonomy'), 'taxonomy.json');

const openapi = load('openapi') as { components: { schemas: { Page: Record<string, unknown> } } };

/** A validator for one HSDS response shape, or a Page whose contents are that shape (the openapi Page object). */
export function validator(shape: Shape, asPage = false): ValidateFunction {
  const key = `${shape}:${asPage}`;
  let v = compiled.get(key);
  if (!v) {
    const item = shape === 'taxonomy' ? { $ref: 'taxonomy.json' } : load(shape);
    const schema = asPage
      ? {
          allOf: [openapi.components.schemas.Page],
          required: ['total_items', 'total_pages', 'page_number', 'size', 'first_page', 'last_page', 'empty', 'contents'],
          properties: { contents: { type: 'array', items: item } },
        }
      : item;
    v = ajv.compile(schema);
    compiled.set(key, v);
  }
  return v;
}

/** Schema errors of `body` as readable lines; [] when it is valid. */
export function schemaErrors(shape: Shape, body: unknown, asPage = false): string[] {
  const v = validator(shape, asPage);
  if (v(body)) return [];
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}
