// The explorer's only way to the data: GraphQL queries POSTed to this server's own /graphql endpoint.

/** A GraphQL or transport error; code is the API's extensions.code (NOT_FOUND, INVALID, TIMEOUT, ...). */
export class ApiError extends Error {
  constructor(message, code = 'ERROR', field = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
  }
}

// The endpoint is resolved against the page, so the explorer also works behind a path prefix.
const ENDPOINT = new URL('graphql', document.baseURI).toString();

// Where the server turns anonymous access off, the explorer asks once for an API key and keeps it for the
// browser tab only (sessionStorage), sending it as a Bearer credential.
const KEY_STORAGE = 'actorgraph.apiKey';

function authHeaders() {
  const key = sessionStorage.getItem(KEY_STORAGE);
  return key ? { Authorization: `Bearer ${key}` } : {};
}

/** Runs a query and returns its data; any error in the response is thrown as an ApiError. */
export async function gql(query, variables = {}, { signal, retried = false } = {}) {
  let res;
  try {
    res = await fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
      body: JSON.stringify({ query, variables }),
      signal,
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(`cannot reach the server (${err.message})`, 'NETWORK');
  }
  if (res.status === 401 && !retried) {
    sessionStorage.removeItem(KEY_STORAGE);
    const key = window.prompt('This server needs an API key (ask its administrator: actorgraph keys create ...):');
    if (key && key.trim()) {
      sessionStorage.setItem(KEY_STORAGE, key.trim());
      return gql(query, variables, { signal, retried: true });
    }
  }
  let body;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`the server answered ${res.status} ${res.statusText} without JSON`, `HTTP_${res.status}`);
  }
  if (body.errors?.length) {
    const first = body.errors[0];
    const more = body.errors.length > 1 ? ` (and ${body.errors.length - 1} more)` : '';
    throw new ApiError(first.message + more, first.extensions?.code ?? 'ERROR', first.extensions?.field ?? null);
  }
  return body.data;
}

// --- fragments ---------------------------------------------------------------------------------------------

const ACTOR = `fragment ActorFields on Actor { id name kind aliases countryCode degree }`;

// Relations carry their evidence, so the evidence panel opens without another round trip.
const RELATION = `fragment RelationFields on Relation {
  id type since until status confidence
  from { id } to { id }
  via { ...ActorFields }
  evidence { line claim source { id title publisher date } }
}`;

const PATH = `fragment PathFields on Path {
  length credibility
  nodes { ...ActorFields }
  edges { ...RelationFields }
}`;

const CHANNEL = `fragment ChannelFields on FundingChannel {
  funder { id } recipient { id }
  via { ...ActorFields }
  path { ...PathFields }
}`;

// --- queries -----------------------------------------------------------------------------------------------

/** Suggestions for a search box: the best `first` actors whose name or alias matches text. */
export async function search(text, { first = 8, signal } = {}) {
  const data = await gql(`query Suggest($text: String!, $first: Int) {
    search(text: $text, first: $first) { score actor { id name kind aliases } }
  }`, { text, first }, { signal });
  return data.search;
}

/** One actor's canvas fields. */
export async function actor(id) {
  const data = await gql(`query Actor($id: ID!) { actor(id: $id) { ...ActorFields } } ${ACTOR}`, { id });
  return data.actor;
}

/** One actor with what the details panel shows: description, its own citations and every source. */
export async function actorDetails(id) {
  const data = await gql(`query ActorDetails($id: ID!) {
    actor(id: $id) {
      ...ActorFields description
      evidence { line claim source { id title publisher date } }
      sources { id title publisher date authors file }
    }
  } ${ACTOR}`, { id });
  return data.actor;
}

/** The depth-1 neighbourhood of id under the filters; omitted counts the relations the caps left out. */
export async function neighbourhood(id, { types = null, asOf = null, perNodeLimit = 25, limit = 200 } = {}) {
  const data = await gql(`query Expand($id: ID!, $types: [RelationType!], $asOf: String, $perNodeLimit: Int, $limit: Int) {
    neighbourhood(id: $id, depth: 1, types: $types, asOf: $asOf, perNodeLimit: $perNodeLimit, limit: $limit) {
      nodes { ...ActorFields } edges { ...RelationFields } truncated omitted
    }
  } ${ACTOR} ${RELATION}`, { id, types, asOf, perNodeLimit, limit });
  return data.neighbourhood;
}

/**
 * Everything the path finder shows between from and to: the shortest path, the k best paths, and the chains
 * of FUNDS relations between the two ends in either direction (money routes, with their transit actors).
 */
export async function findPaths({ from, to, types = null, kinds = null, asOf = null, rankBy = 'LENGTH', k = 5 }) {
  const data = await gql(`query FindPaths($from: ID!, $to: ID!, $types: [RelationType!], $kinds: [ActorKind!],
      $asOf: String, $rankBy: PathRank, $k: Int) {
    shortestPath(from: $from, to: $to, types: $types, kinds: $kinds, asOf: $asOf) { ...PathFields }
    paths(from: $from, to: $to, types: $types, kinds: $kinds, asOf: $asOf, k: $k, rankBy: $rankBy) { ...PathFields }
    forward: fundingChannels(funder: $from, recipient: $to, asOf: $asOf) { ...ChannelFields }
    backward: fundingChannels(funder: $to, recipient: $from, asOf: $asOf) { ...ChannelFields }
  } ${ACTOR} ${RELATION} ${PATH} ${CHANNEL}`, { from, to, types, kinds, asOf, rankBy, k });
  return {
    shortest: data.shortestPath,
    paths: data.paths,
    channels: [...data.forward, ...data.backward],
  };
}

/** Funding channels into a recipient, out of a funder, or through an actor (role: recipient|funder|through). */
export async function fundingChannels(role, id, { asOf = null } = {}) {
  if (!['recipient', 'funder', 'through'].includes(role)) throw new ApiError(`unknown funding role ${role}`, 'INVALID');
  const data = await gql(`query Funding($id: ID!, $asOf: String) {
    fundingChannels(${role}: $id, asOf: $asOf) { ...ChannelFields }
  } ${ACTOR} ${RELATION} ${PATH} ${CHANNEL}`, { id, asOf });
  return data.fundingChannels;
}
