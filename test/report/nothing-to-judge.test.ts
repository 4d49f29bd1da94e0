/**
 * A capture with no exchange to judge (only ARP, or 802.11 management frames) opens with
 * "Nothing to judge", not "No failure found", which would read as a clean bill; a capture with
 * exchanges that all worked still says "No failure found".
 */
import { describe, expect, it } from 'vitest';
import { openStream } from '../../src/capture/open.js';
import { analyze } from '../../src/analyze.js';
import { renderReport } from '../../src/report/render.js';
import { Capture, LINKTYPE, concat, ethernet, u8, TcpConversation, pcapFile } from '../helpers/index.js';

async function report(bytes: Uint8Array) {
  async function* one(): AsyncIterable<Uint8Array> {
    yield bytes;
  }
  return analyze(await openStream(one(), { name: 'x.pcap' }));
}

describe('the count line', () => {
  it('says there is nothing to judge when the capture holds no exchange (only ARP)', async () => {
    const cap = new Capture();
    const arp = concat([u8(0, 1, 8, 0, 6, 4, 0, 1), u8(2, 0, 0, 0, 0, 1), u8(192, 0, 2, 8), u8(0, 0, 0, 0, 0, 0), u8(192, 0, 2, 1)]);
    cap.add(1_700_000_000, ethernet({ type: 0x0806, dst: 'ff:ff:ff:ff:ff:ff' }, arp));
    const r = await report(cap.pcap({ linkType: LINKTYPE.ETHERNET }));
    expect(renderReport(r, 'table', { lang: 'en' }).split('\n')[0]).toBe('Nothing to judge: the capture holds no TCP, UDP or ICMP exchange');
    expect(renderReport(r, 'md', { lang: 'zh' })).toContain('无可判断的内容');
    expect(renderReport(r, 'md', { lang: 'en' })).not.toContain('No failure found');
  });

  it('still says no failure was found when exchanges worked', async () => {
    const c = new TcpConversation({ client: ['192.0.2.8', 40000], server: ['198.51.100.1', 22] });
    c.syn();
    c.synAck();
    c.ack('client');
    c.fin('client');
    c.fin('server');
    c.ack('client');
    const r = await report(pcapFile({ linkType: c.linkType }, c.frames));
    expect(renderReport(r, 'table', { lang: 'en' }).split('\n')[0]).toBe('No failure found, 1 worked');
  });
});
