// A tus upload with tus-js-client in Node, driven by test/t/055_cli_tus.pl.
//
//   node tus_upload.mjs ENDPOINT FILE URL_FILE [resume]
//
// Uploads FILE to ENDPOINT (pg_media serve's /uploads/) with the bearer token
// of PG_MEDIA_UPLOAD_TOKEN, in one PATCH.  The upload's URL is written to
// URL_FILE as soon as the server has created it; with "resume", the upload
// goes on from the URL in URL_FILE instead (tus-js-client asks HEAD for the
// offset, then PATCHes from there).  Prints one line per event, flushed at
// once so the test can kill this process midway:
//   url URL | progress BYTES | request METHOD UPLOAD-OFFSET | response METHOD STATUS UPLOAD-OFFSET
//   done FILE-ID | error MESSAGE
import fs from 'node:fs';
import * as tus from 'tus-js-client';

const [endpoint, file, urlFile, mode] = process.argv.slice(2);
const data = fs.readFileSync(file);
const say = (line) => fs.writeSync(1, `${line}\n`);
let fileId = null;
let lastReport = -1;

const options = {
  endpoint,
  metadata: { filename: file.replace(/.*\//, ''), filetype: 'application/octet-stream' },
  headers: { Authorization: `Bearer ${process.env.PG_MEDIA_UPLOAD_TOKEN}` },
  retryDelays: [200, 500, 1000, 2000, 4000],
  removeFingerprintOnSuccess: true,
  onUploadUrlAvailable() {
    say(`url ${upload.url}`);
    if (mode !== 'resume') fs.writeFileSync(urlFile, upload.url);
  },
  onBeforeRequest(req) {
    say(`request ${req.getMethod()} ${req.getHeader('Upload-Offset') ?? '-'}`);
  },
  onAfterResponse(req, res) {
    say(`response ${req.getMethod()} ${res.getStatus()} ${res.getHeader('Upload-Offset') ?? '-'}`);
    if (res.getHeader('Upload-File-Id')) fileId = res.getHeader('Upload-File-Id');
  },
  onProgress(sent) {
    // one line per MiB is enough for the test to decide when to kill
    const mib = Math.floor(sent / 1048576);
    if (mib !== lastReport) {
      lastReport = mib;
      say(`progress ${sent}`);
    }
  },
  onSuccess() {
    say(`done ${fileId}`);
    process.exit(fileId ? 0 : 1);
  },
  onError(err) {
    say(`error ${String(err).replace(/\s+/g, ' ')}`);
    process.exit(1);
  },
};
if (mode === 'resume') options.uploadUrl = fs.readFileSync(urlFile, 'utf8').trim();

const upload = new tus.Upload(data, options);
upload.start();
