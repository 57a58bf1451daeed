/* migrate.h: applies the numbered sql/NNN_name.sql files once each, in order. */
#ifndef LC_MIGRATE_H
#define LC_MIGRATE_H

#include "db/db.h"

/* migrate_run applies every migration in dir not yet recorded in schema_migrations,
 * holding a server-side lock so concurrent runs wait. *applied counts new ones.
 * Errors: LC_EIO (directory/file), LC_EINVAL (bad file name), database errors. */
lc_err migrate_run(struct db *db, const char *dir, int *applied);

/* migrate_pending counts the migrations in dir that migrate_run would apply into
 * *pending, the first of them (a file name) into first (size first_len). Nothing is
 * changed. A database without schema_migrations is a database error (never migrated). */
lc_err migrate_pending(struct db *db, const char *dir, int *pending, char *first, size_t first_len);

#endif
