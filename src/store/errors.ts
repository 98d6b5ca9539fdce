// Errors both stores raise, in a module of its own so that neither store
// loads the other's driver to share them.

/** The database was migrated by a newer Waymark: refused, never touched. */
export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}
