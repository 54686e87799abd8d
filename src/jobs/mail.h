/*
 * mail: the background sender of the outbox.  One thread reads queued
 * emails from the store and sends them over SMTP (libcurl), with the
 * message built here: plain text, UTF-8.  A failed send is tried again
 * later, waiting twice as long each time; nothing on the request path
 * ever waits for it.  With no [mail] smtp_url, each email is written to
 * the log instead (links included), so a site works before mail is set up.
 */
#ifndef PARLEY_MAIL_H
#define PARLEY_MAIL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"

struct app;
struct mailer;

/* Starts the sender for app; NULL (with a log line) when it cannot. */
struct mailer *mail_start(struct app *app);
/* Stops the sender, letting a send in progress finish. NULL is fine. */
void mail_stop(struct mailer *m);
/* Wakes the sender: something was queued.  NULL is fine. */
void mail_kick(struct mailer *m);

/* Seconds to wait after attempts failures (1, 2, ...): doubling, capped. */
int64_t mail_backoff(int attempts, int base);

/*
 * Builds the message: headers (From, To, Subject encoded when not
 * ASCII, Date, Message-ID, MIME) and the body with CRLF line ends.
 * False when an address or the subject holds a line break or the
 * buffer fails.
 */
bool mail_build(struct buf *out, const char *from, const char *to,
		const char *subject, const char *body, int64_t date,
		const char *id);

#endif
