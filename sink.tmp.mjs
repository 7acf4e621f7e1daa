import net from 'node:net';
const srv = net.createServer((s) => { s.setNoDelay(true); s.on('data', () => {}); s.on('error', () => {}); });
srv.listen(8792, '127.0.0.1');
setTimeout(() => process.exit(0), 20000);
