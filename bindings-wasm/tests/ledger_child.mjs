// A bulk sender with a ledger, for the crash test of the Node Mailer
// (testservers/crashloop/crashloop.py --journal SIGKILLs it and runs it again):
// `node ledger_child.mjs PORT LEDGER ROWS CONNECTIONS` sends keys order-0 ..
// order-(ROWS-1) (Message-ID order-N@shop.example) through
// `new Mailer({ ..., ledger })` to 127.0.0.1:PORT and exits 0 once every
// outcome is in and none failed.
import { Mailer } from "mailwright";

const [port, ledger, rows, connections] = process.argv.slice(2);
const mailer = new Mailer({ host: "127.0.0.1", port: Number(port), tls: "none", connections: Number(connections), ledger });
const sends = [];
for (let i = 0; i < Number(rows); i++) {
  const message = { from: "news@shop.example", to: `user${i}@example.com`, subject: `Order ${i}`, text: "Your order has shipped.", messageId: `order-${i}@shop.example` };
  sends.push(mailer.send(message, { key: `order-${i}` }));
}
const outcomes = await Promise.all(sends);
await mailer.close();
const failed = outcomes.filter((o) => o.kind === "failed");
for (const o of failed) console.error(`failed: ${o.error && o.error.message}`);
process.exit(failed.length === 0 ? 0 : 1);
