// nodemailer's DKIM signer on a W3-like message (a 10 MiB attachment), next to
// `cargo run --release -p mailwright --example dkim_w3`: the time to produce
// the signed message into a sink (best of 5) and the peak resident memory
// beyond the input. Uses the nodemailer of benches/delivery (npm ci there):
//   make -C benches bench-dkim (installs it under target/bench-dkim)
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const MailComposer = require('nodemailer/lib/mail-composer');
const DKIM = require('nodemailer/lib/dkim');
const { Writable } = require('stream');

const keys = path.join(__dirname, '..', 'testdata', 'dkim');
const cases = {
  unsigned: null,
  rsa2048: fs.readFileSync(path.join(keys, 'rsa2048.pem'), 'utf8'),
  // nodemailer signs rsa-sha256 only (no ed25519-sha256).
};
const attachment = crypto.randomBytes(10 * 1024 * 1024);

function once(key) {
  return new Promise((resolve, reject) => {
    const mail = new MailComposer({
      from: '客服 <support@ifaxin.com>',
      to: 'Ben <ben@ifaxin.com>, joe@ifaxin.com',
      subject: 'W3',
      text: 'Hello Ben,\nthe report is attached.\n',
      html: '<p>Hello Ben,</p><p>the report is attached.</p>',
      attachments: [{ filename: '报告.pdf', contentType: 'application/pdf', content: attachment }],
    }).compile();
    let stream = mail.createReadStream();
    if (key) {
      const dkim = new DKIM({ domainName: 'ifaxin.com', keySelector: 'rsa2048', privateKey: key });
      stream = dkim.sign(stream);
    }
    let bytes = 0;
    const start = process.hrtime.bigint();
    stream.pipe(new Writable({ write(chunk, _enc, cb) { bytes += chunk.length; cb(); } }))
      .on('finish', () => resolve([Number(process.hrtime.bigint() - start) / 1e6, bytes]))
      .on('error', reject);
    stream.on('error', reject);
  });
}

async function main() {
  const which = process.argv[2];
  if (!which) {
    const { execFileSync } = require('child_process');
    for (const name of Object.keys(cases)) {
      process.stdout.write(execFileSync(process.execPath, [__filename, name]));
    }
    return;
  }
  const before = process.resourceUsage().maxRSS;
  let best = Infinity, size = 0;
  for (let i = 0; i < 5; i++) {
    const [ms, bytes] = await once(cases[which]);
    best = Math.min(best, ms);
    size = bytes;
  }
  const peak = process.resourceUsage().maxRSS - before;
  console.log(`nodemailer ${which.padEnd(9)} ${String(size).padStart(9)} bytes  to a sink ${best.toFixed(1).padStart(6)} ms (best of 5)  extra peak ${String(peak).padStart(6)} KiB`);
}
main();
