/**
 * The replay's indexer in a worker thread (started by `startLiveIndexer`, indexer.ts): the indexer's PGlite (WASM)
 * and its JSON-RPC client then run on their own thread, beside the replay's event loop instead of inside it, whose
 * transactions are one round trip after the other.
 *
 * Messages from the replay: `{ type: "waitForHead", id, timeoutMs }` and `{ type: "stop" }`. To the replay:
 * `{ type: "ready", url }` or `{ type: "failed", error }` once, then `{ type: "checkpoint", number }` whenever the
 * indexed block moves, `{ type: "done", id, error? }` per wait, and `{ type: "stopped" }`.
 */
import { parentPort, workerData } from "node:worker_threads";
import { startIndexer, type Indexer } from "../../indexer/index.js";
import { StartupError } from "../../indexer/startup.js";

/** An error as plain data (worker messages are cloned), with a `StartupError`'s flag and exit code. */
export interface WorkerError {
  message: string;
  stack?: string;
  startup?: { flag: string; exitCode: number };
}

const toData = (e: unknown): WorkerError =>
  e instanceof StartupError
    ? { message: e.message.replace(new RegExp(`^${e.flag}: `), ""), stack: e.stack, startup: { flag: e.flag, exitCode: e.exitCode } }
    : { message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined };

const port = parentPort!;
let indexer: Indexer | undefined;
try {
  indexer = await startIndexer(workerData as Parameters<typeof startIndexer>[0]);
  port.postMessage({ type: "ready", url: indexer.url });
} catch (e) {
  port.postMessage({ type: "failed", error: toData(e) }); // the replay terminates this worker
}
if (indexer) serve(indexer);

function serve(indexer: Indexer): void {
  let last: number | undefined;
  const publish = () => {
    const n = indexer.state.checkpoint?.number;
    if (n !== undefined && n !== last) port.postMessage({ type: "checkpoint", number: (last = n) });
  };
  const timer = setInterval(publish, 50);
  port.on("message", async (m: { type: "waitForHead"; id: number; timeoutMs: number } | { type: "stop" }) => {
    if (m.type === "waitForHead") {
      try {
        await indexer.waitForHead(m.timeoutMs);
        publish();
        port.postMessage({ type: "done", id: m.id });
      } catch (e) {
        port.postMessage({ type: "done", id: m.id, error: toData(e) });
      }
    } else {
      clearInterval(timer);
      await indexer.stop().catch(() => {});
      port.postMessage({ type: "stopped" });
      port.close();
    }
  });
}
