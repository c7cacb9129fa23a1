// A minimal graphql-ws ("graphql-transport-ws") client for one long-lived subscription.
// Written by hand rather than using the graphql-ws bundle because, after a reconnect, the
// subscription must be re-sent with fresh variables (since: <last cursor>), which the
// library's automatic re-subscribe would not do.

const PROTOCOL = 'graphql-transport-ws';
const ACK_TIMEOUT_MS = 10_000;
const PING_EVERY_MS = 20_000;
const PONG_TIMEOUT_MS = 10_000;
const STABLE_AFTER_MS = 10_000;
const RETRY_BASE_MS = 1_000;
const RETRY_MAX_MS = 30_000;

// Close codes after which retrying cannot help (graphql-ws CloseCode).
const FATAL_CLOSE_CODES = new Map([
  [4400, 'Bad request'],
  [4401, 'Unauthorized'],
  [4403, 'Forbidden'],
  [4406, 'Subprotocol not acceptable'],
]);

/**
 * Keeps one subscription alive across reconnects.
 * Status: 'connecting' → 'live' (subscribed) → 'reconnecting' … 'live' again;
 * 'error' when the server rejected the subscription; 'offline' after stop() or a fatal close.
 *
 * @param {object} o
 * @param {string} o.url
 * @param {() => object} o.connectionParams  evaluated on every connect
 * @param {string} o.query
 * @param {() => object} o.variables         evaluated on every (re)subscribe
 * @param {(data: object) => void} o.onNext
 * @param {(errors: object[], info: {fatal: boolean}) => void} o.onErrors
 * @param {(state: string, detail?: string) => void} o.onStatus
 */
export function startLive({ url, connectionParams, query, variables, onNext, onErrors, onStatus }) {
  let socket = null;
  let acknowledged = false;
  let stopped = false;
  let attempt = 0;
  let subscriptionId = null;
  let counter = 0;
  const timers = {};

  const clear = (name) => {
    clearTimeout(timers[name]);
    delete timers[name];
  };
  const clearAll = () => Object.keys(timers).forEach(clear);

  function send(message) {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function connect() {
    clearAll();
    acknowledged = false;
    subscriptionId = null;
    onStatus(attempt === 0 ? 'connecting' : 'reconnecting');
    let ws;
    try {
      ws = new WebSocket(url, PROTOCOL);
    } catch (err) {
      scheduleReconnect(err.message);
      return;
    }
    socket = ws;

    ws.onopen = () => {
      send({ type: 'connection_init', payload: connectionParams() });
      timers.ack = setTimeout(() => ws.close(1000, 'connection_ack timeout'), ACK_TIMEOUT_MS);
    };

    ws.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        ws.close(1000, 'invalid message');
        return;
      }
      switch (message.type) {
        case 'connection_ack':
          clear('ack');
          acknowledged = true;
          // Reset the back-off only once the connection has proved stable, so a server that
          // accepts and then drops us at once is not hammered.
          timers.stable = setTimeout(() => {
            attempt = 0;
          }, STABLE_AFTER_MS);
          keepAlive();
          subscribe();
          break;
        case 'ping':
          send({ type: 'pong' });
          break;
        case 'pong':
          clear('pong');
          break;
        case 'next':
          if (message.id !== subscriptionId) break;
          if (message.payload?.errors?.length) onErrors(message.payload.errors, { fatal: false });
          if (message.payload?.data) onNext(message.payload.data);
          break;
        case 'error':
          if (message.id !== subscriptionId) break;
          subscriptionId = null;
          onStatus('error');
          onErrors(Array.isArray(message.payload) ? message.payload : [message.payload], { fatal: true });
          break;
        case 'complete':
          // The server ended the stream (e.g. shutting down): start over, with back-off.
          if (message.id === subscriptionId) ws.close(1000, 'subscription completed');
          break;
        default:
          break;
      }
    };

    ws.onclose = (event) => {
      if (socket !== ws) return;
      clearAll();
      socket = null;
      acknowledged = false;
      subscriptionId = null;
      if (stopped) return;
      if (FATAL_CLOSE_CODES.has(event.code)) {
        onStatus('offline', `${event.code} ${event.reason || FATAL_CLOSE_CODES.get(event.code)}`);
        return;
      }
      scheduleReconnect(event.reason || `connection closed (${event.code})`);
    };
  }

  function subscribe() {
    if (!acknowledged) return;
    subscriptionId = String(++counter);
    send({ id: subscriptionId, type: 'subscribe', payload: { query, variables: variables() } });
    onStatus('live');
  }

  function keepAlive() {
    // Browsers cannot see a silently dead TCP connection; an unanswered ping reveals it.
    timers.ping = setTimeout(() => {
      send({ type: 'ping' });
      timers.pong = setTimeout(() => socket?.close(1000, 'no pong'), PONG_TIMEOUT_MS);
      keepAlive();
    }, PING_EVERY_MS);
  }

  function scheduleReconnect(reason) {
    attempt += 1;
    const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
    onStatus('reconnecting', reason);
    timers.retry = setTimeout(connect, delay);
  }

  function onOnline() {
    if (timers.retry) connect();
  }
  window.addEventListener('online', onOnline);

  connect();

  return {
    /** Subscribe again on the current connection (after the server rejected the previous one). */
    resubscribe() {
      if (acknowledged && !subscriptionId) subscribe();
    },
    stop() {
      stopped = true;
      clearAll();
      window.removeEventListener('online', onOnline);
      if (socket) {
        if (subscriptionId) send({ id: subscriptionId, type: 'complete' });
        socket.close(1000, 'signed out');
        socket = null;
      }
      onStatus('offline');
    },
  };
}
