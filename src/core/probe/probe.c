/*
 * probe/probe.c - mm_probe_source(): tries each format probe in turn.
 *
 * Binary formats with unambiguous magic bytes go first; formats recognised
 * by weaker evidence (PNM, MPEG, MP3 frame sync, TGA's header heuristics)
 * come after them; the text family (SVG, HTML, XML, JSON, plain text) goes
 * last because many binary formats begin with bytes that look like text.
 */
#include <string.h>

#include "probe/formats.h"

static const mm_format_probe probes[] = {
	mm_probe_png,
	mm_probe_jpeg,
	mm_probe_gif,
	mm_probe_webp,
	mm_probe_riff,
	mm_probe_isobmff,
	mm_probe_matroska,
	mm_probe_ogg,
	mm_probe_flac,
	mm_probe_musepack,
	mm_probe_iff,
	mm_probe_flv,
	mm_probe_asf,
	mm_probe_realmedia,
	mm_probe_bmp,
	mm_probe_ico,
	mm_probe_tiff,
	mm_probe_psd,
	mm_probe_qoi,
	mm_probe_jxl,
	mm_probe_image_misc,
	mm_probe_pdf,
	mm_probe_zip,
	mm_probe_archive,
	mm_probe_font,
	mm_probe_audio_misc,
	mm_probe_pnm,
	mm_probe_mpeg,
	mm_probe_mp3,
	mm_probe_tga,
	mm_probe_text,
};

/* Resets *out to "unknown bytes". */
static void
probe_reset(mm_probe *out)
{
	memset(out, 0, sizeof(*out));
	mm_probe_set_type(out, "application/octet-stream");
}

void
mm_probe_set_type(mm_probe *out, const char *mime)
{
	out->mime = mime;
	out->media_type = mm_media_type_of(mime);
	out->width = -1;
	out->height = -1;
	out->duration_ms = -1;
	out->active_content = 0;
	out->ndetails = 0;
}

/*
 * The one rule for a duration no probe could establish: a media file does
 * not last 0 ms, so a zero from any probe (an Ogg file whose last page is
 * a header page, ASF's play duration below its preroll, a GIF whose frames
 * all say 0 cs, a WAV with no samples) is reported as unknown (-1, SQL
 * NULL), never as 0.
 */
static void
probe_unknown_duration(mm_probe *out)
{
	if (out->duration_ms == 0)
		out->duration_ms = -1;
}

mm_probe_status
mm_probe_source(mm_source *src, mm_probe *out)
{
	uint8_t		head[MM_HEAD_LEN];
	size_t		headlen = src->size < MM_HEAD_LEN ? (size_t) src->size : MM_HEAD_LEN;
	size_t		i;

	probe_reset(out);
	src->need = 0;
	if (headlen > 0 && mm_read(src, 0, head, headlen) != MM_SRC_OK)
		return src->need ? MM_PROBE_NEED_DATA : MM_PROBE_OK;

	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
	{
		int			r = probes[i] (src, head, headlen, out);

		if (r == MM_FMT_YES)
		{
			probe_unknown_duration(out);
			return MM_PROBE_OK;
		}
		if (r == MM_FMT_NEED)
			return MM_PROBE_NEED_DATA;
		probe_reset(out);
	}
	return MM_PROBE_OK;
}

void
mm_probe_buffer(const uint8_t *data, size_t len, mm_probe *out)
{
	mm_source	src;

	mm_source_init_mem(&src, data, len);
	(void) mm_probe_source(&src, out);
}

const char *
mm_media_type_of(const char *mime)
{
	static const char *const documents[] = {
		"application/pdf", "application/postscript", "application/zip", "application/gzip",
		"application/x-tar", "application/x-xz", "application/x-7z-compressed",
		"application/x-bzip2", "application/zstd", "application/json", "application/xml",
		"application/xhtml+xml", "application/epub+zip", "application/rtf",
		"application/msword", "application/vnd.ms-", "application/vnd.openxmlformats-",
		"application/vnd.oasis.opendocument.", "application/vnd.rar", NULL
	};
	int			i;

	if (strncmp(mime, "image/", 6) == 0)
		return "image";
	if (strncmp(mime, "video/", 6) == 0)
		return "video";
	if (strncmp(mime, "audio/", 6) == 0)
		return "audio";
	if (strncmp(mime, "text/", 5) == 0)
		return "document";
	for (i = 0; documents[i]; i++)
		if (strncmp(mime, documents[i], strlen(documents[i])) == 0)
			return "document";
	return "other";
}

/* Finds a free detail slot, or NULL when the list is full. */
static mm_detail *
detail_slot(mm_probe *out, const char *key, mm_detail_kind kind)
{
	mm_detail  *d;

	if (out->ndetails >= MM_PROBE_MAX_DETAILS)
		return NULL;
	d = &out->details[out->ndetails++];
	memset(d, 0, sizeof(*d));
	d->key = key;
	d->kind = kind;
	return d;
}

void
mm_probe_add_int(mm_probe *out, const char *key, int64_t value)
{
	mm_detail  *d = detail_slot(out, key, MM_DETAIL_INT);

	if (d)
		d->i = value;
}

void
mm_probe_add_bool(mm_probe *out, const char *key, int value)
{
	mm_detail  *d = detail_slot(out, key, MM_DETAIL_BOOL);

	if (d)
		d->i = value ? 1 : 0;
}

void
mm_probe_add_str(mm_probe *out, const char *key, const char *value)
{
	mm_detail  *d = detail_slot(out, key, MM_DETAIL_STR);

	if (d)
	{
		strncpy(d->s, value, sizeof(d->s) - 1);
		d->s[sizeof(d->s) - 1] = '\0';
	}
}
