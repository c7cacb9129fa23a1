import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

/**
 * The reference: a bare Apollo Server 5 (its standalone node:http server) answering a constant for
 * the same query shape as the benchmarked activeModel query. No auth, no database, no cache.
 */
const typeDefs = `#graphql
  enum Capability { CHAT CODE CONTENT IMAGE AUDIO EMBEDDING }
  type Provider { id: ID! slug: String! name: String! }
  type AIModel { id: ID! name: String! modelId: String! displayName: String! provider: Provider! }
  type Query { activeModel(provider: String!, capability: Capability!): AIModel }
`;
const provider = { id: '5d1c3c1e-0000-4000-8000-000000000001', slug: 'openrouter', name: 'OpenRouter' };
const model = { id: '5d1c3c1e-0000-4000-8000-000000000002', name: 'claude', modelId: 'anthropic/claude', displayName: 'Claude', provider };

async function main(): Promise<void> {
  const server = new ApolloServer({ typeDefs, resolvers: { Query: { activeModel: () => model } } });
  const { url } = await startStandaloneServer(server, { listen: { port: Number(process.env.PORT), host: '127.0.0.1' } });
  console.log(`bare apollo listening at ${url}`);
  process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
