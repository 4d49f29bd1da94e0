/**
 * The cause index: one line per cause file. To add a cause, copy a cause file of the same kind
 * (causes/tcp.refused.ts for a connection rule, causes/dns.nxdomain.ts for a DNS one), give it its
 * code, rule and words, and add its line here. catalogue.ts builds the catalogue and the walk of
 * rules (ordered by each rule's rank) from this list; a test checks it against the contract.
 */
export { default as appLoginFailed } from './app.login_failed.js';
export { default as appMailRejected } from './app.mail_rejected.js';
export { default as appRefused } from './app.refused.js';
export { default as captureEndedEarly } from './capture.ended_early.js';
export { default as captureOneSided } from './capture.one_sided.js';
export { default as capturePacketsMissing } from './capture.packets_missing.js';
export { default as dnsError } from './dns.error.js';
export { default as dnsFragmentsLost } from './dns.fragments_lost.js';
export { default as dnsNoAddress } from './dns.no_address.js';
export { default as dnsNoResponse } from './dns.no_response.js';
export { default as dnsNxdomain } from './dns.nxdomain.js';
export { default as dnsRefused } from './dns.refused.js';
export { default as dnsServfail } from './dns.servfail.js';
export { default as dnsUpdateRefused } from './dns.update_refused.js';
export { default as httpBodyCutShort } from './http.body_cut_short.js';
export { default as httpBodyStalled } from './http.body_stalled.js';
export { default as httpErrorStatus } from './http.error_status.js';
export { default as httpNoResponse } from './http.no_response.js';
export { default as httpProxyRefused } from './http.proxy_refused.js';
export { default as icmpAdminProhibited } from './icmp.admin_prohibited.js';
export { default as icmpEchoLoss } from './icmp.echo_loss.js';
export { default as dhcpAddressInUse } from './dhcp.address_in_use.js';
export { default as httpErrorInBody } from './http.error_in_body.js';
export { default as icmpEchoUnanswered } from './icmp.echo_unanswered.js';
export { default as icmpForgedSource } from './icmp.forged_source.js';
export { default as icmpFragNeeded } from './icmp.frag_needed.js';
export { default as icmpHostUnreachable } from './icmp.host_unreachable.js';
export { default as icmpNetUnreachable } from './icmp.net_unreachable.js';
export { default as icmpPortUnreachable } from './icmp.port_unreachable.js';
export { default as icmpProtocolUnreachable } from './icmp.protocol_unreachable.js';
export { default as icmpTtlExceeded } from './icmp.ttl_exceeded.js';
export { default as ok } from './ok.js';
export { default as tcpAddressScan } from './tcp.address_scan.js';
export { default as tcpClosedAtOnce } from './tcp.closed_at_once.js';
export { default as tcpHandshakeIncomplete } from './tcp.handshake_incomplete.js';
export { default as tcpInboundProbes } from './tcp.inbound_probes.js';
export { default as tcpPmtuBlackhole } from './tcp.pmtu_blackhole.js';
export { default as tcpPortScan } from './tcp.port_scan.js';
export { default as tcpRefused } from './tcp.refused.js';
export { default as tcpReset } from './tcp.reset.js';
export { default as tcpResetInjected } from './tcp.reset_injected.js';
export { default as tcpStalled } from './tcp.stalled.js';
export { default as tcpSynAnsweredByAck } from './tcp.syn_answered_by_ack.js';
export { default as tcpSynFlood } from './tcp.syn_flood.js';
export { default as tcpSynUnanswered } from './tcp.syn_unanswered.js';
export { default as tcpZeroWindow } from './tcp.zero_window.js';
export { default as tlsAlert } from './tls.alert.js';
export { default as tlsCertExpired } from './tls.cert_expired.js';
export { default as tlsChainIncomplete } from './tls.chain_incomplete.js';
export { default as tlsCertNameMismatch } from './tls.cert_name_mismatch.js';
export { default as tlsCertNotYetValid } from './tls.cert_not_yet_valid.js';
export { default as tlsClientRejected } from './tls.client_rejected.js';
export { default as tlsHandshakeIncomplete } from './tls.handshake_incomplete.js';
export { default as tlsNoServerHello } from './tls.no_server_hello.js';
export { default as tlsNotTls } from './tls.not_tls.js';
export { default as tlsTransferCutShort } from './tls.transfer_cut_short.js';
export { default as udpNoResponse } from './udp.no_response.js';
