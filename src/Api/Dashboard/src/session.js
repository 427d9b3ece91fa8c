// The token lives in sessionStorage: pasted into the page or passed once as /?token=… (then removed from the address bar).
const key = 'channelgrains.token';

export function takeToken() {
  const url = new URL(window.location.href);
  const passed = url.searchParams.get('token');
  if (passed) {
    sessionStorage.setItem(key, passed.trim());
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(key);
}

export function keepToken(token) {
  sessionStorage.setItem(key, token.trim());
}

export function dropToken() {
  sessionStorage.removeItem(key);
}

/** The JWT payload's claims, or null when the text is not a JWT. The server checks the signature; the page only reads where to start. */
export function claimsOf(token) {
  try {
    const payload = token.split('.')[1];
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(payload.length / 4) * 4, '='));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, c => c.charCodeAt(0))));
    return typeof claims === 'object' && claims ? claims : null;
  } catch {
    return null;
  }
}

export function isExpired(claims) {
  return typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now();
}
