#!/usr/bin/env node
// mailwright's npm package (Node entry) as a contender in the delivery
// benchmarks (run.sh; it loads the package from bindings-wasm/npm, built by
// `make -C bindings-wasm build`).
//
//   node mailwright_node_bench.mjs PKG_DIR PORT COUNT FILE.eml CONNECTIONS [--sendcloud]
//                                  [--deadline-s S] [--label NAME]
//
// One Mailer (the core's dispatcher in WebAssembly, node:net executing its
// actions) with CONNECTIONS connections and SendCloud's quota when
// --sendcloud is given; FILE.eml is sent COUNT times with the W1 envelope
// through sendRaw, every promise made at once. Prints one JSON line like the
// other contenders.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
};
const [pkg, port, count, eml, connections] = [argv[0], Number(argv[1]), Number(argv[2]), argv[3], Number(argv[4])];
const { Mailer } = createRequire(import.meta.url)(path.resolve(pkg));
const deadline = Number(opt('--deadline-s', 600));
const label = opt('--label', 'mailwright Node');
const raw = fs.readFileSync(eml);
const mailer = new Mailer({
    host: '127.0.0.1',
    port,
    tls: 'none',
    connections,
    ...(argv.includes('--sendcloud') ? { rate: 'sendcloud' } : {}),
});
const kinds = { delivered: 0, failed: 0, uncertain: 0 };
const errors = {};
const started = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;

function report(stopped) {
    const cpu = process.cpuUsage(cpuStart);
    const c = mailer.counters;
    console.log(JSON.stringify({
        contender: label,
        connections,
        count,
        elapsed_s: Number(seconds().toFixed(3)),
        delivered: kinds.delivered,
        failed: kinds.failed,
        uncertain: kinds.uncertain,
        rate_limited_seen: c.rateLimited,
        retries: c.retries,
        cpu_s: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
        stopped_at_deadline: stopped,
        errors,
    }));
}

const timer = setTimeout(() => {
    report(true);
    process.exit(0);
}, deadline * 1000);
const sends = [];
for (let i = 0; i < count; i++) {
    sends.push(mailer.sendRaw(raw, 'support@ifaxin.com', ['ben@ifaxin.com', 'joe@ifaxin.com']).then(o => {
        kinds[o.kind]++;
        if (o.error) errors[o.error.code] = (errors[o.error.code] || 0) + 1;
    }));
}
await Promise.all(sends);
clearTimeout(timer);
report(false);
process.exit(0);
