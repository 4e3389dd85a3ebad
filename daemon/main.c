/*
 * tlspolicyd - answer Postfix smtp_tls_policy_maps socketmap lookups.
 *
 * Start-up order (privileged part first, as Postfix and unbound do):
 * read the configuration, bind every listening socket and create the state
 * directory as root, then drop to the run-as user, then open the store
 * and load the tables, so that nothing the daemon writes later is owned by
 * root.  Signals arrive through a signalfd on the event loop: SIGHUP
 * reloads the local policy table, SIGTERM and SIGINT stop cleanly.  A
 * service manager that set NOTIFY_SOCKET hears READY=1 once the daemon
 * answers and STOPPING=1 when it is told to stop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "answercache.h"
#include "control.h"
#include "daemon.h"
#include "dane.h"
#include "dns.h"
#include "https.h"
#include "mtasts.h"
#include "endpoint.h"
#include "evloop.h"
#include "exim.h"
#include "http.h"
#include "listen.h"
#include "localpolicy.h"
#include "log.h"
#include "logsource.h"
#include "privs.h"
#include "sdnotify.h"
#include "server.h"
#include "settings.h"
#include "sockmap.h"
#include "store.h"
#include "storelend.h"
#include "storeown.h"
#include "strmap.h"

#define CHECKPOINT_MSEC INT64_C(60000)

/*
 * Berkeley DB 5.3 loses a few hundred bytes when an environment open with
 * recovery fails (a full disk): the daemon retries that with a backoff.
 * In sanitizer builds, LeakSanitizer is told about it, for the daemon
 * only (the unit tests and tlspolicyctl keep checking every allocation
 * made through the library).
 */
#if defined(__SANITIZE_ADDRESS__)
#define TLSPOLICYD_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TLSPOLICYD_LSAN 1
#endif
#endif
#ifdef TLSPOLICYD_LSAN
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
	return "leak:libdb-5.3.so\n";
}
#endif

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: tlspolicyd [-fhnvV] [-c config_file]\n"
	    "  -c FILE  configuration file (default " SETTINGS_DEFAULT_FILE
	    " if it exists, else built-in defaults)\n"
	    "  -f       stay in the foreground and log to stderr (else: syslog, PID file)\n"
	    "  -n       check the configuration and exit\n"
	    "  -v       log at debug level\n"
	    "  -V       print the version and exit\n");
}

/* notify - tell the service manager, if any, the daemon's state */
static void
notify(const char *state)
{
	char err[256];

	if (sdnotify(state, err, sizeof(err)) < 0)
		log_warnx("%s", err);
}

static void
on_signal(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;
	char err[512];

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			log_info("reload requested (SIGHUP)");
			if (daemon_reload(d, err, sizeof(err)) < 0)
				log_errorx("reload failed, keeping the previous table: %s", err);
			break;
		case SIGTERM:
		case SIGINT:
			log_info("stopping on signal %s", si.ssi_signo == SIGTERM ? "TERM" : "INT");
			notify("STOPPING=1");
			evloop_stop(loop);
			break;
		default:
			break;
		}
	}
}

static void
on_checkpoint(struct evloop *loop, void *arg)
{
	struct daemon *d = arg;

	if (store_is_open(d->store) && store_checkpoint(d->store) < 0
	    && store_should_log(d->store))
		log_warnx("store checkpoint: %s", store_strerror(d->store));
	evloop_timer_add(loop, CHECKPOINT_MSEC, on_checkpoint, d);
}

/* raise_fd_limit - allow enough descriptors for max connections */
static void
raise_fd_limit(unsigned want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	if (rl.rlim_cur < (rlim_t)want + 64) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)want + 64 ? rl.rlim_max : (rlim_t)want + 64;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* prepare_state_dir - create state_directory (0700) owned by the user,
 * through the descriptor of the directory just made */
static void
prepare_state_dir(const char *dir, const struct privs_user *u)
{
	struct stat st;
	int dfd;

	if (stat(dir, &st) < 0) {
		if (errno != ENOENT || mkdir(dir, 0700) < 0)
			log_fatal("create state directory %s", dir);
		log_info("created state directory %s", dir);
		if (!u)
			return;
		if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0
		    || fchown(dfd, u->uid, u->gid) < 0)
			log_fatal("give state directory %s to user %s", dir, u->name);
		close(dfd);
	} else if (!S_ISDIR(st.st_mode)) {
		log_fatalx("state_directory %s is not a directory", dir);
	} else if (u && st.st_uid != u->uid) {
		log_fatalx("state directory %s is not owned by user %s (fix with: chown -R %s %s)",
		    dir, u->name, u->name, dir);
	}
}

static void open_exim(struct daemon *d, const struct listen_owner *ownp, int as_root);

/* open_listeners - bind socketmap and control sockets (as root) */
static void
open_listeners(struct daemon *d, const struct privs_user *u, int as_root)
{
	const char *groupname = d->cfg.socketmap_socket_group;
	struct server_limits lim = { 0 };
	gid_t gid = (gid_t)-1;
	struct listen_owner own, *ownp = NULL;
	char err[512];

	if (groupname[0] != '\0') {
		if (privs_group(groupname, &gid) < 0)
			log_fatalx("socketmap_socket_group: unknown group \"%s\"", groupname);
	} else if (as_root && privs_group("postfix", &gid) < 0) {
		gid = (gid_t)-1;
	}
	if (u) {
		own.uid = u->uid;
		own.gid = u->gid;
		ownp = &own;
	}
	lim.request_max = SOCKMAP_REQUEST_MAX;
	lim.reply_max = SOCKMAP_REPLY_MAX;
	lim.max_conns = d->cfg.socketmap_max_connections;
	lim.idle_timeout = d->cfg.socketmap_idle_timeout;
	lim.request_timeout = d->cfg.socketmap_request_timeout;
	lim.buffer_max = (size_t)d->cfg.socketmap_buffer_limit << 20;
	d->sockmap = server_new(d->loop, "socketmap", &lim, sockmap_handle, d);
	for (size_t i = 0; i < d->cfg.socketmap_listen.n; i++) {
		const struct endpoint *ep = &d->cfg.socketmap_listen.v[i];
		int fd;

		if ((fd = listen_open(ep, d->cfg.socketmap_socket_mode, gid, ownp, err,
		    sizeof(err))) < 0)
			log_fatalx("socketmap_listen: %s", err);
		server_add_listener(d->sockmap, fd, ep->text);
		log_info("listening on %s (map names: postfix, postfix-tlsrpt)", ep->text);
		if (endpoint_path(ep))
			log_info("try: postmap -q example.com socketmap:%s:postfix", ep->text);
	}
	open_exim(d, ownp, as_root);
	if (d->cfg.control_socket.n > 0) {
		const struct endpoint *ep = &d->cfg.control_socket.v[0];
		int fd;

		/* root and the daemon's own user only */
		if ((fd = listen_open(ep, 0600, (gid_t)-1, ownp, err, sizeof(err))) < 0)
			log_fatalx("control_socket: %s", err);
		lim.request_max = CONTROL_REQUEST_MAX;
		lim.reply_max = CONTROL_REPLY_MAX;
		lim.max_conns = 16;
		lim.idle_timeout = 10;
		lim.request_timeout = 10;
		lim.buffer_max = (size_t)4 << 20;
		d->control = server_new(d->loop, "control", &lim, control_handle, d);
		server_add_listener(d->control, fd, ep->text);
	}
}

/* open_exim - bind the exim_listen sockets (as root), group
 * exim_socket_group or else Debian-exim when it exists */
static void
open_exim(struct daemon *d, const struct listen_owner *ownp, int as_root)
{
	const char *groupname = d->cfg.exim_socket_group;
	struct server_limits lim = { 0 };
	gid_t gid = (gid_t)-1;
	char err[512];

	if (d->cfg.exim_listen.n == 0)
		return;
	if (groupname[0] != '\0') {
		if (privs_group(groupname, &gid) < 0)
			log_fatalx("exim_socket_group: unknown group \"%s\"", groupname);
	} else if (as_root && privs_group("Debian-exim", &gid) < 0) {
		gid = (gid_t)-1;
	}
	lim.framing = SERVER_LINE;
	lim.too_large = EXIM_TOO_LARGE;
	lim.request_max = EXIM_REQUEST_MAX;
	lim.reply_max = EXIM_REPLY_MAX;
	lim.max_conns = d->cfg.socketmap_max_connections;
	lim.idle_timeout = d->cfg.socketmap_idle_timeout;
	lim.request_timeout = d->cfg.socketmap_request_timeout;
	lim.buffer_max = (size_t)d->cfg.socketmap_buffer_limit << 20;
	d->exim = server_new(d->loop, "exim", &lim, exim_handle, d);
	for (size_t i = 0; i < d->cfg.exim_listen.n; i++) {
		const struct endpoint *ep = &d->cfg.exim_listen.v[i];
		int fd;

		if ((fd = listen_open(ep, d->cfg.exim_socket_mode, gid, ownp, err,
		    sizeof(err))) < 0)
			log_fatalx("exim_listen: %s", err);
		server_add_listener(d->exim, fd, ep->text);
		log_info("listening on %s for Exim (request: policy DOMAIN)", ep->text);
	}
}

/* forget_answer - a source learnt something new of domain */
static void
forget_answer(void *arg, const char *domain)
{
	answercache_forget(arg, domain);
}

/* start_resolvers - DNS, then MTA-STS (HTTPS and its cache) and DANE,
 * and the answers they decide */
static void
start_resolvers(struct daemon *d)
{
	struct mtasts_config mc;
	char err[512];

	d->rctx.dane_required = d->cfg.dane_required_domains;
	if (!d->cfg.mta_sts && !d->cfg.dane)
		return;
	if ((d->dns = dns_new(d->loop, d->cfg.dns_resolver.v, d->cfg.dns_resolver.n, 2000, 2, err,
	    sizeof(err))) == NULL)
		log_fatalx("%s", err);
	if (d->cfg.mta_sts) {
		if ((d->https = https_client_new(d->cfg.sts_ca_file, err, sizeof(err))) == NULL)
			log_fatalx("sts_ca_file: %s", err);
		mc.https_port = d->cfg.sts_https_port;
		mc.fetch_timeout_ms = d->cfg.sts_fetch_timeout * 1000;
		mc.check_interval = d->cfg.sts_check_interval;
		mc.cache_max = d->cfg.policy_cache_size;
		d->mtasts = mtasts_new(d->loop, d->dns, d->https, d->store, &mc);
		d->rctx.mtasts = d->mtasts;
	}
	if (d->cfg.dane) {
		d->dane = dane_new(d->dns, d->store, d->cfg.policy_cache_size);
		d->rctx.dane = d->dane;
		daemon_check_dnssec(d);
	}
	if (d->cfg.answer_cache_size > 0) {
		d->answers = answercache_new(d->cfg.answer_cache_size);
		d->rctx.answers = d->answers;
		if (d->mtasts)
			mtasts_on_change(d->mtasts, forget_answer, d->answers);
		if (d->dane)
			dane_on_change(d->dane, forget_answer, d->answers);
	}
	log_info("MTA-STS %s, DANE %s (resolver %s%s)", d->cfg.mta_sts ? "on" : "off",
	    d->cfg.dane ? "on" : "off", d->cfg.dns_resolver.n ? d->cfg.dns_resolver.v[0]
	    : "from /etc/resolv.conf", d->cfg.dns_resolver.n > 1 ? " and others" : "");
}

static int
setup_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* pidfile_path - tlspolicyd.pid beside the control socket, else in the
 * default socket directory */
static void
pidfile_path(const struct daemon *d, char *out, size_t outlen)
{
	const struct endpoint *ep = settings_control(&d->cfg);
	const char *path = ep ? endpoint_path(ep) : NULL, *slash;

	if (path != NULL && (slash = strrchr(path, '/')) != NULL && slash != path)
		snprintf(out, outlen, "%.*s/tlspolicyd.pid", (int)(slash - path), path);
	else
		snprintf(out, outlen, "%s/tlspolicyd.pid", DEFAULT_RUNDIR);
}

/* write_pidfile - the daemon's PID, for init scripts and monitoring; a
 * failure is logged, not fatal */
static void
write_pidfile(const char *path)
{
	char text[32];
	int fd, n;

	n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0
	    || write(fd, text, (size_t)n) != n)
		log_warn("PID file %s", path);
	if (fd >= 0)
		close(fd);
}

static void
unlink_sockets(const struct daemon *d)
{
	const struct settings_endpoints *lists[] = { &d->cfg.socketmap_listen,
		&d->cfg.exim_listen, &d->cfg.control_socket };

	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		for (size_t i = 0; i < lists[l]->n; i++)
			if (endpoint_path(&lists[l]->v[i]))
				unlink(endpoint_path(&lists[l]->v[i]));
}

int
main(int argc, char **argv)
{
	static struct daemon d;
	const char *cfgfile = NULL;
	int foreground = 0, check_only = 0, verbose = 0, ch, sigfd;
	struct privs_user user, *u = NULL;
	char err[1024], cfgpath[PATH_MAX], pidfile[PATH_MAX] = "";
	int as_root = geteuid() == 0;

	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	while ((ch = getopt_long(argc, argv, "c:fnvVh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': cfgfile = optarg; break;
		case 'f': foreground = 1; break;
		case 'n': check_only = 1; break;
		case 'v': verbose = 1; break;
		case 'V': printf("tlspolicyd %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "tlspolicyd: unexpected argument \"%.64s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	log_init("tlspolicyd", 1, 0);
	/* an absolute name, read again on reload after daemon() left the
	 * working directory */
	if (cfgfile != NULL && realpath(cfgfile, cfgpath) != NULL)
		cfgfile = cfgpath;
	if (settings_load(&d.cfg, cfgfile, err, sizeof(err)) < 0
	    || http_check(&d.cfg, err, sizeof(err)) < 0)
		log_fatalx("%s", err);
	if (check_only) {
		if (d.cfg.local_policy_file[0]) {
			struct localpolicy *lp;

			if ((lp = localpolicy_load(d.cfg.local_policy_file, err, sizeof(err))) == NULL)
				log_fatalx("local_policy_file: %s", err);
			localpolicy_free(lp);
		}
		printf("tlspolicyd: configuration %s OK\n", d.cfg.source);
		return 0;
	}
	log_set_level(verbose ? LOG_LEVEL_DEBUG : (enum log_level)d.cfg.log_level);
	/* the reporter's sender, not counted by the log sources: when it is
	 * the MTA's host name, ask the MTA now (a program run), before any
	 * socket or the store is open */
	if (d.cfg.log_source.n > 0) {
		char from[320];

		settings_report_from(&d.cfg, from, sizeof(from));
	}
	/* the reports POSTed to us are kept for report_domains, or by
	 * default the MTA's domains: asked now, for the same reason */
	if (d.cfg.http_tlsrpt) {
		char line[2048];

		settings_report_domains(&d.cfg);
		settings_report_domains_text(&d.cfg, line, sizeof(line));
		if (strmap_count(d.cfg.report_domains) > 0)
			log_info("http_tlsrpt: %s", line);
		else
			log_warnx("http_tlsrpt: %s: reports POSTed are refused (503)", line);
	}
	if (as_root && d.cfg.user[0] != '\0') {
		if (privs_lookup(d.cfg.user, &user, err, sizeof(err)) < 0)
			log_fatalx("%s", err);
		u = &user;
	} else if (as_root) {
		log_warnx("running as root: set user = to an unprivileged account");
	}
	if ((d.loop = evloop_new()) == NULL)
		log_fatal("epoll_create");
	raise_fd_limit(d.cfg.socketmap_max_connections * (d.cfg.exim_listen.n ? 2 : 1) + 64);
	if ((sigfd = setup_signals()) < 0)
		log_fatal("signalfd");
	open_listeners(&d, u, as_root);
	d.http = http_bind(&d);
	prepare_state_dir(d.cfg.state_directory, u);
	if (!foreground) {
		log_init("tlspolicyd", 0, d.cfg.syslog_facility);
		if (daemon(0, 0) < 0)
			log_fatal("daemon");
		pidfile_path(&d, pidfile, sizeof(pidfile));
		write_pidfile(pidfile);
	}
	if (u) {
		if (privs_drop(u, err, sizeof(err)) < 0)
			log_fatalx("%s", err);
		log_info("running as user %s (uid %ld)", u->name, (long)u->uid);
	}
	umask(077);
	/* a client may hold the store for a moment: wait for it, without
	 * asking (no daemon answers on the control socket yet) */
	if ((d.store = store_borrow_open(d.cfg.state_directory, NULL, STORE_LEND_WAIT_MS, err,
	    sizeof(err))) == NULL)
		log_fatalx("store: %s", err);
	for (int i = 0; i < STORE_DB_COUNT; i++)
		if (store_damage(d.store, (enum store_db)i) != NULL)
			log_errorx("store: %s: not opened, see tlspolicyd(8)",
			    store_damage(d.store, (enum store_db)i));
	if (daemon_reload(&d, err, sizeof(err)) < 0)
		log_fatalx("%s", err);
	start_resolvers(&d);
	d.logs = logsources_start(d.loop, d.store, &d.cfg);
	evloop_watch(d.loop, sigfd, EVLOOP_READ, on_signal, &d);
	evloop_timer_add(d.loop, CHECKPOINT_MSEC, on_checkpoint, &d);
	d.storeown = storeown_start(&d);
	d.started = time(NULL);
	http_start(d.http);
	log_info("tlspolicyd %s ready (config %s, state %s)", PACKAGE_VERSION, d.cfg.source,
	    d.cfg.state_directory);
	notify("READY=1");
	if (evloop_run(d.loop) < 0)
		log_errorx("event loop failed");
	/* order: waiting clients, then DNS (ends lookups), then the cache */
	server_free(d.sockmap);
	server_free(d.exim);
	server_free(d.control);
	http_free(d.http);
	storeown_stop(d.storeown);
	logsources_stop(d.logs);
	dns_free(d.dns);
	dane_free(d.dane);
	mtasts_free(d.mtasts);
	answercache_free(d.answers);
	https_client_free(d.https);
	unlink_sockets(&d);
	if (pidfile[0] != '\0')
		unlink(pidfile);
	store_close(d.store);
	localpolicy_free(d.local);
	evloop_free(d.loop);
	settings_fini(&d.cfg);
	log_info("stopped");
	return 0;
}
