/*
 * faultvfs: a SQLite VFS over "unix" that injects I/O errors and power
 * cuts (see faultvfs.h).  Written from SQLite's VFS documentation.
 *
 * Model of the disk: a file's writes and truncations are durable once
 * that file is synced.  Creates and deletes are durable at the next sync
 * of any file (the file system's journal is committed in order, as on
 * ext4), or at once for a delete asked with dirSync.  Every call takes
 * one lock, so a cut is atomic against every write.
 */
#include "faultvfs.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SECTOR 512

enum undo_kind { UNDO_DATA, UNDO_CREATE, UNDO_DELETE };

/* One change since the last sync, with what undoes it. */
struct undo {
	struct undo *older;
	enum undo_kind kind;
	sqlite3_int64 off;	/* where the saved bytes go back */
	sqlite3_int64 old_size; /* the file's size before the change */
	sqlite3_int64 wrote;	/* bytes written, for a write; else 0 */
	size_t len;		/* saved bytes */
	unsigned char data[];
};

/* A durable file, by path, shared by every handle on it. */
struct node {
	struct node *next;
	char *path;
	bool main_db;
	struct undo *log; /* newest first */
};

struct fv_file {
	sqlite3_file base;
	struct node *node; /* NULL for files that need not survive */
	sqlite3_file *real;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t held_cond; /* a sync was held, or let go */
	bool hold, held;
	sqlite3_vfs vfs;
	sqlite3_vfs *real;
	struct node *nodes;
	bool installed, cut, full;
	long write_at, sync_at, cut_at;
	long failures;
	uint64_t rng;
} fv = {.lock = PTHREAD_MUTEX_INITIALIZER,
	.held_cond = PTHREAD_COND_INITIALIZER};

static uint64_t
rng_next(void)
{
	uint64_t z = (fv.rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static struct node *
node_find(const char *path)
{
	struct node *n;

	for (n = fv.nodes; n != NULL; n = n->next)
		if (strcmp(n->path, path) == 0)
			return n;
	return NULL;
}

static struct node *
node_get(const char *path)
{
	struct node *n = node_find(path);

	if (n != NULL)
		return n;
	n = calloc(1, sizeof(*n));
	if (n == NULL || (n->path = strdup(path)) == NULL) {
		free(n);
		return NULL;
	}
	n->next = fv.nodes;
	fv.nodes = n;
	return n;
}

static void
log_free(struct node *n)
{
	struct undo *u, *older;

	for (u = n->log; u != NULL; u = older) {
		older = u->older;
		free(u);
	}
	n->log = NULL;
}

/*
 * A sync commits the file system's journal, and with it every create and
 * delete made before (as ext4 and xfs do): each file's newest such change
 * and all older ones can no longer be undone.
 */
static void
namespace_synced(void)
{
	struct node *n;
	struct undo **p, *u, *older;

	for (n = fv.nodes; n != NULL; n = n->next) {
		for (p = &n->log; *p != NULL; p = &(*p)->older)
			if ((*p)->kind != UNDO_DATA)
				break;
		for (u = *p; u != NULL; u = older) {
			older = u->older;
			free(u);
		}
		*p = NULL;
	}
}

static struct undo *
undo_push(struct node *n, enum undo_kind kind, size_t len)
{
	struct undo *u = calloc(1, sizeof(*u) + len);

	if (u == NULL)
		return NULL;
	u->kind = kind;
	u->len = len;
	u->older = n->log;
	n->log = u;
	return u;
}

/*
 * Saves the bytes [off, off + want) that exist now and the size, before a
 * write or a truncation changes them.  False when out of memory or the
 * old bytes cannot be read: the caller then fails the call.
 */
static bool
save_range(struct fv_file *f, sqlite3_int64 off, sqlite3_int64 want,
	   sqlite3_int64 wrote)
{
	sqlite3_int64 size = 0;
	size_t len = 0;
	struct undo *u;

	if (f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK)
		return false;
	if (off < size)
		len = (size_t)(want < size - off ? want : size - off);
	u = undo_push(f->node, UNDO_DATA, len);
	if (u == NULL)
		return false;
	u->off = off;
	u->old_size = size;
	u->wrote = wrote;
	if (len > 0 && f->real->pMethods->xRead(f->real, u->data, (int)len,
						off) != SQLITE_OK) {
		f->node->log = u->older;
		free(u);
		return false;
	}
	return true;
}

/* Reads a whole file, to undo its deletion. */
static struct undo *
save_file(struct node *n)
{
	struct undo *u = NULL;
	struct stat sb;
	int fd = open(n->path, O_RDONLY);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) == 0 &&
	    (u = undo_push(n, UNDO_DELETE, (size_t)sb.st_size)) != NULL) {
		u->old_size = sb.st_size;
		if (pread(fd, u->data, u->len, 0) != (ssize_t)u->len) {
			n->log = u->older;
			free(u);
			u = NULL;
		}
	}
	close(fd);
	return u;
}

/*
 * Undoes one change on the disk.  keep bytes at the start of a write stay
 * written (a torn write); the rest goes back to what it was.
 */
static void
undo_apply(const struct node *n, const struct undo *u, sqlite3_int64 keep)
{
	sqlite3_int64 size = u->old_size;
	int fd;

	if (u->kind == UNDO_CREATE) {
		(void)unlink(n->path);
		return;
	}
	fd = open(n->path,
		  u->kind == UNDO_DELETE ? O_WRONLY | O_CREAT | O_TRUNC
					 : O_WRONLY,
		  0644);
	if (fd < 0)
		return;
	if ((sqlite3_int64)u->len > keep &&
	    pwrite(fd, u->data + keep, u->len - (size_t)keep, u->off + keep) <
		0)
		fprintf(stderr, "faultvfs: cannot undo a write to %s\n",
			n->path);
	if (keep > 0 && u->off + keep > size)
		size = u->off + keep;
	if (ftruncate(fd, size) != 0)
		fprintf(stderr, "faultvfs: cannot truncate %s\n", n->path);
	close(fd);
}

/* The cut itself; fv.lock is held. */
static void
cut_locked(bool torn)
{
	struct node *n;
	struct undo *u;

	for (n = fv.nodes; n != NULL; n = n->next) {
		for (u = n->log; u != NULL; u = u->older) {
			sqlite3_int64 keep = 0;

			/* A quarter of the writes keep some whole sectors. */
			if (torn && u->wrote > 0 && rng_next() % 4 == 0)
				keep = (sqlite3_int64)(rng_next() %
						       ((uint64_t)u->wrote /
							    SECTOR +
							1)) *
				       SECTOR;
			undo_apply(n, u, keep);
		}
		log_free(n);
	}
	fv.cut = true;
}

static int
fv_close(sqlite3_file *file)
{
	struct fv_file *f = (struct fv_file *)file;
	int rc = f->real->pMethods->xClose(f->real);

	/* A dead disk cannot report on closing; the descriptor is gone. */
	pthread_mutex_lock(&fv.lock);
	if (fv.cut)
		rc = SQLITE_OK;
	pthread_mutex_unlock(&fv.lock);
	return rc;
}

static int
fv_read(sqlite3_file *file, void *out, int amt, sqlite3_int64 off)
{
	struct fv_file *f = (struct fv_file *)file;
	int rc = SQLITE_IOERR_READ;

	pthread_mutex_lock(&fv.lock);
	if (!fv.cut)
		rc = f->real->pMethods->xRead(f->real, out, amt, off);
	pthread_mutex_unlock(&fv.lock);
	return rc;
}

/* Whether the countdown *at reaches its mark now. */
static bool
due(long *at)
{
	return *at > 0 && --*at == 0;
}

static int
fv_write(sqlite3_file *file, const void *in, int amt, sqlite3_int64 off)
{
	struct fv_file *f = (struct fv_file *)file;
	sqlite3_int64 size = 0;
	int rc = SQLITE_IOERR_WRITE;

	pthread_mutex_lock(&fv.lock);
	if (fv.cut)
		goto done;
	if (due(&fv.cut_at)) {
		cut_locked(false);
		goto done;
	}
	if (due(&fv.write_at)) {
		fv.failures++;
		goto done;
	}
	if (fv.full &&
	    (f->real->pMethods->xFileSize(f->real, &size) != SQLITE_OK ||
	     off + amt > size)) {
		fv.failures++;
		rc = SQLITE_FULL;
		goto done;
	}
	if (f->node && !save_range(f, off, amt, amt)) {
		rc = SQLITE_IOERR_NOMEM;
		goto done;
	}
	rc = f->real->pMethods->xWrite(f->real, in, amt, off);
done:
	pthread_mutex_unlock(&fv.lock);
	return rc;
}

static int
fv_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct fv_file *f = (struct fv_file *)file;
	sqlite3_int64 now = 0;
	int rc = SQLITE_IOERR_TRUNCATE;

	pthread_mutex_lock(&fv.lock);
	if (fv.cut)
		goto done;
	if (fv.full &&
	    (f->real->pMethods->xFileSize(f->real, &now) != SQLITE_OK ||
	     size > now)) {
		fv.failures++;
		rc = SQLITE_FULL;
		goto done;
	}
	if (f->node && !save_range(f, size, INT64_MAX / 2, 0)) {
		rc = SQLITE_IOERR_NOMEM;
		goto done;
	}
	rc = f->real->pMethods->xTruncate(f->real, size);
done:
	pthread_mutex_unlock(&fv.lock);
	return rc;
}

static int
fv_sync(sqlite3_file *file, int flags)
{
	struct fv_file *f = (struct fv_file *)file;
	int rc = SQLITE_IOERR_FSYNC;

	pthread_mutex_lock(&fv.lock);
	if (fv.hold) {
		/* Parked until the test lets go; the lock is free meanwhile. */
		fv.hold = false;
		fv.held = true;
		pthread_cond_broadcast(&fv.held_cond);
		while (fv.held)
			pthread_cond_wait(&fv.held_cond, &fv.lock);
	}
	if (fv.cut)
		goto done;
	if (due(&fv.sync_at)) {
		/* Nothing is known to be on the disk: the log stays. */
		fv.failures++;
		goto done;
	}
	rc = f->real->pMethods->xSync(f->real, flags);
	if (rc == SQLITE_OK) {
		if (f->node)
			log_free(f->node);
		namespace_synced();
	}
done:
	pthread_mutex_unlock(&fv.lock);
	return rc;
}

static int
fv_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct fv_file *f = (struct fv_file *)file;
	int rc = SQLITE_IOERR_FSTAT;

	pthread_mutex_lock(&fv.lock);
	if (!fv.cut)
		rc = f->real->pMethods->xFileSize(f->real, size);
	pthread_mutex_unlock(&fv.lock);
	return rc;
}

/* Locks pass through even after a cut, so connections can let go. */
static int
fv_lock(sqlite3_file *file, int level)
{
	struct fv_file *f = (struct fv_file *)file;

	return f->real->pMethods->xLock(f->real, level);
}

static int
fv_unlock(sqlite3_file *file, int level)
{
	struct fv_file *f = (struct fv_file *)file;

	return f->real->pMethods->xUnlock(f->real, level);
}

static int
fv_check_reserved(sqlite3_file *file, int *out)
{
	struct fv_file *f = (struct fv_file *)file;

	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int
fv_file_control(sqlite3_file *file, int op, void *arg)
{
	struct fv_file *f = (struct fv_file *)file;
	int rc;

	if (op != SQLITE_FCNTL_SIZE_HINT)
		return f->real->pMethods->xFileControl(f->real, op, arg);
	/* A size hint may grow the file without a write: log the old size. */
	pthread_mutex_lock(&fv.lock);
	rc = SQLITE_IOERR_TRUNCATE;
	if (!fv.cut && (f->node == NULL || save_range(f, 0, 0, 0)))
		rc = f->real->pMethods->xFileControl(f->real, op, arg);
	pthread_mutex_unlock(&fv.lock);
	return rc;
}

static int
fv_sector_size(sqlite3_file *file)
{
	struct fv_file *f = (struct fv_file *)file;

	return f->real->pMethods->xSectorSize(f->real);
}

static int
fv_device(sqlite3_file *file)
{
	struct fv_file *f = (struct fv_file *)file;

	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/*
 * Shared memory is not durable state: it passes through, except that no
 * new region can be mapped after a cut.
 */
static int
fv_shm_map(sqlite3_file *file, int page, int size, int extend,
	   void volatile **out)
{
	struct fv_file *f = (struct fv_file *)file;
	bool cut;

	pthread_mutex_lock(&fv.lock);
	cut = fv.cut;
	pthread_mutex_unlock(&fv.lock);
	if (cut)
		return SQLITE_IOERR_SHMMAP;
	return f->real->pMethods->xShmMap(f->real, page, size, extend, out);
}

static int
fv_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	struct fv_file *f = (struct fv_file *)file;

	return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void
fv_shm_barrier(sqlite3_file *file)
{
	struct fv_file *f = (struct fv_file *)file;

	f->real->pMethods->xShmBarrier(f->real);
}

static int
fv_shm_unmap(sqlite3_file *file, int delete_flag)
{
	struct fv_file *f = (struct fv_file *)file;

	return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

/* Version 2: no memory-mapped reads, so every read comes through here. */
static const sqlite3_io_methods fv_io = {
    .iVersion = 2,
    .xClose = fv_close,
    .xRead = fv_read,
    .xWrite = fv_write,
    .xTruncate = fv_truncate,
    .xSync = fv_sync,
    .xFileSize = fv_file_size,
    .xLock = fv_lock,
    .xUnlock = fv_unlock,
    .xCheckReservedLock = fv_check_reserved,
    .xFileControl = fv_file_control,
    .xSectorSize = fv_sector_size,
    .xDeviceCharacteristics = fv_device,
    .xShmMap = fv_shm_map,
    .xShmLock = fv_shm_lock,
    .xShmBarrier = fv_shm_barrier,
    .xShmUnmap = fv_shm_unmap,
};

static int
fv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
	int *out_flags)
{
	struct fv_file *f = (struct fv_file *)file;
	const int durable = SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_MAIN_JOURNAL |
			    SQLITE_OPEN_WAL | SQLITE_OPEN_SUPER_JOURNAL;
	bool track = name != NULL && (flags & durable) != 0 &&
		     (flags & SQLITE_OPEN_DELETEONCLOSE) == 0;
	bool existed = false;
	int rc;

	(void)vfs;
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(f + 1);
	pthread_mutex_lock(&fv.lock);
	if (fv.cut) {
		rc = SQLITE_CANTOPEN;
		goto done;
	}
	if (track)
		existed = access(name, F_OK) == 0;
	rc = fv.real->xOpen(fv.real, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK)
		goto done;
	if (track) {
		f->node = node_get(name);
		if (f->node == NULL ||
		    (!existed && undo_push(f->node, UNDO_CREATE, 0) == NULL)) {
			f->real->pMethods->xClose(f->real);
			rc = SQLITE_NOMEM;
			goto done;
		}
		if (flags & SQLITE_OPEN_MAIN_DB)
			f->node->main_db = true;
	}
	f->base.pMethods = &fv_io;
done:
	pthread_mutex_unlock(&fv.lock);
	return rc;
}

static int
fv_delete(sqlite3_vfs *vfs, const char *name, int dir_sync)
{
	struct node *n;
	struct undo *u = NULL;
	int rc = SQLITE_IOERR_DELETE;

	(void)vfs;
	pthread_mutex_lock(&fv.lock);
	if (fv.cut)
		goto done;
	n = node_find(name);
	if (n != NULL && !dir_sync)
		u = save_file(n);
	rc = fv.real->xDelete(fv.real, name, dir_sync);
	if (rc != SQLITE_OK && u != NULL) {
		n->log = u->older;
		free(u);
	} else if (rc == SQLITE_OK && dir_sync) {
		if (n != NULL)
			log_free(n); /* gone for good */
		namespace_synced();
	}
done:
	pthread_mutex_unlock(&fv.lock);
	return rc;
}

static int
fv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	bool cut;

	(void)vfs;
	pthread_mutex_lock(&fv.lock);
	cut = fv.cut;
	pthread_mutex_unlock(&fv.lock);
	if (cut)
		return SQLITE_IOERR_ACCESS;
	return fv.real->xAccess(fv.real, name, flags, out);
}

static int
fv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return fv.real->xFullPathname(fv.real, name, n, out);
}

static void *
fv_dl_open(sqlite3_vfs *vfs, const char *name)
{
	(void)vfs;
	return fv.real->xDlOpen(fv.real, name);
}

static void
fv_dl_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	fv.real->xDlError(fv.real, n, out);
}

static void (*fv_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
	(void)vfs;
	return fv.real->xDlSym(fv.real, h, sym);
}

static void
fv_dl_close(sqlite3_vfs *vfs, void *h)
{
	(void)vfs;
	fv.real->xDlClose(fv.real, h);
}

static int
fv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return fv.real->xRandomness(fv.real, n, out);
}

static int
fv_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return fv.real->xSleep(fv.real, us);
}

static int
fv_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return fv.real->xCurrentTime(fv.real, out);
}

static int
fv_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return fv.real->xGetLastError(fv.real, n, out);
}

static int
fv_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return fv.real->xCurrentTimeInt64(fv.real, out);
}

bool
faultvfs_install(uint64_t seed)
{
	sqlite3_vfs *real;

	if (fv.installed)
		return true;
	if (sqlite3_initialize() != SQLITE_OK ||
	    (real = sqlite3_vfs_find("unix")) == NULL || real->iVersion < 2)
		return false;
	fv.real = real;
	fv.rng = seed;
	fv.vfs = (sqlite3_vfs){
	    .iVersion = 2,
	    .szOsFile = (int)sizeof(struct fv_file) + real->szOsFile,
	    .mxPathname = real->mxPathname,
	    .zName = "faultvfs",
	    .xOpen = fv_open,
	    .xDelete = fv_delete,
	    .xAccess = fv_access,
	    .xFullPathname = fv_full_pathname,
	    .xDlOpen = fv_dl_open,
	    .xDlError = fv_dl_error,
	    .xDlSym = fv_dl_sym,
	    .xDlClose = fv_dl_close,
	    .xRandomness = fv_randomness,
	    .xSleep = fv_sleep,
	    .xCurrentTime = fv_current_time,
	    .xGetLastError = fv_last_error,
	    .xCurrentTimeInt64 = fv_current_time64,
	};
	if (sqlite3_vfs_register(&fv.vfs, 1) != SQLITE_OK)
		return false;
	fv.installed = true;
	return true;
}

void
faultvfs_uninstall(void)
{
	struct node *n, *next;

	if (!fv.installed)
		return;
	sqlite3_vfs_unregister(&fv.vfs);
	pthread_mutex_lock(&fv.lock);
	for (n = fv.nodes; n != NULL; n = next) {
		next = n->next;
		log_free(n);
		free(n->path);
		free(n);
	}
	fv.nodes = NULL;
	fv.installed = false;
	pthread_mutex_unlock(&fv.lock);
}

void
faultvfs_power_cut(bool torn)
{
	pthread_mutex_lock(&fv.lock);
	if (!fv.cut)
		cut_locked(torn);
	pthread_mutex_unlock(&fv.lock);
}

void
faultvfs_power_cut_at_write(long n)
{
	pthread_mutex_lock(&fv.lock);
	fv.cut_at = n;
	pthread_mutex_unlock(&fv.lock);
}

void
faultvfs_fail_write_at(long n)
{
	pthread_mutex_lock(&fv.lock);
	fv.write_at = n;
	pthread_mutex_unlock(&fv.lock);
}

void
faultvfs_fail_sync_at(long n)
{
	pthread_mutex_lock(&fv.lock);
	fv.sync_at = n;
	pthread_mutex_unlock(&fv.lock);
}

void
faultvfs_hold_next_sync(void)
{
	pthread_mutex_lock(&fv.lock);
	fv.hold = true;
	pthread_mutex_unlock(&fv.lock);
}

bool
faultvfs_wait_held(int ms)
{
	struct timespec until;
	bool held;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&fv.lock);
	while (!fv.held &&
	       pthread_cond_timedwait(&fv.held_cond, &fv.lock, &until) == 0)
		;
	held = fv.held;
	if (!held)
		fv.hold = false; /* nobody came: hold no later sync */
	pthread_mutex_unlock(&fv.lock);
	return held;
}

void
faultvfs_release_sync(void)
{
	pthread_mutex_lock(&fv.lock);
	fv.held = false;
	pthread_cond_broadcast(&fv.held_cond);
	pthread_mutex_unlock(&fv.lock);
}

void
faultvfs_disk_full(bool on)
{
	pthread_mutex_lock(&fv.lock);
	fv.full = on;
	pthread_mutex_unlock(&fv.lock);
}

bool
faultvfs_is_cut(void)
{
	bool cut;

	pthread_mutex_lock(&fv.lock);
	cut = fv.cut;
	pthread_mutex_unlock(&fv.lock);
	return cut;
}

long
faultvfs_failures(void)
{
	long n;

	pthread_mutex_lock(&fv.lock);
	n = fv.failures;
	pthread_mutex_unlock(&fv.lock);
	return n;
}

void
faultvfs_reset(void)
{
	struct node *n;
	char shm[4096];

	pthread_mutex_lock(&fv.lock);
	if (fv.cut) {
		/* The wal-index lived in memory: a reboot has none. */
		for (n = fv.nodes; n != NULL; n = n->next)
			if (n->main_db && snprintf(shm, sizeof(shm), "%s-shm",
						   n->path) < (int)sizeof(shm))
				(void)unlink(shm);
	}
	fv.cut = fv.full = false;
	fv.write_at = fv.sync_at = fv.cut_at = 0;
	fv.hold = false;
	pthread_mutex_unlock(&fv.lock);
}
