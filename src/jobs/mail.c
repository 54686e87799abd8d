#include "jobs/mail.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/util.h"
#include "store/store.h"

#define MAIL_BATCH    20
#define MAIL_MAX_WAIT 21600 /* the longest backoff: 6 hours */

struct mailer {
	struct app *app;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool kicked, stopping;
	char from[256];
};

int64_t
mail_backoff(int attempts, int base)
{
	int64_t wait = base;
	int i;

	for (i = 1; i < attempts && wait < MAIL_MAX_WAIT; i++)
		wait *= 2;
	return wait < MAIL_MAX_WAIT ? wait : MAIL_MAX_WAIT;
}

static bool
has_break(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

/* Subject: as it is when printable ASCII, else RFC 2047 base64 words. */
static bool
put_subject(struct buf *out, const char *s)
{
	size_t n = strlen(s), i, chunk;
	bool ascii = true;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			ascii = false;
	if (ascii)
		return buf_printf(out, "Subject: %s\r\n", s);
	if (!buf_puts(out, "Subject:"))
		return false;
	for (i = 0; i < n; i += chunk) {
		char enc[sodium_base64_ENCODED_LEN(
		    45, sodium_base64_VARIANT_ORIGINAL)];

		/* At most 45 bytes a word, never splitting a character. */
		chunk = n - i < 45 ? n - i : 45;
		while (chunk > 1 && i + chunk < n &&
		       ((unsigned char)s[i + chunk] & 0xc0) == 0x80)
			chunk--;
		sodium_bin2base64(enc, sizeof(enc),
				  (const unsigned char *)s + i, chunk,
				  sodium_base64_VARIANT_ORIGINAL);
		if (!buf_printf(out, " =?UTF-8?B?%s?=%s", enc,
				i + chunk < n ? "\r\n" : ""))
			return false;
	}
	return buf_puts(out, "\r\n");
}

bool
mail_build(struct buf *out, const char *from, const char *to,
	   const char *subject, const char *body, int64_t date, const char *id)
{
	char when[64];
	time_t t = (time_t)date;
	struct tm tm;
	const char *p;

	if (has_break(from) || has_break(to) || has_break(subject) ||
	    has_break(id))
		return false;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if (!buf_printf(out, "From: %s\r\nTo: %s\r\n", from, to) ||
	    !put_subject(out, subject) ||
	    !buf_printf(out,
			"Date: %s\r\nMessage-ID: <%s>\r\n"
			"MIME-Version: 1.0\r\n"
			"Content-Type: text/plain; charset=utf-8\r\n"
			"Content-Transfer-Encoding: 8bit\r\n"
			"Auto-Submitted: auto-generated\r\n\r\n",
			when, id))
		return false;
	/* Every line end becomes CRLF; curl dot-stuffs lines itself. */
	for (p = body; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n' ? !buf_puts(out, "\r\n") : !buf_putc(out, *p))
			return false;
	}
	if (!buf_puts(out, "\r\n"))
		return false;
	return !buf_failed(out);
}

struct upload {
	const char *data;
	size_t len, off;
};

static size_t
on_read(char *dst, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t room = size * n, left = u->len - u->off;

	if (left < room)
		room = left;
	memcpy(dst, u->data + u->off, room);
	u->off += room;
	return room;
}

/* The host of base_url, for the sender and message ids. */
static void
site_host(const char *base_url, char *out, size_t outsz)
{
	const char *h = strstr(base_url, "://"), *at;
	size_t n;

	h = h ? h + 3 : base_url;
	/* Past any user:password@. */
	at = strchr(h, '@');
	if (at && at < h + strcspn(h, "/?#"))
		h = at + 1;
	n = strcspn(h, ":/?#");
	if (n == 0 || n >= outsz) {
		snprintf(out, outsz, "localhost");
		return;
	}
	memcpy(out, h, n);
	out[n] = '\0';
}

/* Sends one message; false with a short reason in err. */
static bool
send_one(struct mailer *m, const struct mail *mail, char *err, size_t errsz)
{
	const struct config *cfg = &m->app->cfg;
	struct curl_slist *rcpt = NULL;
	unsigned char rnd[12];
	char host[200], id[300], hex[25];
	struct upload up;
	struct buf msg;
	CURLcode rc;
	CURL *c;
	bool ok = false;

	site_host(m->app->base_url, host, sizeof(host));
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(id, sizeof(id), "%s@%s", hex, host);
	buf_init(&msg, 1024 * 1024);
	if (!mail_build(&msg, m->from, mail->to, mail->subject, mail->body,
			time_now(), id)) {
		snprintf(err, errsz, "cannot build the message");
		buf_clear(&msg);
		return false;
	}
	if ((c = curl_easy_init()) == NULL ||
	    (rcpt = curl_slist_append(NULL, mail->to)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto done;
	}
	up.data = msg.data;
	up.len = msg.len;
	up.off = 0;
	curl_easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, m->from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)msg.len);
	/* smtp:// upgrades to TLS when the server offers it. */
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	if (cfg->smtp_user[0]) {
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->smtp_password);
	}
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		snprintf(err, errsz, "%s", curl_easy_strerror(rc));
	else
		ok = true;
done:
	curl_slist_free_all(rcpt);
	if (c)
		curl_easy_cleanup(c);
	buf_clear(&msg);
	return ok;
}

/* No SMTP: the email goes to the log, so its links can be followed. */
static void
log_one(const struct mail *mail)
{
	char to[300], subject[300];

	log_info("mail (no [mail] smtp_url set) to %s: %s\n%s",
		 log_clean(to, sizeof(to), mail->to),
		 log_clean(subject, sizeof(subject), mail->subject),
		 mail->body);
}

/* Sends what is due; the number of emails handled. */
static size_t
run_batch(struct mailer *m)
{
	struct store *st = m->app->store;
	const struct config *cfg = &m->app->cfg;
	struct mail *list;
	struct arena a;
	size_t n = 0, i;

	arena_init(&a);
	if (st->ops->mail_due(st, &a, time_now(), MAIL_BATCH, &list, &n) !=
	    ERR_OK)
		n = 0;
	for (i = 0; i < n; i++) {
		char err[256], to[300];
		int tried = list[i].attempts + 1;
		enum err e;

		if (cfg->smtp_url[0] == '\0') {
			log_one(&list[i]);
			e = st->ops->mail_sent(st, list[i].id);
		} else if (send_one(m, &list[i], err, sizeof(err))) {
			log_info("mail %lld sent to %s", (long long)list[i].id,
				 log_clean(to, sizeof(to), list[i].to));
			e = st->ops->mail_sent(st, list[i].id);
		} else {
			int64_t next =
			    tried >= cfg->mail_max_attempts
				? 0
				: time_now() +
				      mail_backoff(tried,
						   cfg->mail_retry_seconds);

			log_warnx("mail %lld to %s failed (try %d): %s%s",
				  (long long)list[i].id,
				  log_clean(to, sizeof(to), list[i].to), tried,
				  err, next ? "" : "; given up");
			e = st->ops->mail_failed(st, list[i].id, next, err);
		}
		if (e != ERR_OK)
			log_warnx("mail %lld: cannot record the outcome: %s",
				  (long long)list[i].id, err_str(e));
	}
	arena_clear(&a);
	return n;
}

static void *
mail_main(void *arg)
{
	struct mailer *m = arg;
	struct timespec until;
	size_t n;

	for (;;) {
		pthread_mutex_lock(&m->lock);
		if (m->stopping) {
			pthread_mutex_unlock(&m->lock);
			break;
		}
		m->kicked = false;
		pthread_mutex_unlock(&m->lock);

		n = run_batch(m);

		pthread_mutex_lock(&m->lock);
		/* A full batch may have more behind it: go on at once. */
		if (n < MAIL_BATCH && !m->kicked && !m->stopping) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1; /* retries fall due by the second */
			pthread_cond_timedwait(&m->wake, &m->lock, &until);
		}
		pthread_mutex_unlock(&m->lock);
	}
	return NULL;
}

struct mailer *
mail_start(struct app *app)
{
	struct mailer *m = calloc(1, sizeof(*m));
	char host[200];

	if (m == NULL)
		return NULL;
	m->app = app;
	site_host(app->base_url, host, sizeof(host));
	if (app->cfg.mail_from[0])
		snprintf(m->from, sizeof(m->from), "%s", app->cfg.mail_from);
	else
		snprintf(m->from, sizeof(m->from), "parley@%s", host);
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->wake, NULL);
	if (pthread_create(&m->thread, NULL, mail_main, m) != 0) {
		log_warnx("mail: cannot start the sender thread");
		pthread_mutex_destroy(&m->lock);
		pthread_cond_destroy(&m->wake);
		free(m);
		return NULL;
	}
	if (app->cfg.smtp_url[0] == '\0')
		log_info("mail: no [mail] smtp_url set: emails (with their "
			 "links) are written to this log instead of sent");
	else {
		char server[200];

		/* The host only: a URL may carry credentials. */
		site_host(app->cfg.smtp_url, server, sizeof(server));
		log_info("mail: sending through %s as %s", server, m->from);
	}
	return m;
}

void
mail_kick(struct mailer *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->kicked = true;
	pthread_cond_signal(&m->wake);
	pthread_mutex_unlock(&m->lock);
}

void
mail_stop(struct mailer *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->stopping = true;
	pthread_cond_signal(&m->wake);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->wake);
	free(m);
}
