import { WebSocketServer } from 'ws';
const wss = new WebSocketServer({ port: 8791, perMessageDeflate: false, skipUTF8Validation: true });
let n = 0;
wss.on('connection', (ws) => {
  ws.on('message', (d) => { n++; if (d[10] === 0x6d && d[11] === 0x65) return; const m = JSON.parse(d.toString()); if (m.event === 'stop') ws.close(); });
});
setInterval(() => { process.stdout.write(`agent msgs/s ${n}\n`); n = 0; }, 2000);
setTimeout(() => process.exit(0), 25000);
