/*
 * image/strip_png.c - removing location from PNG text chunks.
 *
 * ImageMagick keeps EXIF and XMP of a PNG in text chunks keyed
 * "Raw profile type exif" (or "APP1", "xmp"): the text is "\nexif\n   LEN\n"
 * followed by the profile as hex digits.  The hex is decoded, the EXIF or
 * XMP in it edited, and the digits of the bytes that changed rewritten in
 * place.  XMP also travels in iTXt "XML:com.adobe.xmp", edited in place.
 * A compressed chunk (zTXt, or iTXt with the compression flag) is inflated
 * (at most MAX_INFLATED bytes) and checked; when it holds location, the
 * chunk becomes a tEXt "Comment" of the same length, since a recompressed
 * stream would not keep the length.  The caller recomputes the CRC.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "image/strip_internal.h"

#define MAX_KEYWORD 79
#define MAX_INFLATED ((size_t) 16 * 1024 * 1024)

/* What a text chunk's keyword says it holds. */
typedef enum text_kind
{
	TEXT_OTHER = 0,
	TEXT_RAW_EXIF,				/* "Raw profile type exif" / "APP1": hex of an EXIF (or XMP) block */
	TEXT_RAW_XMP,				/* "Raw profile type xmp": hex of an XMP packet */
	TEXT_XMP					/* "XML:com.adobe.xmp": an XMP packet */
} text_kind;

/* The kind of a keyword of klen bytes. */
static text_kind
keyword_kind(const uint8_t *k, size_t klen)
{
#define KEY_IS(s) (klen == sizeof(s) - 1 && memcmp(k, s, klen) == 0)
	if (KEY_IS("Raw profile type exif") || KEY_IS("Raw profile type APP1"))
		return TEXT_RAW_EXIF;
	if (KEY_IS("Raw profile type xmp"))
		return TEXT_RAW_XMP;
	if (KEY_IS("XML:com.adobe.xmp"))
		return TEXT_XMP;
#undef KEY_IS
	return TEXT_OTHER;
}

/* Value of a hex digit, -1 for any other byte. */
static int
hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* Removes location from a decoded profile (EXIF block, TIFF, or XMP). */
static int
strip_profile(uint8_t *p, size_t len, text_kind kind)
{
	size_t		pre;

	if (kind == TEXT_RAW_XMP)
		return mm_strip_xmp(p, len);
	if ((pre = mm_exif_prefix_len(p, len)) > 0)
		return mm_strip_tiff(p + pre, len - pre);
	if ((pre = mm_xmp_prefix_len(p, len)) > 0)
		return mm_strip_xmp(p + pre, len - pre);
	return mm_strip_tiff(p, len);
}

/*
 * Walks the hex digit pairs of text[start..len) (other bytes are skipped):
 * decodes them into buf, or with write set, rewrites the pairs whose value
 * differs from buf.  Returns the number of pairs.
 */
static size_t
walk_hex(uint8_t *text, size_t len, size_t start, uint8_t *buf, int write)
{
	static const char digits[] = "0123456789abcdef";
	size_t		n = 0;
	size_t		hi = 0;
	int			have_hi = 0;
	size_t		k;

	for (k = start; k < len; k++)
	{
		int			v = hex_value(text[k]);
		uint8_t		byte;

		if (v < 0)
			continue;
		if (!have_hi)
		{
			hi = k;
			have_hi = 1;
			continue;
		}
		have_hi = 0;
		byte = (uint8_t) ((hex_value(text[hi]) << 4) | v);
		if (!write)
			buf[n] = byte;
		else if (byte != buf[n])
		{
			text[hi] = (uint8_t) digits[buf[n] >> 4];
			text[k] = (uint8_t) digits[buf[n] & 15];
		}
		n++;
	}
	return n;
}

/*
 * Edits the hex profile in text[0..len) of a raw profile chunk: decodes
 * the digits after the "\nname\n LEN\n" header, edits, and rewrites the
 * digits of changed bytes.  Returns MM_STRIP_PNG_RAW_PROFILE when
 * anything was removed.
 */
static int
strip_raw_profile(uint8_t *text, size_t len, text_kind kind)
{
	size_t		pos = 0;
	size_t		n = 0;
	size_t		k;
	uint8_t    *buf;
	int			removed;

	while (pos < len && (text[pos] == '\n' || text[pos] == ' '))
		pos++;
	while (pos < len && text[pos] != '\n')
		pos++;					/* the profile's name */
	while (pos < len && (text[pos] == '\n' || text[pos] == ' '))
		pos++;
	while (pos < len && text[pos] >= '0' && text[pos] <= '9')
		pos++;					/* the declared length: the digits themselves decide */
	for (k = pos; k < len; k++)
		n += hex_value(text[k]) >= 0;
	if (n / 2 == 0 || (buf = malloc(n / 2)) == NULL)
		return 0;
	n = walk_hex(text, len, pos, buf, 0);
	removed = strip_profile(buf, n, kind);
	if (removed)
		(void) walk_hex(text, len, pos, buf, 1);
	free(buf);
	return removed ? MM_STRIP_PNG_RAW_PROFILE : 0;
}

/* Removes location from uncompressed text of the given kind, in place. */
static int
strip_text(uint8_t *text, size_t len, text_kind kind)
{
	if (kind == TEXT_XMP)
		return mm_strip_xmp(text, len);
	return strip_raw_profile(text, len, kind);
}

/*
 * Inflates a zlib stream into a malloc'd buffer of at most MAX_INFLATED
 * bytes; NULL when it is damaged or larger.
 */
static uint8_t *
inflate_text(const uint8_t *z, size_t zlen, size_t *out_len)
{
	z_stream	s;
	size_t		cap = zlen * 4 + 1024;
	uint8_t    *out;
	int			rc = Z_OK;

	if (zlen > MAX_INFLATED)
		return NULL;
	memset(&s, 0, sizeof(s));
	if (inflateInit(&s) != Z_OK)
		return NULL;
	if ((out = malloc(cap)) == NULL)
	{
		inflateEnd(&s);
		return NULL;
	}
	s.next_in = (Bytef *) z;
	s.avail_in = (uInt) zlen;
	while (rc == Z_OK)
	{
		if (s.total_out == cap)
		{
			uint8_t    *bigger;

			if (cap >= MAX_INFLATED || (bigger = realloc(out, cap * 2)) == NULL)
				break;
			out = bigger;
			cap *= 2;
		}
		s.next_out = out + s.total_out;
		s.avail_out = (uInt) (cap - s.total_out);
		rc = inflate(&s, Z_NO_FLUSH);
	}
	*out_len = s.total_out;
	inflateEnd(&s);
	if (rc != Z_STREAM_END)
	{
		free(out);
		return NULL;
	}
	return out;
}

/*
 * A compressed text: inflated and checked; when it holds location the
 * chunk is replaced by a tEXt "Comment" of the same length.
 */
static int
strip_compressed(uint8_t *type, uint8_t *data, size_t len, size_t zpos, text_kind kind)
{
	static const char note[] = "Comment\0location removed";
	size_t		tlen = 0;
	uint8_t    *text;
	int			removed;

	if (len < sizeof(note) - 1 || (text = inflate_text(data + zpos, len - zpos, &tlen)) == NULL)
		return 0;
	removed = strip_text(text, tlen, kind);
	free(text);
	if (!removed)
		return 0;
	memcpy(type, "tEXt", 4);
	memset(data, ' ', len);
	memcpy(data, note, sizeof(note) - 1);
	return kind == TEXT_XMP ? MM_STRIP_XMP_GPS : MM_STRIP_PNG_RAW_PROFILE;
}

/* Position after the NUL that ends a string starting at pos (0 if none). */
static size_t
after_nul(const uint8_t *data, size_t len, size_t pos)
{
	const uint8_t *z = pos < len ? memchr(data + pos, 0, len - pos) : NULL;

	return z ? (size_t) (z - data) + 1 : 0;
}

/* Removes location from one tEXt, zTXt or iTXt chunk; see image/strip_internal.h. */
int
mm_strip_png_text(uint8_t *type, uint8_t *data, size_t len)
{
	size_t		text = after_nul(data, len < MAX_KEYWORD + 1 ? len : MAX_KEYWORD + 1, 0);
	text_kind	kind;

	if (text < 2 || (kind = keyword_kind(data, text - 1)) == TEXT_OTHER)
		return 0;
	if (memcmp(type, "tEXt", 4) == 0)
		return strip_text(data + text, len - text, kind);
	if (memcmp(type, "zTXt", 4) == 0)
		return text < len && data[text] == 0 ? strip_compressed(type, data, len, text + 1, kind) : 0;
	/* iTXt: compression flag, method, language tag\0, translated keyword\0, text */
	if (text + 2 > len)
		return 0;
	{
		int			compressed = data[text];
		size_t		lang_end = after_nul(data, len, text + 2);
		size_t		body = lang_end ? after_nul(data, len, lang_end) : 0;

		if (body == 0)
			return 0;
		if (compressed)
			return data[text + 1] == 0 ? strip_compressed(type, data, len, body, kind) : 0;
		return strip_text(data + body, len - body, kind);
	}
}
