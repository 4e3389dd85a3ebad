# Private Postfix instances for the tests (source after lib.sh).
#
#   pf_instance NAME             $T/NAME: config, queue, data, maillog;
#                                every service unchrooted
#   pf_start NAME [RESOLV_CONF]  start it (in a private mount namespace
#                                whose /etc/resolv.conf is RESOLV_CONF)
#   pf_stop NAME
#   pf_send NAME FROM TO         submit a test message with its sendmail
#   pf_wait NAME REGEX [SECONDS] wait for a line of its maillog

pf_instance() {
	_d=$T/$1
	mkdir -p "$_d/queue" "$_d/data"
	chown postfix "$_d/data"
	cp /etc/postfix/master.cf "$_d/"
	cat > "$_d/main.cf" <<M
compatibility_level = 3.6
myhostname = $1.localdomain
queue_directory = $_d/queue
data_directory = $_d/data
inet_protocols = ipv4
mydestination =
maillog_file_prefixes = $T
maillog_file = $_d/maillog
M
	postconf -c "$_d" -F '*/*/chroot = n'
	touch -d '1 minute ago' "$_d/main.cf" "$_d/master.cf"
}

pf_start() {
	_d=$T/$1
	touch -d '1 minute ago' "$_d/main.cf" "$_d/master.cf"
	if [ -n "${2:-}" ]; then
		unshare --mount --propagation private sh -c \
		    "mount --bind '$2' /etc/resolv.conf && postfix -c '$_d' start" > "$T/$1.start.log" 2>&1
	else
		postfix -c "$_d" start > "$T/$1.start.log" 2>&1
	fi
	PF_INSTANCES="${PF_INSTANCES:-} $1"
	wait_for 10 grep -q 'daemon started' "$_d/maillog"
}

pf_stop() {
	postfix -c "$T/$1" stop >/dev/null 2>&1
}

pf_send() {
	printf 'Subject: test %s\n\nA test message.\n' "$3" | sendmail -C "$T/$1" -f "$2" "$3"
}

# pf_flush INSTANCE: attempt every queued message now (postqueue -f)
pf_flush() {
	postqueue -c "$T/$1" -f >/dev/null 2>&1
}

pf_wait() {
	wait_for "${3:-30}" grep -Eq -- "$2" "$T/$1/maillog"
}
