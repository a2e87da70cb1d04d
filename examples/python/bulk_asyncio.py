"""Bulk sending with asyncio: one personalised message per recipient through
mailwright.aio.Mailer (a pool of connections, SendCloud's quota, retries), with
a progress line and a summary of the outcomes.

    python bulk_asyncio.py --send HOST[:PORT] --user U --key K [--label L]
                           (--recipients FILE | --to ADDRESS --count N)
                           [--from ADDRESS] [--tls MODE] [--ca CA.pem]
                           [--connections N] [--rate sendcloud | --rate N/SECONDS]
    python bulk_asyncio.py --local-sink [--count N]

--local-sink runs a throw-away SMTP server inside this program on 127.0.0.1
(it accepts everything and keeps nothing), to try the example without a relay.
Options left out take the core's defaults (4 connections, no throttle unless
--rate, 5 attempts within 10 minutes).
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import pathlib
import sys
import time
from typing import Any, Dict, List, Literal, Optional, Tuple, Union

import mailwright
import mailwright.aio


def personalised(sender: str, recipient: str, n: int) -> mailwright.Message:
    return mailwright.Message(
        sender, to=[recipient], subject=f"Your order #{n:05d}",
        text=f"Hello {recipient},\n\nyour order #{n:05d} has shipped.\n",
        html=f"<p>Hello {recipient},</p><p>your order <b>#{n:05d}</b> has shipped.</p>",
    )


class Progress:
    """One line, redrawn (or printed every 10% when the output is not a terminal)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.kinds: collections.Counter[str] = collections.Counter()
        self.started = time.monotonic()
        self.tty = sys.stdout.isatty()
        self.last_tenth = -1

    def done(self, future: asyncio.Future[mailwright.Outcome]) -> None:
        if not future.cancelled() and future.exception() is None:
            self.kinds[future.result().kind] += 1

    def show(self, counters: Dict[str, object], final: bool = False) -> None:
        finished = sum(self.kinds.values())
        elapsed = max(time.monotonic() - self.started, 1e-9)
        width = 30
        filled = width * finished // max(self.total, 1)
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {finished}/{self.total}  "
                f"delivered {self.kinds['delivered']}  failed {self.kinds['failed']}  "
                f"uncertain {self.kinds['uncertain']}  retries {counters['retries']}  "
                f"connections {counters['connections']}  {finished / elapsed:.0f}/s")
        if self.tty:
            print("\r" + line, end="\n" if final else "", flush=True)
        else:
            tenth = 10 * finished // max(self.total, 1)
            if final or tenth > self.last_tenth:
                self.last_tenth = tenth
                print(line, flush=True)


async def send_all(mailer: mailwright.aio.Mailer, messages: List[mailwright.Message]) -> List[mailwright.Outcome]:
    progress = Progress(len(messages))
    # submit() never waits: messages beyond the queue's capacity wait for room, in order.
    futures = [mailer.submit(m) for m in messages]
    for future in futures:
        future.add_done_callback(progress.done)
    waiting = asyncio.ensure_future(asyncio.gather(*futures))
    while not waiting.done():
        progress.show(mailer.counters)
        await asyncio.wait([waiting], timeout=0.2)
    progress.show(mailer.counters, final=True)
    return waiting.result()


def summary(outcomes: List[mailwright.Outcome], recipients: List[str]) -> int:
    problems = [(r, o) for r, o in zip(recipients, outcomes) if not o.delivered]
    for recipient, outcome in problems[:20]:
        # Uncertain: the relay may have it (never resent, so never twice); failed: it does not.
        print(f"  {outcome.kind:9} {recipient}: {outcome.error}")
    if len(problems) > 20:
        print(f"  ... and {len(problems) - 20} more")
    refused = sum(len(o.refused) for o in outcomes)
    print(f"done: {len(outcomes) - len(problems)} delivered, {len(problems)} not"
          f"{f', {refused} recipients refused' if refused else ''}")
    return 0 if not problems else 1


# --- a throw-away SMTP server for --local-sink (not part of the example's point) ---

async def sink(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    queued = 0
    writer.write(b"220 sink ESMTP\r\n")
    while line := await reader.readline():
        verb = line[:4].upper()
        if verb == b"EHLO":
            writer.write(b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
        elif verb == b"DATA":
            writer.write(b"354 go ahead\r\n")
            while (data := await reader.readline()) not in (b".\r\n", b""):
                pass
            queued += 1
            writer.write(b"250 ok queued as SINK%d\r\n" % queued)
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            break
        else:
            writer.write(b"250 ok\r\n")
        await writer.drain()
    writer.close()


def rate(text: Optional[str]) -> Union[None, Literal["sendcloud"], Tuple[int, float]]:
    if text is None:
        return None
    if text == "sendcloud":
        return "sendcloud"
    messages, _, seconds = text.partition("/")
    return int(messages), float(seconds or 60)


async def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--send", metavar="HOST[:PORT]")
    parser.add_argument("--user")
    parser.add_argument("--key")
    parser.add_argument("--label")
    parser.add_argument("--from", dest="sender", default="support@ifaxin.com")
    parser.add_argument("--recipients", help="a file with one address per line")
    parser.add_argument("--to", help="send --count messages to this one address")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--tls", choices=mailwright.TLS_MODES, help="default: starttls")
    parser.add_argument("--ca", help="a CA to trust besides the usual roots")
    parser.add_argument("--connections", type=int)
    parser.add_argument("--rate", help='"sendcloud" (20,000 a minute) or MESSAGES/SECONDS')
    parser.add_argument("--local-sink", action="store_true")
    args = parser.parse_args()

    server: Optional[asyncio.AbstractServer] = None
    host: str
    port: Optional[int]
    tls: Any  # one of mailwright.TLS_MODES, or None for the core's default
    if args.local_sink:
        server = await asyncio.start_server(sink, "127.0.0.1", 0)
        host, port, tls = "127.0.0.1", server.sockets[0].getsockname()[1], "none"
    elif args.send:
        host, _, port_text = args.send.partition(":")
        port, tls = (int(port_text) if port_text else None), args.tls
    else:
        parser.error("give --send HOST[:PORT] (with --user and --key), or --local-sink")

    if args.recipients:
        recipients = [line.strip() for line in pathlib.Path(args.recipients).read_text().splitlines() if line.strip()]
    elif args.to:
        recipients = [args.to] * args.count
    else:
        recipients = [f"user{n}@example.com" for n in range(args.count)]
    messages = [personalised(args.sender, r, n) for n, r in enumerate(recipients)]

    credentials = (mailwright.Credentials(args.user, args.key, label=args.label)
                   if args.user and args.key else None)
    async with mailwright.aio.Mailer(host, port, tls=tls, credentials=credentials, ca_file=args.ca,
                                     connections=args.connections, rate=rate(args.rate)) as mailer:
        outcomes = await send_all(mailer, messages)
    if server is not None:
        server.close()
        await server.wait_closed()
    return summary(outcomes, recipients)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
