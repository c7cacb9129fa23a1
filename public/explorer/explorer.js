// Switchboard API explorer: GraphiQL 3 (UMD, served locally) wired to /graphql over HTTP
// and, for subscriptions, over graphql-ws on the same path.
(function () {
  'use strict';

  var httpUrl = location.origin + '/graphql';
  var wsUrl = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/graphql';

  var DEFAULT_HEADERS = JSON.stringify({ Authorization: 'Bearer <paste token>' }, null, 2);

  var DEFAULT_QUERY = [
    '# Switchboard API explorer',
    '#',
    '# 1. Headers tab (below): put your token in',
    '#    {"Authorization": "Bearer <token>"}.',
    '#    The schema and the Docs load once it is accepted.',
    '# 2. Run: Ctrl-Enter or the play button.',
    '#    Docs (book icon, top left) describes every field.',
    '#',
    '# Subscriptions use the same token over WebSocket:',
    '#   subscription {',
    '#     activeModelChanged(provider: "openrouter") {',
    '#       capability version model { name }',
    '#     }',
    '#   }',
    '',
    'query ActiveChatModel {',
    '  activeModel(provider: "openrouter", capability: CHAT) {',
    '    id',
    '    name',
    '    displayName',
    '    capabilities',
    '  }',
    '}',
    '',
  ].join('\n');

  function headerValue(headers, name) {
    if (!headers || typeof headers !== 'object') return undefined;
    var wanted = name.toLowerCase();
    for (var key in headers) {
      if (Object.prototype.hasOwnProperty.call(headers, key) && key.toLowerCase() === wanted) return headers[key];
    }
    return undefined;
  }

  // The server reads connectionParams { authorization, locale } (lower-case), whatever the
  // case of the HTTP header the user typed.
  function connectionParamsFrom(headers) {
    var params = {};
    var authorization = headerValue(headers, 'authorization');
    if (authorization) params.authorization = String(authorization);
    var language = headerValue(headers, 'accept-language') || navigator.language || 'en';
    params.locale = String(language).split(',')[0].split('-')[0].trim();
    return params;
  }

  // GraphiQL passes the headers editor's content to the fetcher on each call, but a wsClient
  // is fixed when the fetcher is created. So the fetcher remembers the latest headers, and
  // this proxy hands every subscription to a graphql-ws client made for those headers,
  // replacing the client when the token (or locale) changes.
  var latestHeaders = {};
  var client = null;
  var clientKey = null;

  function currentClient() {
    var params = connectionParamsFrom(latestHeaders);
    var key = JSON.stringify(params);
    if (!client || key !== clientKey) {
      if (client) client.dispose();
      client = graphqlWs.createClient({ url: wsUrl, connectionParams: params, lazy: true, retryAttempts: 3 });
      clientKey = key;
    }
    return client;
  }

  var wsClientProxy = {
    subscribe: function (payload, sink) {
      return currentClient().subscribe(payload, sink);
    },
  };

  var baseFetcher = GraphiQL.createFetcher({
    url: httpUrl,
    subscriptionUrl: wsUrl,
    wsClient: wsClientProxy,
    // Apollo Server answers plain JSON; no need for the multipart (incremental delivery) path.
    enableIncrementalDelivery: false,
  });

  function makeFetcher() {
    return function fetcher(graphQLParams, fetcherOpts) {
      latestHeaders = (fetcherOpts && fetcherOpts.headers) || {};
      return baseFetcher(graphQLParams, fetcherOpts);
    };
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var fetcher = makeFetcher();
  var authOfSchema = null;
  var editTimer = null;

  function render() {
    root.render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultQuery: DEFAULT_QUERY,
        defaultHeaders: DEFAULT_HEADERS,
        defaultEditorToolsVisibility: 'headers',
        // Tokens are secrets: never persist the headers editor in localStorage.
        shouldPersistHeaders: false,
        onEditHeaders: onEditHeaders,
      }),
    );
  }

  // Every operation needs a token, so the schema fetched on load (with the placeholder) fails.
  // When the Authorization header changes, hand GraphiQL a new fetcher: that makes it
  // introspect again, and the Docs panel fills in without a manual "re-fetch schema".
  function onEditHeaders(text) {
    clearTimeout(editTimer);
    editTimer = setTimeout(function () {
      var parsed;
      try {
        parsed = JSON.parse(text || '{}');
      } catch {
        return; // still typing
      }
      var authorization = headerValue(parsed, 'authorization') || null;
      if (authorization === authOfSchema) return;
      authOfSchema = authorization;
      fetcher = makeFetcher();
      render();
    }, 600);
  }

  authOfSchema = headerValue(JSON.parse(DEFAULT_HEADERS), 'authorization');
  render();
})();
