#!/bin/sh
# quickstart.sh - install what tlspolicyd needs on Debian 12, build it, and
# either run it or test it.
#
#   sh contrib/quickstart.sh run    build deps, build, run tlspolicyd -f on
#                                   its built-in defaults
#   sh contrib/quickstart.sh test   test deps, build, run the whole test
#                                   suite (plain and under ASan/UBSan), a
#                                   short fuzzing run and make distcheck
#   sh contrib/quickstart.sh deps [build|test]   only install packages
#
# Builds happen out of the source tree, in _build* directories.  Run as
# root (or with sudo): it installs Debian packages and creates the
# tlspolicyd system user.  Installing packages never starts services:
# Postfix is installed unconfigured, for postmap(1) and the tests.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-}
jobs=$(nproc 2>/dev/null || echo 2)

BUILD_PKGS="build-essential autoconf automake pkg-config libssl-dev libc-ares-dev
 libdb5.3-dev libjson-c-dev libmicrohttpd-dev zlib1g-dev postfix adduser"
TEST_PKGS="$BUILD_PKGS clang libclang-rt-14-dev python3 db5.3-util util-linux procps
 unbound nsd ldnsutils dnsutils openssl python3-jsonschema faketime prometheus python3-dkim publicsuffix
 libgnutls30 libgnutls-dane0 libidn2-0 libnsl2 libpcre2-8-0 libdb5.3 libcrypt1
 dpkg-dev debhelper lintian
 rsyslog rsyslog-relp logrotate chromium"
# Exim for the tests: it conflicts with postfix, so its packages are only
# downloaded, into this cache; t/exim.sh unpacks them into each test's
# private prefix (the libraries it needs are in TEST_PKGS)
EXIM_DEBS=${EXIM_DEBS:-/var/cache/tlspolicyd-test/exim}
EXIM_PKGS="exim4-daemon-light exim4-base exim4-config libidn12"

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

deps() {
	pkgs=$BUILD_PKGS
	[ "${1:-build}" = test ] && pkgs=$TEST_PKGS
	missing=
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
	done
	if [ -n "$missing" ]; then
		echo "quickstart: installing$missing"
		# Keep package scripts from starting any service while we install.
		made_policy=
		if [ ! -e /usr/sbin/policy-rc.d ]; then
			as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
			made_policy=1
		fi
		echo "postfix postfix/main_mailer_type select No configuration" | as_root debconf-set-selections
		as_root apt-get update -q
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
		[ -n "$made_policy" ] && as_root rm -f /usr/sbin/policy-rc.d
	fi
	if [ "${1:-build}" = test ]; then
		for p in $EXIM_PKGS; do
			ls "$EXIM_DEBS/$p"_*.deb >/dev/null 2>&1 && continue
			echo "quickstart: downloading $p into $EXIM_DEBS"
			as_root mkdir -p "$EXIM_DEBS"
			# apt-get download needs the package lists
			[ -n "${updated:-}" ] || { as_root apt-get update -q; updated=1; }
			(cd "$EXIM_DEBS" && as_root apt-get download "$p")
		done
	fi
	if ! getent passwd tlspolicyd >/dev/null; then
		as_root adduser --system --group --no-create-home --home /var/lib/tlspolicyd \
		    --quiet tlspolicyd
	fi
}

# build DIR [configure args]: configure and build out of tree in DIR
build() {
	dir=$1
	shift
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi)
	mkdir -p "$top/$dir"
	cd "$top/$dir"
	[ -f Makefile ] || "$top/configure" "$@"
	make -j"$jobs"
}

case $mode in
deps)
	deps "${2:-build}"
	;;
run)
	deps build
	# the paths of README and the man pages: /etc/tlspolicyd/tlspolicyd.conf
	build _build --enable-werror --sysconfdir=/etc
	cat <<'E'
quickstart: starting tlspolicyd in the foreground (Ctrl-C stops it).
  Configuration: /etc/tlspolicyd/tlspolicyd.conf (built-in defaults without it).
  Ask it from another terminal:
    postmap -q example.com socketmap:unix:/var/spool/postfix/tlspolicyd/postfix.sock:postfix
  It prints the policy, or nothing (exit 1) for NOTFOUND: no policy is
  known and Postfix's own smtp_tls_security_level applies.
  Next: main.cf lines in contrib/postfix/README, settings in tlspolicyd.conf(5).
E
	if [ "$(id -u)" = 0 ]; then
		exec "$top/_build/daemon/tlspolicyd" -f
	fi
	exec sudo "$top/_build/daemon/tlspolicyd" -f
	;;
test)
	deps test
	# Everything a test needs was installed just now: a missing tool is a
	# failure here, not a skip (t/lib.sh need).
	CI=true
	export CI
	build _build-check --enable-werror
	make -j"$jobs" check
	build _build-asan --enable-werror --enable-sanitizers CC=clang
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    make -j"$jobs" check
	# every fuzz target, coverage-guided, for a few seconds (t/fuzz/README)
	build _build-fuzz --enable-werror --enable-fuzzing CC=clang
	FUZZ_SECONDS=${FUZZ_SECONDS:-5} make -j"$jobs" check TESTS='t/fuzz/corpus.sh t/fuzz/run.sh'
	cd "$top/_build-check"
	make -j"$jobs" distcheck
	pass=0
	fail=0
	for log in "$top/_build-check/test-suite.log" "$top/_build-asan/test-suite.log" \
	    "$top/_build-fuzz/test-suite.log"; do
		pass=$((pass + $(sed -n 's/^# PASS: *//p' "$log")))
		fail=$((fail + $(sed -n 's/^# FAIL: *//p' "$log") + $(sed -n 's/^# ERROR: *//p' "$log")))
	done
	echo "quickstart: plain and sanitizer runs, fuzzing, then make distcheck"
	echo "tests: $pass passed, $fail failed"
	;;
*)
	sed -n '2,16s/^# \{0,1\}//p' "$0"
	exit 2
	;;
esac
