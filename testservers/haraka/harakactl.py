#!/usr/bin/env python3
"""Runs a local Haraka on 127.0.0.1 for mailwright's tests and demo.

    python3 testservers/haraka/harakactl.py --dir DIR [--port 0] [--size 16000000]
            [--methods LOGIN] [--user api_user=api_key ...]

It installs Haraka (npm ci) if needed, writes a config into DIR (from
template/), makes a throw-away CA and a certificate for localhost/127.0.0.1
signed by it with the openssl command ("ca_file" is the CA to trust), starts
Haraka (STARTTLS on "port", implicit TLS on "smtps_port"), waits for its 220
greeting, and prints one JSON line: {"port", "smtps_port", "ca_file",
"queue_dir", "log"}. AUTH (the methods given) is offered only over TLS, like
SendCloud; users log in as api_user or api_user#label. It stops Haraka when its
standard input closes (the test that started it ended) or on SIGTERM/SIGINT.
Every accepted message is stored as DIR/stored/<uuid>.eml with <uuid>.json;
Haraka's own outbound delivery is disabled.
Nothing listens anywhere but 127.0.0.1.
"""
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_installed():
    """npm ci once: tests running at the same time on a fresh clone wait for
    the first one's install (a lock file) instead of racing it in the same
    node_modules; a marker written after a complete install tells the rest."""
    import fcntl
    marker = os.path.join(HERE, "node_modules", ".mailwright-installed")
    if os.path.exists(marker):
        return
    with open(os.path.join(HERE, ".install.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(marker):
            return
        cmd = ["npm", "ci" if os.path.exists(os.path.join(HERE, "package-lock.json")) else "install",
               "--no-audit", "--no-fund", "--loglevel=error"]
        subprocess.run(cmd, cwd=HERE, check=True, stdout=sys.stderr)
        open(marker, "w").close()


def make_cert(config, certs):
    """A throw-away CA (returned, for the client to trust) and a server
    certificate for localhost / 127.0.0.1 signed by it (webpki refuses a CA
    certificate used as the server's own). Made once per --dir, in certs/,
    so a server restarted on the same folder keeps its certificate."""
    def run(*cmd):
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    os.makedirs(certs, exist_ok=True)
    ca_key, ca = os.path.join(certs, "test_ca_key.pem"), os.path.join(certs, "test_ca.pem")
    key, csr, cert = (os.path.join(certs, n) for n in ("tls_key.pem", "tls.csr", "tls_cert.pem"))
    if os.path.exists(ca) and os.path.exists(cert) and os.path.exists(key):
        for name in ("tls_key.pem", "tls_cert.pem", "test_ca.pem"):
            shutil.copy(os.path.join(certs, name), os.path.join(config, name))
        return ca
    ext = os.path.join(certs, "tls_ext.cnf")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        "/CN=mailwright test CA", "-keyout", ca_key, "-out", ca)
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", key, "-out", csr)
    run("openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
        "-extfile", ext, "-out", cert)
    for name in ("tls_key.pem", "tls_cert.pem", "test_ca.pem"):
        shutil.copy(os.path.join(certs, name), os.path.join(config, name))
    return ca


def write_config(args, port, smtps_port):
    config = os.path.join(args.dir, "config")
    queue = os.path.join(args.dir, "stored")
    if os.path.exists(config):
        shutil.rmtree(config)
    shutil.copytree(os.path.join(HERE, "template", "config"), config)
    plugins = os.path.join(args.dir, "plugins")
    if os.path.exists(plugins):
        shutil.rmtree(plugins)
    shutil.copytree(os.path.join(HERE, "template", "plugins"), plugins)
    os.makedirs(queue, exist_ok=True)

    def put(name, text):
        with open(os.path.join(config, name), "w") as f:
            f.write(text)

    # Haraka's own outbound delivery stays off: nothing may leave this machine.
    put("outbound.ini", "disabled=true\n")
    put("smtp.ini", f"listen=127.0.0.1:{port},127.0.0.1:{smtps_port}\nsmtps_port={smtps_port}\n"
                    "nodes=0\ninactivity_timeout=60\n")
    # Haraka's own connection.ini with the SIZE limit changed.
    with open(os.path.join(HERE, "node_modules", "Haraka", "config", "connection.ini")) as f:
        connection = re.sub(r"(?m)^bytes=\d+", f"bytes={args.size}", f.read())
    put("connection.ini", connection)
    put("tls.ini", "[main]\nkey=tls_key.pem\ncert=tls_cert.pem\nminVersion=TLSv1.2\n")
    users = "\n".join(args.user or ["api_user=api_key"])
    put("mailwright_auth.ini", f"[main]\nmethods={args.methods}\n\n[users]\n{users}\n")
    put("mailwright_queue.ini", f"[main]\ndir={queue}\n")
    return config, queue, make_cert(config, os.path.join(args.dir, "certs"))


def wait_for_greeting(port, proc, log, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit(f"haraka exited with {proc.returncode}; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                if s.recv(512).startswith(b"220"):
                    s.sendall(b"QUIT\r\n")
                    return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit(f"haraka did not greet on 127.0.0.1:{port} within {timeout}s; see {log}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--size", type=int, default=16000000)
    p.add_argument("--methods", default="LOGIN")
    p.add_argument("--user", action="append", help="api_user=api_key (repeatable)")
    args = p.parse_args()
    args.dir = os.path.abspath(args.dir)
    os.makedirs(args.dir, exist_ok=True)

    ensure_installed()
    port = args.port or free_port()
    smtps_port = free_port()
    config, queue, cert = write_config(args, port, smtps_port)
    log = os.path.join(args.dir, "haraka.log")
    haraka = os.path.join(HERE, "node_modules", "Haraka", "bin", "haraka")
    with open(log, "ab") as out:
        proc = subprocess.Popen(["node", haraka, "-c", args.dir], stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)

    def stop(*_):
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    wait_for_greeting(port, proc, log)
    print(json.dumps({"port": port, "smtps_port": smtps_port, "ca_file": cert, "queue_dir": queue, "log": log}),
          flush=True)
    try:
        while sys.stdin.read(4096):
            pass
    finally:
        stop()


if __name__ == "__main__":
    main()
