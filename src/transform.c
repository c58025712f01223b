/*
 * transform.c - what ingest may change in an upload's bytes before they
 * are stored: location data removed from photos (media.strip_location) and,
 * when asked, JPEGs re-encoded losslessly (media.optimize_jpeg).  Both keep
 * the decoded pixels identical, and both are recorded in the file's attrs.
 */
#include "pg_media.h"

#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/jsonb.h"

#include "image/image.h"
#include "image/strip.h"

/* Can content of this MIME type be changed by media_transform()? */
bool
media_may_transform(const char *mime)
{
	bool		jpeg = strcmp(mime, "image/jpeg") == 0;

	if (media_strip_location &&
		(jpeg || strcmp(mime, "image/png") == 0 || strcmp(mime, "image/webp") == 0 ||
		 strcmp(mime, "image/tiff") == 0))
		return true;
	return jpeg && media_optimize_jpeg != MEDIA_OPTIMIZE_OFF;
}

/* attrs with "key": json added, json being JSON text (attrs may be NULL: then {}). */
static Jsonb *
attrs_add_json(Jsonb *attrs, const char *key, const char *json)
{
	StringInfoData buf;
	Datum		addition;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	escape_json(&buf, key);
	appendStringInfoChar(&buf, ':');
	appendStringInfoString(&buf, json);
	appendStringInfoChar(&buf, '}');
	addition = DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
	if (attrs == NULL)
		return DatumGetJsonbP(addition);
	return DatumGetJsonbP(DirectFunctionCall2(jsonb_concat, JsonbPGetDatum(attrs), addition));
}

/* attrs with "key": "value" added (attrs may be NULL: then {}). */
Jsonb *
media_attrs_add(Jsonb *attrs, const char *key, const char *value)
{
	StringInfoData buf;

	initStringInfo(&buf);
	escape_json(&buf, value);
	return attrs_add_json(attrs, key, buf.data);
}

/* The names attrs.location_removed uses for the MM_STRIP_* flags. */
static const struct
{
	int			flag;
	const char *name;
}			location_names[] = {
	{MM_STRIP_EXIF_GPS, "exif-gps"},
	{MM_STRIP_XMP_GPS, "xmp-gps"},
	{MM_STRIP_PNG_RAW_PROFILE, "png-raw-profile"},
};

/*
 * attrs with location_removed listing what was removed: the places in
 * flags and those already listed (an upload's first window is cleaned
 * before the rest, so this can be called twice for one file).
 */
Jsonb *
media_attrs_location_removed(Jsonb *attrs, int flags)
{
	StringInfoData buf;
	int			i;
	bool		first = true;

	if (flags == 0)
		return attrs;
	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	for (i = 0; i < lengthof(location_names); i++)
	{
		bool		listed = false;

		if (attrs != NULL && !(flags & location_names[i].flag))
		{
			char	   *probe = psprintf("{\"location_removed\": [\"%s\"]}", location_names[i].name);

			listed = DatumGetBool(DirectFunctionCall2(jsonb_contains, JsonbPGetDatum(attrs),
													  DirectFunctionCall1(jsonb_in, CStringGetDatum(probe))));
		}
		if (!(flags & location_names[i].flag) && !listed)
			continue;
		if (!first)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, location_names[i].name);
		first = false;
	}
	appendStringInfoChar(&buf, ']');
	return attrs_add_json(attrs, "location_removed", buf.data);
}

/*
 * Re-encodes a JPEG losslessly with optimized Huffman tables (progressive
 * when so configured).  Returns the new bytes, or NULL when that saved
 * nothing or the JPEG could not be re-encoded (it is then stored as it
 * came: optimization is an optional saving, never a reason to refuse).
 */
static char *
optimize_jpeg(const char *data, int64 *len, Jsonb **attrs)
{
	mm_alloc	alloc;
	mm_limits	lim;
	uint8_t    *out = NULL;
	size_t		out_len = 0;
	int			optimized = 0;
	char		err[256];
	int64		before = *len;
	mm_img_status st;

	/* the result is returned in the current context */
	media_image_limits(&lim, &alloc, CurrentMemoryContext);
	st = mm_jpeg_optimize((const uint8_t *) data, (size_t) *len,
						  media_optimize_jpeg == MEDIA_OPTIMIZE_PROGRESSIVE, &lim,
						  &out, &out_len, &optimized, err, sizeof(err));
	/* a cancel stops the put here, once libjpeg has returned and freed everything */
	if (st == MM_IMG_INTERRUPTED)
		CHECK_FOR_INTERRUPTS();
	if (st != MM_IMG_OK || !optimized)
	{
		if (out)
			pfree(out);
		return NULL;
	}
	*len = (int64) out_len;
	*attrs = media_attrs_add(*attrs, "jpeg_optimized",
							 media_optimize_jpeg == MEDIA_OPTIMIZE_PROGRESSIVE ? "progressive" : "huffman");
	*attrs = media_attrs_add(*attrs, "original_size", psprintf(INT64_FORMAT, before));
	return (char *) out;
}

/*
 * Applies the ingest transforms to content held in memory.  Returns the
 * bytes to store (data itself when nothing changed) and updates *len;
 * records what was done in *attrs.
 */
const char *
media_transform(const char *data, int64 *len, const mm_probe *probe, Jsonb **attrs)
{
	const char *result = data;

	if (!media_may_transform(probe->mime))
		return data;

	if (media_strip_location)
	{
		uint8	   *copy = (uint8 *) palloc(Max(*len, 1));
		int			removed;

		memcpy(copy, data, *len);
		removed = mm_strip_location(copy, (size_t) *len);
		if (removed != 0)
		{
			*attrs = media_attrs_location_removed(*attrs, removed);
			result = (const char *) copy;
		}
		else
			pfree(copy);
	}
	if (strcmp(probe->mime, "image/jpeg") == 0 && media_optimize_jpeg != MEDIA_OPTIMIZE_OFF)
	{
		char	   *smaller = optimize_jpeg(result, len, attrs);

		if (smaller != NULL)
			result = smaller;
	}
	return result;
}
