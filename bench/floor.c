/*
 * The floor under one issuance per process, for bench/run.sh: what a
 * process linking GnuTLS and SQLite costs before it does any work, and
 * the least that such a process must do to issue and record one
 * certificate.
 *
 *   floor                     gnutls_global_init, then exit
 *   floor --bare              exit at once (the price of the linking)
 *   floor --versions          print the GnuTLS and SQLite versions
 *   floor --commit DB N       make DB (WAL, synchronous=FULL) if need be,
 *                             then N times: open, insert one row in
 *                             BEGIN IMMEDIATE ... COMMIT, close; the same
 *                             with the WAL kept between processes
 *                             (SQLITE_FCNTL_PERSIST_WAL and
 *                             SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE); then N
 *                             commits on one open connection.  Prints the
 *                             three medians in microseconds.
 *   floor --issue KEY TBS DB  gnutls_global_init, load KEY, sign the file
 *                             TBS, insert the signature into DB durably,
 *                             keeping the WAL: the least a CA process does
 *
 * Built by run.sh: cc -O2 floor.c $(pkg-config --cflags --libs gnutls
 * sqlite3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <sqlite3.h>

#define BLOB_LEN	450	/* about one P-256 leaf certificate */

static void
die(const char *what, const char *why)
{
	fprintf(stderr, "floor: %s: %s\n", what, why);
	exit(1);
}

static long long
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long	 x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long
median(long long *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_ll);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
exec_sql(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sql, sqlite3_errmsg(db));
}

/*
 * As cakit opens its ledger: read-write, busy timeout, synchronous=FULL.
 * With keep, the last connection to close leaves the WAL and its index
 * in place, uncheckpointed, so that the next process neither makes nor
 * syncs them again; SQLite's automatic checkpoint still bounds the WAL.
 */
static sqlite3 *
db_open(const char *path, int create, int keep)
{
	sqlite3	*db = NULL;
	int	 flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	int	 on = 1;

	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK)
		die(path, db == NULL ? "out of memory" : sqlite3_errmsg(db));
	sqlite3_busy_timeout(db, 60000);
	if (keep && (sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL,
	    &on) != SQLITE_OK || sqlite3_db_config(db,
	    SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL) != SQLITE_OK))
		die(path, "cannot keep the WAL");
	exec_sql(db, "PRAGMA synchronous = FULL");
	return db;
}

/* One durable row: BEGIN IMMEDIATE, INSERT, COMMIT. */
static void
db_insert(sqlite3 *db, const void *blob, int len)
{
	sqlite3_stmt	*st = NULL;

	exec_sql(db, "BEGIN IMMEDIATE");
	if (sqlite3_prepare_v2(db, "INSERT INTO rows (serial, der) VALUES"
	    " (lower(hex(randomblob(20))), ?)", -1, &st, NULL) != SQLITE_OK)
		die("insert", sqlite3_errmsg(db));
	sqlite3_bind_blob(st, 1, blob, len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		die("insert", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	exec_sql(db, "COMMIT");
}

static int
commit_loop(const char *path, int n)
{
	unsigned char	 blob[BLOB_LEN];
	long long	*occ, *keep, *c, t;
	sqlite3		*db;
	int		 i;

	memset(blob, 0xa5, sizeof(blob));
	if ((occ = calloc(n, sizeof(*occ))) == NULL ||
	    (keep = calloc(n, sizeof(*keep))) == NULL ||
	    (c = calloc(n, sizeof(*c))) == NULL)
		die("memory", "out of memory");
	db = db_open(path, 1, 0);
	exec_sql(db, "PRAGMA journal_mode = WAL");
	exec_sql(db, "CREATE TABLE IF NOT EXISTS rows (serial TEXT NOT NULL"
	    " UNIQUE, der BLOB NOT NULL)");
	sqlite3_close(db);

	for (i = 0; i < n; i++) {
		t = now_us();
		db = db_open(path, 0, 0);
		db_insert(db, blob, sizeof(blob));
		sqlite3_close(db);
		occ[i] = now_us() - t;
	}
	for (i = 0; i < n; i++) {
		t = now_us();
		db = db_open(path, 0, 1);
		db_insert(db, blob, sizeof(blob));
		sqlite3_close(db);
		keep[i] = now_us() - t;
	}
	/* Checkpoint and remove the WAL, as a default close does. */
	db = db_open(path, 0, 0);
	exec_sql(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(db);
	db = db_open(path, 0, 0);
	for (i = 0; i < n; i++) {
		t = now_us();
		db_insert(db, blob, sizeof(blob));
		c[i] = now_us() - t;
	}
	sqlite3_close(db);
	printf("%lld %lld %lld\n", median(occ, n), median(keep, n),
	    median(c, n));
	free(occ);
	free(keep);
	free(c);
	return 0;
}

static int
issue(const char *keyfile, const char *tbsfile, const char *path)
{
	gnutls_datum_t			 k = { NULL, 0 }, tbs = { NULL, 0 };
	gnutls_datum_t			 sig = { NULL, 0 };
	gnutls_privkey_t		 key;
	gnutls_digest_algorithm_t	 hash;
	sqlite3				*db;
	int				 pk, ret;

	if ((ret = gnutls_global_init()) < 0)
		die("GnuTLS", gnutls_strerror(ret));
	if ((ret = gnutls_load_file(keyfile, &k)) < 0)
		die(keyfile, gnutls_strerror(ret));
	if ((ret = gnutls_load_file(tbsfile, &tbs)) < 0)
		die(tbsfile, gnutls_strerror(ret));
	if ((ret = gnutls_privkey_init(&key)) < 0 ||
	    (ret = gnutls_privkey_import_x509_raw(key, &k,
	    GNUTLS_X509_FMT_PEM, NULL, 0)) < 0)
		die(keyfile, gnutls_strerror(ret));
	pk = gnutls_privkey_get_pk_algorithm(key, NULL);
	hash = GNUTLS_DIG_SHA256;
	if ((ret = gnutls_privkey_sign_data2(key, gnutls_pk_to_sign(pk, hash),
	    0, &tbs, &sig)) < 0)
		die("signing", gnutls_strerror(ret));
	db = db_open(path, 0, 1);
	db_insert(db, sig.data, sig.size);
	sqlite3_close(db);
	gnutls_free(sig.data);
	gnutls_free(tbs.data);
	gnutls_free(k.data);
	gnutls_privkey_deinit(key);
	return 0;
}

int
main(int argc, char *argv[])
{
	long	 n;
	int	 ret;

	if (argc == 1) {
		if ((ret = gnutls_global_init()) < 0)
			die("GnuTLS", gnutls_strerror(ret));
		/* Keep SQLite linked under --as-needed. */
		return sqlite3_libversion_number() > 0 ? 0 : 1;
	}
	if (argc == 2 && strcmp(argv[1], "--bare") == 0)
		return sqlite3_libversion_number() > 0 &&
		    gnutls_check_version(NULL) != NULL ? 0 : 1;
	if (argc == 2 && strcmp(argv[1], "--versions") == 0) {
		printf("GnuTLS %s, SQLite %s\n", gnutls_check_version(NULL),
		    sqlite3_libversion());
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "--commit") == 0) {
		if ((n = strtol(argv[3], NULL, 10)) < 1 || n > 100000)
			die(argv[3], "expected a count from 1 to 100000");
		return commit_loop(argv[2], (int)n);
	}
	if (argc == 5 && strcmp(argv[1], "--issue") == 0)
		return issue(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: floor [--bare | --versions | --commit DB N | "
	    "--issue KEY TBS DB]\n");
	return 2;
}
