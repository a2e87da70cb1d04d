#!/usr/bin/env node
// nodemailer's pool as a contender in the delivery benchmarks (run.sh).
//
//   node nodemailer_bench.js PORT COUNT FILE.eml [--connections N] [--rate N --window S]
//                            [--defaults] [--deadline-s S] [--label NAME]
//
// Sends COUNT copies of FILE.eml (raw, with the W1 envelope) through one
// pooled transport: with --defaults, `pool: true` and nothing else (5
// connections, 100 messages each, no rate limit); otherwise maxConnections N
// and, with --rate, rateLimit N per rateDelta S seconds. Every message is
// handed to sendMail at once (the pool queues them); a failure is counted,
// not retried. Prints one JSON line like the other contenders.
'use strict';
const fs = require('fs');
const nodemailer = require('nodemailer');

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
};
const [port, count, eml] = [Number(argv[0]), Number(argv[1]), argv[2]];
if (!port || !count || !eml) {
    console.error('usage: node nodemailer_bench.js PORT COUNT FILE.eml [--connections N] [--rate N --window S] [--defaults] [--deadline-s S] [--label NAME]');
    process.exit(2);
}
const defaults = argv.includes('--defaults');
const connections = Number(opt('--connections', 5));
const rate = opt('--rate');
const deadline = opt('--deadline-s');
const label = opt('--label', defaults ? 'nodemailer (defaults)' : 'nodemailer');

const options = { host: '127.0.0.1', port, pool: true };
if (!defaults) {
    options.maxConnections = connections;
    if (rate) {
        options.rateLimit = Number(rate);
        options.rateDelta = Math.round(Number(opt('--window', 60)) * 1000);
    }
}
const transport = nodemailer.createTransport(options);
const raw = fs.readFileSync(eml);
const envelope = { from: 'support@ifaxin.com', to: ['ben@ifaxin.com', 'joe@ifaxin.com'] };

let delivered = 0, failed = 0, rateLimited = 0, done = 0, lastAt = 0;
const errors = {};
const started = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;

function report(stopped) {
    const cpu = process.cpuUsage(cpuStart);
    const line = {
        contender: label,
        connections: defaults ? 5 : connections,
        count,
        elapsed_s: Number((stopped ? seconds() : lastAt).toFixed(3)),
        delivered,
        failed,
        uncertain: null,
        rate_limited_seen: rateLimited,
        retries: 0,
        cpu_s: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
        stopped_at_deadline: stopped,
        errors,
    };
    console.log(JSON.stringify(line));
}

function finish() {
    done++;
    lastAt = seconds();
    if (done === count) {
        report(false);
        transport.close();
        process.exit(0);
    }
}

if (deadline) {
    setTimeout(() => {
        report(true);
        process.exit(0);
    }, Number(deadline) * 1000);
}

for (let i = 0; i < count; i++) {
    transport.sendMail({ envelope, raw }).then(
        () => {
            delivered++;
            finish();
        },
        err => {
            failed++;
            if (err.responseCode === 536) rateLimited++;
            const key = String(err.responseCode || err.code || err.message).slice(0, 40);
            errors[key] = (errors[key] || 0) + 1;
            finish();
        }
    );
}
