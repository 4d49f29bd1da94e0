/** Test helpers: packet builders, TCP conversations, capture-file writers. */
export * from './build.js';
export * from './pcap.js';
export { TcpConversation, Capture } from './conversation.js';
export type { Side, LinkKind, Endpoint, TcpConversationOptions, PacketOptions, SendOptions } from './conversation.js';
export { tls12UntilClientFinished } from './tls-flight.js';
