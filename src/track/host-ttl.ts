/**
 * The TTL (IPv4) / hop limit (IPv6) with which each server's own TCP packets arrive, over every
 * connection of the capture: the baseline against which a RST is checked (a RST that arrives from
 * a different distance than everything else the server sent was most likely forged on the path:
 * tcp.reset_injected). RSTs themselves are left out, so a forged one cannot set the baseline.
 * Bounded: past MAX_HOSTS servers, new ones are not recorded (and no comparison is made for them).
 */
import type { Time } from './types.js';
import type { Packet } from '../decode/packet.js';

export const MAX_HOSTS = 65_536;

export interface HostTtl {
  /** Lowest and highest TTL / hop limit seen, and over how many packets. */
  min: number;
  max: number;
  packets: number;
  /** The first packet recorded (frame, time, the server port it came from). */
  frame: number;
  ts: Time;
  port: number;
  /** The connection (id) of the last packet recorded and its IPv4 identification (-1: IPv6). */
  lastConn: number;
  lastIpId: number;
}

/** What the host table reads of a connection, and where it keeps the server's entry. */
export interface HostTtlConn {
  id: number;
  resp: { ip: string; port: number };
  /** The server's entry, once looked up (null: not yet, or the table was full). */
  hostTtl: HostTtl | null;
}

export class HostTtls {
  private readonly hosts = new Map<string, HostTtl>();

  /**
   * One packet (not a RST) that the server of `c` sent (its TTL / hop limit and IPv4
   * identification are read). The server's entry is looked up once per connection and kept on it.
   */
  add(c: HostTtlConn, p: Packet): void {
    const ttl = p.ttl;
    const ipId = p.ipId;
    let h = c.hostTtl;
    if (h === null) {
      const ip = c.resp.ip;
      const known = this.hosts.get(ip);
      if (known === undefined) {
        if (this.hosts.size >= MAX_HOSTS) return;
        h = { min: ttl, max: ttl, packets: 0, frame: p.frame, ts: p.tsSec + p.tsNsec * 1e-9, port: c.resp.port, lastConn: c.id, lastIpId: ipId };
        this.hosts.set(ip, h);
      } else h = known;
      c.hostTtl = h;
    }
    if (ttl < h.min) h.min = ttl;
    if (ttl > h.max) h.max = ttl;
    h.packets++;
    h.lastConn = c.id;
    h.lastIpId = ipId;
  }

  get(ip: string): HostTtl | undefined {
    return this.hosts.get(ip);
  }
}
