/** Writes ../schema.graphql from the code (`npm run schema:emit`); a test fails when it is stale. */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createSchema, printSchemaFile } from './schema';
import { registerAllModules } from '../modules/register';

async function main() {
  registerAllModules();
  const schema = await createSchema();
  const target = path.resolve(__dirname, '../../../schema.graphql');
  writeFileSync(target, printSchemaFile(schema));
  console.log(`wrote ${target}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
