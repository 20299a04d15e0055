// Prints, one per line, every module URL that importing the module named by argv[2] resolves: used to
// check what a package pulls in at run time. Run with `node --import tsx`.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

const { port1, port2 } = new MessageChannel();
const seen = new Set();
port1.on('message', (url) => seen.add(url));
port1.unref();
const hooks = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
  data: { port: port2 },
  transferList: [port2],
});
await import(process.argv[2]);
// Messages from the hooks thread arrive asynchronously: let them drain.
await new Promise((r) => setTimeout(r, 200));
process.stdout.write([...seen].join('\n'));
process.exit(0);
