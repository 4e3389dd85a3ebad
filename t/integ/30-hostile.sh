#!/bin/sh
# Hostile socketmap clients; after each, real postmap still answers promptly.
. "$top_srcdir/t/lib.sh"
need postmap python3
cat > "$T/local_policy" <<'P'
bank.example dane-only
legacy.example may
P
chmod 644 "$T/local_policy"
write_conf <<C
local_policy_file = $T/local_policy
socketmap_idle_timeout = 3s
socketmap_request_timeout = 30s
C
if ! start_daemon; then
	echo "1..1"
	echo "not ok 1 - daemon starts"
	exit 1
fi
postfix_dir >/dev/null
python3 "$top_srcdir/t/integ/hostile.py" "$T/run/postfix.sock" "$DPID" "$T/postfix" > "$T/hostile.out"
tap_from hostile.py "$T/hostile.out" $?
stop_daemon
done_testing
