/*
 * ww-pktstats: prints the kernel's counters of a packet socket inherited as file descriptor 3,
 * "<packets> <drops>", from getsockopt(SOL_PACKET, PACKET_STATISTICS) — what libpcap's
 * pcap_stats() reads on Linux (packet(7)). Used only by the `cap` fallback
 * (src/capture/cap-compat.ts): `cap` does not expose pcap_stats, so wirewhy finds its own capture
 * socket in /proc/self/fd and hands it to this helper. wirewhy's binding calls pcap_stats().
 *
 * The kernel resets the counters on every read, so each call returns the counts since the
 * previous one; wirewhy adds them up. tp_packets already includes tp_drops (packets that passed
 * the filter, delivered or not).
 *
 * Build: cc -O2 -o native/bin/ww-pktstats native/pktstats.c   (native/build.sh does it)
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <linux/if_packet.h>

#ifndef SOL_PACKET
#define SOL_PACKET 263
#endif

int main(void) {
  /* tpacket_stats_v3 is a superset of tpacket_stats (TPACKET_V1/V2): ask for the larger one. */
  struct tpacket_stats_v3 st;
  socklen_t len = sizeof st;
  memset(&st, 0, sizeof st);
  if (getsockopt(3, SOL_PACKET, PACKET_STATISTICS, &st, &len) != 0) {
    fprintf(stderr, "ww-pktstats: getsockopt(3, SOL_PACKET, PACKET_STATISTICS): %s\n", strerror(errno));
    return 1;
  }
  printf("%u %u\n", st.tp_packets, st.tp_drops);
  return 0;
}
