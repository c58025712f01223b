/*
 * probe/archive.c - compressed files and non-ZIP archives: gzip, xz, 7z,
 * bzip2, zstd, RAR, tar (POSIX/GNU "ustar" and checksummed V7 headers), ar
 * (and Debian packages: an ar whose first member is "debian-binary"), and
 * Java class files (which share CA FE BA BE with Mach-O fat binaries).
 */
#include <string.h>

#include "probe/scan.h"

/* A magic number at offset 0 and the MIME type it means. */
typedef struct archive_magic
{
	const char *magic;
	size_t		len;
	const char *mime;
} archive_magic;

static const archive_magic archive_magics[] = {
	{"\x1f\x8b\x08", 3, "application/gzip"},
	{"\xfd" "7zXZ\0", 6, "application/x-xz"},
	{"7z\xbc\xaf\x27\x1c", 6, "application/x-7z-compressed"},
	{"\x28\xb5\x2f\xfd", 4, "application/zstd"},
	{"Rar!\x1a\x07", 6, "application/vnd.rar"},
	{NULL, 0, NULL}
};

/*
 * Parses an octal tar number field (leading spaces or NULs, digits, ended
 * by space or NUL); -1 when malformed.
 */
static int64_t
tar_octal(const uint8_t *p, size_t len)
{
	size_t		i = 0;
	int64_t		v = 0;
	int			nd = 0;

	while (i < len && (p[i] == ' ' || p[i] == 0))
		i++;
	for (; i < len && p[i] >= '0' && p[i] <= '7'; i++)
	{
		if (++nd > 11)
			return -1;
		v = v * 8 + (p[i] - '0');
	}
	if (nd == 0)
		return -1;
	for (; i < len; i++)
		if (p[i] != ' ' && p[i] != 0)
			return -1;
	return v;
}

/*
 * Whether the 512-byte block h is a tar header: "ustar" at 257, or a V7
 * header whose checksum (the byte sum with the checksum field as spaces)
 * matches and whose name is set.
 */
static int
tar_header(const uint8_t *h)
{
	int64_t		stored;
	int64_t		sum = 0;
	int64_t		ssum = 0;
	int			i;

	if (memcmp(h + 257, "ustar", 5) == 0 && (h[262] == 0 || h[262] == ' '))
		return 1;
	if (h[0] == 0 || (stored = tar_octal(h + 148, 8)) < 0)
		return 0;
	for (i = 0; i < 512; i++)
	{
		int			c = (i >= 148 && i < 156) ? ' ' : h[i];

		sum += c;
		ssum += (i >= 148 && i < 156) ? ' ' : (int8_t) h[i];
	}
	/* V7 mode, uid, gid, size and mtime fields are octal too */
	if (tar_octal(h + 100, 8) < 0 || tar_octal(h + 124, 12) < 0)
		return 0;
	return stored == sum || stored == ssum;
}

/* ar archives: "!<arch>\n", then 60-byte member headers. */
static int
probe_ar(const uint8_t *head, size_t headlen, mm_probe *out)
{
	if (headlen < 8 || memcmp(head, "!<arch>\n", 8) != 0)
		return MM_FMT_NO;
	if (headlen >= 8 + 16 && memcmp(head + 8, "debian-binary", 13) == 0 &&
		(head[8 + 13] == ' ' || head[8 + 13] == '/'))
		mm_probe_set_type(out, "application/vnd.debian.binary-package");
	else
		mm_probe_set_type(out, "application/x-archive");
	return MM_FMT_YES;
}

/*
 * CA FE BA BE: a Java class (minor, major version follow; major >= 45) or
 * a Mach-O universal binary (an architecture count, small).
 */
static int
probe_class(const uint8_t *head, size_t headlen, mm_probe *out)
{
	uint16_t	major;

	if (headlen < 8 || mm_be32(head) != 0xCAFEBABEu)
		return MM_FMT_NO;
	major = mm_be16(head + 6);
	if (major < 45 || major > 200)
		return MM_FMT_NO;
	mm_probe_set_type(out, "application/x-java-applet");
	mm_probe_add_int(out, "class_version", major);
	return MM_FMT_YES;
}

/* Probes the archive and compression formats by their magic numbers. */
int
mm_probe_archive(mm_source *src, const uint8_t *head, size_t headlen, mm_probe *out)
{
	int			i;
	int			r;

	(void) src;
	for (i = 0; archive_magics[i].magic; i++)
	{
		if (headlen >= archive_magics[i].len &&
			memcmp(head, archive_magics[i].magic, archive_magics[i].len) == 0)
		{
			mm_probe_set_type(out, archive_magics[i].mime);
			return MM_FMT_YES;
		}
	}
	/* bzip2: "BZh", a block size digit, then the block magic (pi) */
	if (headlen >= 10 && memcmp(head, "BZh", 3) == 0 && head[3] >= '1' && head[3] <= '9' &&
		memcmp(head + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0)
	{
		mm_probe_set_type(out, "application/x-bzip2");
		return MM_FMT_YES;
	}
	if ((r = probe_ar(head, headlen, out)) != MM_FMT_NO)
		return r;
	if ((r = probe_class(head, headlen, out)) != MM_FMT_NO)
		return r;
	if (headlen >= 512 && tar_header(head))
	{
		mm_probe_set_type(out, "application/x-tar");
		return MM_FMT_YES;
	}
	return MM_FMT_NO;
}
