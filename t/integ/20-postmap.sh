#!/bin/sh
# Real Postfix postmap against the daemon's unix and inet listeners.
. "$top_srcdir/t/lib.sh"
need postmap python3

port=$(free_port)
cat > "$T/local_policy" <<'P'
# test table
bank.example        dane-only
legacy.example      may
partner.example     secure match=mx.partner.example servername=hostname
xn--bcher-kva.example encrypt
P
chmod 644 "$T/local_policy"
write_conf <<C
socketmap_listen = unix:$T/run/postfix.sock, inet:127.0.0.1:$port
local_policy_file = $T/local_policy
C
check "daemon starts" start_daemon
U="unix:$T/run/postfix.sock"
I="inet:127.0.0.1:$port"

for ep in "$U" "$I"; do
	is "$(pm_q bank.example "$ep:postfix")" "dane-only" "$ep: table answer"
	is "$(pm_q partner.example "$ep:postfix")" \
	    "secure match=mx.partner.example servername=hostname" "$ep: answer with attributes"
	out=$(pm_q example.com "$ep:postfix"); rc=$?
	is "$rc:$out" "1:" "$ep: unknown domain is NOTFOUND (postmap exit 1, no output)"
	is "$(pm_q bank.example "$ep:postfix-tlsrpt")" "dane-only" "$ep: postfix-tlsrpt name"
done

# batch of keys on one connection
out=$(printf 'bank.example\nnothere.example\nlegacy.example\n' | postmap -c "$(postfix_dir)" -q - "socketmap:$U:postfix")
is "$out" "$(printf 'bank.example\tdane-only\nlegacy.example\tmay')" "postmap -q - batch"

# key normalisation
is "$(pm_q BANK.Example. "$U:postfix")" "dane-only" "upper case and trailing dot"
is "$(pm_q "$(printf 'b\303\274cher.example')" "$U:postfix")" "encrypt" "UTF-8 key converted to A-label"
for key in .bank.example "[bank.example]" "[bank.example]:587" bank.example:25 192.0.2.1 "bad key.example"; do
	out=$(pm_q "$key" "$U:postfix"); rc=$?
	is "$rc:$out" "1:" "NOTFOUND for '$key'"
done

# unknown map name: PERM, which postmap reports as a query error
out=$(pm_q bank.example "$U:nosuchmap" 2>&1); rc=$?
like "$rc $out" "^[1-9].*permanent error: unknown map name" "unknown map name answers PERM"

# tlspolicyctl talks to the running daemon
out=$(ctl query partner.example)
like "$out" "reply: OK secure match=mx.partner.example" "tlspolicyctl query shows the answer"
like "$out" "reason: local policy table .*local_policy, line 4" "tlspolicyctl query says why"
out=$(ctl query "[relay.example]:587")
like "$out" "reply: NOTFOUND" "tlspolicyctl query of a next-hop form"
like "$out" "next-hop form" "... and why"
like "$(ctl status)" "lookups: [1-9]" "tlspolicyctl status counts lookups"

# SIGHUP reload: a change is picked up; a broken table keeps the old one
echo "new.example may" >> "$T/local_policy"
kill -HUP "$DPID"
check "reload picks up a new entry" wait_for 5 sh -c "[ \"\$(postmap -c '$(postfix_dir)' -q new.example 'socketmap:$U:postfix')\" = may ]"
echo "broken.example nosuchlevel" >> "$T/local_policy"
out=$(ctl reload 2>&1); rc=$?
like "$rc $out" "^1 .*line 7: unknown TLS security level" "tlspolicyctl reload reports the error with its line"
is "$(pm_q new.example "$U:postfix")" "may" "the previous table is still served"
kill -HUP "$DPID"
check "SIGHUP with a broken table logs why" wait_for 5 grep -q "reload failed, keeping the previous table: .*line 7" "$T/daemon.log"
check "daemon still alive" kill -0 "$DPID"

# Clean stop removes the sockets.
stop_daemon
check "sockets removed at exit" test ! -e "$T/run/postfix.sock" -a ! -e "$T/run/control.sock"
done_testing
