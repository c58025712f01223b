/*
 * import_walk.c - pg_media import: the folder walk.  Lists the regular files
 * under the given folders in name order; follows a symbolic link only when
 * its target lies inside one of the folders (so an import never reads
 * outside what the operator named), and skips devices, FIFOs and sockets,
 * saying so.
 */
#include "import.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Adds a file to the list (copies the strings). */
static void
list_add(FileList *list, const char *key, const char *open_path,
		 const char *rel, const struct stat *st)
{
	FileEntry  *e;

	if (list->n == list->cap)
	{
		list->cap = list->cap ? list->cap * 2 : 256;
		list->items = realloc(list->items, list->cap * sizeof(FileEntry));
		if (list->items == NULL)
		{
			log_error("out of memory");
			exit(EXIT_FATAL);
		}
	}
	e = &list->items[list->n++];
	e->key = strdup(key);
	e->open_path = strdup(open_path);
	e->rel = strdup(rel);
	e->size = st->st_size;
	e->mtime_us = (int64_t) st->st_mtim.tv_sec * 1000000 + st->st_mtim.tv_nsec / 1000;
}

/* Is path (a real path) one of the roots or inside one of them? */
static bool
inside_roots(const ImportState *st, const char *path)
{
	for (int i = 0; i < st->nroots; i++)
	{
		size_t		len = strlen(st->roots[i]);

		if (strncmp(path, st->roots[i], len) == 0 &&
			(path[len] == '\0' || path[len] == '/' || strcmp(st->roots[i], "/") == 0))
			return true;
	}
	return false;
}

/* A word for a file type that is not imported. */
static const char *
special_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "not a regular file";
}

/* Joins a and b with a slash into a malloc'd string. */
static char *
path_join(const char *a, const char *b)
{
	size_t		len = strlen(a) + strlen(b) + 2;
	char	   *out = malloc(len);

	if (out == NULL)
	{
		log_error("out of memory");
		exit(EXIT_FATAL);
	}
	if (*a == '\0')
		snprintf(out, len, "%s", b);
	else if (strcmp(a, "/") == 0)
		snprintf(out, len, "/%s", b);
	else
		snprintf(out, len, "%s/%s", a, b);
	return out;
}

/*
 * Adds the files under dir (a real path) to the list, in name order.  rel is
 * dir relative to its root.  Never follows a symbolic link out of the roots
 * nor into a directory (which is walked from its own place if inside).
 */
static void
walk_dir(ImportState *st, const char *dir, const char *rel, FileList *list)
{
	struct dirent **names;
	int			n = scandir(dir, &names, NULL, alphasort);

	if (n < 0)
	{
		progress_error(&st->prog, "cannot read folder \"%s\": %s", dir, strerror(errno));
		st->failed++;
		return;
	}
	for (int i = 0; i < n; i++)
	{
		const char *name = names[i]->d_name;
		char	   *full;
		char	   *sub;
		struct stat sb;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		{
			free(names[i]);
			continue;
		}
		full = path_join(dir, name);
		sub = path_join(rel, name);
		if (lstat(full, &sb) != 0)
		{
			progress_error(&st->prog, "cannot stat \"%s\": %s", full, strerror(errno));
			st->failed++;
		}
		else if (S_ISDIR(sb.st_mode))
			walk_dir(st, full, sub, list);
		else if (S_ISREG(sb.st_mode))
			list_add(list, full, full, sub, &sb);
		else if (S_ISLNK(sb.st_mode))
		{
			char	   *target = realpath(full, NULL);
			struct stat tb;

			if (target == NULL)
			{
				progress_log(&st->prog, "skipped %s: broken symbolic link", full);
				st->skipped++;
			}
			else if (!inside_roots(st, target))
			{
				progress_log(&st->prog, "skipped %s: symbolic link to %s, outside the folders being imported",
							 full, target);
				st->skipped++;
			}
			else if (stat(target, &tb) == 0 && S_ISREG(tb.st_mode))
				list_add(list, full, target, sub, &tb);
			else if (stat(target, &tb) == 0 && S_ISDIR(tb.st_mode))
			{
				if (st->opts.verbose)
					progress_log(&st->prog, "skipped %s: symbolic link to folder %s (imported from there)",
								 full, target);
				st->skipped++;
			}
			else
			{
				progress_log(&st->prog, "skipped %s: symbolic link to %s", full,
							 special_kind(tb.st_mode));
				st->skipped++;
			}
			free(target);
		}
		else
		{
			progress_log(&st->prog, "skipped %s: %s", full, special_kind(sb.st_mode));
			st->skipped++;
		}
		free(full);
		free(sub);
		free(names[i]);
	}
	free(names);
}

/*
 * Walks every root (a folder, or a single file) into the list before
 * anything is imported, so that the progress bar knows the totals.
 */
void
walk_roots(ImportState *st, FileList *list)
{
	for (int i = 0; i < st->nroots; i++)
	{
		struct stat sb;
		const char *base = strrchr(st->roots[i], '/');

		if (stat(st->roots[i], &sb) != 0)
		{
			progress_error(&st->prog, "cannot stat \"%s\": %s", st->roots[i], strerror(errno));
			st->failed++;
		}
		else if (S_ISDIR(sb.st_mode))
			walk_dir(st, st->roots[i], "", list);
		else if (S_ISREG(sb.st_mode))
			list_add(list, st->roots[i], st->roots[i], base && base[1] ? base + 1 : st->roots[i], &sb);
		else
		{
			progress_log(&st->prog, "skipped %s: %s", st->roots[i], special_kind(sb.st_mode));
			st->skipped++;
		}
	}
}
