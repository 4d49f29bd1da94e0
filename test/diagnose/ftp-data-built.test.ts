/**
 * An FTP data connection closed at once by the server is an empty transfer (an empty directory
 * listing: this stop's ftp-password-guessed sample, an anonymous LIST of an empty root, read FAIL
 * tcp.closed_at_once), not a service hanging up. The data channels are those the control
 * connection announced (track/lines.ts DataChannel): 227 and 229 replies (passive), PORT and EPRT
 * commands (active, the server connecting from port 20). A connection to a port nobody announced
 * that closes at once is still tcp.closed_at_once. Built packet by packet through the whole pipeline.
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import type { Report } from '../../src/report/model.js';
import { Capture, LINKTYPE, TcpConversation, ascii } from '../helpers/index.js';
import { trackFrames } from '../helpers/track.js';

const SERVER = '198.51.100.21';
const CLIENT = '192.0.2.44';
const T0 = 1_700_000_000;

type Mode = 'pasv' | 'epsv' | 'port' | 'eprt' | 'none';

function build(mode: Mode): Capture {
  const cap = new Capture();
  const ctl = new TcpConversation({ client: [CLIENT, 40000], server: [SERVER, 21], start: T0, step: 0.01 });
  ctl.syn();
  ctl.synAck();
  ctl.ack('client');
  const say = (who: 'server' | 'client', text: string): void => {
    ctl.send(who, ascii(`${text}\r\n`));
  };
  say('server', '220 (vsFTPd 3.0.3)');
  say('client', 'USER anonymous');
  say('server', '230 Login successful.');
  // The data connection: to the server's port 50123 (passive), or from its port 20 to the client's 45001 (active).
  if (mode === 'pasv') {
    say('client', 'PASV');
    say('server', '227 Entering Passive Mode (198,51,100,21,195,203).');
  } else if (mode === 'epsv') {
    say('client', 'EPSV');
    say('server', '229 Entering Extended Passive Mode (|||50123|)');
  } else if (mode === 'port') {
    say('client', 'PORT 192,0,2,44,175,201');
    say('server', '200 PORT command successful. Consider using PASV.');
  } else if (mode === 'eprt') {
    say('client', 'EPRT |1|192.0.2.44|45001|');
    say('server', '200 EPRT command successful. Consider using EPSV.');
  }
  say('client', 'LIST');
  const active = mode === 'port' || mode === 'eprt';
  const data = active
    ? new TcpConversation({ client: [SERVER, 20], server: [CLIENT, 45001], start: T0 + 1, step: 0.001 })
    : new TcpConversation({ client: [CLIENT, 40001], server: [SERVER, 50123], start: T0 + 1, step: 0.001 });
  data.syn();
  data.synAck();
  data.ack('client');
  // Passive: the server (the data connection's responder) ends the empty listing with its FIN.
  // Active: the server is the data connection's initiator and closes it.
  data.fin(active ? 'client' : 'server');
  data.fin(active ? 'server' : 'client');
  data.ack(active ? 'client' : 'server');
  ctl.at(T0 + 2);
  say('server', '150 Here comes the directory listing.');
  say('server', '226 Directory send OK.');
  say('client', 'QUIT');
  say('server', '221 Goodbye.');
  ctl.fin('client');
  ctl.fin('server');
  ctl.ack('client');
  return cap.addAll(ctl.frames).addAll(data.frames);
}

async function run(mode: Mode): Promise<Report> {
  const cap = build(mode);
  async function* one(): AsyncIterable<Uint8Array> {
    yield cap.pcap({ linkType: LINKTYPE.ETHERNET });
  }
  return analyze(await openStream(one(), { name: 'built.pcap' }), {});
}

describe('FTP data connections', () => {
  for (const mode of ['pasv', 'epsv'] as const) {
    it(`an empty listing over a passive data connection (${mode === 'pasv' ? '227' : '229'}): no verdict`, async () => {
      const r = await run(mode);
      expect(r.verdicts.map((v) => v.cause)).toEqual([]);
      expect(r.summary.failures).toBe(0);
    });
  }

  it('the tracker marks the data connection as such in each mode, and no other connection', () => {
    for (const mode of ['pasv', 'epsv', 'port', 'eprt', 'none'] as const) {
      const { done } = trackFrames(build(mode).sorted().map((r) => ({ ts: Number(r.ts), frame: r.frame })));
      const marks = done.map((f) => `${f.conn.resp.port}:${f.dataChannel === 'ftp'}`).sort();
      const dataPort = mode === 'port' || mode === 'eprt' ? 45001 : 50123;
      expect(marks, mode).toEqual([`21:false`, `${dataPort}:${mode !== 'none'}`].sort());
    }
  });

  it('a port no control connection announced, closed at once by the server: still tcp.closed_at_once', async () => {
    const r = await run('none');
    expect(r.verdicts.map((v) => `${v.severity} ${v.cause} ${v.target.ip}:${v.target.port}`)).toEqual([`error tcp.closed_at_once ${SERVER}:50123`]);
  });
});
