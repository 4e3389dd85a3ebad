#!/bin/sh
# The reporter borrows the store from the running daemon and gives it
# back while it waits on sendmail: the daemon has its store during the
# delivery.  Killed with SIGKILL, in the delivery or at a random moment,
# the reporter costs the daemon nothing: it takes its store back by
# itself, "tlspolicyctl results" works and lookups answer, with no
# Berkeley DB panic in its log.
. "$top_srcdir/t/lib.sh"
. "$top_srcdir/t/pki.sh"
. "$top_srcdir/t/world.sh"
need nsd unbound ldns-signzone python3 postmap timeout

ROUNDS=${REPORT_KILL_ROUNDS:-10}
world_dns_up
world_dns_batch
for i in 0 1 2; do
	world_dns_set "_smtp._tls.d0000$i.test. TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@reports.test\""
done
world_dns_commit

genlog 3000 3 3 | sed 's/\.example\([]>: ]\)/.test\1/g' > "$T/all.log"
mkdir -p "$T/log"
cp "$T/all.log" "$T/log/mail.log"
chmod 644 "$T/log/mail.log"
# a sendmail that takes the message and then hangs; it runs as the
# daemon's user and says where it is in a directory of that user
mkdir -p "$T/spool"
chown nobody "$T/spool" 2>/dev/null
cat > "$T/sendmail" <<SH
#!/bin/sh
cat > /dev/null
echo \$\$ > "$T/spool/sendmail.pid"
exec sleep 60
SH
chmod 755 "$T/sendmail"
printf 'bank.example dane-only\n' > "$T/lp"
chmod 644 "$T/lp"
write_conf <<C
local_policy_file = $T/lp
log_source = $T/log/mail.log
result_retention = 3650d
dns_resolver = $WORLD_DNS
report_from = tlsrpt-noreply@sender.test
sendmail_path = $T/sendmail
C
check "tlspolicyd starts" start_daemon
LINES=$(wc -l < "$T/all.log")
check "the log is counted" wait_for 60 lines_read "$LINES"
SOCK="unix:$T/run/postfix.sock:postfix"
in_sendmail() { [ -s "$T/spool/sendmail.pid" ]; }

fails=0 released=0
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	rm -f "$T/spool/sendmail.pid"
	wait_for 20 has_store || diag "round $r: the daemon does not have its store"
	"$top_builddir/reporter/tlspolicy-report" -v -c "$T/tlspolicyd.conf" --day 2026-03-10 \
	    >> "$T/report.log" 2>&1 &
	RPID=$!
	if [ $((r % 2)) = 1 ]; then
		# in the delivery: the store goes back to the daemon (which
		# takes it after its grace for borrowers, within 2 s)
		if wait_for 30 in_sendmail; then
			wait_for 10 has_store && released=$((released + 1))
		else
			diag "round $r: the reporter did not reach sendmail"
		fi
	else
		sleep "0.$(printf '%03d' $(( $(od -An -N2 -tu2 /dev/urandom) % 500 )))"
	fi
	kill -KILL "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	[ -s "$T/spool/sendmail.pid" ] && kill "$(cat "$T/spool/sendmail.pid")" 2>/dev/null
	if ! wait_for 20 has_store; then
		fails=$((fails + 1))
		diag "round $r: the daemon did not take its store back"
	fi
	if ! timeout 60 "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" results > /dev/null 2> "$T/results.err"; then
		fails=$((fails + 1))
		diag "round $r: results failed: $(cat "$T/results.err")"
	fi
	if [ "$(timeout 20 postmap -c "$(postfix_dir)" -q bank.example "socketmap:$SOCK")" != dane-only ]; then
		fails=$((fails + 1))
		diag "round $r: no socketmap answer"
	fi
done
is "$fails" 0 "$ROUNDS reporters killed with SIGKILL: the daemon took its store back, results and lookups worked"
is "$released" $(( (ROUNDS + 1) / 2 )) "in every delivery the daemon had its store"
lacks 'panic|run recovery' "$T/daemon.log" "no Berkeley DB panic in the daemon's log"
check "the daemon lent the store to the reporter" grep -q 'store: lent to pid' "$T/daemon.log"
t0=$(date +%s%N)
kill -TERM "$DPID"
check "SIGTERM stops the daemon within 10 s" wait_for 10 sh -c "! kill -0 $DPID"
diag "stopped after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
done_testing
