/**
 * capture.one_sided: only one direction of this target's traffic is in the capture (the other
 * side's packets are acknowledged but absent): its outcome cannot be judged here.
 */
import { defineCause } from '../cause.js';

export default defineCause({
  code: 'capture.one_sided',
  layer: 'capture',
  severity: 'warning',
  live: 'end',
  rules: [],
  planned: 'issue 20',
  words: {
    en: {
      summary: '{target}: the capture holds only one direction of this traffic',
      explanation:
        'Only the packets {client} sent to {target} are in the capture; the other side\'s packets are missing although {client} acknowledged them. The capture was filtered to one direction, or taken where only one direction passes (asymmetric routing, a SPAN port of one direction). Whether this exchange worked cannot be judged from it.',
      advice: [
        'Capture again on the client itself (`tcpdump -i any host {ip}`), or on a link that carries both directions.',
        'Check the capture filter: a filter on the source address (`src host ...`) keeps one direction only.',
        'With asymmetric routing, the replies return on another interface or through another router: capture there too, or on `any`.',
      ],
    },
    zh: {
      summary: '{target}：抓包中只有该流量的一个方向',
      explanation:
        '抓包中只有 {client} 发往 {target} 的数据包；另一方的数据包缺失，尽管 {client} 已确认收到了它们。抓包时只过滤了一个方向，或者抓包位置只经过一个方向的流量（非对称路由、只镜像单向的 SPAN 端口）。据此无法判断这次交互是否成功。',
      advice: [
        '在客户端本机重新抓包（`tcpdump -i any host {ip}`），或在同时承载双向流量的链路上抓包。',
        '检查抓包过滤条件：按源地址过滤（`src host ...`）只会保留一个方向。',
        '存在非对称路由时，回包从另一个网卡或另一台路由器返回：在那里也抓包，或在 `any` 上抓包。',
      ],
    },
  },
});
