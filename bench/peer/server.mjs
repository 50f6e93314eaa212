// The peer baseline of the ActorGraph benchmark: @neo4j/graphql 7 on @apollo/server 5, over the same Neo4j
// and the same data as the service. Its schema is the closest @neo4j/graphql equivalent of
// schema/actors.graphqls for the benchmark's queries (see BENCHMARKS.md, "How the queries are made
// equivalent"):
//   - Actor is a @node over the Actor label; degree is a @cypher field (COUNT { (this)--() }, as the service);
//   - every relation type is an undirected @relationship field (queryDirection: UNDIRECTED) whose edge
//     properties are the stored relation properties (type Rel): neighbourhoods are nested connection fields;
//   - search is @fulltext over the service's own full-text index (actor_search);
//   - shortestPath, paths and fundingChannels are @cypher fields on Query whose statements follow the
//     service's Cypher (SHORTEST k, simple paths, same ordering and caps) without the filter predicates the
//     benchmark does not use.
//
//   PORT=18090 NEO4J_URI=neo4j://127.0.0.1:7690 node server.mjs     (listens on 127.0.0.1 only)
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

// graph.RelTypes, in schema order.
export const relTypes = ["ALLIED_WITH", "RIVAL_OF", "BRANCH_OF", "SPLINTER_OF", "LEADS", "MEMBER_OF", "FUNDS",
  "FINANCE_OFFICE_OF", "OPERATES_IN", "BASED_IN", "SHELTERS", "SUPPORTS", "ATTACKED", "CLAIMED", "COUNTERS",
  "NATIONAL_OF", "ARRESTED", "RECRUITS_FROM", "LOCATED_IN", "KILLED"];

// fieldName turns MEMBER_OF into memberOf.
export const fieldName = (t) => t.toLowerCase().replace(/_([a-z])/g, (_, c) => c.toUpperCase());

// The projections of the service (graph/decode.go actorProj, relProj), for the @cypher fields.
// Integers are returned as floats: the library converts Neo4j integers for the fields of its nodes but not
// inside the maps a @cypher field returns, and GraphQL's Int accepts a JavaScript number with no fraction.
const actorProj = (v) =>
  `${v} {.id, .name, .kind, .aliases, .description, .countryCode, .evSource, evLine: [x IN ${v}.evLine | toFloat(x)], .evClaim, degree: toFloat(COUNT { (${v})--() })}`;
const relProj = (r) =>
  `${r} {.id, .since, .until, .status, .confidence, .via, .evSource, evLine: [x IN ${r}.evLine | toFloat(x)], .evClaim, type: type(${r}), from: startNode(${r}).id, to: endNode(${r}).id}`;

// pathsCypher mirrors graph/paths.go: SHORTEST candidates, simple paths only, ordered by length then
// credibility then weak edges, at most k. The service answers paths(k) this way when actors are filtered;
// without filters it takes the shortest group and extends it with Yen's algorithm, one statement per
// round, which a single @cypher statement cannot express: SHORTEST k is the one-statement equivalent. Where
// more paths of a length exist than SHORTEST keeps, it keeps those Neo4j meets first, while the service ranks
// them all (up to 1,000 per spur; BENCHMARKS.md, "Yen's ties"): the same lengths, a less credible path there.
const pathsCypher = (maxHops, candidates, k) => `
MATCH (a:Actor {id: $from}) MATCH (b:Actor {id: $to})
MATCH p = SHORTEST ${candidates} (a)(()-[r]-(x:Actor)){1,${maxHops}}(b)
WITH p WHERE all(i IN range(0, length(p) - 1) WHERE NOT nodes(p)[i] IN nodes(p)[i + 1..])
WITH p, reduce(c = 1.0, e IN relationships(p) | c * coalesce(e.confidence, 0.5)) AS credibility,
     size([e IN relationships(p) WHERE e.status <> 'STATED']) AS weak
ORDER BY length(p), credibility DESC, weak
LIMIT ${k}
RETURN {nodes: [n IN nodes(p) | ${actorProj("n")}], edges: [e IN relationships(p) | ${relProj("e")}],
        length: toFloat(length(p)), credibility: credibility} AS result`;

// shortestCypher is the service's shortestPath statement (graph/paths.go, no filter): every shortest path
// by Neo4j's bidirectional allShortestPaths (at most 1,000), the best by credibility, then weak edges.
const shortestCypher = (maxHops) => `
MATCH (a:Actor {id: $from}) MATCH (b:Actor {id: $to})
CALL (a, b) { MATCH p = allShortestPaths((a)-[rs*1..${maxHops}]-(b)) RETURN p LIMIT 1000 }
WITH p, reduce(c = 1.0, e IN relationships(p) | c * coalesce(e.confidence, 0.5)) AS credibility,
     size([e IN relationships(p) WHERE e.status <> 'STATED']) AS weak
ORDER BY length(p), credibility DESC, weak
LIMIT 1
RETURN {nodes: [n IN nodes(p) | ${actorProj("n")}], edges: [e IN relationships(p) | ${relProj("e")}],
        length: toFloat(length(p)), credibility: credibility} AS result`;

// fundingCypher is the service's recipient statement (graph/funding.go, fundingCypher("recipient", 5)): a
// breadth-first search upstream, one unrolled level per hop, each funder listed once with its shortest chain
// (ties to the smaller relation ids), at most 200; without the filter predicates the benchmark does not use,
// and with the peer's projections at the end.
const fundingLevel = (level) => `
  CALL (seen, frontier, listed) {
    CALL (seen, frontier) {
      UNWIND frontier AS c
      WITH c, c.ns[0] AS x
      MATCH (y:Actor)-[r:FUNDS]->(x) WHERE r.retired IS NULL AND NOT y IN seen AND NOT y IN c.ns
      WITH y, r, c ORDER BY [r.id] + c.key
      WITH y, head(collect({r: r, c: c})) AS b
      WITH {ns: [y] + b.c.ns, rels: [b.r] + b.c.rels, key: [b.r.id] + b.c.key} AS c
      ORDER BY c.key
      RETURN collect(c) AS fresh
    }
    WITH seen, fresh, listed, fresh[0..(200 - size(listed))] AS kept
    RETURN seen + [c IN fresh | c.ns[0]] AS seen${level}, listed + kept AS listed${level},
           CASE WHEN size(listed) + size(kept) >= 200 THEN [] ELSE fresh END AS frontier${level}
  }
  WITH seen${level} AS seen, frontier${level} AS frontier, listed${level} AS listed`;
const fundingCypher = `
MATCH (anchor:Actor {id: $recipient})
WITH [anchor] AS seen, [{ns: [anchor], rels: [], key: []}] AS frontier, [] AS listed
${[1, 2, 3, 4, 5].map(fundingLevel).join("")}
UNWIND range(0, size(listed) - 1) AS i
WITH listed[i].ns AS ns, listed[i].rels AS rels ORDER BY i
WITH ns, rels, ns[0] AS funder, ns[-1] AS recipient
RETURN {funder: ${actorProj("funder")}, recipient: ${actorProj("recipient")},
        nodes: [n IN ns | ${actorProj("n")}], edges: [x IN rels | ${relProj("x")}], length: toFloat(size(rels))} AS result`;

const actorFields = `
  id: ID!
  name: String!
  kind: String!
  aliases: [String!]!
  description: String
  countryCode: String
  evSource: [String!]!
  evLine: [Int!]!
  evClaim: [String!]!`;

export const typeDefs = `
type Actor @node(labels: ["Actor"])
  @fulltext(indexes: [{ indexName: "actor_search", fields: ["searchText"], queryName: "actorSearch" }]) {
  ${actorFields}
  searchText: String
  degree: Int! @cypher(statement: "RETURN COUNT { (this)--() } AS degree", columnName: "degree")
${relTypes.map((t) => `  ${fieldName(t)}: [Actor!]! @relationship(type: "${t}", direction: OUT, queryDirection: UNDIRECTED, properties: "Rel")`).join("\n")}
}

type Rel @relationshipProperties {
  id: ID!
  since: String
  until: String
  status: String!
  confidence: Float
  via: [String!]!
  evSource: [String!]!
  evLine: [Int!]!
  evClaim: [String!]!
}

type PathActor {
  ${actorFields}
  degree: Int!
}

type PathEdge {
  id: ID!
  type: String!
  from: ID!
  to: ID!
  since: String
  until: String
  status: String!
  confidence: Float
  via: [String!]!
  evSource: [String!]!
  evLine: [Int!]!
  evClaim: [String!]!
}

type Path {
  nodes: [PathActor!]!
  edges: [PathEdge!]!
  length: Int!
  credibility: Float!
}

type FundingChannel {
  funder: PathActor!
  recipient: PathActor!
  nodes: [PathActor!]!
  edges: [PathEdge!]!
  length: Int!
}

type Query {
  shortestPath(from: ID!, to: ID!): Path @cypher(statement: """${shortestCypher(6)}""", columnName: "result")
  paths(from: ID!, to: ID!): [Path!]! @cypher(statement: """${pathsCypher(4, 15, 5)}""", columnName: "result")
  fundingChannels(recipient: ID!): [FundingChannel!]! @cypher(statement: """${fundingCypher}""", columnName: "result")
}
`;

const uri = process.env.NEO4J_URI || "neo4j://127.0.0.1:7690";
const port = Number(process.env.PORT || 18090);
const driver = neo4j.driver(uri, neo4j.auth.none(), { maxConnectionPoolSize: 100 });
const neoSchema = new Neo4jGraphQL({ typeDefs, driver });
const schema = await neoSchema.getSchema();
if (process.argv.includes("--print-schema")) {
  const { printSchema } = await import("graphql");
  console.log(printSchema(schema));
  process.exit(0);
}
const server = new ApolloServer({ schema, introspection: true });
const { url } = await startStandaloneServer(server, {
  listen: { port, host: "127.0.0.1" },
  context: async () => ({ sessionConfig: { database: "neo4j" } }),
});
console.error(`peer: @neo4j/graphql serving ${url} (neo4j ${uri})`);
const stop = async () => {
  await server.stop();
  await driver.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
