#!/usr/bin/env python3
"""A misbehaving SMTP server for mailwright's tests, on 127.0.0.1 only.

    python3 testservers/misbehaving/badsmtp.py SCENARIO

prints the port it listens on, serves connections (one thread each) with the
SCENARIO's misbehaviour, and exits when its standard input closes.

Scenarios: ok, rate_limit_mail, transient_rcpt, permanent_rcpt, partial_rcpt,
permanent_data, transient_final, rate_limit_final, drop_in_data, garbage,
long_line, no_greeting, refuse_greeting, close_after_ehlo, slow_drip (the
greeting one byte every half second: every read gets data, the reply never
ends in time), early_talker (the EHLO reply sent with the greeting, before
EHLO), echo_auth (offers AUTH PLAIN LOGIN and refuses it with a 535 that
echoes what the client sent, with ESC and BEL around it), control_chars
(NUL, ESC and BEL in the queue id and in a refusal), stall_final (never
answers the end of DATA).

Scenarios that offer AUTH (echo_auth) do so without STARTTLS: clients send
credentials to 127.0.0.1 in clear text only because it is a loopback host.
"""
import socket, socketserver, sys, threading

SCENARIO = sys.argv[1] if len(sys.argv) > 1 else "ok"


class Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def send(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        s = SCENARIO
        if s == "no_greeting":
            self.rfile.read(1)  # say nothing until the client gives up
            return
        if s == "slow_drip":
            import time
            for byte in b"220 bad.test ESMTP one byte at a time, for a whole minute\r\n":
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.5)
            return
        if s == "refuse_greeting":
            self.send("554 5.7.1 no service for you")
            return
        if s == "early_talker":
            self.wfile.write(b"220 bad.test ESMTP\r\n250-bad.test\r\n250 AUTH PLAIN LOGIN\r\n")
            self.wfile.flush()
        else:
            self.send("220 bad.test ESMTP misbehaving")
        rcpts = 0
        while True:
            line = self.rfile.readline(4096)
            if not line:
                return
            cmd = line.strip().upper()
            if cmd.startswith(b"EHLO"):
                if s == "close_after_ehlo":
                    return
                if s == "garbage":
                    self.wfile.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                    self.wfile.flush()
                    continue
                if s == "long_line":
                    self.wfile.write(b"250-" + b"x" * 10000)
                    self.wfile.flush()
                    continue
                if s == "early_talker":
                    continue
                if s == "echo_auth":
                    for l in ["250-bad.test", "250 AUTH PLAIN LOGIN"]:
                        self.send(l)
                    continue
                for l in ["250-bad.test", "250-PIPELINING", "250-8BITMIME", "250 SIZE 1000000"]:
                    self.send(l)
            elif cmd.startswith(b"AUTH") and s == "echo_auth":
                parts = line.strip().split(b" ")
                if len(parts) < 3:  # LOGIN without initial response, or bare PLAIN
                    self.send("334 ")
                    parts = [b"", b"", self.rfile.readline(4096).strip()]
                if parts[1].upper() == b"LOGIN":
                    self.send("334 UGFzc3dvcmQ6")
                    parts = [b"", b"", self.rfile.readline(4096).strip()]
                self.wfile.write(b"535 5.7.8 \x1b[31m" + parts[2] + b"\x07 rejected\r\n")
                self.wfile.flush()
            elif cmd.startswith(b"MAIL"):
                rcpts = 0
                self.send("536 Frequency limited" if s == "rate_limit_mail" else "250 sender OK")
            elif cmd.startswith(b"RCPT"):
                rcpts += 1
                if s == "transient_rcpt":
                    self.send("450 4.2.1 mailbox busy")
                elif s == "permanent_rcpt" or (s == "partial_rcpt" and rcpts == 2):
                    self.send("550 5.1.1 no such user")
                else:
                    self.send("250 recipient OK")
            elif cmd == b"DATA":
                if s == "permanent_data":
                    self.send("554 5.3.0 no data today")
                    continue
                if s in ("transient_rcpt", "permanent_rcpt", "rate_limit_mail"):
                    self.send("503 5.5.1 no valid recipients")
                    continue
                self.send("354 go ahead")
                if s == "drop_in_data":
                    self.rfile.read(100)
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                while True:
                    body = self.rfile.readline(65536)
                    if not body or body == b".\r\n":
                        break
                if s == "stall_final":
                    self.rfile.read()  # until the client gives up
                    return
                if s == "control_chars":
                    self.wfile.write(b"250 #q\x00id\x1b[2J#Queued\x07\r\n")
                    self.wfile.flush()
                    continue
                if s == "transient_final":
                    self.send("451 4.3.0 try again later")
                elif s == "rate_limit_final":
                    self.send("536 Frequency limited")
                else:
                    self.send("250 2.0.0 Ok: queued as BAD123")
            elif cmd == b"RSET":
                self.send("250 reset")
            elif cmd == b"QUIT":
                self.send("221 bye")
                return
            else:
                self.send("500 unknown command")


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        while sys.stdin.read(4096):
            pass
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
