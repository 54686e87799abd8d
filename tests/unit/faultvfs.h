/*
 * faultvfs: a SQLite VFS for tests that wraps the default "unix" VFS and
 * can fail I/O on request or simulate a power cut.
 *
 * Once installed it is the default VFS, so the store uses it without
 * knowing.  It keeps, for each database, journal and WAL file, an undo
 * log of what was written, truncated, created or deleted since that file
 * was last synced.  A power cut undoes those changes (a disk keeps only
 * what was synced) and fails every later I/O call, as a dead machine
 * would, so the still-running store can write nothing more.
 *
 * After a cut: close every connection (their calls fail; that is fine),
 * then faultvfs_reset() "reboots" (drops the -shm files, which live in
 * memory on a real machine) and the database can be opened again.
 */
#ifndef PARLEY_FAULTVFS_H
#define PARLEY_FAULTVFS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Registers the VFS as the default, over "unix".  seed drives the torn
 * writes of a cut.  Returns false when SQLite refuses.
 */
bool faultvfs_install(uint64_t seed);

/* Unregisters the VFS and frees what it holds.  No connection may be open. */
void faultvfs_uninstall(void);

/*
 * Cuts the power now: every file loses its unsynced changes (some of the
 * last writes kept torn, a prefix of whole sectors, when torn is true)
 * and every I/O call fails with SQLITE_IOERR until faultvfs_reset().
 */
void faultvfs_power_cut(bool torn);

/* Cuts the power just before the nth write from now (1: the next). */
void faultvfs_power_cut_at_write(long n);

/* The nth write (1: the next) fails with SQLITE_IOERR_WRITE, once. */
void faultvfs_fail_write_at(long n);

/* The nth sync (1: the next) fails with SQLITE_IOERR_FSYNC, once. */
void faultvfs_fail_sync_at(long n);

/*
 * The next sync waits, before it counts or fails, until
 * faultvfs_release_sync(): the writer stays in its commit while a test
 * queues more work behind it.  faultvfs_wait_held() returns true once a
 * sync is waiting, false (and holds none) when none came within ms.
 */
void faultvfs_hold_next_sync(void);
bool faultvfs_wait_held(int ms);
void faultvfs_release_sync(void);

/* While on, any write or truncation that grows a file fails: SQLITE_FULL. */
void faultvfs_disk_full(bool on);

/* Whether the power has been cut (by either call) since the last reset. */
bool faultvfs_is_cut(void);

/* Counts of injected failures since install (tests check they happened). */
long faultvfs_failures(void);

/*
 * Ends every fault: clears the cut and pending failures.  After a cut it
 * also deletes the -shm files, as a reboot would; call it only once the
 * crashed connections are closed.
 */
void faultvfs_reset(void);

#endif
