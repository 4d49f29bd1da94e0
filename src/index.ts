/**
 * The library (package.json main/types): read a capture, analyse it, render the report.
 *
 *   const report = await analyze(await openCapture('trace.pcap'));
 *   process.stdout.write(renderReport(report, 'table', { lang: 'en' }));
 */
export { analyze } from './analyze.js';
export { openCapture, openStream } from './capture/open.js';
export { renderReport } from './report/render.js';
export { renderHtml, renderHtmlFragment, REPORT_CSS } from './report/html.js';
export type { Report } from './report/model.js';
