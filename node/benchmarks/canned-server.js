'use strict'
// A local HTTP server that answers every database call with the same canned reply, so an
// end-to-end benchmark measures the clients and not the server. Run as a child process by
// run.js: it receives the reply body in its first IPC message, answers token requests with a
// token and every other request with the body, and sends back its port.

const http = require('node:http')

const TOKEN = Buffer.from('{"access_token":"canned-token","expires_in":7200}')

process.once('message', (body) => {
  const reply = Buffer.from(body)
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const payload = req.url.startsWith('/cgi-bin/') ? TOKEN : reply
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length })
      res.end(payload)
    })
  })
  server.keepAliveTimeout = 60000
  server.listen(0, '127.0.0.1', () => process.send(server.address().port))
  process.on('disconnect', () => server.close(() => process.exit(0)))
})
