import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Decides each answer: a status, 'hang' (never answer), or 'close' (drop the connection). */
  behave: (n: number, r: Received) => number | 'hang' | 'close';
  close(): Promise<void>;
}

/** A real local HTTP server that records every webhook it is sent. */
export async function startReceiver(behave: Receiver['behave'] = () => 200, port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const rec: Receiver = {
    url: '',
    received,
    behave,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: any;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const r = { headers: req.headers, body, json, at: Date.now() };
      received.push(r);
      const what = rec.behave(received.length, r);
      if (what === 'hang') return void hanging.push(res);
      if (what === 'close') return void req.socket.destroy();
      res.writeHead(what, what >= 300 && what < 400 ? { location: 'http://127.0.0.1:1/elsewhere' } : {});
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  rec.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return rec;
}
