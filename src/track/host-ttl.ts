/**
 * The TTL (IPv4) / hop limit (IPv6) with which each server's own TCP packets arrive, over every
 * connection of the capture: the baseline against which a RST is checked (a RST that arrives from
 * a different distance than everything else the server sent was most likely forged on the path:
 * tcp.reset_injected). RSTs themselves are left out, so a forged one cannot set the baseline.
 * Bounded: past MAX_HOSTS servers, new ones are not recorded (and no comparison is made for them).
 */
import type { Time } from './types.js';

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

export class HostTtls {
  private readonly hosts = new Map<string, HostTtl>();

  /** One packet (not a RST) that the server `ip` sent from `port` in connection `conn`. */
  add(ip: string, port: number, ttl: number, ipId: number, frame: number, ts: Time, conn: number): void {
    let h = this.hosts.get(ip);
    if (h === undefined) {
      if (this.hosts.size >= MAX_HOSTS) return;
      h = { min: ttl, max: ttl, packets: 0, frame, ts, port, lastConn: conn, lastIpId: ipId };
      this.hosts.set(ip, h);
    }
    if (ttl < h.min) h.min = ttl;
    if (ttl > h.max) h.max = ttl;
    h.packets++;
    h.lastConn = conn;
    h.lastIpId = ipId;
  }

  get(ip: string): HostTtl | undefined {
    return this.hosts.get(ip);
  }
}
