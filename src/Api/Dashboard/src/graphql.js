import { createClient } from 'graphql-ws';

/** The token was refused (HTTP 401, WebSocket close 4403): the user has to sign in again. */
export class SignInRequired extends Error {}

/** A GraphQL error with its extensions.code (FORBIDDEN, VALIDATION, …). */
export class GraphQLFailure extends Error {
  constructor(error) {
    super(error?.message ?? 'GraphQL error');
    this.code = error?.extensions?.code ?? 'UNKNOWN';
  }
}

export async function query(token, text, variables) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: text, variables }),
  });
  if (response.status === 401) throw new SignInRequired('The token was refused.');
  const body = await response.json();
  if (body.errors?.length) throw new GraphQLFailure(body.errors[0]);
  return body.data;
}

const forbiddenClose = 4403;

/**
 * One graphql-transport-ws connection for all live feeds. It stays open (lazy: false) so the page can show
 * online/offline, and on an abnormal close it reconnects for ever and graphql-ws re-sends every active subscription.
 */
export function connectLive(token, { onState, onSignInRequired }) {
  let everConnected = false;
  const client = createClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: () => ({ token }),
    lazy: false,
    retryAttempts: Infinity,
    retryWait: retries => new Promise(resolve => setTimeout(resolve, Math.min(500 * 2 ** retries, 5000))),
    shouldRetry: event => !(event && event.code === forbiddenClose),
    on: {
      // After a drop the page stays 'offline' through every reconnect attempt, until one succeeds.
      connecting: () => everConnected || onState('connecting'),
      connected: () => {
        onState('online', everConnected);
        everConnected = true;
      },
      closed: event => {
        if (event && event.code === forbiddenClose) onSignInRequired();
        else onState('offline');
      },
    },
  });

  return {
    /** Subscribes and calls next(data) per message; returns the function that ends the subscription. */
    subscribe(text, variables, next, fail) {
      return client.subscribe({ query: text, variables }, {
        next: message => (message.errors?.length ? fail(new GraphQLFailure(message.errors[0])) : next(message.data)),
        error: error => {
          if (Array.isArray(error)) fail(new GraphQLFailure(error[0]));
          else if (error && error.code === forbiddenClose) onSignInRequired();
        },
        complete: () => {},
      });
    },
    // graphql-ws rejects dispose() with the CloseEvent when the socket it waits for was refused (4403): the page has
    // already said so (signed out), so that is no uncaught error.
    dispose: () => Promise.resolve(client.dispose()).catch(() => {}),
  };
}
