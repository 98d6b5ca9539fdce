// A catalogue the bot answers from is frozen, all the way down: nothing may
// change it in place (a change makes a new one: LiveCatalogue.change), so
// what is derived from it (offered.ts, render.ts) can be kept with it.
import type { Catalogue } from './types.ts';

function freezeAll(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) freezeAll(v);
}

/** The same catalogue, frozen deeply; returned for chaining. */
export function frozen(catalogue: Catalogue): Catalogue {
  freezeAll(catalogue);
  return catalogue;
}

/** Whether derived facts may be kept with this catalogue: only if nothing can change it. */
export function isFrozenCatalogue(catalogue: Catalogue): boolean {
  return Object.isFrozen(catalogue) && Object.isFrozen(catalogue.services) && Object.isFrozen(catalogue.categories);
}
