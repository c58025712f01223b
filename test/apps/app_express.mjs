// The README's Express example, run as an app exactly as the README writes it.
//
//   node app_express.mjs README.md PORT ACCESS_LOG
//
// Takes the ```js block that follows "An upload and a serve route (Node.js" in README.md, writes
// it to a temporary directory whose node_modules is this directory's (express, pg, pg-cursor
// from package-lock.json), and imports it: the block listens on process.env.PORT. The database
// is libpq's environment (PGHOST, PGPORT, PGDATABASE, PGUSER), as for the Flask app.
// Each response adds a line to ACCESS_LOG in app_flask.py's format:
//   METHOD PATH "RANGE" STATUS BYTES complete|aborted
// where BYTES is the body the app handed to Node and STATUS is "-" when the client left before
// the app answered. stdout gets "pid PID" at start.
import { subscribe } from 'node:diagnostics_channel';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [readme, port, accessLog] = process.argv.slice(2);

// The first ```lang block after the text `after` in the README.
function readmeBlock(path, after, lang) {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(after);
  if (start < 0) throw new Error(`${path}: no "${after}"`);
  const m = text.slice(start).match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'));
  if (!m) throw new Error(`${path}: no \`\`\`${lang} block after "${after}"`);
  return m[1];
}

// Counts the body bytes of every response and logs it when the response ends or is cut.
subscribe('http.server.request.start', ({ request, response }) => {
  let sent = 0;
  const count = (chunk, encoding) => {
    if (chunk != null && typeof chunk !== 'function')
      sent += Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? chunk.length
        : Buffer.byteLength(chunk, typeof encoding === 'string' ? encoding : 'utf8');
  };
  const { write, end } = response;
  response.write = function (chunk, encoding, cb) { count(chunk, encoding); return write.call(this, chunk, encoding, cb); };
  response.end = function (chunk, encoding, cb) { count(chunk, encoding); return end.call(this, chunk, encoding, cb); };
  response.on('close', () => {
    appendFileSync(accessLog, `${request.method} ${request.url.split('?')[0]} "${request.headers.range ?? '-'}" `
      + `${response.headersSent ? response.statusCode : '-'} ${request.method === 'HEAD' ? 0 : sent} `
      + `${response.writableFinished ? 'complete' : 'aborted'}\n`);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'readme-express-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
symlinkSync(fileURLToPath(new URL('node_modules', import.meta.url)), join(dir, 'node_modules'));
writeFileSync(join(dir, 'app.mjs'), readmeBlock(readme, 'An upload and a serve route (Node.js', 'js'));
process.env.PORT = port;
console.log(`pid ${process.pid}`);
await import(pathToFileURL(join(dir, 'app.mjs')).href);
