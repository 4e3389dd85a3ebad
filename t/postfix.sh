# Private Postfix instances for the tests (source after lib.sh).
#
#   pf_instance NAME             $T/NAME: config, queue, data, maillog;
#                                every service unchrooted
#   pf_start NAME [RESOLV_CONF]  start it (in a private mount namespace
#                                whose /etc/resolv.conf is RESOLV_CONF)
#   pf_stop NAME
#   pf_send NAME FROM TO         submit a test message with its sendmail
#   pf_wait NAME REGEX [SECONDS] wait for a line of its maillog
#   pf_receiver NAME DOMAINS     an instance delivering DOMAINS to $T/mail
#   pf_listener NAME ADDRESS [CERT|none]  one of its smtpd listeners
#   pf_sender NAME [SOCKET]      an instance sending with contrib/postfix

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

# pf_receiver NAME DOMAINS: an instance that takes mail for DOMAINS (a
# list) into Maildirs under $T/mail, owned by nobody, and offers STARTTLS;
# no smtpd until pf_listener
pf_receiver() {
	pf_instance "$1"
	mkdir -p "$T/mail"
	chown nobody "$T/mail"
	postconf -c "$T/$1" -e "inet_interfaces = all" \
	    "virtual_mailbox_domains = $2" \
	    "virtual_mailbox_base = $T/mail" "virtual_mailbox_maps = static:box/" \
	    "virtual_uid_maps = static:$(id -u nobody)" "virtual_gid_maps = static:$(id -g nobody)" \
	    "smtpd_tls_security_level = may"
	postconf -c "$T/$1" -M# smtp/inet
}

# pf_listener NAME ADDRESS [CERT|none]: an smtpd of NAME on ADDRESS:25
# with the certificate CERT.crt and key CERT.key (none: no STARTTLS;
# neither: main.cf's).  t/lint/addresses.sh reads these lines: no two
# tests may listen on one address.
pf_listener() {
	case ${3:-} in
	'') _o= ;;
	none) _o=" -o smtpd_tls_security_level=none" ;;
	*) _o=" -o smtpd_tls_cert_file=$3.crt -o smtpd_tls_key_file=$3.key" ;;
	esac
	postconf -c "$T/$1" -M "$2:smtp/inet=$2:smtp inet n - n - - smtpd$_o"
}

# pf_sender NAME [SOCKET]: a sending instance configured with
# contrib/postfix/main.cf.snippet, asking tlspolicyd on SOCKET (default
# $T/run/postfix.sock); no smtpd
pf_sender() {
	pf_instance "$1"
	grep -v '^#' "$top_srcdir/contrib/postfix/main.cf.snippet" | grep . >> "$T/$1/main.cf"
	# it only sends: no smtpd on 127.0.0.1:25, which another instance may hold
	postconf -c "$T/$1" -M# smtp/inet
	postconf -c "$T/$1" -e "inet_interfaces = 127.0.0.1" \
	    "smtp_tls_policy_maps = socketmap:unix:${2:-$T/run/postfix.sock}:postfix"
}
