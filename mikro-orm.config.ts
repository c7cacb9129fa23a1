/** Configuration for the MikroORM CLI (`npx mikro-orm migration:create`, `migration:up`, ...). */
import 'reflect-metadata';
import { loadConfig } from './src/config/config';
import { DEFAULT_DATABASE_URL, ormOptions } from './src/db/orm-options';

const config = loadConfig();
export default ormOptions({ databaseUrl: config.databaseUrl ?? DEFAULT_DATABASE_URL });
