/*
 * probe/zip.c - ZIP archives and the formats built on them: OpenDocument
 * and EPUB (a stored "mimetype" entry naming the type), Office Open XML
 * (docx, xlsx, pptx: "[Content_Types].xml" and a word/, xl/ or ppt/ part),
 * Java archives and Android packages.
 *
 * Entry names come from the central directory, found through the end of
 * central directory record in the last 64 KB (ZIP64 too); the directory is
 * read for at most ZIP_MAX_ENTRIES entries and MM_NEED_CHUNK bytes.  When
 * there is no directory (a truncated upload), the local file headers are
 * walked from the start instead, as far as their sizes allow.
 */
#include <string.h>

#include "probe/scan.h"

/* Central directory entries or local headers looked at. */
#define ZIP_MAX_ENTRIES 4096

/* Local headers walked when there is no central directory. */
#define ZIP_MAX_LOCAL 64

/* Bytes at the end searched for the end of central directory record. */
#define ZIP_EOCD_SCAN ((size_t) 64 * 1024)

/* Longest "mimetype" entry content we compare. */
#define ZIP_MAX_MIMETYPE 80

/* What the entry names said. */
typedef struct zip_names
{
	int			content_types;	/* [Content_Types].xml */
	int			rels;			/* _rels/.rels */
	int			word;
	int			xl;
	int			ppt;
	int			manifest_mf;	/* META-INF/MANIFEST.MF */
	int			android;		/* AndroidManifest.xml */
	int			dex;			/* classes.dex */
	int			entries;
	int			have_mimetype;	/* a stored "mimetype" entry ... */
	uint64_t	mimetype_off;	/* ... whose local header is here */
	uint32_t	mimetype_len;
} zip_names;

/* The MIME types a "mimetype" entry may name (static strings to return). */
static const char *const zip_known_types[] = {
	"application/epub+zip",
	"application/vnd.oasis.opendocument.text",
	"application/vnd.oasis.opendocument.text-template",
	"application/vnd.oasis.opendocument.text-master",
	"application/vnd.oasis.opendocument.text-web",
	"application/vnd.oasis.opendocument.spreadsheet",
	"application/vnd.oasis.opendocument.spreadsheet-template",
	"application/vnd.oasis.opendocument.presentation",
	"application/vnd.oasis.opendocument.presentation-template",
	"application/vnd.oasis.opendocument.graphics",
	"application/vnd.oasis.opendocument.graphics-template",
	"application/vnd.oasis.opendocument.chart",
	"application/vnd.oasis.opendocument.formula",
	"application/vnd.oasis.opendocument.image",
	"application/vnd.oasis.opendocument.database",
	NULL
};

/* Whether name (len bytes) equals s. */
static int
zip_name_is(const uint8_t *name, size_t len, const char *s)
{
	return strlen(s) == len && memcmp(name, s, len) == 0;
}

/* Whether name (len bytes) starts with s. */
static int
zip_name_starts(const uint8_t *name, size_t len, const char *s)
{
	size_t		n = strlen(s);

	return len >= n && memcmp(name, s, n) == 0;
}

/* Records what one entry name tells. */
static void
zip_note_name(zip_names *zn, const uint8_t *name, size_t len)
{
	zn->entries++;
	if (zip_name_is(name, len, "[Content_Types].xml"))
		zn->content_types = 1;
	else if (zip_name_is(name, len, "_rels/.rels"))
		zn->rels = 1;
	else if (zip_name_starts(name, len, "word/"))
		zn->word = 1;
	else if (zip_name_starts(name, len, "xl/"))
		zn->xl = 1;
	else if (zip_name_starts(name, len, "ppt/"))
		zn->ppt = 1;
	else if (zip_name_is(name, len, "META-INF/MANIFEST.MF"))
		zn->manifest_mf = 1;
	else if (zip_name_is(name, len, "AndroidManifest.xml"))
		zn->android = 1;
	else if (zip_name_is(name, len, "classes.dex"))
		zn->dex = 1;
}

/*
 * Reads the content of a stored "mimetype" entry whose local header is at
 * off and maps it to a known static MIME string; NULL when unknown.
 * *need is set when the bytes are outside the windows.
 */
static const char *
zip_mimetype_entry(mm_source *src, uint64_t off, int *need)
{
	uint8_t		h[30];
	uint8_t		buf[ZIP_MAX_MIMETYPE];
	uint32_t	len;
	size_t		n;
	int			i;
	mm_src_status st;

	if ((st = mm_read(src, off, h, 30)) != MM_SRC_OK)
	{
		*need = st == MM_SRC_NEED;
		return NULL;
	}
	if (memcmp(h, "PK\003\004", 4) != 0 || mm_le16(h + 8) != 0)
		return NULL;			/* not stored */
	len = mm_le32(h + 18);
	if (len == 0 || len > ZIP_MAX_MIMETYPE)
		return NULL;
	st = mm_read(src, off + 30 + mm_le16(h + 26) + mm_le16(h + 28), buf, len);
	if (st != MM_SRC_OK)
	{
		*need = st == MM_SRC_NEED;
		return NULL;
	}
	n = len;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		n--;
	for (i = 0; zip_known_types[i]; i++)
		if (zip_name_is(buf, n, zip_known_types[i]))
			return zip_known_types[i];
	return NULL;
}

/*
 * Finds the central directory through the end record in the last
 * ZIP_EOCD_SCAN bytes (and the ZIP64 records it may point to).  Returns
 * 1 with *cd_off and *cd_size, 0 when there is none, -1 on NEED.
 */
static int
zip_find_cd(mm_source *src, uint64_t *cd_off, uint64_t *cd_size, uint64_t *nent)
{
	size_t		n = src->size < ZIP_EOCD_SCAN ? (size_t) src->size : ZIP_EOCD_SCAN;
	uint64_t	base = src->size - n;
	const uint8_t *p;
	mm_src_status st;
	size_t		i;

	if (n < 22)
		return 0;
	if ((p = mm_peek(src, base, n, &st)) == NULL)
		return st == MM_SRC_NEED ? -1 : 0;
	for (i = n - 22 + 1; i-- > 0;)
	{
		const uint8_t *e = p + i;

		if (e[0] != 'P' || e[1] != 'K' || e[2] != 5 || e[3] != 6)
			continue;
		if (22 + (size_t) mm_le16(e + 20) > n - i)
			continue;			/* comment would run past the end */
		*nent = mm_le16(e + 10);
		*cd_size = mm_le32(e + 12);
		*cd_off = mm_le32(e + 16);
		if ((*cd_off == 0xFFFFFFFFu || *nent == 0xFFFF || *cd_size == 0xFFFFFFFFu) && i >= 20 &&
			memcmp(e - 20, "PK\006\007", 4) == 0)
		{
			uint8_t		z[56];
			uint64_t	zoff = mm_le64(e - 20 + 8);

			if ((st = mm_read(src, zoff, z, 56)) == MM_SRC_NEED)
				return -1;
			if (st == MM_SRC_OK && memcmp(z, "PK\006\006", 4) == 0)
			{
				*nent = mm_le64(z + 32);
				*cd_size = mm_le64(z + 40);
				*cd_off = mm_le64(z + 48);
			}
		}
		return *cd_off < src->size;
	}
	return 0;
}

/* Walks the central directory at cd_off; -1 on NEED, else 0. */
static int
zip_walk_cd(mm_source *src, uint64_t cd_off, uint64_t cd_size, zip_names *zn)
{
	uint64_t	off = cd_off;
	uint64_t	end;
	int			i;

	/* never past the file, and never more than one chunk of directory */
	end = cd_size < src->size - cd_off ? cd_off + cd_size : src->size;
	if (end - cd_off > MM_NEED_CHUNK)
		end = cd_off + MM_NEED_CHUNK;
	for (i = 0; i < ZIP_MAX_ENTRIES && off + 46 <= end; i++)
	{
		uint8_t		h[46 + 64];
		uint32_t	nlen;
		mm_src_status st;

		if ((st = mm_read(src, off, h, 46)) != MM_SRC_OK)
		{
			if (st == MM_SRC_NEED)
			{
				mm_need_widen(src, end - off);
				return -1;
			}
			return 0;
		}
		if (memcmp(h, "PK\001\002", 4) != 0)
			return 0;
		nlen = mm_le16(h + 28);
		if (nlen > 0 && nlen <= 64)
		{
			if ((st = mm_read(src, off + 46, h + 46, nlen)) != MM_SRC_OK)
			{
				if (st == MM_SRC_NEED)
				{
					mm_need_widen(src, end - off);
					return -1;
				}
				return 0;
			}
			zip_note_name(zn, h + 46, nlen);
			if (zip_name_is(h + 46, nlen, "mimetype") && mm_le16(h + 10) == 0)
			{
				zn->have_mimetype = 1;
				zn->mimetype_off = mm_le32(h + 42);
			}
		}
		else
			zn->entries++;
		off += 46 + (uint64_t) nlen + mm_le16(h + 30) + mm_le16(h + 32);
	}
	return 0;
}

/*
 * Walks the local file headers in the first MM_NEED_CHUNK bytes (when there
 * is no central directory): stops at an entry whose size is only in a
 * trailing data descriptor.
 * Returns -1 on NEED, else 0.
 */
static int
zip_walk_local(mm_source *src, zip_names *zn)
{
	uint64_t	off = 0;
	int			i;
	mm_src_status st = MM_SRC_OK;

	for (i = 0; i < ZIP_MAX_LOCAL && off < MM_NEED_CHUNK; i++)
	{
		uint8_t		h[30 + 64];
		uint32_t	nlen;
		uint32_t	csize;

		if ((st = mm_read(src, off, h, 30)) != MM_SRC_OK)
			break;
		if (memcmp(h, "PK\003\004", 4) != 0)
			break;
		nlen = mm_le16(h + 26);
		csize = mm_le32(h + 18);
		if (nlen > 0 && nlen <= 64)
		{
			if ((st = mm_read(src, off + 30, h + 30, nlen)) != MM_SRC_OK)
				break;
			zip_note_name(zn, h + 30, nlen);
		}
		if ((mm_le16(h + 6) & 8) && csize == 0)
			break;				/* size unknown until the data descriptor */
		off += 30 + (uint64_t) nlen + mm_le16(h + 28) + csize;
	}
	if (st == MM_SRC_NEED)
	{
		/* one window for the rest of the walk */
		mm_need_widen(src, MM_NEED_CHUNK);
		return -1;
	}
	return 0;
}

/* Picks the MIME type the names point to. */
static const char *
zip_classify(const zip_names *zn)
{
	if (zn->content_types || zn->rels)
	{
		if (zn->word)
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
		if (zn->xl)
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
		if (zn->ppt)
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
	}
	if (zn->android && zn->dex)
		return "application/vnd.android.package-archive";
	if (zn->manifest_mf)
		return "application/java-archive";
	return "application/zip";
}

/*
 * Probes ZIP: a stored "mimetype" first entry, else the names in the
 * central directory (or the local headers), picks the MIME type.
 */
int
mm_probe_zip(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	zip_names	zn;
	const char *mime;
	uint64_t	cd_off;
	uint64_t	cd_size;
	uint64_t	nent = 0;
	int			need = 0;
	int			r;

	if (headlen < 4 || head[0] != 'P' || head[1] != 'K' ||
		!((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6) ||
		  (head[2] == 7 && head[3] == 8)))
		return MM_FMT_NO;
	mm_probe_set_type(out, "application/zip");
	memset(&zn, 0, sizeof(zn));

	/* ODF and EPUB: a stored "mimetype" first entry names the type */
	if (headlen >= 38 && head[2] == 3 && mm_le16(head + 26) == 8 &&
		memcmp(head + 30, "mimetype", 8) == 0)
	{
		mime = zip_mimetype_entry(src, 0, &need);
		if (need)
			return MM_FMT_NEED;
		if (mime)
		{
			mm_probe_set_type(out, mime);
			return MM_FMT_YES;
		}
	}

	r = zip_find_cd(src, &cd_off, &cd_size, &nent);
	if (r < 0)
		return MM_FMT_NEED;
	if (r > 0 && zip_walk_cd(src, cd_off, cd_size, &zn) < 0)
		return MM_FMT_NEED;
	/* no directory, or one that names nothing: the local headers then */
	if (zn.entries == 0 && zip_walk_local(src, &zn) < 0)
		return MM_FMT_NEED;

	if (zn.have_mimetype)
	{
		mime = zip_mimetype_entry(src, zn.mimetype_off, &need);
		if (need)
			return MM_FMT_NEED;
		if (mime)
		{
			mm_probe_set_type(out, mime);
			return MM_FMT_YES;
		}
	}
	mime = zip_classify(&zn);
	if (strcmp(mime, "application/zip") != 0)
		mm_probe_set_type(out, mime);
	if (r > 0)
		mm_probe_add_int(out, "entries", (int64_t) nent);
	return MM_FMT_YES;
}
