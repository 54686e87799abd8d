#include "model/ban.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/cidr.h"
#include "core/parse.h"
#include "core/util.h"

static const char *const kinds[BAN__MAX] = {
    [BAN_ACCOUNT] = "account",
    [BAN_EMAIL] = "email",
    [BAN_ADDRESS] = "address",
    [BAN_NETWORK] = "network",
};

const char *
ban_kind_name(int kind)
{
	return kind >= 0 && kind < BAN__MAX ? kinds[kind] : "";
}

bool
ban_kind_parse(const char *s, int *kind)
{
	int i;

	for (i = 0; s && i < BAN__MAX; i++)
		if (strcmp(s, kinds[i]) == 0) {
			*kind = i;
			return true;
		}
	return false;
}

/* An address as a ban stores it: IPv4 alone, IPv6 as its /64. */
static const char *
address_value(struct arena *a, const char *ip)
{
	char text[CIDR_TEXT_MAX];
	struct cidr c;

	if (ip == NULL || !cidr_parse(ip, strlen(ip), &c) || c.bits != 128)
		return NULL;
	if (!c.v4) {
		char net[CIDR_TEXT_MAX + 8];

		cidr_format(&c, text);
		snprintf(net, sizeof(net), "%s/64", text);
		if (!cidr_parse(net, strlen(net), &c))
			return NULL;
	}
	cidr_format(&c, text);
	return arena_strdup(a, text);
}

const char *
ban_normal_value(struct arena *a, int kind, const char *value, const char **why)
{
	char text[CIDR_TEXT_MAX];
	struct cidr c;
	int64_t id;
	char *v;
	size_t i;

	*why = NULL;
	switch (kind) {
	case BAN_ACCOUNT:
		if (!parse_id(value, &id)) {
			*why = "An account is banned by its number.";
			return NULL;
		}
		return arena_printf(a, "%lld", (long long)id);
	case BAN_EMAIL:
		if (!email_valid(value)) {
			*why = "That is not an email address.";
			return NULL;
		}
		if ((v = arena_strdup(a, value)) == NULL)
			return NULL;
		for (i = 0; v[i]; i++)
			v[i] = (char)tolower((unsigned char)v[i]);
		return v;
	case BAN_ADDRESS:
		if ((v = (char *)address_value(a, value)) == NULL)
			*why = "That is not an IP address.";
		return v;
	case BAN_NETWORK:
		if (!cidr_parse(value, strlen(value), &c)) {
			*why = "That is not a network (192.0.2.0/24, "
			       "2001:db8::/32).";
			return NULL;
		}
		cidr_format(&c, text);
		return arena_strdup(a, text);
	default:
		*why = "A ban is of an account, email, address or network.";
		return NULL;
	}
}

enum err
ban_add(struct app *app, struct arena *a, int kind, const char *value,
	const char *reason, int64_t seconds, const struct mod_actor *who,
	int64_t *id, const char **why)
{
	struct ban b;
	int64_t now = time_now();

	memset(&b, 0, sizeof(b));
	b.kind = kind;
	if ((b.value = ban_normal_value(a, kind, value, why)) == NULL)
		return *why ? ERR_INVALID : ERR_NOMEM;
	b.reason = reason ? reason : "";
	b.created = now;
	b.expires = seconds > 0 ? now + seconds : 0;
	return app->store->ops->ban_insert(app->store, &b, who, id);
}

enum err
ban_list(struct app *app, struct arena *a, struct ban **out, size_t *n)
{
	return app->store->ops->ban_list(app->store, a, -1, time_now(), out, n);
}

enum err
ban_remove(struct app *app, int64_t id, const struct mod_actor *who)
{
	return app->store->ops->ban_delete(app->store, id, who, time_now());
}

enum err
ban_covers(struct app *app, struct arena *a, int64_t user_id, const char *email,
	   const char *ip, bool *banned, const char **what)
{
	const struct store_ops *ops = app->store->ops;
	int64_t now = time_now();
	struct ban *nets;
	struct cidr addr;
	const char *v;
	enum err e = ERR_OK;
	size_t n, i;

	*banned = false;
	*what = NULL;
	if (user_id > 0 && (v = arena_printf(a, "%lld", (long long)user_id)) &&
	    (e = ops->ban_find(app->store, BAN_ACCOUNT, v, now, banned)) ==
		ERR_OK &&
	    *banned) {
		*what = "account";
		return ERR_OK;
	}
	if (e == ERR_OK && email[0] &&
	    (v = ban_normal_value(a, BAN_EMAIL, email, what)) != NULL &&
	    (e = ops->ban_find(app->store, BAN_EMAIL, v, now, banned)) ==
		ERR_OK &&
	    *banned) {
		*what = "email";
		return ERR_OK;
	}
	*what = NULL;
	if (e == ERR_OK && (v = address_value(a, ip)) != NULL &&
	    (e = ops->ban_find(app->store, BAN_ADDRESS, v, now, banned)) ==
		ERR_OK &&
	    *banned) {
		*what = "address";
		return ERR_OK;
	}
	if (e != ERR_OK || ip == NULL || !cidr_parse(ip, strlen(ip), &addr))
		return e;
	e = ops->ban_list(app->store, a, BAN_NETWORK, now, &nets, &n);
	for (i = 0; e == ERR_OK && i < n; i++) {
		struct cidr net;

		if (cidr_parse(nets[i].value, strlen(nets[i].value), &net) &&
		    cidr_contains(&net, &addr)) {
			*banned = true;
			*what = "network";
			break;
		}
	}
	return e;
}
