/* names: the schema's words for statuses, roles and kinds of ban. */
#include "store/names.h"

#include <string.h>

static const char *const status_names[STATUS__MAX] = {
    [STATUS_APPROVED] = "approved",
    [STATUS_PENDING] = "pending",
    [STATUS_SPAM] = "spam",
    [STATUS_TRASH] = "trash",
};

static const char *const role_names[ROLE__MAX] = {
    [ROLE_READER] = "reader",
    [ROLE_MODERATOR] = "moderator",
    [ROLE_EDITOR] = "editor",
    [ROLE_ADMIN] = "admin",
};

static const char *const ban_kinds[BAN__MAX] = {
    [BAN_ACCOUNT] = "account",
    [BAN_EMAIL] = "email",
    [BAN_ADDRESS] = "address",
    [BAN_NETWORK] = "network",
};

/* The index of name in names[0..n), or fallback. */
static int
index_of(const char *const *names, int n, const char *name, int fallback)
{
	int i;

	for (i = 0; name && i < n; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return fallback;
}

const char *
store_status_name(int status)
{
	return status >= 0 && status < STATUS__MAX ? status_names[status]
						   : "pending";
}

int
store_status_of(const char *name)
{
	/* Unknown is never shown to readers. */
	return index_of(status_names, STATUS__MAX, name, STATUS_PENDING);
}

const char *
store_role_name(enum role r)
{
	return (unsigned)r < ROLE__MAX ? role_names[r] : "reader";
}

enum role
store_role_of(const char *name)
{
	return (enum role)index_of(role_names, ROLE__MAX, name, ROLE_READER);
}

const char *
store_ban_kind_name(int kind)
{
	return kind >= 0 && kind < BAN__MAX ? ban_kinds[kind] : "";
}

int
store_ban_kind_of(const char *name)
{
	return index_of(ban_kinds, BAN__MAX, name, BAN_ADDRESS);
}
