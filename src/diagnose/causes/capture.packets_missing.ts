/**
 * capture.packets_missing: packets the receiver acknowledged are missing from the capture
 * (capture loss): what follows the gap cannot be judged.
 */
import { defineCause } from '../cause.js';

export default defineCause({
  code: 'capture.packets_missing',
  layer: 'capture',
  severity: 'warning',
  live: 'end',
  rules: [],
  planned: 'issue 20',
  words: {
    en: {
      summary: '{target}: the capture lost packets of this exchange, what follows the gap cannot be judged',
      explanation:
        'The receiver acknowledged data that is not in the capture: the capturing system dropped those packets, not the network. What the missing packets held is unknown, so the exchange after the gap is not judged.',
      advice: [
        'Capture with a larger buffer and less work per packet: `tcpdump -B 16384 -s 0 -w file` (no name resolution, write to a file), or capture on a less loaded host.',
        'Narrow the capture filter to the traffic you need, so the capture keeps up.',
        'Compare the drop counters tcpdump prints when it stops ("packets dropped by kernel").',
      ],
    },
    zh: {
      summary: '{target}：抓包丢失了这次交互的部分数据包，缺口之后的内容无法判断',
      explanation:
        '接收方确认了抓包中并不存在的数据：是抓包系统丢弃了这些数据包，而不是网络。缺失的数据包里是什么无从得知，因此不对缺口之后的交互下结论。',
      advice: [
        '用更大的缓冲区、减少每个包的处理来抓包：`tcpdump -B 16384 -s 0 -w file`（不做名称解析，直接写文件），或在负载较低的主机上抓包。',
        '收窄抓包过滤条件，只抓需要的流量，让抓包跟得上。',
        '对比 tcpdump 停止时打印的丢包计数（"packets dropped by kernel"）。',
      ],
    },
  },
});
