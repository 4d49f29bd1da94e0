/**
 * HTTP authentication (RFC 9110 §11): a 401 (WWW-Authenticate) or a 407 (Proxy-Authenticate) asks
 * the client for credentials. A client that has them sends the same request again with an
 * Authorization (Proxy-Authorization) header — on the same connection (NTLM and Negotiate need it,
 * RFC 4559) or on a new one to the same server. A challenge answered that way is a step of the
 * exchange, not its failure: the answer to the request sent again tells how it went. A challenge
 * the client never answered with credentials stays a failure.
 */
import type { HttpExchange } from '../track/http.js';
import type { Outcome } from './outcome.js';

/**
 * Seconds after a challenge within which the same request sent again with credentials on another
 * connection answers it (a program answers at once; a person typing a password into a prompt
 * takes longer). Past it, the request is a new one.
 */
export const AUTH_RETRY_WINDOW = 60;

/** A request that carried credentials: what a challenge on another connection needs to match it. */
export interface CredentialedRequest {
  method: string;
  target: string;
  /** Carried Authorization / Proxy-Authorization. */
  www: boolean;
  proxy: boolean;
  /** Capture time (s) of the request. */
  time: number;
}

/**
 * A challenge the client did not answer on its own connection: a request that matches it on
 * another connection of the same target answers it, and `otherwise` (the outcome of the rest of
 * the walk of rules, classify in diagnose.ts) is then the connection's outcome.
 */
export interface AuthChallenge {
  method: string;
  target: string;
  /** A 407 (the proxy asks): answered by Proxy-Authorization; a 401 by Authorization. */
  proxy: boolean;
  /** Capture time (s) of the challenge. */
  time: number;
  otherwise: Outcome | null;
}

/** Most credentialed requests kept of one connection. */
const MAX_PER_CONN = 8;

/** A status that asks for credentials. */
export function isChallenge(e: HttpExchange): boolean {
  return e.status === 401 || e.status === 407;
}

/** `r` is the request of challenge `e` sent again with the credentials `e` asked for. */
function sendsAgain(e: { method: string; target: string; proxy: boolean }, r: { method: string; target: string; www: boolean; proxy: boolean }): boolean {
  return r.method === e.method && r.target === e.target && (e.proxy ? r.proxy : r.www);
}

const credentialed = (r: HttpExchange): CredentialedRequest => ({
  method: r.method, target: r.target, www: r.authScheme !== null, proxy: r.proxyAuthScheme !== null, time: r.requestTime,
});

/**
 * The request after `list[i]`, a challenge, that sends it again with credentials on the same
 * connection (after the challenge arrived), or undefined.
 */
export function retriedOnConn(list: readonly HttpExchange[], i: number): HttpExchange | undefined {
  const e = list[i]!;
  if (!isChallenge(e) || e.responseFrame === null) return undefined;
  const want = { method: e.method, target: e.target, proxy: e.status === 407 };
  // Bounded: a session keeps at most MAX_EXCHANGES (track/http.ts) exchanges.
  for (let j = i + 1; j < list.length; j++) {
    const r = list[j]!;
    if (r.requestFrame > e.responseFrame && sendsAgain(want, credentialed(r))) return r;
  }
  return undefined;
}

/**
 * The first exchange that `failed` says failed and that is not a challenge answered on its own
 * connection; a challenge left unanswered here gives way to a later failure of another kind (which
 * stands whatever another connection shows). `steps`: the challenges answered before it.
 */
export function firstFailure(list: readonly HttpExchange[], failed: (e: HttpExchange) => boolean): { ex: HttpExchange; steps: HttpExchange[] } | null {
  let first: HttpExchange | null = null;
  const steps: HttpExchange[] = [];
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    if (!failed(e)) continue;
    if (retriedOnConn(list, i) !== undefined) {
      if (first === null && steps.length < 4) steps.push(e);
      continue;
    }
    if (!isChallenge(e)) return { ex: e, steps };
    first ??= e;
  }
  return first === null ? null : { ex: first, steps };
}

/** The challenge `ex` as another connection may answer it. */
export function challengeOf(ex: HttpExchange): AuthChallenge {
  return { method: ex.method, target: ex.target, proxy: ex.status === 407, time: ex.responseTime ?? ex.requestTime, otherwise: null };
}

/** The requests of a connection that carried credentials (at most MAX_PER_CONN). */
export function credentialedRequests(list: readonly HttpExchange[] | undefined): CredentialedRequest[] {
  const out: CredentialedRequest[] = [];
  if (list === undefined) return out;
  for (const r of list) {
    if (out.length >= MAX_PER_CONN) break;
    if (r.authScheme !== null || r.proxyAuthScheme !== null) out.push(credentialed(r));
  }
  return out;
}

/** A request of `reqs` sends challenge `c` again, on another connection, soon enough after it. */
export function answers(c: AuthChallenge, reqs: readonly CredentialedRequest[]): boolean {
  return reqs.some((r) => sendsAgain(c, r) && r.time >= c.time && r.time - c.time <= AUTH_RETRY_WINDOW);
}

/** The outcome once the challenges `reqs` answer are passed: the first that stands. */
export function resolveChallenges(o: Outcome, reqs: readonly CredentialedRequest[]): Outcome {
  let cur = o;
  // Bounded: each step goes one rule further along the walk.
  for (let guard = 0; guard < 16 && cur.authChallenge && cur.authChallenge.otherwise !== null && answers(cur.authChallenge, reqs); guard++) {
    cur = cur.authChallenge.otherwise;
  }
  return cur;
}
