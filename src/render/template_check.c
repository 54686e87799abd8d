/*
 * template_check: the view contract, checked in the test suite's mode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "render/template_internal.h"

/*
 * The view contract.  In checked mode (the test suite's) a render first
 * proves that the view and the template agree: every {{value}} the
 * render reaches is put by the view (a section's name may be missing:
 * that is how a template asks whether it is there), and every key the
 * view puts is named somewhere in the template or its partials, in a
 * section taken or not.  A string left out is then an error, not "",
 * and a key no template reads is found when it is put, not never.  It is
 * kept apart from the render loop, which it mirrors without output.
 */
/* A key no template can name: tpl_name_valid() refuses '!'. */
#define TV_SHARED "!shared"

bool
tv_shared_with(struct tv *obj, const char *tpl_name)
{
	return tv_put_str(obj, TV_SHARED, tpl_name);
}

void
tpl_set_check(struct tpl_set *set, enum tpl_check check)
{
	if (set != NULL)
		set->check = check;
}

bool
tpl_set_check_pending(struct tpl_set *set, const char *list)
{
	char *copy;

	if (set == NULL || list == NULL)
		return set != NULL;
	copy = malloc(strlen(list) + 3);
	if (copy == NULL)
		return false;
	snprintf(copy, strlen(list) + 3, ",%s,", list);
	free(set->pending);
	set->pending = copy;
	return true;
}

/* What one check has found, and the names its template can read. */
struct view_audit {
	const struct tpl_set *set;
	const struct tpl *root;
	const struct tpl **seen; /* templates whose names are collected */
	size_t nseen, capseen;
	const char **names; /* every segment of every name, with repeats */
	size_t nnames, capnames;
	unsigned faults;
	bool nomem;
};

#define VIEW_FAULTS_LOGGED 200

/* True when ",TEMPLATE:KEY," is on the set's pending list. */
static bool
audit_pending(const struct view_audit *va, const char *key)
{
	const char *p = va->set->pending;
	size_t nt = strlen(va->root->name), nk = strlen(key);

	while (p != NULL && (p = strstr(p, va->root->name)) != NULL) {
		if (p[-1] == ',' && p[nt] == ':' &&
		    strncmp(p + nt + 1, key, nk) == 0 && p[nt + 1 + nk] == ',')
			return true;
		p += nt;
	}
	return false;
}

static void
audit_fault(struct view_audit *va, const char *what, const char *key)
{
	if (audit_pending(va, key)) {
		log_debug("view contract: %s.html: %s \"%s\" (pending)",
			  va->root->name, what, key);
		return;
	}
	if (va->faults++ < VIEW_FAULTS_LOGGED)
		log_warnx("view contract: %s.html: %s \"%s\"", va->root->name,
			  what, key);
}

static bool
audit_grow(void *arr, size_t *cap, size_t need, size_t size)
{
	void **p = arr, *n;
	size_t c = *cap ? *cap * 2 : 64;

	if (need <= *cap)
		return true;
	n = realloc(*p, c * size);
	if (n == NULL)
		return false;
	*p = n;
	*cap = c;
	return true;
}

/* Collects the names of t and of every partial it reaches, once each. */
static void
audit_names(struct view_audit *va, const struct tpl *t)
{
	size_t i;
	unsigned k;

	for (i = 0; i < va->nseen; i++)
		if (va->seen[i] == t)
			return;
	if (!audit_grow(&va->seen, &va->capseen, va->nseen + 1,
			sizeof(*va->seen))) {
		va->nomem = true;
		return;
	}
	va->seen[va->nseen++] = t;
	for (i = 0; i < t->nops; i++) {
		const struct tpl_op *op = &t->ops[i];
		const char *seg = t->pool + op->off;

		if (op->kind == OP_PARTIAL) {
			audit_names(va, op->u.partial);
			continue;
		}
		if (op->kind == OP_TEXT)
			continue;
		for (k = 0; k < op->nseg; k++, seg += strlen(seg) + 1) {
			if (!audit_grow(&va->names, &va->capnames,
					va->nnames + 1, sizeof(*va->names))) {
				va->nomem = true;
				return;
			}
			va->names[va->nnames++] = seg;
		}
	}
}

static bool
audit_named(const struct view_audit *va, const char *key)
{
	size_t i;

	for (i = 0; i < va->nnames; i++)
		if (strcmp(va->names[i], key) == 0)
			return true;
	return false;
}

/* Every key put anywhere in v must be a name the template can read. */
static void
audit_puts(struct view_audit *va, const struct tv *v, unsigned depth)
{
	const struct tv *m;

	if (v == NULL || depth > TPL_MAX_DEPTH)
		return;
	if (v->kind != TV_OBJ && v->kind != TV_LIST)
		return;
	for (m = v->u.box.head; m != NULL; m = m->next) {
		if (v->kind == TV_OBJ && m->key[0] == '!')
			continue;
		if (v->kind == TV_OBJ && !audit_named(va, m->key))
			audit_fault(
			    va, "the view puts a key it never reads:", m->key);
		audit_puts(va, m, depth + 1);
	}
}

/* Walks ops as render_ops() does, noting each {{value}} not put. */
static void
audit_reads(struct view_audit *va, const struct tpl *t, size_t i, size_t end,
	    const struct scope *sc, unsigned depth)
{
	while (i < end) {
		const struct tpl_op *op = &t->ops[i];
		const struct tv *v, *item;
		struct scope inner;

		switch (op->kind) {
		case OP_VAR:
			if (tpl_lookup(t, op, sc) == NULL)
				audit_fault(va,
					    "reads a value the view does "
					    "not put:",
					    t->pool + op->off);
			i++;
			break;
		case OP_SECTION:
			v = tpl_section_value(t, op, sc);
			inner = (struct scope){v, v, sc};
			if (v != NULL && v->kind == TV_OBJ) {
				audit_reads(va, t, i + 1, op->u.end, &inner,
					    depth);
			} else if (v != NULL && v->kind == TV_LIST) {
				for (item = v->u.box.head; item != NULL;
				     item = item->next) {
					inner.v = item;
					audit_reads(va, t, i + 1, op->u.end,
						    &inner, depth);
				}
			} else if (v != NULL) {
				audit_reads(va, t, i + 1, op->u.end, sc, depth);
			}
			i = op->u.end;
			break;
		case OP_INVERTED:
			if (tpl_section_value(t, op, sc) == NULL)
				audit_reads(va, t, i + 1, op->u.end, sc, depth);
			i = op->u.end;
			break;
		case OP_PARTIAL:
			if (depth < TPL_MAX_DEPTH)
				audit_reads(va, op->u.partial, 0,
					    op->u.partial->nops, sc, depth + 1);
			i++;
			break;
		default:
			i++;
			break;
		}
	}
}

bool
tpl_view_check(const struct tpl_set *set, const struct tpl *t,
	       const struct tv *root)
{
	struct view_audit va;
	struct scope top = {root, NULL, NULL};
	const struct tv *m;
	bool ok;

	memset(&va, 0, sizeof(va));
	va.set = set;
	va.root = t;
	audit_reads(&va, t, 0, t->nops, root != NULL ? &top : NULL, 0);
	audit_names(&va, t);
	/* A view rendered in parts may put what any of its parts reads. */
	for (m = root && root->kind == TV_OBJ ? root->u.box.head : NULL;
	     m != NULL; m = m->next) {
		const struct tpl *other;

		if (strcmp(m->key, TV_SHARED) != 0 || m->kind != TV_STR)
			continue;
		other = tpl_find(set, m->u.str.s);
		if (other == NULL)
			audit_fault(&va, "shares its view with no template",
				    m->u.str.s);
		else
			audit_names(&va, other);
	}
	if (!va.nomem)
		audit_puts(&va, root, 0);
	ok = !va.nomem && va.faults == 0;
	if (va.faults > VIEW_FAULTS_LOGGED)
		log_warnx("view contract: %s.html: %u faults in all", t->name,
			  va.faults);
	free(va.seen);
	free(va.names);
	return ok;
}
