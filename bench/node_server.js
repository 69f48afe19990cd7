// node_server.js - the libuv peer for `make bench`: a Node.js `net` echo
// server with the course's framing ("GOT:" + each chunk that arrives).
//
//   node bench/node_server.js PORT     (0: a free port; prints it)
'use strict';
const net = require('net');

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (data) => socket.write(Buffer.concat([Buffer.from('GOT:'), data])));
  socket.on('error', () => socket.destroy());
});
server.listen({ port: Number(process.argv[2] || 25000), host: '127.0.0.1', backlog: 1024 }, () => {
  console.log(`Listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
