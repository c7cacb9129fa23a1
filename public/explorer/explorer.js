// Switchboard API explorer: GraphiQL 3 (UMD, served locally) wired to /graphql over HTTP
// and, for subscriptions, over graphql-ws on the same path.
(function () {
  'use strict';

  var httpUrl = location.origin + '/graphql';
  var wsUrl = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/graphql';

  // The admin console keeps its token under this key (public/admin/app.js, TOKEN_KEY): reuse it,
  // so a signed-in admin lands here ready to go. Without one, start with no header at all (the
  // schema and Docs load without a token): never on a placeholder that the server would reject.
  var CONSOLE_TOKEN_KEY = 'switchboard.adminToken';

  function storedToken() {
    try {
      return localStorage.getItem(CONSOLE_TOKEN_KEY);
    } catch {
      return null;
    }
  }

  function headersText(token) {
    return token ? JSON.stringify({ Authorization: 'Bearer ' + token }, null, 2) : '{}';
  }

  var DEFAULT_QUERY = [
    '# Switchboard API explorer',
    '#',
    '# 1. Headers tab (below): your token, as',
    '#    {"Authorization": "Bearer <token>"}',
    '#    (filled in when you signed in to /admin/; the first',
    '#    start printed it, or it is ADMIN_TOKEN).',
    '# 2. Run: Ctrl-Enter or the play button.',
    '#    Docs (book icon, top left) describes every field.',
    '#',
    '# Subscriptions use the same token over WebSocket:',
    '#   subscription {',
    '#     activeModelChanged(provider: "openrouter") {',
    '#       cursor capability version model { name }',
    '#     }',
    '#   }',
    '# Every event it receives is kept in the result pane, newest first.',
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

  // GraphiQL shows only the latest value a subscription yields: yield the whole list instead
  // (newest first, numbered), so no event scrolls away unseen.
  async function* keepEvents(iterable) {
    var events = [];
    for await (var result of iterable) {
      events.unshift(Object.assign({ '#': events.length + 1, receivedAt: new Date().toISOString() }, result));
      yield { received: events.length, events: events.slice() };
    }
  }

  function makeFetcher() {
    // GraphiQL may send the operation name of the document before the last edit (a paste, or a
    // document set from a script, executed at once); the server rightly refuses an operation name
    // the document lacks. A name that matches no operation of the current text is replaced by the
    // document's only operation name, or dropped.
    function withLiveOperationName(params) {
      if (!params || typeof params.query !== 'string') return params;
      var names = [];
      var re = /(?:^|[^\w$])(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/g;
      var m;
      while ((m = re.exec(params.query))) names.push(m[1]);
      if (params.operationName && names.indexOf(params.operationName) >= 0) return params;
      if (!params.operationName && names.length !== 1) return params;
      var copy = Object.assign({}, params);
      // One named operation: that is the one meant (and its name tells a subscription, for the WebSocket).
      if (names.length === 1) copy.operationName = names[0];
      else delete copy.operationName;
      return copy;
    }

    // A document whose (first) operation is a subscription; comments ignored.
    function isSubscriptionText(query) {
      var text = typeof query === 'string' ? query.replace(/#[^\n]*/g, ' ') : '';
      return /^\s*subscription\b/.test(text) && !/[^\w$](query|mutation)\s*[\w$]*\s*[({]/.test(text);
    }

    return function fetcher(graphQLParams, fetcherOpts) {
      latestHeaders = (fetcherOpts && fetcherOpts.headers) || {};
      graphQLParams = withLiveOperationName(graphQLParams);
      // GraphiQL routes by the document it parsed last, which can lag an edit: a document that is a
      // subscription goes to the WebSocket here, whatever that parse said.
      if (isSubscriptionText(graphQLParams.query)) return Promise.resolve(keepEvents(currentClient().iterate(graphQLParams)));
      // GraphiQL's fetcher is async: a subscription resolves to an async iterable of results.
      return Promise.resolve(baseFetcher(graphQLParams, fetcherOpts)).then(function (result) {
        return result && typeof result[Symbol.asyncIterator] === 'function' ? keepEvents(result) : result;
      });
    };
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var fetcher = makeFetcher();
  var authOfSchema = null;
  var editTimer = null;

  var initialHeaders = '{}';

  function render() {
    root.render(
      React.createElement(GraphiQL, {
        fetcher: fetcher,
        defaultQuery: DEFAULT_QUERY,
        defaultHeaders: initialHeaders,
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

  // A stored token that no longer works (revoked, another server) would open on an error: check
  // it first and start without it in that case.
  function start(token) {
    initialHeaders = headersText(token);
    authOfSchema = token ? 'Bearer ' + token : null;
    render();
  }

  var token = storedToken();
  if (!token) {
    start(null);
  } else {
    fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    })
      .then(function (res) {
        return res.json();
      })
      .then(
        function (body) {
          start(body && body.data && body.data.viewer ? token : null);
        },
        function () {
          start(null);
        },
      );
  }
})();
