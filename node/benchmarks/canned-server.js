'use strict'
// A local HTTP server that answers every database call with the same canned reply, so an
// end-to-end benchmark measures the clients and not the server. Run as a child process by
// run.js: it receives the reply body in its first IPC message, answers token requests with a
// token and every other request with the body, and sends back its port.
//
// It does as little as an HTTP server can: it reads a request's head, skips its body (by
// content-length) and writes a reply prepared once, status line and headers included, in one
// write. HTTP/1.1 with keep-alive, as the service speaks. (node:http's server parses and
// writes more on every call, a cost both clients measured against it would pay.)

const net = require('node:net')

/** A whole HTTP response for `body`, prepared once. */
function response(body) {
  const head = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`
  return Buffer.concat([Buffer.from(head), body])
}

const TOKEN = response(Buffer.from('{"access_token":"canned-token","expires_in":7200}'))

process.once('message', (body) => {
  const reply = response(Buffer.from(body))
  const server = net.createServer((socket) => {
    socket.setNoDelay(true)
    let buffered = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buffered.subarray(0, end).toString('latin1')
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0)
        if (buffered.length < end + 4 + length) return
        buffered = buffered.subarray(end + 4 + length)
        const path = head.split(' ', 2)[1] ?? ''
        socket.write(path.startsWith('/cgi-bin/') ? TOKEN : reply)
      }
    })
    socket.on('error', () => socket.destroy())
  })
  server.listen(0, '127.0.0.1', () => process.send(server.address().port))
  process.on('disconnect', () => server.close(() => process.exit(0)))
})
