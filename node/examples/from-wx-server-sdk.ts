// Coming from wx-server-sdk: the database code of a cloud function, pasted into a Node service.
// Only the first lines differ (a wxcloud client instead of cloud.init()); type-checked by
// `tsc --noEmit` and run against the emulator by the test suite.
import { Emulator } from 'wxcloud'

interface Todo {
  _id: string
  description: string
  done: boolean
  progress: number
}

async function main(): Promise<void> {
  const emulator = new Emulator()
  await emulator.start()
  try {
    const db = emulator.client().database() // was: cloud.database()
    const _ = db.command
    const $ = _.aggregate
    await db.createCollection('todos')

    const { _ids } = await db.collection('todos').add({
      data: [
        { description: 'learn cloud database', done: false, progress: 20, at: db.serverDate() },
        { description: 'write docs', done: false, progress: 80, at: db.serverDate() },
        { description: 'ship', done: true, progress: 100, at: db.serverDate() },
      ],
    })
    console.log(_ids.length, 'added')

    const { data } = await db
      .collection<Todo>('todos')
      .where({ done: false, progress: _.gt(10).and(_.lt(90)) })
      .orderBy('progress', 'desc')
      .limit(10)
      .get()
    console.log(data.map((t) => t.description).join(', '))

    const { stats } = await db.collection('todos').where({ done: false }).update({ data: { progress: _.inc(10) } })
    console.log('updated', stats.updated)

    const { total } = await db.collection('todos').where({ description: db.RegExp({ regexp: '^w', options: 'i' }) }).count()
    console.log('matching', total)

    const { list } = await db.collection('todos').aggregate().group({ _id: '$done', n: $.sum(1) }).sort({ _id: 1 }).end()
    console.log(JSON.stringify(list))

    let seen = 0
    for await (const todo of db.collection<Todo>('todos').where({ progress: _.gte(0) }).iterate()) {
      seen += todo.progress >= 0 ? 1 : 0
    }
    console.log('walked', seen)
  } finally {
    await emulator.stop()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
