"""A bulk sender with a ledger, for tests/test_ledger.py (which SIGKILLs it):
python ledger_child.py PORT LEDGER N -- sends N keyed messages through
mailwright.Mailer(ledger=LEDGER) to the relay on 127.0.0.1:PORT."""
import sys

import mailwright

port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
with mailwright.Mailer("127.0.0.1", port, tls="none", connections=8, ledger=path) as mailer:
    futures = []
    for i in range(count):
        message = mailwright.Message(
            "news@shop.example", to=[f"user{i}@example.com"], subject=f"Order {i}",
            text=f"Your order {i} has shipped.", message_id=f"order-{i}@shop.example")
        futures.append(mailer.submit(message, key=f"order-{i}"))
    outcomes = [f.result() for f in futures]
print(sum(o.delivered for o in outcomes))
