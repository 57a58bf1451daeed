/* migrate.h: applies the numbered sql/NNN_name.sql files once each, in order. */
#ifndef LC_MIGRATE_H
#define LC_MIGRATE_H

#include "db/db.h"

/* migrate_run applies every migration in dir not yet recorded in schema_migrations,
 * holding a server-side lock so concurrent runs wait. *applied counts new ones.
 * Errors: LC_EIO (directory/file), LC_EINVAL (bad file name), database errors. */
lc_err migrate_run(struct db *db, const char *dir, int *applied);

#endif
