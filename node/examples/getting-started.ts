// Getting started with wxcloud from TypeScript: start a local emulator, write and read records,
// call a cloud function, store files, and handle errors by code. Type-checked by `tsc --noEmit`
// in the test suite.
import { Readable } from 'node:stream'
import {
  Client,
  Emulator,
  WxCloudError,
  decode,
  statements,
  type DeleteResult,
  type Document,
  type DownloadLink,
  type QcloudToken,
  type QueryResult,
} from 'wxcloud'

interface Todo {
  _id: string
  title: string
  done: boolean
  due: Date
}

async function main(): Promise<void> {
  const emulator = new Emulator({
    seed: true,
    functions: { add: async (event: { a: number; b: number }) => ({ sum: event.a + event.b }) },
  })
  await emulator.start()
  try {
    const client: Client = emulator.client({ timeoutMs: 5_000 })

    const sample: Document[] = await client.aggregate(
      'db.collection("test_collection").aggregate().match({tags:"cloud"}).limit(10).end()',
    )
    console.log(sample.length, 'sample records')

    await client.createCollection('todos')
    const ids: string[] = await client.add('todos', [
      { title: 'write docs', done: false, due: new Date('2030-01-01T00:00:00Z') },
      { title: 'ship', done: false, due: new Date('2030-02-01T00:00:00Z') },
    ])
    const page: QueryResult<Todo> = await client.query<Todo>('todos', {
      where: { done: false },
      orderBy: [['due', 'asc']],
      limit: 10,
    })
    for (const todo of page.data) console.log(todo._id, todo.title, todo.due.toISOString())

    const { modified } = await client.update('todos', { _id: ids[0] }, { $set: { done: true } })
    const open: number = await client.count('todos', { where: { done: false } })
    const removed: number = await client.delete('todos', { done: true })
    console.log({ modified, open, removed })

    console.log(statements.query('todos', { where: { title: { $regex: '^w' } }, fields: ['title'] }))
    const [record] = decode<Document>(['{"n": {"$numberLong": "9007199254740993"}}'])
    console.log(typeof record.n === 'bigint')

    try {
      await client.count('no_such_collection')
    } catch (err) {
      if (err instanceof WxCloudError && err.code === 'WXCLOUD_NOT_FOUND') {
        console.log('missing collection:', err.errcode, err.errmsg)
      } else {
        throw err
      }
    }

    const { sum } = await client.invokeFunction<{ sum: number }>('add', { a: 1, b: 2 })
    console.log('sum', sum)

    const fileId: string = await client.uploadFile('notes/hello.txt', Buffer.from('hello'))
    const streamed: string = await client.uploadFile('notes/streamed.txt', Readable.from([Buffer.from('chunk')]))
    const bytes: Buffer = await client.downloadFile(fileId)
    const links: DownloadLink[] = await client.downloadUrls([fileId, streamed], { maxAge: 600 })
    const deleted: DeleteResult[] = await client.deleteFiles([fileId, streamed])
    const creds: QcloudToken = await client.qcloudToken(600)
    console.log(bytes.toString(), links.filter((l) => l.status === 0).length, 'links', deleted.length, 'deleted', creds.expiredTime > 0)

    const fromEnv = new Client({ baseUrl: emulator.baseUrl, appid: emulator.appid, secret: emulator.secret, env: emulator.env })
    const withProvider = new Client({
      baseUrl: emulator.baseUrl,
      env: emulator.env,
      tokenProvider: async () => ({ accessToken: 'from-my-token-service', expiresIn: 7200 }),
    })
    void fromEnv
    void withProvider
  } finally {
    await emulator.stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
