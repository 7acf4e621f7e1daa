import net from 'node:net';

export interface RawResponse {
  status: number;
  statusLine: string;
  headers: Record<string, string>;
  body: string;
  /** The connection failed or closed without an answer. */
  error?: string;
}

/**
 * Sends bytes exactly as given (fetch normalises `..`, refuses NUL and absolute-form targets), and
 * reads one HTTP/1.1 answer. The request should say `Connection: close`.
 */
export function rawRequest(baseUrl: string, request: string | Buffer, opts: { timeoutMs?: number; halfClose?: boolean } = {}): Promise<RawResponse> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const head = text.indexOf('\r\n\r\n');
      const lines = (head === -1 ? text : text.slice(0, head)).split('\r\n');
      const statusLine = lines[0] ?? '';
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const i = l.indexOf(':');
        if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
      resolve({ status, statusLine, headers, body: head === -1 ? '' : text.slice(head + 4), error: status ? undefined : (error ?? 'no answer') });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (e) => finish(e.message));
    socket.write(request);
    // Half-close: the server sees the end of the body it was promised more of.
    if (opts.halfClose) socket.end();
  });
}

/** A request line plus the usual headers, CRLF-joined. */
export function httpText(method: string, target: string, headers: Record<string, string> = {}, body = ''): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (body || method === 'POST') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
