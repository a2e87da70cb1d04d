#!/usr/bin/env bash
# Interop smoke test: mailwright's Python binding against a real Postfix
# (STARTTLS, SASL through Dovecot), all on 127.0.0.1.
#
#     bash testservers/interop/run.sh        # exit 0 = pass
#     KEEP=1 bash testservers/interop/run.sh # keep the temp dir (configs, logs)
#
# Needs root (Postfix and Dovecot are started as root, as they expect).
# Installs postfix, dovecot-core and openssl with apt-get when missing and
# keeps the system's own instances stopped: this script runs private ones,
# each with its own config, queue, sockets and log in a temp dir, listening
# on free ports of 127.0.0.1 only. Nothing is delivered: Postfix discards
# every message it accepts and never looks up DNS.
#
# The clients (clients.py) send with the right key and with a wrong one,
# through mailwright.send and through a mailwright.Mailer; then Postfix's log
# is checked (check_log.py): no lost connection, no pipelining / bare-LF /
# TLS complaints, no warning other than the expected SASL failures, and
# every session ended with QUIT (quit=1 on every "disconnect from" line).
#
# Environment: PYTHON (default bindings-python/.venv/bin/python), KEEP=1.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=${PYTHON:-$ROOT/bindings-python/.venv/bin/python}
START=$(date +%s)

say() { printf 'interop: %s\n' "$*"; }
die() { printf 'interop: FAIL: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (starts Postfix and Dovecot)"
[ -x "$PY" ] || die "no Python at $PY (build the binding first, or set PYTHON)"
"$PY" -c 'import mailwright' 2>/dev/null || die "$PY cannot import mailwright"

# ---------------------------------------------------------------- packages --
pkgs_missing() {
    command -v postfix >/dev/null && command -v dovecot >/dev/null \
        && command -v openssl >/dev/null && [ -x /usr/sbin/postconf ] && return 1
    return 0
}
disable_system_services() {
    # The packages' own instances: stopped (when running) and not started at boot.
    local s
    for s in postfix dovecot; do
        if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
            systemctl disable --now "$s" >/dev/null 2>&1 || true
        elif command -v update-rc.d >/dev/null; then
            update-rc.d "$s" disable >/dev/null 2>&1 || true
        fi
    done
}
stop_system_instances() {
    if postfix status >/dev/null 2>&1; then
        say "stopping the system's Postfix (this test runs its own)"
        postfix stop >/dev/null 2>&1 || true
    fi
    if [ -f /run/dovecot/master.pid ] && kill -0 "$(cat /run/dovecot/master.pid)" 2>/dev/null; then
        say "stopping the system's Dovecot (this test runs its own)"
        dovecot stop >/dev/null 2>&1 || true
    fi
}
if pkgs_missing; then
    say "installing postfix dovecot-core openssl"
    export DEBIAN_FRONTEND=noninteractive
    install=(apt-get install -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold
             postfix dovecot-core openssl)
    if ! "${install[@]}" >/tmp/mailwright-interop-apt.log 2>&1; then
        apt-get update -q >>/tmp/mailwright-interop-apt.log 2>&1 || true
        "${install[@]}" >>/tmp/mailwright-interop-apt.log 2>&1 \
            || { tail -20 /tmp/mailwright-interop-apt.log >&2; die "apt-get install failed"; }
    fi
    disable_system_services
    pkgs_missing && die "postfix/dovecot/openssl still missing after apt-get install"
fi
stop_system_instances

# ------------------------------------------------------------------ layout --
TMP=$(mktemp -d /tmp/mailwright-interop.XXXXXX)
chmod 755 "$TMP"                       # postfix and dovecot users traverse it
PFCONF=$TMP/postfix/conf
PFQUEUE=$TMP/postfix/queue
PFDATA=$TMP/postfix/data
PFLOG=$TMP/postfix.log
DCDIR=$TMP/dovecot
DCCONF=$DCDIR/dovecot.conf
DCLOG=$TMP/dovecot.log
POSTFIX_STARTED=0
DOVECOT_STARTED=0

stop_postfix() {
    if [ "$POSTFIX_STARTED" = 1 ]; then
        postfix -c "$PFCONF" stop >/dev/null 2>&1 || true
        # master waits for its children; give it a moment to exit
        local i pid
        pid=$(sed -n 1p "$PFQUEUE/pid/master.pid" 2>/dev/null | tr -d ' ' || true)
        for i in $(seq 50); do
            [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && kill "$pid" 2>/dev/null || true
        POSTFIX_STARTED=0
    fi
}
stop_dovecot() {
    if [ "$DOVECOT_STARTED" = 1 ]; then
        local pid i
        pid=$(cat "$DCDIR/run/master.pid" 2>/dev/null || true)
        dovecot -c "$DCCONF" stop >/dev/null 2>&1 || { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; }
        for i in $(seq 50); do
            [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        DOVECOT_STARTED=0
    fi
}
cleanup() {
    local rc=$?
    stop_postfix
    stop_dovecot
    if [ "${KEEP:-0}" = 1 ]; then
        say "kept $TMP (postfix.log, dovecot.log, configs)"
    else
        rm -rf "$TMP"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Two free ports on 127.0.0.1 (SMTP, Dovecot auth), bound at once so they differ.
read -r SMTP_PORT AUTH_PORT < <("$PY" - <<'EOF'
import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])
EOF
)

# wait_port PORT WHAT LOG [smtp]: until something accepts on 127.0.0.1:PORT;
# with "smtp", until it greets with 220 (then says QUIT, so that the probe
# leaves a clean "disconnect ... quit=1" in Postfix's log).
wait_port() {
    local i
    for i in $(seq 100); do
        if "$PY" - "$1" "${4:-}" 2>/dev/null <<'PYEOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)
if sys.argv[2] == "smtp":
    s.settimeout(5)
    f = s.makefile("rb")
    if not f.readline().startswith(b"220 "):
        sys.exit(1)
    s.sendall(b"QUIT\r\n")
    if not f.readline().startswith(b"221"):
        sys.exit(1)
s.close()
PYEOF
        then
            return 0
        fi
        sleep 0.1
    done
    echo "--- $3" >&2; tail -30 "$3" >&2 2>/dev/null || true
    die "$2 does not listen on 127.0.0.1:$1"
}

# -------------------------------------------------------------- certificate --
# Self-signed, for localhost and 127.0.0.1; CA:FALSE because webpki refuses a
# CA certificate as a server's own (the client trusts this very certificate).
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -sha256 \
    -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
    -addext "extendedKeyUsage=serverAuth" >/dev/null 2>&1 || die "openssl req failed"
chmod 644 "$TMP/cert.pem"
chmod 600 "$TMP/key.pem"

# ------------------------------------------------------------------ dovecot --
mkdir -p "$DCDIR/run" "$DCDIR/state"
# user api_user#12345 (SendCloud's api_user#label), password right_key
printf '%s\n' 'api_user#12345:{PLAIN}right_key' >"$DCDIR/users"
chown root:dovecot "$DCDIR/users"
chmod 640 "$DCDIR/users"
cat >"$DCCONF" <<EOF
# mailwright interop: Dovecot as a SASL server for Postfix only
protocols =
listen = 127.0.0.1
instance_name = mailwright-interop
base_dir = $DCDIR/run
state_dir = $DCDIR/state
log_path = $DCLOG
info_log_path = $DCLOG
debug_log_path = $DCLOG
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_username_chars =
auth_verbose = yes
auth_failure_delay = 0
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DCDIR/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  inet_listener {
    address = 127.0.0.1
    port = $AUTH_PORT
  }
}
EOF
dovecot -c "$DCCONF" || { tail -30 "$DCLOG" >&2 2>/dev/null; die "dovecot did not start"; }
DOVECOT_STARTED=1
wait_port "$AUTH_PORT" "dovecot auth" "$DCLOG"

# ------------------------------------------------------------------ postfix --
mkdir -p "$PFCONF" "$PFQUEUE" "$PFDATA"
# master.cf: the system's, with no chroot (the queue dir is ours, not set up
# as a jail), no port 25 listener, and smtpd on 127.0.0.1:SMTP_PORT.
awk -v port="$SMTP_PORT" '
    /^smtp[ \t]+inet[ \t]/ { next }
    /^[^# \t]/ && NF >= 8 { $5 = "n" }
    { print }
    END {
        print "127.0.0.1:" port " inet n - n - - smtpd"
    }' /etc/postfix/master.cf >"$PFCONF/master.cf"
grep -q '^postlog[[:space:]]' "$PFCONF/master.cf" \
    || echo 'postlog unix-dgram n - n - 1 postlogd' >>"$PFCONF/master.cf"
cat >"$PFCONF/main.cf" <<EOF
# mailwright interop: Postfix as a submission server, SASL through Dovecot
compatibility_level = 3.6
queue_directory = $PFQUEUE
data_directory = $PFDATA
mail_owner = postfix
setgid_group = postdrop
maillog_file = $PFLOG
maillog_file_prefixes = $TMP
syslog_name = postfix-interop

myhostname = mx.interop.test
mydomain = interop.test
myorigin = \$mydomain
mydestination = interop.test
relay_domains =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
smtpd_banner = \$myhostname ESMTP
biff = no
append_dot_mydomain = no
readme_directory = no

# no DNS, nothing leaves the machine: every message accepted is discarded
disable_dns_lookups = yes
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
smtpd_client_port_logging = yes
alias_maps =
alias_database =
local_recipient_maps =
default_transport = discard
relay_transport = discard
local_transport = discard
virtual_transport = discard

smtpd_tls_cert_file = $TMP/cert.pem
smtpd_tls_key_file = $TMP/key.pem
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_tls_session_cache_database =
smtp_tls_security_level = none

smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$AUTH_PORT
smtpd_tls_auth_only = yes
smtpd_sasl_authenticated_header = no
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions =
EOF
chmod 755 "$TMP/postfix" "$PFCONF"
chmod 644 "$PFCONF/main.cf" "$PFCONF/master.cf"
postfix -c "$PFCONF" set-permissions >"$TMP/postfix-setup.log" 2>&1 || true
if ! postfix -c "$PFCONF" check >>"$TMP/postfix-setup.log" 2>&1; then
    cat "$TMP/postfix-setup.log" >&2
    die "postfix check failed"
fi
postfix -c "$PFCONF" start >>"$TMP/postfix-setup.log" 2>&1 \
    || { cat "$TMP/postfix-setup.log" >&2; tail -30 "$PFLOG" >&2 2>/dev/null; die "postfix did not start"; }
POSTFIX_STARTED=1
wait_port "$SMTP_PORT" "postfix smtpd" "$PFLOG" smtp
say "postfix on 127.0.0.1:$SMTP_PORT, dovecot auth on 127.0.0.1:$AUTH_PORT, dir $TMP"

# ------------------------------------------------------------------ clients --
CLIENT_RC=0
"$PY" "$HERE/clients.py" --port "$SMTP_PORT" --ca-file "$TMP/cert.pem" \
    --log "$PFLOG" --phases "$TMP/phases.json" || CLIENT_RC=$?

stop_postfix
stop_dovecot

# ------------------------------------------------------------------- checks --
LOG_RC=0
"$PY" "$HERE/check_log.py" --log "$PFLOG" --phases "$TMP/phases.json" || LOG_RC=$?

say "took $(( $(date +%s) - START )) s"
if [ "$CLIENT_RC" != 0 ] || [ "$LOG_RC" != 0 ]; then
    [ "${KEEP:-0}" = 1 ] || say "rerun with KEEP=1 to keep $TMP's logs"
    die "clients: $([ "$CLIENT_RC" = 0 ] && echo ok || echo "failed ($CLIENT_RC)"), postfix log: $([ "$LOG_RC" = 0 ] && echo ok || echo "failed")"
fi
say "PASS"
