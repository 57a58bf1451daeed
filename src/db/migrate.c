#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/migrate.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timefmt.h"

#define MIGRATE_MAX_FILES 1000
#define MIGRATE_MAX_BYTES (4UL * 1024 * 1024)

static int name_cmp(const void *, const void *);
static lc_err read_file(const char *, struct buf *);
static lc_err apply_file(struct db *, const char *, const char *);
static lc_err is_applied(struct db *, long, int *);
static lc_err list_files(const char *, char **, size_t *);
static lc_err version_of(const char *, long *);

/* list_files fills names (malloc'd, sorted; the caller frees *count of them, also on
 * error) with the dir's *.sql files. */
static lc_err
list_files(const char *dir, char **names, size_t *count)
{
	struct dirent *de;
	DIR *d;

	*count = 0;
	if ((d = opendir(dir)) == NULL) {
		log_msg(LOG_ERROR, "cannot open migrations directory %s: %s", dir, strerror(errno));
		return LC_EIO;
	}
	while ((de = readdir(d)) != NULL && *count < MIGRATE_MAX_FILES) {
		size_t len = strlen(de->d_name);
		if (len < 8 || strcmp(de->d_name + len - 4, ".sql") != 0)
			continue;
		if ((names[*count] = strdup(de->d_name)) == NULL) {
			closedir(d);
			return LC_ENOMEM;
		}
		(*count)++;
	}
	closedir(d);
	qsort(names, *count, sizeof(names[0]), name_cmp);
	return LC_OK;
}

/* version_of reads NNN from "NNN_name.sql"; LC_EINVAL (logged) for another name. */
static lc_err
version_of(const char *name, long *version)
{
	char *end;

	errno = 0;
	*version = strtol(name, &end, 10);
	if (errno || end == name || *end != '_' || *version <= 0) {
		log_msg(LOG_ERROR, "migration file %s is not named NNN_name.sql", name);
		return LC_EINVAL;
	}
	return LC_OK;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static lc_err
read_file(const char *path, struct buf *b)
{
	char chunk[8192];
	size_t n;
	FILE *f;
	lc_err e = LC_OK;

	if ((f = fopen(path, "r")) == NULL)
		return LC_EIO;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if ((e = buf_append(b, chunk, n)) != LC_OK)
			break;
	if (ferror(f))
		e = LC_EIO;
	fclose(f);
	return e;
}

/* apply_file runs each ";"-terminated statement of a migration; comment lines ("--")
 * are dropped. Our migrations contain no procedures, so ';' at end of line is a safe split. */
static lc_err
apply_file(struct db *db, const char *path, const char *label)
{
	struct buf text, stmt;
	char *line, *save = NULL;
	lc_err e;

	buf_init(&text, MIGRATE_MAX_BYTES);
	buf_init(&stmt, MIGRATE_MAX_BYTES);
	if ((e = read_file(path, &text)) != LC_OK || text.data == NULL)
		goto out;
	for (line = strtok_r(text.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line);
		const char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "--", 2) == 0 || *p == '\0')
			continue;
		if ((e = buf_append(&stmt, line, len)) != LC_OK ||
		    (e = buf_puts(&stmt, "\n")) != LC_OK)
			goto out;
		while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\r'))
			len--;
		if (len > 0 && line[len - 1] == ';') {
			if ((e = db_exec_text(db, stmt.data)) != LC_OK) {
				log_msg(
				    LOG_ERROR, "migration %s failed: %s", label, db_last_error(db));
				goto out;
			}
			buf_reset(&stmt);
		}
	}
	if (stmt.len > 0 && strspn(stmt.data, " \t\r\n") != stmt.len)
		e = db_exec_text(db, stmt.data);
out:
	buf_free(&text);
	buf_free(&stmt);
	return e;
}

static lc_err
is_applied(struct db *db, long version, int *yes)
{
	static const char sql[] = "SELECT 1 FROM schema_migrations WHERE version = ?";
	struct db_param p[] = {DB_I64(version)};
	struct db_rows r;
	lc_err e;

	if ((e = db_query(db, sql, p, 1, &r)) != LC_OK)
		return e;
	*yes = r.nrows > 0;
	db_rows_free(&r);
	return LC_OK;
}

lc_err
migrate_run(struct db *db, const char *dir, int *applied)
{
	static const char record_sql[] =
	    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";
	static const char lock_sql[] = "SELECT GET_LOCK('linkcamp_migrate', 60)";
	static const char unlock_sql[] = "SELECT RELEASE_LOCK('linkcamp_migrate')";
	char *names[MIGRATE_MAX_FILES], path[4096], now[TIME_SQL_LEN];
	size_t count = 0, i;
	struct db_rows r;
	lc_err e;
	int locked = 0;

	*applied = 0;
	if ((e = list_files(dir, names, &count)) != LC_OK)
		goto out;
	if ((e = db_exec_text(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	                          "version INT NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, "
	                          "applied_at DATETIME(3) NOT NULL) ENGINE=InnoDB")) != LC_OK)
		goto out;
	if ((e = db_query(db, lock_sql, NULL, 0, &r)) != LC_OK)
		goto out;
	locked = r.nrows == 1 && db_i64(&r, 0, 0) == 1;
	db_rows_free(&r);
	if (!locked) {
		log_msg(LOG_ERROR, "another migration holds the lock");
		e = LC_ERETRY;
		goto out;
	}
	for (i = 0; i < count; i++) {
		long version;
		int yes = 0;

		if ((e = version_of(names[i], &version)) != LC_OK ||
		    (e = is_applied(db, version, &yes)) != LC_OK)
			goto out;
		if (yes)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((e = apply_file(db, path, names[i])) != LC_OK)
			goto out;
		sqltime_format(now_ms(), now);
		{
			struct db_param p[] = {DB_I64(version), DB_CSTR(names[i]), DB_CSTR(now)};
			if ((e = db_exec(db, record_sql, p, 3, NULL, NULL)) != LC_OK)
				goto out;
		}
		log_msg(LOG_INFO, "applied migration %s", names[i]);
		(*applied)++;
	}
out:
	if (locked && db_query(db, unlock_sql, NULL, 0, &r) == LC_OK)
		db_rows_free(&r);
	for (i = 0; i < count; i++)
		free(names[i]);
	return e;
}

lc_err
migrate_pending(struct db *db, const char *dir, int *pending, char *first, size_t first_len)
{
	char *names[MIGRATE_MAX_FILES];
	size_t count = 0, i;
	long version;
	int yes;
	lc_err e;

	*pending = 0;
	if (first_len > 0)
		first[0] = '\0';
	if ((e = list_files(dir, names, &count)) != LC_OK)
		goto out;
	for (i = 0; i < count; i++) {
		if ((e = version_of(names[i], &version)) != LC_OK ||
		    (e = is_applied(db, version, &yes)) != LC_OK)
			goto out;
		if (!yes && (*pending)++ == 0 && first_len > 0)
			snprintf(first, first_len, "%s", names[i]);
	}
out:
	for (i = 0; i < count; i++)
		free(names[i]);
	return e;
}
