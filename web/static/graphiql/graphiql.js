// Starts GraphiQL against this server's /graphql endpoint. Kept out of index.html because the page's
// Content-Security-Policy allows no inline script.
(function () {
  'use strict';
  const defaultQuery = `# ActorGraph API: Ctrl-Enter runs the query; Docs lists every field.
query Explore($text: String!) {
  search(text: $text, first: 5) {
    score
    actor { id name kind aliases }
  }
  fundingChannels(recipient: "iskp") {
    funder { name }
    via { name kind }
    path { length }
  }
}
`;
  const fetcher = GraphiQL.createFetcher({ url: new URL('/graphql', location.href).toString() });
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher,
    defaultQuery,
    defaultVariableEditorOpen: true,
    variables: '{ "text": "Karrar" }',
    shouldPersistHeaders: false,
  }));
}());
