/**
 * A request that got no answer, and the reset that may have ended it: one rule for http.no_response
 * and tcp.reset (the reset says more than the silence), and the reset's facts, which tcp.reset's
 * own rule uses too.
 */
import type { TcpConn } from '../track/tcp.js';
import type { Arg } from '../facts.js';
import type { ConnRule, EvidenceAt } from './outcome.js';
import { clientLeftAtOnce, firstCloseAfter, isTcp, outcome, tenths } from './outcome.js';
import { HTTP_UNANSWERED, RST, proof, way } from './evidence.js';
import { interval } from '../time.js';

/** A reset as evidence ('RST from the server'), its sender and the tcp.reset facts. */
export function rstFacts(c: TcpConn, rst: TcpConn['rsts'][number]): { sender: 'client' | 'server'; proof: EvidenceAt; facts: Record<string, Arg> } {
  const sender = rst.fromOrig ? 'client' : 'server';
  return {
    sender,
    proof: proof(RST, rst.frame, rst.ts, way(c, rst.fromOrig), { sender }),
    facts: { sender, seconds: tenths(interval(rst.ts, c.start)) },
  };
}

/** A request with no answer: reset by a side → tcp.reset, otherwise http.no_response. */
export const HTTP_UNANSWERED_RULE: ConnRule = {
  on: 'conn',
  rank: 120,
  produces: ['tcp.reset', 'http.no_response'],
  run(f) {
    const h = f.http;
    const ex = h?.exchanges.find((e) => e.status === null);
    if (!h || !ex || !isTcp(f)) return null;
    const c = f.conn;
    // The server sent bytes that are not HTTP/1 (a status line it wrote its own way, another
    // protocol), began a header block the capture holds unfinished (cut by its close, or line
    // ends HTTP/1 does not expect), or the capture lost some of the stream: an answer may be
    // among them.
    if (h.broken.server || h.gap || h.serverHeadPending > 0) return null;
    // A request sent after the connection was reset went to no connection (a scanner's own stack
    // sends one after resetting its half-open probe): the server's silence or RST tells nothing.
    if (c.rsts.some((r) => r.frame < ex.requestFrame)) return null;
    const rst = c.rsts.find((r) => r.frame > ex.requestFrame);
    const req = proof(HTTP_UNANSWERED, ex.requestFrame, ex.requestTime, way(c, true), { method: ex.method, path: ex.target });
    if (rst && !rst.fromOrig) {
      const r = rstFacts(c, rst);
      return outcome('tcp.reset', [req, r.proof], { sender: r.sender, afterRequest: true, method: ex.method, path: ex.target }, r.facts);
    }
    // A client that closed or reset within a second of its request did not wait for an answer;
    // a server that then closed without one followed it (nginx logs such a request as 499).
    if (clientLeftAtOnce(firstCloseAfter(c, ex.requestFrame), true, ex.requestTime) !== null) return null;
    const fin = c.fins.find((x) => x.frame > ex.requestFrame);
    // The client's own reset after waiting is how it gave up: no response came.
    if (rst) return outcome('http.no_response', [req, rstFacts(c, rst).proof], { method: ex.method, path: ex.target, clientReset: true }, { waited: tenths(interval(rst.ts, ex.requestTime)), ended: 'client_reset' });
    // How the wait ended: a side's FIN, or nothing (the connection's last packet).
    const ended = fin === undefined ? 'quiet' : fin.fromOrig ? 'client_fin' : 'server_fin';
    return outcome('http.no_response', [req], { method: ex.method, path: ex.target }, { waited: tenths(interval(c.end, ex.requestTime)), ended });
  },
};
