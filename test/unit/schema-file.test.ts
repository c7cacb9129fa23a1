import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { createSchema, printSchemaFile } from '../../src/graphql/schema';
import { schemaOnlyResolvers } from '../../src/app';

/** schema.graphql is emitted from the code and committed; this fails when someone forgot `npm run schema:emit`. */
test('schema.graphql is up to date with the code', async () => {
  const schema = await createSchema(schemaOnlyResolvers());
  const committed = readFileSync(path.join(__dirname, '../../schema.graphql'), 'utf8');
  expect(committed).toBe(printSchemaFile(schema));
});

test('every field and argument of the schema has a description', async () => {
  const schema = await createSchema(schemaOnlyResolvers());
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))) continue;
    const fields: { name: string; description?: string | null; args?: readonly { name: string; description?: string | null }[] }[] =
      Object.values(type.getFields());
    for (const field of fields) {
      if (!field.description) missing.push(`${type.name}.${field.name}`);
      for (const arg of field.args ?? []) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
    }
  }
  expect(missing).toEqual([]);
});
