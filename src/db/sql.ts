/**
 * A Postgres array literal for a `?::text[]` / `?::uuid[]` parameter: knex would expand a JS array
 * into a list of parameters. Only for values of plain characters (uuids, enum names).
 */
export function pgArray(values: readonly string[]): string {
  for (const v of values) if (!/^[\w-]+$/.test(v)) throw new Error(`unsafe array element: ${v}`);
  return `{${values.join(',')}}`;
}

/** One SQL statement with its `?` placeholders' values, to send alone or inside another statement. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}
