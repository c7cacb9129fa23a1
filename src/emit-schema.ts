/** Writes ../schema.graphql from the code (`npm run schema:emit`); a test fails when it is stale. */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { schemaOnlyResolvers } from './app';
import { createSchema, printSchemaFile } from './graphql/schema';

async function main() {
  const schema = await createSchema(schemaOnlyResolvers());
  const target = path.resolve(__dirname, '../../schema.graphql');
  writeFileSync(target, printSchemaFile(schema));
  console.log(`wrote ${target}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
