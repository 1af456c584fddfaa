// Headers on every HTTP answer: no MIME sniffing, no referrer leaking the page's URL (which may carry
// `?token=`), and no framing of the page by other sites (clickjacking a page that holds a microphone).
import type { ServerResponse } from 'node:http';

export const PAGE_CSP =
  "default-src 'self'; connect-src 'self' ws: wss:; media-src 'self' blob:; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('content-security-policy', PAGE_CSP);
}
