/*
 * util/compressible.c - which MIME types are worth deflating when stored.
 *
 * Text, markup and uncompressed binary formats (raw images, PCM audio,
 * fonts, tar, PDF and PostScript, old Office binaries) usually shrink by
 * a third or more; formats that are already compressed (JPEG, PNG, GIF,
 * WebP, AVIF, MP3, MP4, Ogg, ZIP-based office files, gzip, xz, WOFF...)
 * do not, and trying would only cost CPU.  Unknown types are not tried.
 */
#include "util/deflate.h"

#include <string.h>

/* Types (lowercase, no parameters) that compress well. */
static const char *const compressible[] = {
	"application/json", "application/xml", "application/javascript",
	"application/x-javascript", "application/ecmascript", "application/pdf",
	"application/postscript", "application/rtf", "application/x-tar",
	"application/x-sh", "application/x-shellscript", "application/sql",
	"application/yaml", "application/x-yaml", "application/toml",
	"application/x-ndjson", "application/wasm", "application/x-subrip",
	"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
	"application/vnd.ms-fontobject", "application/x-font-ttf", "application/x-font-otf",
	"application/font-sfnt", "application/x-dbf", "application/dbf",
	"image/bmp", "image/x-bmp", "image/x-ms-bmp", "image/tiff", "image/x-tga",
	"image/x-targa", "image/x-icon", "image/vnd.microsoft.icon", "image/x-win-bitmap",
	"image/vnd.adobe.photoshop", "image/x-xcf", "image/x-xbitmap", "image/x-xpixmap",
	"image/x-xbm", "image/x-xpm", "image/svg+xml",
	"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "audio/aiff",
	"audio/x-aiff", "audio/basic", "audio/x-au", "audio/midi", "audio/x-midi",
	"font/ttf", "font/otf", "font/sfnt", "font/collection",
	"model/obj", "model/stl", "model/vrml",
	NULL
};

/*
 * Whether content of this MIME type is worth compressing.  Matching is
 * case-insensitive and ignores parameters ("text/plain; charset=utf-8").
 */
int
mm_mime_compresses(const char *mime)
{
	char		t[128];
	size_t		n = 0;
	size_t		i;
	const char *plus;

	if (mime == NULL)
		return 0;
	while (*mime == ' ' || *mime == '\t')
		mime++;
	for (i = 0; mime[i] != '\0' && mime[i] != ';' && mime[i] != ' ' && mime[i] != '\t'; i++)
	{
		char		c = mime[i];

		if (n + 1 >= sizeof(t))
			return 0;
		t[n++] = (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
	}
	t[n] = '\0';
	if (strncmp(t, "text/", 5) == 0 && t[5] != '\0')
		return 1;
	if (strncmp(t, "image/x-portable-", 17) == 0 && t[17] != '\0')
		return 1;
	for (i = 0; compressible[i] != NULL; i++)
		if (strcmp(t, compressible[i]) == 0)
			return 1;
	/* structured-syntax suffixes: application/ld+json, application/atom+xml */
	plus = strrchr(t, '+');
	if (plus != NULL && strchr(t, '/') != NULL && strchr(t, '/') < plus &&
		(strcmp(plus, "+json") == 0 || strcmp(plus, "+xml") == 0 ||
		 strcmp(plus, "+yaml") == 0))
		return 1;
	return 0;
}
