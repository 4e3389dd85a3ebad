#!/bin/sh
# Many sending hosts, one collector, with real rsyslog: three private
# Postfix instances (s1, s2, s3) deliver through the test world, each
# host's lines go through its own private rsyslogd to a collector
# rsyslogd on loopback.  s1's maillog_file is read with imfile and sent
# over TCP with a disk-assisted queue; s1 asks the collector's
# tlspolicyd for its policies (the central layout).  s2 and s3 log to
# syslog and each asks a tlspolicyd of its own (the local layout): in a
# private mount namespace their /dev/log is their rsyslogd's socket,
# which writes the host's own mail log and forwards the mail facility
# over RELP (sender-relp.conf); the policy decisions of their daemons
# reach the collector as log lines.  The collector writes one merged
# file with contrib/rsyslog/collector-merged.conf, which the
# collector's tlspolicyd follows.  Its counts must equal the sum of
# what each host's own log gives when ingested alone, with each host's
# sending_mta_ip - also when the collector's rsyslogd and tlspolicyd
# are killed (SIGKILL) in the middle and lines arrive late - and the
# sessions of local.test, which only s2 and s3 (their own daemons)
# looked up, count under its MTA-STS policy.  No rsyslogd here is the
# machine's syslog: each runs with its own configuration, pid file and
# work directory.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
. "$top_srcdir/t/postfix.sh"
. "$top_srcdir/t/exim.sh"
need_root
need nsd unbound ldns-signzone dig openssl python3 postfix postconf sendmail unshare rsyslogd apt-get dpkg
[ -f /usr/lib/x86_64-linux-gnu/rsyslog/omrelp.so ] || ls /usr/lib/*/rsyslog/omrelp.so >/dev/null 2>&1 \
    || skip_all "rsyslog-relp is not installed"
: > "$T/resolv.conf"
exim_setup "$T/resolv.conf" || { done_testing; exit 1; }
ok "private Exim $EXIM_VERSION"

WORLD_DNS53=127.0.53.66
world_dns_up
world_https_up
P=$T/pki
pki_leaf "$P" good ca mx.good.test
chmod 644 "$P"/*.key
world_dns_batch
world_sts good.test 20261201 "$(world_sts_body enforce 86400 mx.good.test)"
world_sts nostarttls.test 20261201 "$(world_sts_body enforce 86400 mx.nostarttls.test)"
world_sts local.test 20261202 "$(world_sts_body enforce 86400 mx.good.test)"
world_dns_set "local.test. MX 10 mx.good.test."
world_mx good.test 127.0.3.61
world_mx nostarttls.test 127.0.3.62
world_dns_commit
world_https_stop
world_https_start
world_resolv

# the receiving side
pf_receiver mx "good.test nostarttls.test local.test"
pf_listener mx 127.0.3.61 "$P/good"
pf_listener mx 127.0.3.62 none
check "receiving Postfix starts" pf_start mx

# --- the collector: rsyslogd with contrib's configuration, tlspolicyd ---
TCP=$(free_port)
RELP=$(free_port)
mkdir -p "$T/rs-c"
touch "$T/merged.log"
chmod 644 "$T/merged.log"
{
	printf 'global(workDirectory="%s")\n' "$T/rs-c"
	sed -e "s|port=\"10514\"|address=\"127.0.0.1\" port=\"$TCP\"|" \
	    -e "s|port=\"2514\"|address=\"127.0.0.1\" port=\"$RELP\"|" \
	    -e "s|/var/log/mail-all.log|$T/merged.log|" -e 's|fileCreateMode="0640"|fileCreateMode="0644"|' \
	    "$top_srcdir/contrib/rsyslog/collector-merged.conf"
} > "$T/rs-c.conf"
check "the collector configuration is valid" rsyslogd -N1 -f "$T/rs-c.conf"
listening() { python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1"; }
collector_start() {
	rsyslogd -n -f "$T/rs-c.conf" -i "$T/rs-c.pid" >> "$T/rs-c.log" 2>&1 &
	CPID=$!
	bg_pids="$bg_pids $CPID"
	wait_for 20 listening "$TCP" && wait_for 20 listening "$RELP"
}
check "the collector rsyslogd listens on loopback (TCP and RELP)" collector_start

world_conf <<C
mta_sts = yes
dane = yes
socketmap_socket_mode = 0666
log_source = $T/merged.log
sending_mta_ip = s1=192.0.2.1 s2=192.0.2.2 s3.localdomain=192.0.2.3 s4=192.0.2.4
report_from = tlsrpt-noreply@collector.localdomain
C
check "the collector's tlspolicyd starts" start_daemon

# nsrun HOST COMMAND...: COMMAND in a private mount namespace whose
# /etc/resolv.conf is the test world's and whose /dev/log is HOST's
# rsyslogd socket (a tmpfs /dev with null, zero, random, urandom)
nsrun() {
	_h=$1
	shift
	mkdir -p "$T/ns-$_h/dev"
	unshare --mount --propagation private sh -c '
		set -e
		T=$1 h=$2
		shift 2
		mount --bind "$T/resolv.conf" /etc/resolv.conf
		mount --bind /dev "$T/ns-$h/dev"
		mount -t tmpfs -o mode=755 tmpfs /dev
		for n in null zero random urandom; do
			touch "/dev/$n"
			mount --bind "$T/ns-$h/dev/$n" "/dev/$n"
		done
		ln -s /proc/self/fd /dev/fd
		touch /dev/log
		mount --bind "$T/rs-$h/log.sock" /dev/log
		exec "$@"' sh "$T" "$_h" "$@"
}

# local_daemon HOST [SETTING...]: HOST's own tlspolicyd (no log_source,
# no reports), logging to syslog; its socket $T/HOST/run/postfix.sock
local_daemon() {
	mkdir -p "$T/$1/state" "$T/$1/run"
	sed -e "s|^state_directory = .*|state_directory = $T/$1/state|" -e '/^log_source/d' \
	    -e "s|^control_socket = .*|control_socket = unix:$T/$1/run/control.sock|" \
	    -e "s|^socketmap_listen = .*|socketmap_listen = unix:$T/$1/run/postfix.sock|" \
	    "$T/tlspolicyd.conf" > "$T/$1/tlspolicyd.conf"
	_h=$1
	shift
	printf '%s\n' "$@" >> "$T/$_h/tlspolicyd.conf"
	set -- "$_h"
	[ "$(id -u)" = 0 ] && chown nobody "$T/$1/state" "$T/$1/run"
	nsrun "$1" "$TLSPOLICYD" -c "$T/$1/tlspolicyd.conf" >> "$T/$1.daemon.log" 2>&1 || return 1
	wait_for 20 grep -q " $1 tlspolicyd\[[0-9]*\]: tlspolicyd .* ready " "$T/$1/maillog" || return 1
	bg_pids="$bg_pids $(cat "$T/$1/run/tlspolicyd.pid")"
}

# --- sending hosts, each with its own rsyslogd ------------------------
# host_syslog NAME tcp|syslog: NAME's rsyslogd; tcp: imfile reads
# $T/NAME/maillog (Postfix's maillog_file); syslog: its socket
# $T/rs-NAME/log.sock, the host's own log $T/NAME/maillog
host_syslog() {
	mkdir -p "$T/$1"
	touch "$T/$1/maillog"
	chmod 644 "$T/$1/maillog"
	mkdir -p "$T/rs-$1"
	{
		printf 'global(workDirectory="%s" localHostName="%s")\n' "$T/rs-$1" "$1"
		if [ "$2" = syslog ]; then
			# the host's syslog: its socket, its own mail log, and
			# sender-relp.conf's forwarding
			printf 'module(load="imuxsock" SysSock.Use="off")\n'
			printf 'input(type="imuxsock" Socket="%s" RateLimit.Interval="0")\n' "$T/rs-$1/log.sock"
			printf 'mail.* action(type="omfile" file="%s" template="RSYSLOG_TraditionalFileFormat")\n' \
			    "$T/$1/maillog"
			sed -e 's|collector.example.org|127.0.0.1|' -e "s|port=\"2514\"|port=\"$RELP\"|" \
			    "$top_srcdir/contrib/rsyslog/sender-relp.conf"
		else
			# the imfile input of sender-maillog.conf, the omfwd action of sender-tcp.conf
			printf 'module(load="imfile")\ntemplate(name="mailraw" type="string" string="%%msg%%")\n'
			printf 'input(type="imfile" file="%s" tag="postfix-log:" ruleset="mailforward")\n' "$T/$1/maillog"
			printf 'ruleset(name="mailforward") {\n'
			sed -n '/^mail\.\* action/,/)$/p' "$top_srcdir/contrib/rsyslog/sender-tcp.conf" |
			    sed -e 's|^mail\.\* ||' -e 's|collector.example.org|127.0.0.1|' \
			    -e "s|port=\"10514\"|port=\"$TCP\"|" -e 's|RSYSLOG_ForwardFormat|mailraw|'
			printf '}\n'
		fi
	} > "$T/rs-$1.conf"
	rsyslogd -N1 -f "$T/rs-$1.conf" > "$T/rs-$1.check" 2>&1 || return 1
	rsyslogd -n -f "$T/rs-$1.conf" -i "$T/rs-$1.pid" >> "$T/rs-$1.log" 2>&1 &
	bg_pids="$bg_pids $!"
	[ "$2" = tcp ] || wait_for 20 test -S "$T/rs-$1/log.sock"
}

sender() {   # sender NAME tcp|syslog: a Postfix host
	_sock=$T/run/postfix.sock
	[ "$2" = syslog ] && _sock=$T/$1/run/postfix.sock
	pf_sender "$1" "$_sock"
	postconf -c "$T/$1" -e "smtp_tls_CAfile = $P/ca.crt" "maximal_queue_lifetime = 0" "bounce_queue_lifetime = 0"
	host_syslog "$1" "$2" || return 1
	if [ "$2" = tcp ]; then
		pf_start "$1" "$T/resolv.conf"
		return
	fi
	# Postfix logs to syslog, as its own daemon does
	postconf -c "$T/$1" -X maillog_file
	local_daemon "$1" || return 1
	touch -d '1 minute ago' "$T/$1/main.cf" "$T/$1/master.cf"
	nsrun "$1" postfix -c "$T/$1" start > "$T/$1.start.log" 2>&1
	PF_INSTANCES="${PF_INSTANCES:-} $1"
	wait_for 20 grep -q ' s[0-9]* postfix/master\[[0-9]*\]: daemon started' "$T/$1/maillog"
}
check "s1: Postfix and rsyslogd (TCP) start, asking the collector's tlspolicyd" sender s1 tcp
check "s2: rsyslogd (RELP), its own tlspolicyd, Postfix start" sender s2 syslog
check "s3: rsyslogd (RELP), its own tlspolicyd, Postfix start" sender s3 syslog
check "every line of s1's start reached the merged file" wait_for 30 grep -q ' s1 postfix/master' "$T/merged.log"

# s4: Exim (contrib/exim/exim.conf) logging to syslog (log_file_path =
# syslog), asking a tlspolicyd of its own on its exim_listen socket
exim_host() {
	host_syslog s4 syslog || return 1
	local_daemon s4 "exim_listen = unix:$T/s4/run/exim.sock" "exim_socket_mode = 0666" || return 1
	{
		exim_private | sed 's|^log_file_path = .*|log_file_path = syslog|'
		printf 'TLSPOLICY_CA = %s\n' "$P/ca.crt"
	} > "$EXIM_DIR/local.conf"
	chmod 644 "$EXIM_DIR/local.conf"
	sed -e "s|/etc/exim/local.conf|$EXIM_DIR/local.conf|" -e "s|/run/tlspolicyd/exim.sock|$T/s4/run/exim.sock|" \
	    -e "s|/var/mail/|$EXIM_DIR/mail/|" "$top_srcdir/contrib/exim/exim.conf" > "$EXIM_DIR/exim.conf"
	chmod 644 "$EXIM_DIR/exim.conf"
	EXIM_DEVLOG=$T/rs-s4/log.sock
	EXIM_LOG=$T/s4/maillog
	exim -bV > "$T/exim-bV2.log" 2>&1
}
check "s4: rsyslogd (RELP), its own tlspolicyd, Exim with contrib/exim/exim.conf" exim_host
# xsend DOMAIN: one message from s4's Exim, one delivery attempt
xsend() {
	_id=$(exim_send sender@out.localdomain "user@$1") || return 1
	exim_deliver_now "$_id"
}

# send COUNT HOST DOMAIN: COUNT messages, waited for in HOST's maillog
sent() { grep -Ec "to=<user@$2>, relay=.*status=(sent|bounced|deferred)" "$T/$1/maillog"; }
send() {
	_want=$(( $(sent "$2" "$3") + $1 ))
	for _i in $(seq "$1"); do
		pf_send "$2" "<>" "user@$3"
	done
	wait_for 60 sh -c "[ \$(grep -Ec 'to=<user@$3>, relay=.*status=(sent|bounced|deferred)' '$T/$2/maillog') -ge $_want ]"
}
status_sessions() { ctl status 2>/dev/null | sed -n 's/.* sessions=\([0-9]*\) .*/\1/p' | head -1; }
wait_sessions() { wait_for "${2:-60}" sh -c "[ \"\$('$TLSPOLICYCTL' -c '$T/tlspolicyd.conf' status 2>/dev/null | sed -n 's/.* sessions=\([0-9]*\) .*/\1/p' | head -1)\" = $1 ]"; }

# phase 1: all up; s1 1+1, s2 2+1, s3 3+1 deliveries
check "phase 1: s1 delivers to good.test once" send 1 s1 good.test
check "phase 1: s2 delivers to good.test twice" send 2 s2 good.test
check "phase 1: s3 delivers to good.test three times" send 3 s3 good.test
for h in s1 s2 s3; do
	check "phase 1: $h delivers to nostarttls.test once" send 1 $h nostarttls.test
done
# local.test: only the hosts with their own daemons send there
check "phase 1: s2 delivers to local.test once" send 1 s2 local.test
check "phase 1: s3 delivers to local.test twice" send 2 s3 local.test
for d in good.test nostarttls.test local.test; do
	check "phase 1: s4 (Exim) delivers to $d once" xsend $d
done
check "phase 1: the collector counted 15 sessions" wait_sessions 15

# the collector dies: rsyslogd and tlspolicyd killed with SIGKILL
kill -9 "$CPID" "$DPID"
wait "$CPID" "$DPID" 2>/dev/null
# tlspolicyd back first (it answers the senders' policy lookups), the
# collector's rsyslogd later: the senders queue their lines meanwhile
check "the collector's tlspolicyd restarts" start_daemon
for h in s1 s2 s3; do
	check "phase 2: $h delivers to both domains while the collector's rsyslogd is down" \
	    eval "send 1 $h good.test && send 1 $h nostarttls.test"
done
check "phase 2: s2 delivers to local.test while the collector's rsyslogd is down" send 1 s2 local.test
check "phase 2: s4 (Exim) delivers to good.test while the collector's rsyslogd is down" xsend good.test
is "$(status_sessions)" 15 "nothing new in the merged file while the collector is down"
check "the collector's rsyslogd restarts" collector_start
# and tlspolicyd is killed again while the late lines arrive
sleep 0.2
kill -9 "$DPID"
wait "$DPID" 2>/dev/null
check "the collector's tlspolicyd restarts once more" start_daemon
check "phase 2: the collector counted 23 sessions" wait_sessions 23 90
# quiet: nothing more is counted later
for h in s1 s2 s3 s4; do
	check "$h: every line of its mail log reached the merged file" wait_for 30 sh -c \
	    "[ \$(grep -Ec ' $h (postfix/|exim4?\\[|tlspolicyd\\[)' '$T/$h/maillog') -eq \$(grep -Ec ' $h (postfix/|exim4?\\[|tlspolicyd\\[)' '$T/merged.log') ]"
done
is "$(status_sessions)" 23 "23 sessions, each counted once"

# --- each host's own maillog ingested alone ---------------------------
D=$(date -u +%Y-%m-%d)
ctl results > "$T/results.collector"
sed 's/^/# collector: /' "$T/results.collector"
for h in s1 s2 s3 s4; do
	mkdir -p "$T/alone-$h"
	sed -e "s|^state_directory = .*|state_directory = $T/alone-$h|" -e '/^log_source/d' \
	    -e "s|^control_socket = .*|control_socket = unix:$T/alone-$h/control.sock|" \
	    -e "s|^socketmap_listen = .*|socketmap_listen = unix:$T/alone-$h/postfix.sock|" \
	        -e "s/^user = .*/user =/" "$T/tlspolicyd.conf" > "$T/alone-$h.conf"
	"$TLSPOLICYCTL" -c "$T/alone-$h.conf" ingest "$T/$h/maillog" > "$T/alone-$h.out" 2>&1
	"$TLSPOLICYCTL" -c "$T/alone-$h.conf" results > "$T/results.$h"
	sed "s/^/# $h alone: /" "$T/results.$h"
done
# sum the per-host results (counts per day and domain; details per type,
# MX and sending address) and compare with the collector's.  The policy
# is left out: s1's log alone has no decisions (the collector's daemon
# answered its lookups), so it counts under no-policy-found there.
python3 - "$T/results.collector" "$T/results.s1" "$T/results.s2" "$T/results.s3" "$T/results.s4" > "$T/compare.txt" <<'PY'
import re, sys, collections
def load(path):
    c = collections.Counter()
    pol = None
    for line in open(path):
        m = re.match(r'^(\S+) (\S+) (.*) successes=(\d+) failures=(\d+)', line)
        if m:
            pol = (m.group(1), m.group(2))
            c[pol + ('successes',)] += int(m.group(4))
            c[pol + ('failures',)] += int(m.group(5))
            continue
        m = re.match(r'^\s+(\S+) count=(\d+) (.*)$', line)
        if m and pol:
            c[pol + (m.group(1), m.group(3))] += int(m.group(2))
    return c
coll = load(sys.argv[1])
total = collections.Counter()
for p in sys.argv[2:]:
    total.update(load(p))
for k in sorted(set(coll) | set(total)):
    print("%s collector=%d hosts=%d" % (" ".join(k), coll[k], total[k]))
sys.exit(0 if coll == total and coll else 1)
PY
rc=$?
sed 's/^/# /' "$T/compare.txt"
is "$rc" 0 "the collector's counts equal the sum of each host's own log ingested alone"
like "$(grep -A1 "^$D good.test " "$T/results.collector")" "sts 20261201 successes=11 failures=0" "good.test: 11 successes (1+2+3+1, then 1 each)"
like "$(grep "^$D nostarttls.test " "$T/results.collector")" "successes=0 failures=7" "nostarttls.test: 7 failures (2 per Postfix host, 1 Exim)"
for i in 1 2 3; do
	like "$(grep -A3 "^$D nostarttls.test " "$T/results.collector" | grep "sending=192.0.2.$i\$")" \
	    "starttls-not-supported count=2 mx=mx.nostarttls.test ip=127.0.3.62 sending=192.0.2.$i\$" \
	    "s$i's failures carry s$i's own sending address"
done
like "$(grep -A4 "^$D nostarttls.test " "$T/results.collector" | grep "sending=192.0.2.4\$")" \
    "starttls-not-supported count=1 mx=mx.nostarttls.test ip=127.0.3.62 sending=192.0.2.4\$" \
    "s4's (Exim's) failure carries s4's own sending address"
# Exim's sessions at the collector, as its own log ingested alone gives them
x_alone=$(sed -n 's/.* \([0-9]*\) sessions counted.*/\1/p' "$T/alone-s4.out")
is "$x_alone" 4 "s4's (Exim's) own log ingested alone: 4 sessions"
# and s4's lines as the collector received them, alone, give the same
mkdir -p "$T/alone-s4m"
sed -e "s|alone-s4|alone-s4m|g" "$T/alone-s4.conf" > "$T/alone-s4m.conf"
grep ' s4 ' "$T/merged.log" > "$T/merged-s4.log"
"$TLSPOLICYCTL" -c "$T/alone-s4m.conf" ingest "$T/merged-s4.log" > "$T/alone-s4m.out" 2>&1
"$TLSPOLICYCTL" -c "$T/alone-s4m.conf" results > "$T/results.s4m"
is "$(cat "$T/results.s4m")" "$(cat "$T/results.s4")" "s4's lines in the merged file count as s4's own log does"
# the local layout: s2's and s3's daemons logged their decisions, the
# collector took them from the merged file
for h in s2 s3 s4; do
	check "$h's decision for local.test reached the merged file" sh -c "grep ' $h tlspolicyd\[' '$T/merged.log' |
	    grep -qF 'decision day=$D domain=local.test policy=sts id=20261202 value=\"version: STSv1\\nmode: enforce\\nmx: mx.good.test\\n'"
done
like "$(grep -A1 "^$D local.test " "$T/results.collector")" "sts 20261202 successes=5 failures=0" \
    "local.test: 5 sessions (s2 2, s3 2, s4 1) under the policy that s2's, s3's and s4's own daemons served"
is "$(grep -c no-policy-found "$T/results.collector")" 0 "no session of any host counts under no-policy-found"
stop_daemon
for h in s1 s2 s3 mx; do pf_stop $h; done
done_testing
