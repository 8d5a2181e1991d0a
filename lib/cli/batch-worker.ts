// A batch worker thread (batch.ts starts them): takes one task at a time from the main thread,
// runs it (batch-jobs.ts) and posts the outcome back. The modules a job loads stay loaded, so
// every file after the first costs only its own check, not Node's start-up.

import { parentPort } from 'node:worker_threads';
import { setBlockingReadMax } from '../io.ts';
import { runTask, type BatchTask } from './batch-jobs.ts';

// Reads on the thread pool: a worker's throughput, not one file's latency, and its memory
// (io.ts setBlockingReadMax).
setBlockingReadMax(0);

const port = parentPort;
if (port === null) throw new Error('batch-worker.ts runs as a worker thread (started by batch.ts)');

port.on('message', (task: BatchTask) => {
  if (task.crash === true) {
    // The test hook: an uncaught exception kills this worker as a real crash would (issue 14 item 3).
    setImmediate(() => {
      throw new Error(`test hook: worker crash on ${task.file}`);
    });
    return;
  }
  void runTask(task).then((outcome) => port.postMessage({ index: task.index, outcome }));
});
