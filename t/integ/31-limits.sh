#!/bin/sh
# Bounded memory and time per socketmap client: a budget for all buffers,
# a request deadline, keys with control bytes refused (limits.py).
. "$top_srcdir/t/lib.sh"
need postmap python3
budget=2
deadline=2
# big.example answers ~2 KB, so a few pipelined requests fill the socket
big=$(python3 -c 'print("secure match=" + ":".join("mx%03d.big.example" % i for i in range(110)))')
cat > "$T/local_policy" <<P
bank.example dane-only
big.example $big
P
chmod 644 "$T/local_policy"
write_conf <<C
local_policy_file = $T/local_policy
socketmap_max_connections = 2000
socketmap_idle_timeout = 10m
socketmap_request_timeout = ${deadline}s
socketmap_buffer_limit = $budget
C
if ! start_daemon; then
	echo "1..1"
	echo "not ok 1 - daemon starts"
	exit 1
fi
postfix_dir >/dev/null
# sanitizer allocators keep freed memory: no resident size check there
no_rss=0
grep -q __asan_init "$TLSPOLICYD" && no_rss=1
LIMITS_NO_RSS=$no_rss python3 "$top_srcdir/t/integ/limits.py" "$T/run/postfix.sock" "$DPID" \
    "$T/postfix" "$T/daemon.log" "$budget" "$deadline" \
    "$TLSPOLICYCTL" -c "$T/tlspolicyd.conf" > "$T/limits.out"
tap_from limits.py "$T/limits.out" $?
stop_daemon
done_testing
