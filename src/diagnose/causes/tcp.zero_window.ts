/**
 * tcp.zero_window: the receiver kept its window at zero (probes answered Win=0) until the end:
 * the receiving application stopped reading.
 */
import { defineCause } from '../cause.js';

export default defineCause({
  code: 'tcp.zero_window',
  layer: 'tcp',
  severity: 'error',
  live: 'end',
  rules: [],
  planned: 'issue 22',
  words: {
    en: {
      summary: '{target}: the receiver kept its TCP window at zero for {seconds} s',
      explanation:
        'The receiving side announced a window of zero bytes and kept it there for {seconds} s: the other side\'s zero-window probes were answered, so the network and the host are fine, but the receiving application stopped reading from its socket. The transfer waits for it.',
      advice: [
        'On the receiving host, find the process that stopped reading: `ss -tnp` shows a large Recv-Q on that connection.',
        'Check why the application does not read: blocked on a lock, a full disk or a slow database, an exhausted thread pool; its log and a stack dump (`jstack`, `py-spy dump`, `gdb -p`) show where it waits.',
        'If it reads slowly by design, the sender must wait or time out; check the sender\'s write timeout.',
      ],
    },
    zh: {
      summary: '{target}：接收方把 TCP 窗口保持为零达 {seconds} 秒',
      explanation:
        '接收方通告了零字节的窗口，并保持了 {seconds} 秒：对方的零窗口探测都得到了回应，说明网络和主机都正常，但接收方的应用程序不再从套接字读取数据。传输只能等待它。',
      advice: [
        '在接收方主机上找出不再读取数据的进程：`ss -tnp` 会显示该连接的 Recv-Q 很大。',
        '检查应用为什么不读：阻塞在锁上、磁盘已满或数据库很慢、线程池耗尽；其日志和堆栈转储（`jstack`、`py-spy dump`、`gdb -p`）可显示它在等什么。',
        '如果它本来就读得慢，发送方只能等待或超时；检查发送方的写超时设置。',
      ],
    },
  },
});
