# Sourced by idle_rss.sh and listen_symbol_order.sh: starts one Kamailio with
# the tests' config (tests/kamailio/kamailio.cfg) on free loopback ports, writes
# "$work/alice.ron" (alice registering over UDP) and "$work/alice-tcp-local.ron"
# (over TCP, the local account too) and stops everything on exit.
# Needs: openssl, ss, kamailio (the packages .ci/run installs).
work=$(mktemp -d /tmp/sipchat-idle-rss.XXXXXX)
kamailio_pid=
listen_pid=
cleanup() {
    [[ -n $listen_pid ]] && kill "$listen_pid" 2>/dev/null || true
    [[ -n $kamailio_pid ]] && kill -- "-$kamailio_pid" 2>/dev/null || true
    sleep 0.5
    rm -rf "$work"
}
trap cleanup EXIT

port() { # a free port below the ephemeral range
    local p
    for _ in $(seq 100); do
        p=$((20000 + RANDOM % 10000))
        if ! ss -Htuln "sport = :$p" | grep -q .; then echo "$p"; return; fi
    done
    echo "no free port" >&2; exit 1
}
udp=$(port); tcp=$(port); tls=$(port)
modules=$(ls -d /usr/lib/*/kamailio/modules /usr/lib/kamailio/modules 2>/dev/null | head -1 || true)
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 \
    -keyout "$work/server.key" -out "$work/server.pem" 2>/dev/null
sed -e "s|@@CERT@@|$work/server.pem|; s|@@KEY@@|$work/server.key|" \
    "$here/tests/kamailio/tls.cfg" >"$work/tls.cfg"
sed -e "s|@@MPATH@@|$modules|; s|@@RUNDIR@@|$work|; s|@@UDP_PORT@@|$udp|; s|@@TCP_PORT@@|$tcp|" \
    -e "s|@@TLS_PORT@@|$tls|; s|@@TLS_CFG@@|$work/tls.cfg|; s|@@DEBUG@@|1|; s|@@IPV6_LISTEN@@||" \
    "$here/tests/kamailio/kamailio.cfg" >"$work/kamailio.cfg"
setsid /usr/sbin/kamailio -f "$work/kamailio.cfg" -DD -E -m 64 -M 8 -P "$work/kamailio.pid" \
    -Y "$work" -w "$work" >"$work/kamailio.log" 2>&1 &
kamailio_pid=$!
for _ in $(seq 100); do ss -Htln "sport = :$tcp" | grep -q . && break; sleep 0.1; done
cat >"$work/alice.ron" <<RON
(accounts: [(name: "alice", uri: "sip:alice@sipchat.test", password: "alice-secret",
             proxy: "sip:127.0.0.1:$udp")],
 local: (enabled: false))
RON
# The same over TCP, with the built-in local account beside it (the default).
cat >"$work/alice-tcp-local.ron" <<RON
(accounts: [(name: "alice", uri: "sip:alice@sipchat.test", password: "alice-secret",
             proxy: "sip:127.0.0.1:$tcp;transport=tcp")],
 local: (enabled: true, port: 0))
RON
