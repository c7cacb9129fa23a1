import { Field, ObjectType } from 'type-graphql';
import type { ClassType } from 'type-graphql';

@ObjectType('PageInfo', { simpleResolvers: true, description: 'Where a page ends.' })
export class PageInfo {
  @Field({ description: 'Whether more items follow this page.' })
  hasNextPage: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the last item of this page.' })
  endCursor: string | null;
}

/** What a connection is called and how the schema describes it; `item` names one node in the field descriptions. */
export interface ConnectionText {
  item: string;
  edge: { name: string; description: string };
  connection: { name: string; description: string; edges: string };
}

/** One edge of a page: a node and the cursor to continue after it. */
export interface Edge<TNode> {
  cursor: string;
  node: TNode;
}

/** A page of a forward (Relay) connection. */
export interface Connection<TNode> {
  edges: Edge<TNode>[];
  pageInfo: PageInfo;
}

/**
 * The Relay Connection object type of one node type, with its Edge (TypeGraphQL's generic types): every
 * list the API pages shares their shape, while names and descriptions stay each connection's own.
 * `TNode` is what the resolver hands over as the node, which the node's object type then resolves.
 */
export function connectionType<TNode>(nodeType: ClassType, text: ConnectionText) {
  @ObjectType(text.edge.name, { simpleResolvers: true, description: text.edge.description })
  class EdgeType implements Edge<TNode> {
    @Field({ description: `Pass as \`after\` to continue after this ${text.item}.` })
    cursor: string;

    @Field(() => nodeType, { description: `The ${text.item}.` })
    node: TNode;
  }

  @ObjectType(text.connection.name, { simpleResolvers: true, description: text.connection.description })
  class ConnectionType implements Connection<TNode> {
    @Field(() => [EdgeType], { description: text.connection.edges })
    edges: EdgeType[];

    @Field(() => PageInfo, { description: 'Whether there is more.' })
    pageInfo: PageInfo;
  }

  return ConnectionType;
}

/** A page as its connection: one edge per node, in order; the last edge's cursor ends the page. */
export function connectionOf<TNode>(nodes: readonly TNode[], hasNextPage: boolean, cursorOf: (node: TNode) => string): Connection<TNode> {
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}
